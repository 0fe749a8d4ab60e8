"""Shared helpers for the event tests: users, events with times around now, signed-in clients."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher

from events.models import Event, EventKind, EventRole, Role
from samskapa.auth.models import User

PASSWORD = "hemligt123"
_PASSWORD_HASH = PasswordHasher().hash(PASSWORD)  # hashed once: argon2 is slow on purpose


async def make_user(email: str, *, name: str | None = None, admin: bool = False) -> User:
    return await User.create(email=email, password_hash=_PASSWORD_HASH,
                             display_name=name or email.split("@")[0].capitalize(),
                             is_admin=admin)


def schedule_around(now: datetime | None = None, *, phase: str = "registration") -> dict:
    """Six ordered times placing `now` in the given phase."""
    now = (now or datetime.now(timezone.utc)).replace(second=0, microsecond=0)  # form precision
    h = timedelta(hours=1)
    d = timedelta(days=1)
    starts = {
        "upcoming": now + d,
        "registration": now - h,
        "closed": now - 3 * h,       # registration closed, hacking not started
        "hacking": now - 5 * h,
        "results": now - 30 * d,
    }[phase]
    times = [starts, starts + 2 * h, starts + 4 * h, starts + 28 * h, starts + 3 * d,
             starts + 4 * d]
    if phase == "closed":
        times = [now - 3 * h, now - h, now + h, now + 25 * h, now + 2 * d, now + 3 * d]
    if phase == "hacking":
        times = [now - 5 * d, now - 2 * d, now - h, now + 20 * h, now + 2 * d, now + 3 * d]
    names = ["registration_opens", "registration_closes", "hacking_starts",
             "submissions_close", "judging_closes", "results_published"]
    return dict(zip(names, times))


async def make_event(slug: str = "hack-for-sodertalje", *, published: bool = True,
                     organiser: User | None = None, phase: str = "registration",
                     kind: EventKind = EventKind.HACKATHON, **kw) -> Event:
    event = await Event.create(slug=slug, title=kw.pop("title", "Hack for Södertälje"),
                               summary=kw.pop("summary", "24 timmar av samskapande"),
                               venue=kw.pop("venue", "Södertälje Science Park"),
                               kind=kind, published=published, **schedule_around(phase=phase),
                               **kw)
    if organiser is not None:
        await EventRole.create(event=event, user=organiser, role=Role.ORGANISER)
    return event


async def signed_in(make_client, user: User, ip: str = "127.0.0.1"):
    client = await make_client(ip)
    await client.login(user.email, PASSWORD)
    return client
