"""Fixtures for the team and school tests (tests/school uses them too): events with times around
now, users, roles."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from challenges.models import Challenge
from events.models import Event, EventKind, EventRole, Role
from samskapa.auth import passwords
from samskapa.auth.models import User

PASSWORD = "hemligt123"



def utcnow() -> datetime:
    return datetime.now(timezone.utc)


async def make_event(slug="hack", *, phase="registration", kind=EventKind.HACKATHON,
                     max_team_size=3, published=True, title=None) -> Event:
    """An event whose registration is open (phase="registration"), not yet open ("upcoming")
    or closed ("hacking")."""
    now = utcnow()
    start = {"registration": now - timedelta(days=1), "upcoming": now + timedelta(days=1),
             "hacking": now - timedelta(days=3)}[phase]
    return await Event.create(
        slug=slug, title=title or f"Event {slug}", kind=kind, published=published,
        max_team_size=max_team_size, registration_opens=start,
        registration_closes=start + timedelta(days=2),
        hacking_starts=start + timedelta(days=2, hours=1),
        submissions_close=start + timedelta(days=3, hours=2),
        judging_closes=start + timedelta(days=5), results_published=start + timedelta(days=6))


async def make_user(name: str, *, admin=False) -> User:
    return await User.create(email=f"{name.lower()}@example.se", display_name=name,
                             password_hash=await passwords.make_password_hash(PASSWORD),
                             is_admin=admin)


async def grant(event: Event, user: User, role: Role, **kw) -> EventRole:
    return await EventRole.create(event=event, user=user, role=role, **kw)


async def make_challenge(event: Event, title="Grönare stadskärna", published=True) -> Challenge:
    return await Challenge.create(event=event, slug=title.lower().replace(" ", "-"),
                                  title=title, published=published)


@pytest.fixture
async def signed_in(make_client):
    """signed_in(name) -> (client, user): a new visitor signed in as a new adult user."""
    async def factory(name: str, *, admin=False, ip="127.0.0.1"):
        user = await make_user(name, admin=admin)
        client = await make_client(ip)
        await client.login(user.email, PASSWORD)
        return client, user
    return factory
