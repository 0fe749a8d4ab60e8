"""A judging world for the jury-side tests: an event in its judging phase, an organiser, three
jurors, four teams with eligible submissions and an event rubric of two criteria."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from events.models import Event, EventKind, EventRole, Role
from judging.models import Criterion, Rubric
from samskapa.auth.models import User
from submissions.models import Eligibility, Submission
from teams.models import Team, TeamMember
from tests.events.helpers import make_user


@dataclass
class World:
    event: Event
    organiser: User
    jurors: list[User]
    teams: list[Team]
    subs: list[Submission]
    rubric: Rubric
    criteria: list[Criterion]
    extra: dict = field(default_factory=dict)


async def build(slug: str = "hack", *, jurors: int = 3, teams: int = 4) -> World:
    now = datetime.now(timezone.utc)
    event = await Event.create(
        slug=slug, title="Hack for Södertälje", kind=EventKind.HACKATHON, published=True,
        registration_opens=now - timedelta(days=5), registration_closes=now - timedelta(days=4),
        hacking_starts=now - timedelta(days=3), submissions_close=now - timedelta(hours=2),
        judging_closes=now + timedelta(days=2), results_published=now + timedelta(days=3))
    organiser = await make_user(f"org-{slug}@example.se", name="Olga Organiser")
    await EventRole.create(event=event, user=organiser, role=Role.ORGANISER)
    people = []
    for i in range(jurors):
        juror = await make_user(f"juror{i}-{slug}@example.se", name=f"Juror {i}")
        await EventRole.create(event=event, user=juror, role=Role.JURY)
        people.append(juror)
    team_rows, subs = [], []
    for i in range(teams):
        team = await Team.create(event=event, name=f"Team {i}", join_code=f"J{slug[:3]}{i}X"
                                 .upper()[:12], member_count=0)
        team_rows.append(team)
        subs.append(await Submission.create(event=event, team=team, title=f"Project {i}",
                                            summary="Kort", description="**Bra** idé",
                                            eligibility=Eligibility.ELIGIBLE))
    rubric = await Rubric.create(event=event)
    criteria = [
        await Criterion.create(rubric=rubric, position=0, name="Idé", weight=2, scale_min=1,
                               scale_max=5, levels={"1": "Saknas", "5": "Lysande"}),
        await Criterion.create(rubric=rubric, position=1, name="Genomförande", weight=1,
                               scale_min=0, scale_max=10),
    ]
    return World(event, organiser, people, team_rows, subs, rubric, criteria)


async def join_team(world: World, user: User, team: Team) -> None:
    await TeamMember.create(team=team, event=world.event, user=user)
    await Team.filter(id=team.id).update(member_count=team.member_count + 1)


async def htmx_post(client, path: str, data: dict, token: str):
    """What htmx sends: the CSRF token in its header, only the field's own value."""
    return await client.post(path, data=data, headers={"HX-Request": "true",
                                                       "X-CSRF-Token": token})
