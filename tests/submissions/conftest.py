"""Fixtures for the submission tests: an event in its hacking phase (submissions open), a team
of two, an outsider, an organiser and a juror; helpers to move the event's clock."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from PIL import Image

from challenges.models import Challenge
from events.models import Event, EventKind, EventRole, Role

from samskapa.auth import passwords
from samskapa.auth.models import User
from teams.models import Team, TeamMember

PASSWORD = "hemligt123"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


async def make_user(name: str, *, admin: bool = False, pupil: bool = False) -> User:
    return await User.create(email=None if pupil else f"{name.lower()}@example.se",
                             display_name=name, is_pupil=pupil, is_admin=admin,
                             password_hash=await passwords.make_password_hash(PASSWORD),
                             email_verified_at=utcnow())


async def make_event(slug: str = "hack", kind: EventKind = EventKind.HACKATHON) -> Event:
    """Hacking now; submissions close in a day."""
    now = utcnow()
    return await Event.create(
        slug=slug, title=f"Event {slug}", kind=kind, published=True, max_team_size=5,
        registration_opens=now - timedelta(days=3), registration_closes=now - timedelta(days=2),
        hacking_starts=now - timedelta(days=1), submissions_close=now + timedelta(days=1),
        judging_closes=now + timedelta(days=2), results_published=now + timedelta(days=3))


async def move_to(event: Event, phase: str) -> Event:
    """Moves the event's schedule so that now is in `phase` ("judging": submissions closed;
    "results": everything over)."""
    now = utcnow()
    if phase == "judging":
        times = dict(hacking_starts=now - timedelta(days=1),
                     submissions_close=now - timedelta(minutes=1))
    elif phase == "results":
        times = dict(hacking_starts=now - timedelta(days=1),
                     submissions_close=now - timedelta(hours=3),
                     judging_closes=now - timedelta(hours=2),
                     results_published=now - timedelta(hours=1))
    else:
        raise ValueError(phase)
    await Event.filter(id=event.id).update(**times)
    return await Event.get(id=event.id)


@dataclass
class World:
    event: Event
    team: Team
    other_team: Team
    challenge: Challenge
    alice: User
    bob: User
    outsider: User
    organiser: User
    juror: User


async def build_world(slug: str = "hack", kind: EventKind = EventKind.HACKATHON) -> World:
    event = await make_event(slug, kind)
    challenge = await Challenge.create(event=event, slug="cykel", title="Cykelvägar",
                                       published=True)
    alice, bob, outsider, organiser, juror = [
        await make_user(f"{name}-{slug}") for name in ("Alice", "Bob", "Olle", "Org", "Jury")]
    await EventRole.create(event=event, user=organiser, role=Role.ORGANISER)
    await EventRole.create(event=event, user=juror, role=Role.JURY)
    team = await Team.create(event=event, name="Alfa", join_code=f"A{slug[:4].upper()}22",
                             challenge=challenge, leader=alice, member_count=2)
    other = await Team.create(event=event, name="Beta", join_code=f"B{slug[:4].upper()}33",
                              leader=outsider, member_count=1)
    for t, u in ((team, alice), (team, bob), (other, outsider)):
        await EventRole.create(event=event, user=u, role=Role.PARTICIPANT)
        await TeamMember.create(team=team if t is team else other, event=event, user=u)
    return World(event, team, other, challenge, alice, bob, outsider, organiser, juror)


@pytest.fixture
async def world(clean_db) -> World:
    return await build_world()


@pytest.fixture
async def as_(make_client):
    """as_(user) -> a client signed in as that user."""
    async def factory(user: User):
        client = await make_client()
        await client.login(user.email, PASSWORD)
        return client
    return factory


def png_bytes(size=(64, 48), color=(200, 30, 30), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG", **save)
    return buffer.getvalue()


def jpeg_with_gps() -> bytes:
    """A JPEG carrying EXIF with a GPS position (Södertälje) and a camera model."""
    image = Image.new("RGB", (80, 60), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0110] = "Pupil's phone"  # Model
    exif[0x0112] = 6  # orientation: rotate 90° to stand upright
    gps = {1: "N", 2: (59.0, 11.0, 46.0), 3: "E", 4: (17.0, 37.0, 32.0)}
    exif[0x8825] = gps
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


