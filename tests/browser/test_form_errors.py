"""A form that comes back with errors: focus lands on the error summary (so it is read out),
each link names its field and message, and following a link puts the cursor in that field;
htmx's swap and the whole-page answer (no htmx) alike."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import sv


def check_summary(page) -> None:
    summary = page.locator(".form-errors")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    links = summary.get_by_role("link")
    expect(links).to_have_text([
        f'{sv("Your name")}: {sv("This field is required.")}',
        f'{sv("Email address")}: {sv("Enter a valid email address.")}',
        f'{sv("Password")}: {sv("This field is required.")}',
    ])
    links.nth(1).click()
    expect(page.locator("#f-email")).to_be_focused()
    links.nth(2).click()
    expect(page.locator("#f-password")).to_be_focused()


def test_error_summary_after_an_htmx_swap(new_page):
    page = new_page()
    page.goto("/register")
    page.get_by_label(sv("Email address")).fill("inte-en-adress")
    page.locator("main").get_by_role("button", name=sv("Create account")).click()
    check_summary(page)
    assert page.url.endswith("/register")


def test_error_summary_on_a_whole_page(new_page):
    page = new_page()
    # As when htmx fails to load: the browser posts the form and loads the answer as a page.
    page.route("**/js/htmx.min.js",
               lambda route: route.fulfill(body="", content_type="text/javascript"))
    page.goto("/register")
    page.get_by_label(sv("Email address")).fill("inte-en-adress")
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name=sv("Create account")).click()
    check_summary(page)
