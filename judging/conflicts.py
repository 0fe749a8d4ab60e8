"""Conflicts of interest: who must not score which team.

Two sources, one rule (`conflicted_sql`):
- membership, found by the system: a juror in a team never scores it. It is read from the
  teams at the moment of asking, never copied, so joining a team later counts at once;
- declared: a juror says they share a school, an employer or a family with a team (Conflict
  rows; the model keeps TEAM_MEMBER for the automatic kind, which is never stored).
The rule is stated once, as an SQL condition, and everything asks it: assignment (`pairs`,
`is_conflicted`), the review page, the queue and score saves, and what counts (the ranking,
team feedback, exports: `with_conflict`). A review by a juror who is in conflict now, however
late the conflict came, counts nowhere.
A juror who takes part in the event at all (registered, or in any team) is flagged to the
organiser (`flags`): not forbidden, since a school's teacher may both judge and coach, but seen.
"""
from __future__ import annotations

from dataclasses import dataclass

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.expressions import RawSQL
from tortoise.queryset import QuerySet

from events.models import Event, EventRole, Role
from events.policy import Permission, roles_with
from teams.models import Team, TeamMember
from judging.models import Assignment, Conflict, ConflictKind
from samskapa.auth.models import User
from samskapa.errors import NotFound, ValidationError
from samskapa.i18n import N_
from submissions.models import Submission

# Everyone who scores (jury members and the jury chair): the same roles the dashboard and the
# warning on joining a team count.
JURY_ROLES = tuple(sorted(roles_with(Permission.SCORE)))
DECLARABLE = [ConflictKind.SCHOOL, ConflictKind.EMPLOYER, ConflictKind.FAMILY, ConflictKind.OTHER]


async def juror_ids(event: Event) -> list[int]:
    """Everyone who scores in the event (jury members and the jury chair)."""
    return sorted(set(await EventRole.filter(event_id=event.id, role__in=JURY_ROLES)
                      .values_list("user_id", flat=True)))


def conflicted_sql(juror: str, submission: str) -> str:
    """The rule as an SQL condition on two SQL expressions, a user id and a submission id: the
    user is in the submission's team, or declared a conflict with that team. Callers pass
    column names or integers only, never text from a request."""
    return (
        f'EXISTS (SELECT 1 FROM "submissions" "cs" WHERE "cs"."id" = {submission} '
        'AND (EXISTS (SELECT 1 FROM "team_members" "cm" WHERE "cm"."team_id" = "cs"."team_id" '
        f'AND "cm"."user_id" = {juror}) '
        'OR EXISTS (SELECT 1 FROM "conflicts" "cc" WHERE "cc"."team_id" = "cs"."team_id" '
        f'AND "cc"."juror_id" = {juror})))')


# The rule as a column of a query over reviews (assignments): read live with the review itself,
# so a review page or a score save costs no query of its own for it.
REVIEW_CONFLICTED_SQL = conflicted_sql('"assignments"."juror_id"',
                                       '"assignments"."submission_id"')


def with_conflict(query: QuerySet[Assignment]) -> QuerySet[Assignment]:
    """Reviews that know whether their juror has a conflict with the team (`conflicted`)."""
    return query.annotate(conflicted=RawSQL(REVIEW_CONFLICTED_SQL))


async def pairs(event: Event) -> set[tuple[int, int]]:
    """(juror, submission) pairs that must never be assigned or scored, over the event's jury
    members and submissions: one query over their cross product (for 200 jurors and 2,000
    submissions about 1 s on SQLite, 0.3 s on PostgreSQL; only the assignment run asks)."""
    roles = ", ".join(f"'{role.value}'" for role in JURY_ROLES)
    rule = conflicted_sql('"er"."user_id"', '"s"."id"')
    rows = await connections.get("default").execute_query_dict(
        'SELECT DISTINCT "er"."user_id" AS "juror", "s"."id" AS "submission" '
        'FROM "event_roles" "er" JOIN "submissions" "s" ON "s"."event_id" = "er"."event_id" '
        f'WHERE "er"."event_id" = {int(event.id)} AND "er"."role" IN ({roles}) AND {rule}')
    return {(row["juror"], row["submission"]) for row in rows}


async def conflicted_submissions(event: Event, juror_id: int) -> set[int]:
    """The event's submissions this juror must not see in pairwise judging or score."""
    return set(await Submission.filter(event_id=event.id).annotate(
        conflicted=RawSQL(conflicted_sql(str(int(juror_id)), '"submissions"."id"')))
        .filter(conflicted=True).values_list("id", flat=True))


async def is_conflicted(juror_id: int, submission: Submission) -> bool:
    """One query (assignment's pre-check asks it)."""
    return bool(await Submission.filter(id=submission.id).annotate(
        conflicted=RawSQL(conflicted_sql(str(int(juror_id)), '"submissions"."id"')))
        .first().values_list("conflicted", flat=True))


async def declare(event: Event, juror: User, team_id: int | None, kind: str,
                  note: str) -> Conflict:
    team = await Team.get_or_none(id=team_id, event_id=event.id) if team_id else None
    errors = {}
    if team is None:
        errors["team_id"] = N_("Choose one of the teams.")
    if kind not in {k.value for k in DECLARABLE}:
        errors["kind"] = N_("Choose one of the options.")
    if kind == ConflictKind.OTHER.value and not note:
        errors["note"] = N_("Say briefly what the conflict is.")
    if errors:
        raise ValidationError(errors)
    try:
        return await Conflict.create(event=event, juror=juror, team=team, kind=ConflictKind(kind),
                                     note=note)
    except IntegrityError:
        raise ValidationError({"team_id": N_("You have already declared a conflict with this "
                                             "team.")})


async def withdraw(event: Event, juror: User, conflict_id: int) -> None:
    deleted = await Conflict.filter(id=conflict_id, event_id=event.id, juror_id=juror.id).delete()
    if not deleted:
        raise NotFound(N_("There is no such conflict."))


async def declared_by(event: Event, juror: User) -> list[Conflict]:
    return await Conflict.filter(event_id=event.id, juror_id=juror.id) \
        .prefetch_related("team").order_by("id")


@dataclass
class Flag:
    """A juror who also takes part in the event."""
    juror: User
    registered: bool
    team: Team | None


@dataclass
class Overview:
    declared: list[Conflict]
    memberships: list[TeamMember]  # jurors in a team: they never score that team
    flags: list[Flag]


async def overview(event: Event) -> Overview:
    """Everything the organiser sees about the jury's conflicts."""
    jurors = await juror_ids(event)
    memberships = await TeamMember.filter(event_id=event.id, user_id__in=jurors) \
        .prefetch_related("user", "team").order_by("id")
    registered = set(await EventRole.filter(event_id=event.id, role=Role.PARTICIPANT,
                                            user_id__in=jurors).values_list("user_id", flat=True))
    teams = {m.user_id: m.team for m in memberships}
    users = {u.id: u for u in await User.filter(id__in=set(registered) | set(teams))}
    flags = [Flag(users[uid], uid in registered, teams.get(uid)) for uid in sorted(users)]
    declared = await Conflict.filter(event_id=event.id).prefetch_related("juror", "team") \
        .order_by("id")
    return Overview(declared, memberships, flags)
