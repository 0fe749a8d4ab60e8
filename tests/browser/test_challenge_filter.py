"""Walk 4: the challenge filter updates the list without a page reload, keeps the filter in the
URL (shareable) and the Back button brings the earlier lists back."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

from tests.browser.conftest import (add_theme, create_challenge, create_event, sv, theme_slugs,
                                    unique)

CHALLENGES = [
    # title, summary, organisation, themes (Swedish names)
    ("Trygga cykelvägar till skolan", "Fler barn ska cykla tryggt.", "Trafikenheten",
     ["Mobilitet"]),
    ("Cykelparkering vid stationen", "Var ska pendlarna ställa cykeln?", "Trafikenheten",
     ["Mobilitet", "Stadskärna"]),
    ("Gröna tak i centrum", "Sedumtak som tar hand om regnvatten.", "Miljöförvaltningen",
     ["Miljö", "Stadskärna"]),
    ("Skyfall och värmeböljor", "Var samlas vattnet vid skyfall?", "Miljöförvaltningen",
     ["Miljö"]),
    ("Levande torg", "Fler människor på torget efter klockan 18.", "Stadsbyggnad",
     ["Stadskärna"]),
    ("Elcykelpool för kommunens anställda", "Färre bilresor i tjänsten.", "HR-avdelningen",
     ["Miljö"]),
]
ALL = {c[0] for c in CHALLENGES}
CYKEL = {"Trygga cykelvägar till skolan", "Cykelparkering vid stationen",
         "Elcykelpool för kommunens anställda"}
CYKEL_MOBILITY = {"Trygga cykelvägar till skolan", "Cykelparkering vid stationen"}


def titles(page) -> set[str]:
    return {t.strip() for t in page.locator(".challenge-card h2").all_inner_texts()}


def expect_titles(page, expected: set[str]) -> None:
    cards = page.locator(".challenge-card h2")
    expect(cards).to_have_count(len(expected))
    assert titles(page) == expected


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def test_challenge_filter_without_reload(admin_page, new_page, shot):
    slug = unique("filter")
    create_event(admin_page, slug, "Filterhacket " + slug.rsplit("-", 1)[-1])
    for name_sv, name_en in [("Miljö", "Environment"), ("Mobilitet", "Mobility"),
                             ("Stadskärna", "City centre")]:
        add_theme(admin_page, slug, name_sv, name_en)
    theme_slug = theme_slugs(admin_page, slug)
    for title, summary, organisation, themes in CHALLENGES:
        create_challenge(admin_page, slug, title, summary, organisation,
                         [theme_slug[t] for t in themes])
    create_challenge(admin_page, slug, "Hemlig cykelidé", "Ett utkast.", "Trafikenheten",
                     [theme_slug["Mobilitet"]], publish=False)

    page = new_page()
    page.goto(f"/events/{slug}/challenges")
    expect_titles(page, ALL)  # the draft is not listed
    list_url = page.url
    page.evaluate("window.__marker = 1")  # gone if the page were loaded again

    search = page.get_by_role("searchbox", name=sv("Search"))
    search.press_sequentially("cykel", delay=40)
    expect_titles(page, CYKEL)
    expect(page.locator("#challenge-count")).to_contain_text("3")
    page.wait_for_url(lambda url: parse_qs(urlparse(url).query).get("q") == ["cykel"])
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    cykel_url = page.url

    page.get_by_label(sv("Theme"), exact=True).select_option(label="Mobilitet")
    expect_titles(page, CYKEL_MOBILITY)
    page.wait_for_url(lambda url: parse_qs(urlparse(url).query).get("theme") == [
        theme_slug["Mobilitet"]])
    assert query(page).get("q") == ["cykel"]
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    shared_url = page.url
    shot(page, "filter-cykel-mobilitet")

    # Back: the earlier lists return, still without a reload, and the form shows their filter.
    page.go_back()
    page.wait_for_url(cykel_url)
    expect_titles(page, CYKEL)
    expect(search).to_have_value("cykel")
    expect(page.get_by_label(sv("Theme"), exact=True)).to_have_value("")
    page.go_back()
    page.wait_for_url(list_url)
    expect_titles(page, ALL)
    expect(search).to_have_value("")
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    page.go_forward()
    page.wait_for_url(cykel_url)
    expect_titles(page, CYKEL)

    # The filtered URL is shareable: opened fresh, it shows the same list and filter.
    other = new_page()
    other.goto(shared_url)
    expect_titles(other, CYKEL_MOBILITY)
    expect(other.get_by_role("searchbox", name=sv("Search"))).to_have_value("cykel")
    expect(other.get_by_label(sv("Theme"), exact=True)).to_have_value(theme_slug["Mobilitet"])

    # A search with no match says so, and the link back shows everything.
    other.get_by_role("searchbox", name=sv("Search")).fill("ubåt")
    other.get_by_role("button", name=sv("Filter")).click()
    expect(other.get_by_text(sv("No challenges match your filter."))).to_be_visible()
    other.locator("#challenge-results").get_by_role(
        "link", name=sv("Show all challenges")).click()
    expect_titles(other, ALL)
