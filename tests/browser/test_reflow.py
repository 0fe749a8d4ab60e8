"""WCAG 1.4.10 Reflow: on a 390 px phone no page is wider than the screen, tables included
(they stack into one card per row). Every page with a table, and the pages around them, for the
visitor who sees the most on each, in Swedish and English, on the demo data (`samskapa demo`)."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import TIMEOUT_MS, _cli, sign_in

PHONE = {"width": 390, "height": 844}
HACK = "/events/hack-for-sodertalje"
SCHOOL = "/events/minecraft-hackathon"
LAST_YEAR = "/events/hack-for-sodertalje-2025"   # judged and published
DEMO_PASSWORD = "samskapa-demo"

# Who looks, and where (a path or a link to follow from the path before it).
VISITS = {
    None: ["/", HACK, f"{HACK}/challenges", f"{HACK}/challenges/grona-promenadstraket",
           f"{HACK}/teams", f"{HACK}/board", "/login", "/register", "/pupil", "/pupil/join",
           f"{LAST_YEAR}/results", f"{LAST_YEAR}/gallery"],
    "admin@demo.samskapa.se": [
        "/", HACK, f"{HACK}/dashboard", f"{HACK}/themes", f"{HACK}/teams",
        f"{HACK}/challenges/new", f"{HACK}/invite", f"{HACK}/edit", "/events/new",
        "/admin/outbox", "/admin/users?q=demo", "/account", "/account/data", "/privacy",
        "/accessibility", f"{HACK}/personal-data", f"{SCHOOL}/dashboard", f"{SCHOOL}/teams",
        *(f"{LAST_YEAR}/judging{page}" for page in (
            "", "/ranking", "/awards", "/assignments", "/rubric", "/jury", "/protocol"))],
    "larare@demo.samskapa.se": [f"{SCHOOL}/classes", ("link", "6A"), ("link", "Kubkungen"),
                                f"{SCHOOL}/teams"],
    "deltagare1@demo.samskapa.se": [f"{HACK}/teams", ("link", "Parkpiloterna"),
                                    f"{HACK}/join"],
}

# The widest elements that stick out past the viewport, for a readable failure.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const culprits = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0) {
      culprits.push(`${el.tagName.toLowerCase()}${el.className ? '.' + el.className : ''}`
                    + ` right=${Math.round(box.right)}`);
    }
  }
  return {scroll: document.documentElement.scrollWidth, width, culprits: culprits.slice(0, 5)};
}"""


@pytest.fixture(scope="module")
def demo(server):
    _cli(["demo"], server.env)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_no_page_is_wider_than_a_phone(browser, server, demo, language):
    too_wide, errors, tables = [], [], 0
    for email, visits in VISITS.items():
        context = browser.new_context(base_url=server.base_url, viewport=PHONE, locale="sv-SE")
        context.set_default_timeout(TIMEOUT_MS)
        try:
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            if email:
                sign_in(page, email, DEMO_PASSWORD)
            context.add_cookies([{"name": "lang", "value": language, "url": server.base_url}])
            for visit in visits:
                if isinstance(visit, tuple):
                    page.locator("main").get_by_role("link", name=visit[1], exact=True).first.click()
                    page.wait_for_load_state()
                else:
                    response = page.goto(visit)
                    assert response.ok, f"{visit} as {email}: {response.status}"
                tables += page.locator("main table").count()
                measured = page.evaluate(OVERFLOW_JS)
                if measured["scroll"] > measured["width"]:
                    where = re.sub(r"^https?://[^/]+", "", page.url)
                    too_wide.append(f"{where} as {email or 'anonymous'}: {measured['scroll']} px "
                                    f"in {measured['width']} px; {measured['culprits']}")
        finally:
            context.close()
    assert tables >= 6, "the walk should pass every kind of table"
    assert not too_wide, "wider than a 390 px phone:\n" + "\n".join(too_wide)
    assert not errors, errors
