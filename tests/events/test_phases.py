"""The clock's view of an event: phase, highlighted step, listing order (no database needed)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from events import service
from events.models import Event, Phase

T0 = datetime(2027, 3, 1, 8, 0, tzinfo=timezone.utc)


def event(start: datetime = T0, **kw) -> Event:
    h = timedelta(hours=1)
    return Event(slug=kw.pop("slug", "e"), title="E", registration_opens=start,
                 registration_closes=start + 10 * h, hacking_starts=start + 20 * h,
                 submissions_close=start + 30 * h, judging_closes=start + 40 * h,
                 results_published=start + 50 * h, **kw)


def test_phase_label_and_step_through_the_schedule():
    e, h = event(), timedelta(hours=1)
    expected = [
        (T0 - h, Phase.UPCOMING, "Upcoming", None),
        (T0, Phase.REGISTRATION, "Registration open", "registration_opens"),
        (T0 + 15 * h, Phase.REGISTRATION, "Registration closed", "registration_closes"),
        (T0 + 20 * h, Phase.HACKING, "Hacking", "hacking_starts"),
        (T0 + 35 * h, Phase.JUDGING, "Judging", "submissions_close"),
        (T0 + 45 * h, Phase.AWAITING_RESULTS, "Awaiting results", "judging_closes"),
        (T0 + 60 * h, Phase.RESULTS, "Results published", "results_published"),
    ]
    for now, phase, label, step in expected:
        assert (e.phase(now), service.phase_label(e, now), service.current_step(e, now)) == \
            (phase, label, step), now
    assert e.registration_open(T0) and not e.registration_open(T0 + 10 * h)


def test_schedule_errors_name_the_field_that_comes_too_early():
    times = {name: getattr(event(), name) for name, _ in service.SCHEDULE_FIELDS}
    assert service.schedule_field_errors(times) == {}
    times["hacking_starts"] = times["registration_opens"]
    assert service.schedule_field_errors(times) == {
        "hacking_starts": ("Hacking cannot start before registration closes.", {})}


def test_listing_runs_current_and_coming_events_first():
    d = timedelta(days=10)
    past, old = event(T0 - 2 * d, slug="past"), event(T0 - 5 * d, slug="old")
    soon, later = event(T0 + d, slug="soon"), event(T0 + 3 * d, slug="later")
    running = event(T0 - timedelta(hours=25), slug="running")
    ordered = service.order_for_listing([old, later, past, soon, running], T0)
    assert [e.slug for e in ordered] == ["running", "soon", "later", "past", "old"]
