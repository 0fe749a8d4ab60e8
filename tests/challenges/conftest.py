"""Fixtures for the challenge pages: a published event with three themes, and people in every
role (each signs in with their own client)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher

from challenges import service
from challenges.models import Theme
from challenges.service import ChallengeInput, DatasetInput
from events.models import Event, EventRole, Role
from samskapa.auth.models import User

PASSWORD = "hemligt123"
# One cheap argon2 hash for every test user: verifying it at sign-in takes a millisecond, so the
# many sign-ins of the permission tests stay fast (the real cost parameters live in the hash).
_HASH = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1).hash(PASSWORD)


async def make_event(slug: str = "hack", *, published: bool = True) -> Event:
    now = datetime.now(timezone.utc)
    return await Event.create(
        slug=slug, title="Hack för Södertälje", published=published,
        registration_opens=now - timedelta(days=10), registration_closes=now + timedelta(days=5),
        hacking_starts=now + timedelta(days=6), submissions_close=now + timedelta(days=7),
        judging_closes=now + timedelta(days=8), results_published=now + timedelta(days=9))


async def make_user(email: str, *, event: Event | None = None, role: Role | None = None,
                    admin: bool = False) -> User:
    user = await User.create(email=email, password_hash=_HASH, display_name=email.split("@")[0],
                             is_admin=admin)
    if event is not None and role is not None:
        await EventRole.create(event=event, user=user, role=role)
    return user


async def add_challenge(event: Event, title: str, *, owner: User | None = None,
                        published: bool = True, themes: list[str] = (), summary: str = "",
                        organisation: str = "Samhällsbyggnadskontoret", datasets: int = 0,
                        slug: str = ""):
    challenge = await service.save_challenge(event, ChallengeInput(
        title=title, slug=slug, summary=summary, organisation_name=organisation,
        theme_slugs=list(themes),
        datasets=[DatasetInput(f"Data {i}", f"https://example.se/{i}.csv", "CC0", "CSV")
                  for i in range(datasets)]), owner=owner)
    if published:
        await service.set_published(challenge, True)
    return challenge


@dataclass
class World:
    event: Event
    organiser: User
    owner: User
    other_owner: User
    participant: User
    admin: User


@pytest.fixture
async def world(clean_db) -> World:
    event = await make_event()
    for slug, sv, en in [("miljo", "Miljömässig hållbarhet", "Environmental sustainability"),
                         ("mobilitet", "Mobilitet", "Mobility"),
                         ("stadskarna", "Attraktiv och hållbar stadskärna",
                          "Attractive and sustainable town centre")]:
        await Theme.create(event=event, slug=slug, name_sv=sv, name_en=en)
    return World(
        event=event,
        organiser=await make_user("org@example.se", event=event, role=Role.ORGANISER),
        owner=await make_user("agare@example.se", event=event, role=Role.CHALLENGE_OWNER),
        other_owner=await make_user("annan@example.se", event=event, role=Role.CHALLENGE_OWNER),
        participant=await make_user("deltagare@example.se", event=event, role=Role.PARTICIPANT),
        admin=await make_user("admin@example.se", admin=True),
    )


@pytest.fixture
def as_user(make_client):
    """`await as_user(user)` -> a client signed in as that user."""
    async def sign_in(user: User):
        client = await make_client()
        await client.login(user.email, PASSWORD)
        return client
    return sign_in
