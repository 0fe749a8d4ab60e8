"""The iCal feed of an event's schedule: one VEVENT per schedule step plus the hacking period.

UIDs are built from the event's id (not its slug, which organisers may change), so calendar apps
update the same entries when times move. Times are written in UTC.
"""
from __future__ import annotations

from datetime import datetime, timezone

from icalendar import Calendar
from icalendar import Event as VEvent

from events.models import Event
from samskapa.i18n import gettext


def _utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc)


def event_calendar(event: Event, event_url: str, host: str, now: datetime) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Samskapa//Event schedule//SV")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", event.title)

    def add(uid: str, summary: str, start: datetime, end: datetime | None) -> None:
        item = VEvent()
        item.add("uid", f"samskapa-event-{event.id}-{uid}@{host}")
        item.add("dtstamp", _utc(now))
        item.add("dtstart", _utc(start))
        if end is not None:
            item.add("dtend", _utc(end))
        item.add("summary", summary)
        if event.venue:
            item.add("location", event.venue)
        item.add("url", event_url)
        item.add("description", f"{event.summary}\n\n{event_url}".strip())
        cal.add_component(item)

    add("hacking", gettext("%(event)s: hacking", event=event.title), event.hacking_starts,
        event.submissions_close)
    for name, label, value in event.schedule():
        add(name.replace("_", "-"),
            gettext("%(event)s: %(step)s", event=event.title, step=gettext(label)), value, None)
    return cal.to_ical()

