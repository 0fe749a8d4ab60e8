"""Walk 5: Swedish by default; the visible language switch turns every text English and back."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, sign_in


def test_language_switch(new_page, shot):
    # The browser asks for English first: Swedish is still the default until the visitor chooses.
    page = new_page(locale="en-GB")
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    expect(page.get_by_label("E-postadress")).to_be_visible()

    languages = page.get_by_role("list", name="Språk")
    languages.get_by_role("link", name="English").click()
    page.wait_for_url("**/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_label("Email address")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Create account")).to_be_visible()

    # The choice sticks while signing in and moving around.
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto("/no-such-page")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    shot(page, "language-en")

    page.get_by_role("list", name="Language").get_by_role("link", name="Svenska").click()
    page.wait_for_url("**/no-such-page")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sidan hittades inte")
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    shot(page, "language-sv")
