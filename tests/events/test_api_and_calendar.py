"""Open data out: the JSON read API and the iCal feed of an event's schedule."""
from __future__ import annotations

from datetime import datetime

from icalendar import Calendar

from challenges.models import Challenge, Organisation, Theme
from events.models import Event
from tests.events.helpers import make_event, make_user, signed_in

STEPS = ["registration_opens", "registration_closes", "hacking_starts", "submissions_close",
         "judging_closes", "results_published"]


async def test_event_list_shape(client):
    event = await make_event("hack", phase="hacking")
    await make_event("utkast", published=False)
    r = await client.get("/api/events")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    [item] = r.json()["events"]
    assert {k: item[k] for k in ("slug", "title", "summary", "venue", "kind", "phase",
                                 "registration_open")} == {
        "slug": "hack", "title": "Hack for Södertälje", "summary": "24 timmar av samskapande",
        "venue": "Södertälje Science Park", "kind": "hackathon", "phase": "hacking",
        "registration_open": False}
    assert list(item["schedule"]) == STEPS
    for name in STEPS:
        value = datetime.fromisoformat(item["schedule"][name])
        assert value.utcoffset() is not None  # ISO 8601 with the offset
        assert value == getattr(event, name)
    assert item["links"] == {
        "html": "http://testserver/events/hack",
        "api": "http://testserver/api/events/hack",
        "calendar": "http://testserver/events/hack/calendar.ics",
        "challenges": "http://testserver/api/events/hack/challenges",
    }


async def test_one_event_with_its_published_challenges(client):
    event = await make_event("hack")
    mobility = await Theme.create(event=event, slug="mobilitet", name_sv="Mobilitet",
                                  name_en="Mobility")
    org = await Organisation.create(name="Samhällsbyggnadskontoret")
    c = await Challenge.create(event=event, slug="cykel", title="Säkra cykelvägar",
                               summary="Var cyklar barn?", organisation=org, published=True)
    await c.themes.add(mobility)
    await Challenge.create(event=event, slug="hemlig", title="Inte klar", published=False)
    r = await client.get("/api/events/hack")
    assert r.status_code == 200
    data = r.json()
    assert data["slug"] == "hack" and data["description"] == ""
    assert data["challenges"] == [{
        "slug": "cykel", "title": "Säkra cykelvägar", "summary": "Var cyklar barn?",
        "themes": [{"slug": "mobilitet", "name_sv": "Mobilitet", "name_en": "Mobility"}],
        "organisation": "Samhällsbyggnadskontoret",
        "url": "http://testserver/events/hack/challenges/cykel",
    }]
    missing = await client.get("/api/events/finns-inte")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


async def test_draft_api_for_its_organiser(make_client):
    organiser = await make_user("org@example.se")
    await make_event("utkast", organiser=organiser, published=False)
    c = await signed_in(make_client, organiser)
    r = await c.get("/api/events/utkast")
    assert r.status_code == 200 and r.json()["published"] is False


async def test_calendar_feed_parses_back(client):
    event = await make_event("hack")
    page = await client.get("/events/hack")
    assert 'href="/events/hack/calendar.ics"' in page.text
    r = await client.get("/events/hack/calendar.ics")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(r.content)
    items = {str(v["uid"]): v for v in cal.walk("VEVENT")}
    assert len(items) == 7
    hacking = items[f"samskapa-event-{event.id}-hacking@testserver"]
    assert hacking.decoded("dtstart") == event.hacking_starts
    assert hacking.decoded("dtend") == event.submissions_close
    assert hacking.decoded("dtstart").tzinfo is not None
    assert hacking.decoded("dtstart").utcoffset().total_seconds() == 0
    assert str(hacking["location"]) == "Södertälje Science Park"
    closes = items[f"samskapa-event-{event.id}-registration-closes@testserver"]
    assert closes.decoded("dtstart") == event.registration_closes
    assert str(closes["summary"]) == "Hack for Södertälje: Anmälan stänger"
    assert b"DTSTART:" in r.content and b"Z\r\n" in r.content  # written in UTC
    # UIDs follow the event, not its address: renaming keeps them.
    await Event.filter(id=event.id).update(slug="nytt-namn")
    again = Calendar.from_ical((await client.get("/events/nytt-namn/calendar.ics")).content)
    assert {str(v["uid"]) for v in again.walk("VEVENT")} == set(items)
    assert (await client.get("/events/finns-inte/calendar.ics")).status_code == 404
