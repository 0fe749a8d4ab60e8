"""The core flows without JavaScript: real forms and links only (htmx merely enhances them).
Registering, forming and joining a team (errors shown beside the field, input kept), and
filtering the challenge list with the filter in the URL."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

from tests.browser.conftest import (add_theme, create_challenge, create_event, label,
                                    register_account, sv, theme_slugs, unique)


def test_core_flows_without_javascript(admin_page, new_page, shot):
    slug = unique("utan-js")
    title = "Hack utan skript " + slug.rsplit("-", 1)[-1]
    create_event(admin_page, slug, title, max_team_size=2)
    add_theme(admin_page, slug, "Miljö", "Environment")
    themes = theme_slugs(admin_page, slug)
    create_challenge(admin_page, slug, "Renare sjöar", "Mät vattenkvaliteten.", "Miljökontoret",
                     [themes["Miljö"]])
    create_challenge(admin_page, slug, "Fler cykelställ", "Var saknas de?", "Trafikenheten", [])

    lena = new_page(javascript=False)
    lena.goto(f"/events/{slug}")
    lena.locator("#registration").get_by_role("link", name=sv("Create account")).click()
    register_account(lena, "Lena Ek", f"{slug}-lena@example.se", "lena-lösenord-1")
    lena.wait_for_url(f"**/events/{slug}")
    lena.get_by_role("button", name=sv("Register as participant")).click()
    expect(lena.locator("#registration")).to_contain_text(sv("You are registered as a participant."))

    # The challenge filter is a plain GET form: the page reloads with the filter in the URL.
    lena.get_by_role("navigation", name=sv("Event")).get_by_role(
        "link", name=sv("Challenges")).click()
    expect(lena.locator(".challenge-card")).to_have_count(2)
    lena.get_by_label(sv("Theme"), exact=True).select_option(label="Miljö")
    lena.get_by_role("button", name=sv("Filter")).click()
    lena.wait_for_url(lambda url: parse_qs(urlparse(url).query).get("theme") == [themes["Miljö"]])
    expect(lena.locator(".challenge-card")).to_have_count(1)
    expect(lena.locator(".challenge-card")).to_contain_text("Renare sjöar")

    lena.goto(f"/events/{slug}/teams/new")
    lena.get_by_role("button", name=sv("Create team")).click()  # no name: refused, kept page
    expect(lena.locator("#f-name-error")).to_be_visible()
    lena.get_by_label(label("Team name")).fill("Sjöräddarna")
    lena.get_by_label(label("Challenge")).select_option(label="Renare sjöar")
    lena.get_by_role("button", name=sv("Create team")).click()
    lena.wait_for_url(re.compile(rf"/events/{slug}/teams/\d+$"))
    code = lena.locator(".join-code code").inner_text().strip()

    omar = new_page(javascript=False)
    omar.goto(f"/register?next=/events/{slug}/join")
    register_account(omar, "Omar Ali", f"{slug}-omar@example.se", "omar-lösenord-1")
    omar.wait_for_url(f"**/events/{slug}/join")
    omar.get_by_label(label("Join code")).fill("QQQQ22")
    omar.get_by_role("button", name=sv("Join team")).click()
    expect(omar.locator("main")).to_contain_text(
        sv("No team in this event has that join code. Check the code and try again."))
    expect(omar.get_by_label(label("Join code"))).to_have_value("QQQQ22")
    omar.get_by_label(label("Join code")).fill(code)
    omar.get_by_role("button", name=sv("Join team")).click()
    omar.wait_for_url(re.compile(rf"/events/{slug}/teams/\d+$"))
    expect(omar.locator("#team-members ul.members")).to_contain_text("Lena Ek")
    expect(omar.locator("#team-members ul.members")).to_contain_text("Omar Ali")

    # The team is now full (two seats): a third person is told so.
    tove = new_page(javascript=False)
    tove.goto(f"/register?next=/events/{slug}/join")
    register_account(tove, "Tove Sand", f"{slug}-tove@example.se", "tove-lösenord-1")
    tove.get_by_label(label("Join code")).fill(code)
    tove.get_by_role("button", name=sv("Join team")).click()
    expect(tove.locator("main")).to_contain_text(sv("This team is full."))
    shot(tove, "no-js-team-full")
