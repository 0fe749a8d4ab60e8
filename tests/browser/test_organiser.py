"""Walk 1: the site admin signs in, creates an event and publishes it, adds a theme and a
challenge and publishes that; a visitor then finds both."""
from __future__ import annotations

from datetime import datetime, timezone

from playwright.sync_api import expect

from tests.browser.conftest import label, local, schedule, sv, unique


def test_organiser_creates_and_publishes_event_and_challenge(admin_page, new_page, shot):
    page = admin_page
    slug = unique("hack-sodertalje")
    title = "Hack för Södertälje " + slug.rsplit("-", 1)[-1]

    # The event, through the form reached from the main menu.
    page.get_by_role("navigation", name=sv("Main")).get_by_role(
        "link", name=sv("New event")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(sv("New event"))
    page.get_by_label(label("Title")).fill(title)
    # The address an empty address field would get appears as the title is typed (htmx).
    expect(page.locator("#slug-suggestion")).to_contain_text(
        "/events/hack-for-sodertalje-" + slug.rsplit("-", 1)[-1])
    page.get_by_label(label("Address")).fill(slug)
    page.get_by_label(label("Summary")).fill("24 timmar av öppen innovation.")
    page.get_by_label(label("Description")).fill(
        "Ett **24-timmars** hackathon.\n\n- Bilda lag\n- Välj en utmaning")
    page.get_by_label(label("Venue")).fill("Södertälje Science Park")
    page.get_by_label(sv("Kind of event")).select_option(label=sv("Open hackathon"))
    page.get_by_label(sv("Largest team size")).fill("4")
    times = schedule(datetime.now(timezone.utc))
    # A schedule out of order is refused beside the field, the input kept.
    page.get_by_label(sv("Registration opens")).fill(local(times["results_published"]))
    for name, value in times.items():
        if name != "registration_opens":
            page.locator(f"#f-{name}").fill(local(value))
    page.get_by_role("button", name=sv("Create event")).click()
    expect(page.locator("#f-registration_closes-error")).to_be_visible()
    expect(page.get_by_label(label("Title"))).to_have_value(title)
    assert "/events/new" in page.url
    page.get_by_label(sv("Registration opens")).fill(local(times["registration_opens"]))
    page.get_by_role("button", name=sv("Create event")).click()
    page.wait_for_url(f"**/events/{slug}")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text(sv("Draft: only organisers and site administrators can see this "
                               "event."))).to_be_visible()
    expect(page.locator(".description strong")).to_have_text("24-timmars")  # Markdown rendered

    # A visitor cannot see the draft yet.
    visitor = new_page()
    response = visitor.goto(f"/events/{slug}")
    assert response.status == 404
    expect(visitor.get_by_role("heading", level=1)).to_have_text(sv("Page not found"))

    page.get_by_role("button", name=sv("Publish"), exact=True).click()
    expect(page.get_by_role("button", name=sv("Unpublish"))).to_be_visible()
    expect(page.get_by_text(sv("Draft: only organisers and site administrators can see this "
                               "event."))).to_have_count(0)

    # A theme, then a challenge with that theme and a dataset.
    page.get_by_role("navigation", name=sv("Event")).get_by_role(
        "link", name=sv("Challenges")).click()
    page.get_by_role("link", name=sv("Manage themes")).click()
    page.get_by_label(sv("Name in Swedish")).fill("Mobilitet")
    page.get_by_label(sv("Name in English")).fill("Mobility")
    page.get_by_role("button", name=sv("Add theme")).click()
    expect(page.locator("table.themes").get_by_role("cell", name="Mobilitet", exact=True)).to_be_visible()

    page.get_by_role("link", name=sv("Challenges")).first.click()
    page.get_by_role("link", name=sv("New challenge")).click()
    page.get_by_label(label("Title")).first.fill("Trygga cykelvägar till skolan")
    page.get_by_label(sv("Or a new organisation")).fill("Trafik- och mobilitetsenheten")
    page.get_by_label(label("Summary")).fill(
        "Fler barn ska kunna cykla till skolan på ett tryggt sätt.")
    page.get_by_label(label("Description")).fill("Använd **öppna data** om vägnätet.")
    page.get_by_label("Mobilitet").check()
    dataset = page.get_by_role("group", name=sv("Dataset")).first
    dataset.get_by_label(label("Title")).fill("Cykelvägar (OpenStreetMap)")
    dataset.get_by_label(sv("Address (URL)")).fill("https://www.openstreetmap.org/")
    dataset.get_by_label(sv("Licence")).fill("ODbL 1.0")
    dataset.get_by_label(sv("Format")).fill("OSM")
    page.get_by_role("button", name=sv("Save challenge")).click()
    page.wait_for_url(f"**/events/{slug}/challenges/trygga-**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Trygga cykelvägar till skolan")
    page.get_by_role("button", name=sv("Publish"), exact=True).click()
    expect(page.get_by_role("button", name=sv("Unpublish"))).to_be_visible()
    shot(page, "organiser-challenge")

    # The visitor now finds the event on the start page and the challenge in its list.
    visitor.goto("/")
    visitor.get_by_role("link", name=title).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(title)
    visitor.get_by_role("navigation", name=sv("Event")).get_by_role(
        "link", name=sv("Challenges")).click()
    card = visitor.locator(".challenge-card", has_text="Trygga cykelvägar till skolan")
    expect(card).to_be_visible()
    expect(card).to_contain_text("Trafik- och mobilitetsenheten")
    expect(card).to_contain_text("Mobilitet")
    card.get_by_role("link", name="Trygga cykelvägar till skolan").click()
    expect(visitor.get_by_role("link", name="Cykelvägar (OpenStreetMap)")).to_be_visible()
    shot(visitor, "visitor-challenge")
