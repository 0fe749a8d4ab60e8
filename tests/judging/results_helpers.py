"""A judged event for the results tests, made directly in the database: teams with members and
submissions, a rubric, jurors' scores (rows, as the jury pages would have saved them)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from events.models import Event, EventKind, EventRole, Role
from teams.models import Team, TeamMember
from judging.models import (Assignment, AssignmentStatus, Confidence, Criterion, JudgingSettings,
                            Rubric, Score)
from samskapa.auth.models import User
from submissions.models import Eligibility, Submission
from tests.events.helpers import make_user

# juror -> submission -> (idea, execution) on a 1-5 scale. Juror "strict" scores one point
# below "fair", "lenient" one above: calibration should find that.
SCORES = {
    "fair":    {"Solrosen": (5, 4), "Cykelbanan": (4, 4), "Parkappen": (3, 3), "Bussen": (2, 2)},
    "strict":  {"Solrosen": (4, 3), "Cykelbanan": (3, 3), "Parkappen": (2, 2), "Bussen": (1, 1)},
    "lenient": {"Solrosen": (5, 5), "Cykelbanan": (5, 5), "Parkappen": (4, 4), "Bussen": (3, 3)},
}
TEAMS = {"Solrosen": "Lag Å", "Cykelbanan": "Lag Ä", "Parkappen": "Lag Ö", "Bussen": "Lag B"}


@dataclass
class Judged:
    event: Event
    organiser: User
    jurors: dict[str, User]
    members: dict[str, list[User]]              # submission title -> team members
    submissions: dict[str, Submission]
    criteria: list[Criterion]
    outsider: User
    settings: JudgingSettings
    teams: dict[str, Team] = field(default_factory=dict)


def times(results_in: timedelta) -> dict:
    """An event whose results are announced `results_in` from now (negative: already)."""
    results = datetime.now(timezone.utc).replace(microsecond=0) + results_in
    return dict(registration_opens=results - timedelta(days=10),
                registration_closes=results - timedelta(days=8),
                hacking_starts=results - timedelta(days=7),
                submissions_close=results - timedelta(days=6),
                judging_closes=results - timedelta(days=1), results_published=results)


async def judged_event(slug: str = "hack-2025", *, results_in: timedelta = timedelta(days=1),
                       kind: EventKind = EventKind.HACKATHON, scores: dict | None = None
                       ) -> Judged:
    event = await Event.create(slug=slug, title="Hack för Södertälje 2025", kind=kind,
                               published=True, **times(results_in))
    organiser = await make_user(f"arrangor@{slug}.se", name="Olle Arrangör")
    await EventRole.create(event=event, user=organiser, role=Role.ORGANISER)
    jurors = {}
    for key in (SCORES if scores is None else scores):
        jurors[key] = await make_user(f"{key}@{slug}.se", name=f"Juror {key.capitalize()}")
        await EventRole.create(event=event, user=jurors[key], role=Role.JURY)
    rubric = await Rubric.create(event=event)
    criteria = [await Criterion.create(rubric=rubric, position=0, name="Idé", weight=2.0,
                                       scale_min=1, scale_max=5),
                await Criterion.create(rubric=rubric, position=1, name="Genomförande",
                                       weight=1.0, scale_min=1, scale_max=5)]
    members, submissions, teams = {}, {}, {}
    for number, (title, team_name) in enumerate(TEAMS.items()):
        team = await Team.create(event=event, name=team_name, join_code=f"{slug[:4]}{number}X",
                                 member_count=2)
        people = [await make_user(f"{title.lower()}{i}@{slug}.se",
                                  name=f"Åsa Öberg {title} {i}") for i in (1, 2)]
        for person in people:
            await TeamMember.create(team=team, event=event, user=person)
            await EventRole.create(event=event, user=person, role=Role.PARTICIPANT)
        teams[title], members[title] = team, people
        submissions[title] = await Submission.create(
            event=event, team=team, title=title, summary=f"Om {title}",
            eligibility=Eligibility.ELIGIBLE)
    for key, given in (SCORES if scores is None else scores).items():
        for title, values in given.items():
            a = await Assignment.create(event=event, juror=jurors[key],
                                        submission=submissions[title],
                                        status=AssignmentStatus.DONE,
                                        confidence=Confidence.MEDIUM,
                                        feedback=f"Bra jobbat, {title}!",
                                        private_note=f"Hemligt om {title}")
            for criterion, value in zip(criteria, values):
                await Score.create(assignment=a, criterion=criterion, value=value)
    outsider = await make_user(f"besokare@{slug}.se", name="Besökare")
    await EventRole.create(event=event, user=outsider, role=Role.PARTICIPANT)
    settings, _ = await JudgingSettings.get_or_create(event=event)
    return Judged(event, organiser, jurors, members, submissions, criteria, outsider, settings,
                  teams)
