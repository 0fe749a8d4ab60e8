"""Which language a visitor gets, over HTTP: the explicit choice (cookie) first, else what the
browser asks for (Accept-Language, Swedish or English), else Swedish; English dates written as in
Sweden, not the US."""
import re
from datetime import datetime, timezone

from samskapa import i18n
from tests.events.helpers import make_event

ENGLISH_BROWSER = {"Accept-Language": "en-GB,en;q=0.9"}


def html_lang(response) -> str:
    return re.search(r'<html lang="(\w+)"', response.text).group(1)


def test_accept_language_negotiation():
    assert i18n.request_language({}, "en-US,en;q=0.9") == "en"
    assert i18n.request_language({}, "sv-SE,sv;q=0.9,en;q=0.8") == "sv"
    assert i18n.request_language({}, "de-DE,de;q=0.9,en;q=0.5,sv;q=0.8") == "sv"  # by weight
    assert i18n.request_language({}, "EN") == "en"
    assert i18n.request_language({}, "en;q=0, sv") == "sv"  # q=0: not English
    for nothing_we_have in ("de-DE,fr;q=0.5", "*", "", None, ";;,q=x", "en;q=nonsense"):
        assert i18n.request_language({}, nothing_we_have) == "sv", nothing_we_have
    assert i18n.request_language({"lang": "sv"}, "en-GB") == "sv"  # a choice beats the browser
    assert i18n.request_language({"lang": "en"}, "sv") == "en"
    assert i18n.request_language({"lang": "xx"}, "en") == "en"  # a broken cookie is no choice


async def test_an_english_browser_gets_english_on_the_first_visit(client):
    await make_event("hack")
    r = await client.get("/events/hack", headers=ENGLISH_BROWSER)
    assert r.status_code == 200 and html_lang(r) == "en" and "Schedule" in r.text
    assert "set-cookie" not in r.headers  # negotiated, not chosen: nothing to remember
    vary = {v.strip().lower() for v in r.headers["vary"].split(",")}
    assert {"accept-language", "cookie"} <= vary
    german = await client.get("/events/hack", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert html_lang(german) == "sv" and "Schema" in german.text
    assert html_lang(await client.get("/events/hack")) == "sv"  # no header at all
    missing = await client.get("/no-such-page", headers=ENGLISH_BROWSER)
    assert missing.status_code == 404 and "Page not found" in missing.text


async def test_the_page_cache_keeps_negotiated_languages_apart(client, app):
    await make_event("hack")
    assert app.state.page_cache.ttl > 0
    for _ in range(2):  # the second round is served from the cache
        assert html_lang(await client.get("/events/hack", headers=ENGLISH_BROWSER)) == "en"
        assert html_lang(await client.get("/events/hack",
                                          headers={"Accept-Language": "sv"})) == "sv"
    assert len(app.state.page_cache._entries) == 2


async def test_an_explicit_choice_is_remembered_over_the_browser(client):
    await make_event("hack")
    r = await client.get("/lang", params={"to": "sv", "next": "/events/hack"},
                         headers=ENGLISH_BROWSER)
    assert r.status_code == 303 and "lang=sv" in r.headers["set-cookie"]
    r = await client.get("/events/hack", headers=ENGLISH_BROWSER)
    assert html_lang(r) == "sv" and "Schema" in r.text
    missing = await client.get("/no-such-page", headers=ENGLISH_BROWSER)
    assert missing.status_code == 404 and "Sidan hittades inte" in missing.text
    await client.get("/lang", params={"to": "en", "next": "/"})
    assert html_lang(await client.get("/events/hack", headers={"Accept-Language": "sv"})) == "en"


def test_english_dates_are_day_month_and_24_hour():
    moment = datetime(2026, 11, 30, 18, 4, tzinfo=timezone.utc)  # 19:04 in Stockholm
    token = i18n.set_language("en")
    try:
        assert i18n.format_datetime(moment) == "30 November 2026 19:04"
        assert i18n.format_datetime(moment, "short") == "2026-11-30 19:04"
        assert i18n.format_date(moment, "full") == "Monday, 30 November 2026"
        assert i18n.format_date(moment) == "30 Nov 2026"
        assert i18n.format_time(moment) == "19:04"
    finally:
        i18n._current_language.reset(token)


async def test_english_event_page_has_no_us_dates(client):
    event = await make_event("hack")
    await client.get("/lang", params={"to": "en", "next": "/"})
    r = await client.get("/events/hack")
    local = event.hacking_starts.astimezone(i18n.TIMEZONE)
    assert f"{local.day} {local:%B} {local.year}" in r.text  # "30 November 2026"
    assert local.strftime("%H:%M") in r.text
    assert not re.search(r"\d (AM|PM)\b", r.text)
    assert f"{local:%B} {local.day}, {local.year}" not in r.text
