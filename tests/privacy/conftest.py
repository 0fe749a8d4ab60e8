"""Fixtures for the privacy tests: a small world of an ended school event and a hackathon."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone


from events import policy
from events.models import Event, EventKind, EventRole, Role
from samskapa.auth.models import User
from samskapa.auth.passwords import make_password_hash
from samskapa.limiter import Limiter
from school import service as school
from school.models import SchoolClass
from teams.models import Team, TeamMember

PASSWORD = "hemligt123"



def utcnow() -> datetime:
    return datetime.now(timezone.utc)


async def make_event(slug: str, *, results_published: datetime,
                     kind: EventKind = EventKind.SCHOOL) -> Event:
    """An event whose results are published at `results_published` (the rest before it)."""
    r = results_published
    return await Event.create(
        slug=slug, title=f"Event {slug}", kind=kind, published=True, max_team_size=4,
        registration_opens=r - timedelta(days=10), registration_closes=r - timedelta(days=5),
        hacking_starts=r - timedelta(days=4), submissions_close=r - timedelta(days=3),
        judging_closes=r - timedelta(days=2), results_published=r)


async def make_user(name: str, *, admin: bool = False) -> User:
    return await User.create(email=f"{name.lower()}@example.se", display_name=name,
                             password_hash=await make_password_hash(PASSWORD), is_admin=admin)


async def grant(event: Event, user: User, role: Role, **kw) -> EventRole:
    return await EventRole.create(event=event, user=user, role=role, **kw)


async def make_class(event: Event, teacher: User, name: str = "5B") -> SchoolClass:
    await grant(event, teacher, Role.TEACHER)
    return await school.create_class(await policy.standing(event, teacher), name, "Skolan")


async def join_pupil(school_class: SchoolClass, nickname: str) -> tuple[User, str]:
    user, code, _ = await school.join_class(Limiter("test-secret"), school_class.code, nickname,
                                            "127.0.0.1")
    return user, code


async def put_in_team(team: Team, *users: User, leader: User | None = None) -> None:
    for user in users:
        await TeamMember.create(team=team, event_id=team.event_id, user=user)
    await Team.filter(id=team.id).update(member_count=len(users),
                                         leader_id=(leader or users[0]).id)


async def signed_in(make_client, user: User):
    client = await make_client()
    await client.login(user.email, PASSWORD)
    return client


async def pupil_client(make_client, school_class: SchoolClass, nickname: str, code: str):
    client = await make_client()
    r = await client.post_form("/pupil", {"class_code": school_class.code, "nickname": nickname,
                                          "login_code": code}, token_from="/pupil")
    assert r.status_code == 303, r.text[:300]
    return client
