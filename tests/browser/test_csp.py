"""The Content-Security-Policy holds in a real browser: key pages, signed in and anonymous, load
without a single violation, and htmx still works under it (the challenge filter, a form swapped
in with its errors)."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import (add_theme, create_challenge, create_event, sv,
                                    theme_slugs, unique)

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) =>
  window.__cspViolation(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} `
                        + `in ${e.sourceFile || document.location.pathname}:${e.lineNumber}`));
"""


def watch(page) -> list[str]:
    """Collects the page's CSP violations: the DOM event (through a binding, which the policy
    cannot block) and Chromium's console report."""
    violations: list[str] = []
    page.expose_function("__cspViolation", lambda text: violations.append(text))
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda msg: violations.append(f"console: {msg.text}")
            if "Content Security Policy" in msg.text else None)
    return violations


def visit(page, path: str, status: int = 200) -> None:
    response = page.goto(path)
    assert response.status == status, f"{path}: {response.status}"
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, f"{path}: {csp!r}"
    page.wait_for_load_state("load")


def test_the_policy_is_enforced_and_reported(browser, server):
    """The watch itself works: an inline script is blocked and reported (else the walk below
    could pass by seeing nothing)."""
    context = browser.new_context(base_url=server.base_url)
    try:
        page = context.new_page()
        violations = watch(page)
        visit(page, "/")
        page.evaluate("""() => { const s = document.createElement("script");
                                 s.textContent = "window.__ran = 1"; document.body.append(s); }""")
        assert page.evaluate("window.__ran") is None, "an inline script ran"
        page.wait_for_timeout(200)
        assert any("script-src" in v for v in violations), violations
    finally:
        context.close()


def test_key_pages_without_a_violation_and_htmx_works(admin_page, new_page):
    slug = unique("csp")
    create_event(admin_page, slug, "CSP-hacket " + slug.rsplit("-", 1)[-1])
    add_theme(admin_page, slug, "Miljö", "Environment")
    themes = theme_slugs(admin_page, slug)
    challenge = create_challenge(admin_page, slug, "Cykelvägar", "Trygga vägar.", "Trafiken",
                                 [themes["Miljö"]])
    create_challenge(admin_page, slug, "Gröna tak", "Sedumtak.", "Miljön", [themes["Miljö"]])

    admin_violations = watch(admin_page)
    for path in ("/", f"/events/{slug}", f"/events/{slug}/challenges", challenge,
                 f"/events/{slug}/teams", f"/events/{slug}/board", f"/events/{slug}/teams/new",
                 f"/events/{slug}/challenges/new", f"/events/{slug}/themes", "/events/new",
                 "/admin/outbox"):
        visit(admin_page, path)
    visit(admin_page, "/no/such/page", status=404)

    # htmx under the policy: the new-event form comes back with its errors, without a reload.
    visit(admin_page, "/events/new")
    admin_page.evaluate("window.__marker = 1")
    admin_page.locator("main form.event-form button[type=submit]").click()
    expect(admin_page.locator(".form-errors")).to_be_visible()
    assert admin_page.evaluate("window.__marker") == 1, "the form was not sent by htmx"

    visitor = new_page()
    visitor_violations = watch(visitor)
    for path in ("/", f"/events/{slug}", "/login", "/register", "/pupil", "/password/forgot"):
        visit(visitor, path)
    # The challenge filter (htmx, with its CSS-only indicator) narrows the list in place.
    visit(visitor, f"/events/{slug}/challenges")
    expect(visitor.locator(".challenge-card h2")).to_have_count(2)
    visitor.evaluate("window.__marker = 1")
    visitor.get_by_role("searchbox", name=sv("Search")).press_sequentially("cykel", delay=40)
    expect(visitor.locator(".challenge-card h2")).to_have_count(1)
    expect(visitor.locator(".challenge-card h2")).to_have_text("Cykelvägar")
    assert visitor.evaluate("window.__marker") == 1, "the page was reloaded"

    visitor.wait_for_timeout(200)  # violation reports are queued as tasks
    assert not admin_violations, "CSP violations (signed in):\n" + "\n".join(admin_violations)
    assert not visitor_violations, "CSP violations (anonymous):\n" + "\n".join(visitor_violations)
