"""Walk 5: the browser's language on the first visit (English for an English browser); the
visible language switch turns texts, dates and theme names Swedish or English, and the choice is
remembered over what the browser asks for."""
from __future__ import annotations

from datetime import datetime

from babel.dates import format_date
from playwright.sync_api import expect

from tests.browser.conftest import (ADMIN_EMAIL, ADMIN_PASSWORD, STOCKHOLM, add_theme,
                                    create_challenge, create_event, theme_slugs, unique)


def first_step_date(page) -> tuple[str, datetime]:
    step = page.locator(".schedule-list time").first
    return step.inner_text(), datetime.fromisoformat(step.get_attribute("datetime"))


def test_language_switch(admin_page, new_page, shot):
    slug = unique("sprak")
    create_event(admin_page, slug, "Språkhacket " + slug.rsplit("-", 1)[-1])
    add_theme(admin_page, slug, "Mobilitet", "Mobility")
    create_challenge(admin_page, slug, "Tryggare busshållplatser", "Ljus och väderskydd.",
                     "Trafikenheten", list(theme_slugs(admin_page, slug).values()))

    # The browser asks for English first: the first visit is in English, dates as in Sweden.
    page = new_page(locale="en-GB")
    page.goto(f"/events/{slug}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Schedule")).to_be_visible()
    text, when = first_step_date(page)
    assert format_date(when.astimezone(STOCKHOLM).date(), "full", locale="en_SE") in text, text

    # Choosing Swedish sticks, whatever the browser asks for.
    page.get_by_role("list", name="Language").get_by_role("link", name="Svenska").click()
    page.wait_for_url(f"**/events/{slug}")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", name="Schema")).to_be_visible()
    text, when = first_step_date(page)
    assert format_date(when.astimezone(STOCKHOLM).date(), "full", locale="sv") in text, text

    page.get_by_role("list", name="Språk").get_by_role("link", name="English").click()
    page.wait_for_url(f"**/events/{slug}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Schedule")).to_be_visible()
    text, when = first_step_date(page)
    assert format_date(when.astimezone(STOCKHOLM).date(), "full", locale="en_SE") in text, text
    page.get_by_role("navigation", name="Event").get_by_role("link", name="Challenges").click()
    card = page.locator(".challenge-card", has_text="Tryggare busshållplatser")
    expect(card.get_by_role("link", name="Mobility")).to_be_visible()  # the theme's English name

    # The choice sticks while signing in and moving around.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Email address").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto("/no-such-page")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    shot(page, "language-en")

    page.get_by_role("list", name="Language").get_by_role("link", name="Svenska").click()
    page.wait_for_url("**/no-such-page")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sidan hittades inte")
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    page.goto(f"/events/{slug}/challenges")
    expect(page.locator(".challenge-card").get_by_role("link", name="Mobilitet")).to_be_visible()
    shot(page, "language-sv")
