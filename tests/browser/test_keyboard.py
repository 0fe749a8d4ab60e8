"""With the keyboard only: a visible skip link and focus ring, signing in with Tab and Enter, and
an error tied to its field (aria-describedby) with the input kept."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, sv

FOCUSED = "document.activeElement"


def focused(page, expression: str):
    return page.evaluate(f"(() => {{ const el = {FOCUSED}; return {expression}; }})()")


def tab_to(page, selector: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"{FOCUSED}.matches({selector!r})"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_keyboard_sign_in(new_page, shot):
    page = new_page()
    page.goto("/login")

    page.keyboard.press("Tab")
    assert focused(page, "el.textContent.trim()") == sv("Skip to content")
    assert focused(page, "getComputedStyle(el).outlineStyle") == "solid"  # a visible focus ring
    assert focused(page, "el.getBoundingClientRect().left") >= 0  # shown, not off-screen
    page.keyboard.press("Enter")
    assert focused(page, "el.id") == "main"

    tab_to(page, "input[name=email]")
    page.keyboard.type(ADMIN_EMAIL)
    page.keyboard.press("Tab")
    assert focused(page, "el.name") == "password"
    page.keyboard.type("fel-lösenord")
    page.keyboard.press("Enter")

    error = page.locator("#f-password-error")
    expect(error).to_be_visible()
    password = page.locator("input[name=password]")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_attribute("aria-describedby", "f-password-error")
    expect(page.locator("input[name=email]")).to_have_value(ADMIN_EMAIL)
    shot(page, "keyboard-login-error")

    password.focus()
    page.keyboard.type(ADMIN_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)
    expect(page.locator("header").get_by_role("button", name=sv("Sign out"))).to_be_visible()
    shot(page, "keyboard-signed-in")
