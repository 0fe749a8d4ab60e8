"""Teams in an event: create, join with a code, leave, hand over leadership, the board.

Plain async functions with explicit arguments (the clock comes in as `now`); they raise domain
errors with English msgids. The one rule that needs care is the team size: `Team.member_count`
is raised only by a conditional UPDATE inside a transaction (`add_member`), so two people racing
for the last seat cannot both get it, on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from challenges.models import Challenge
from events.models import Event, EventRole, Role
from samskapa import limiter as limits
from samskapa.auth.models import User
from samskapa.auth.passwords import normalise_code, random_code
from samskapa.errors import DomainError, Forbidden, NotFound, ValidationError
from samskapa.i18n import N_
from samskapa.limiter import Limiter
from samskapa.names import clean_name, name_key
from school.models import Pupil
from teams.models import Team, TeamMember

JOIN_CODE_LENGTH = 6
JOIN_CODE_MAX = Team._meta.fields_map["join_code"].max_length  # longer cannot match
TEAM_NAME_MAX = 100
LOOKING_FOR_MAX = 300


# --- taking part -----------------------------------------------------------------------------

async def ensure_participant(event: Event, user: User) -> None:
    if await EventRole.filter(event_id=event.id, user_id=user.id, role=Role.PARTICIPANT).exists():
        return
    try:
        await EventRole.create(event_id=event.id, user_id=user.id, role=Role.PARTICIPANT)
    except IntegrityError:  # registered at the same moment by another request
        pass


def check_registration_open(event: Event, now: datetime, field: str | None = None) -> None:
    if not event.registration_open(now):
        if now < event.registration_opens:
            raise DomainError("Registration for this event has not opened yet.", field=field)
        raise DomainError("Registration for this event has closed: teams can no longer be "
                          "formed or joined.", field=field)


# --- reading ---------------------------------------------------------------------------------

@dataclass
class TeamView:
    team: Team
    members: list[User]
    free_seats: int
    others: int = 0  # pupils of classes this visitor may not see (school.pupil_privacy)


async def published_challenges(event: Event) -> list[Challenge]:
    return await Challenge.filter(event_id=event.id, published=True).order_by("title")


async def _members_by_team(team_ids: list[int]) -> dict[int, list[User]]:
    rows = await TeamMember.filter(team_id__in=team_ids).order_by("joined_at", "id") \
        .prefetch_related("user")
    result: dict[int, list[User]] = {tid: [] for tid in team_ids}
    for row in rows:
        result[row.team_id].append(row.user)
    return result


async def team_views(event: Event, teams: list[Team] | None = None) -> list[TeamView]:
    if teams is None:
        teams = await Team.filter(event_id=event.id).order_by("name") \
            .prefetch_related("challenge")
    members = await _members_by_team([t.id for t in teams])
    return [TeamView(t, members[t.id], max(0, event.max_team_size - t.member_count))
            for t in teams]


async def get_team(event: Event, team_id: int) -> Team:
    team = await Team.filter(id=team_id, event_id=event.id).prefetch_related(
        "challenge", "leader").first()
    if team is None:
        raise NotFound("We could not find that team.")
    return team


async def team_view(event: Event, team: Team) -> TeamView:
    return (await team_views(event, [team]))[0]


async def membership(event: Event, user: User | None) -> TeamMember | None:
    if user is None:
        return None
    return await TeamMember.filter(event_id=event.id, user_id=user.id).first()


async def board(event: Event) -> tuple[list[EventRole], list[TeamView]]:
    """Participants looking for a team (not yet in one) and teams with free seats."""
    in_team = await TeamMember.filter(event_id=event.id).values_list("user_id", flat=True)
    looking = await EventRole.filter(event_id=event.id, role=Role.PARTICIPANT,
                                     looking_for_team=True).exclude(user_id__in=list(in_team)) \
        .order_by("created_at", "id").prefetch_related("user")
    teams = await Team.filter(event_id=event.id, member_count__lt=event.max_team_size) \
        .order_by("name").prefetch_related("challenge")
    return looking, await team_views(event, teams)


# --- changing --------------------------------------------------------------------------------

async def _challenge_choice(event: Event, challenge_id: int | None) -> Challenge | None:
    if challenge_id is None:
        return None
    challenge = await Challenge.get_or_none(id=challenge_id, event_id=event.id, published=True)
    if challenge is None:
        raise ValidationError({"challenge": N_("Choose one of the event's published challenges.")})
    return challenge


async def name_taken(event: Event, name: str) -> bool:
    """Whatever its case or invisible characters (the folded key, see samskapa.names)."""
    return await Team.filter(event_id=event.id, name_key=name_key(name)).exists()


async def check_may_take_part(event: Event, user: User) -> Pupil | None:
    """Teams in a school event are pupils' teams, each of one class: adults never create or
    join them, and a pupil takes part only in their own class's event. Returns the pupil's
    place in the event's class (None for adults in an open hackathon)."""
    pupil = await Pupil.filter(user_id=user.id, school_class__event_id=event.id).first() \
        if user.is_pupil else None
    if event.is_school and not user.is_pupil:
        raise Forbidden("In a school event only pupils are in teams: adults cannot create or "
                        "join them. Teachers place their pupils from their class's page.")
    if user.is_pupil and pupil is None:
        raise Forbidden("Pupil accounts take part only in the event of their class.")
    return pupil


async def new_join_code() -> str:
    while True:
        code = random_code(JOIN_CODE_LENGTH)
        if not await Team.filter(join_code=code).exists():
            return code


async def create_team(event: Event, user: User | None, name: str, challenge_id: int | None,
                      now: datetime, *, looking_for: str = "", school_class=None,
                      staff: bool = False) -> Team:
    """A new team. A user creating it becomes its leader and first member (and a participant
    of the event); staff (a teacher for a class) create it empty."""
    class_id = school_class.id if school_class is not None else None
    if user is not None:
        pupil = await check_may_take_part(event, user)
        if pupil is not None:  # a pupil's team is their class's team
            class_id = pupil.school_class_id
    if not staff:
        check_registration_open(event, now)
    name = clean_name(name, "name", TEAM_NAME_MAX)
    if await name_taken(event, name):
        raise ValidationError({"name": N_("A team with this name already exists in this event.")})
    challenge = await _challenge_choice(event, challenge_id)
    if user is not None and await membership(event, user):
        raise DomainError("You are already in a team in this event. Leave it first.")
    for _attempt in range(10):
        code = await new_join_code()
        try:
            async with in_transaction() as conn:
                team = await Team.create(event_id=event.id, name=name, challenge=challenge,
                                         school_class_id=class_id, join_code=code,
                                         leader=user, looking_for=looking_for,
                                         member_count=1 if user else 0, using_db=conn)
                if user is not None:
                    await TeamMember.create(team=team, event_id=event.id, user_id=user.id,
                                            using_db=conn)
        except IntegrityError:
            if await name_taken(event, name):
                raise ValidationError({"name": N_("A team with this name already exists in this "
                                               "event.")})
            if user is not None and await membership(event, user):
                raise DomainError("You are already in a team in this event. Leave it first.")
            continue  # a join code taken at the same moment: draw another
        if user is not None:
            await ensure_participant(event, user)
        return team
    raise DomainError("Could not create the team. Please try again.")


async def _team_size(conn, event: Event) -> int:
    """The event's team size as committed now, with the event row locked until the caller's
    transaction ends: an organiser lowering the size (events.service.update_event) waits for
    joins in flight and they for it, so no team ends up above the size (PostgreSQL; SQLite
    runs one writing transaction at a time anyway). FOR NO KEY UPDATE: rows that merely refer to
    the event (new teams, members, roles) are not held up by it."""
    locked = await Event.filter(id=event.id).using_db(conn).select_for_update(no_key=True) \
        .first()
    return locked.max_team_size if locked else 0


async def _take_seat(conn, event: Event, team_id: int) -> bool:
    """Raise the team's member_count if a seat is free: a conditional UPDATE, so two people
    racing for the last seat cannot both get it."""
    size = await _team_size(conn, event)
    return bool(await Team.filter(id=team_id, member_count__lt=size).using_db(conn)
                .update(member_count=F("member_count") + 1))


async def _seat_member(conn, event: Event, team_id: int, user_id: int) -> None:
    """The membership row for a seat already taken; the first member of a leaderless team
    (e.g. a class team placed by its teacher) leads it."""
    await TeamMember.create(team_id=team_id, event_id=event.id, user_id=user_id, using_db=conn)
    await Team.filter(id=team_id, leader_id=None).using_db(conn).update(leader_id=user_id)


async def _unseat_member(conn, team_id: int, user_id: int, *, delete_when_empty: bool,
                         missing: str = N_("You are not a member of this team.")) -> bool:
    """Take `user_id` out of the team inside the caller's transaction (see remove_member)."""
    removed = await TeamMember.filter(team_id=team_id, user_id=user_id).using_db(conn).delete()
    if not removed:
        raise DomainError(missing)
    await Team.filter(id=team_id).using_db(conn).update(member_count=F("member_count") - 1)
    fresh = await Team.filter(id=team_id).using_db(conn).first()
    if fresh is None:
        return False
    if fresh.member_count <= 0 and delete_when_empty:
        await Team.filter(id=team_id, member_count__lte=0).using_db(conn).delete()
        return False
    if fresh.leader_id == user_id or fresh.leader_id is None:
        successor = await TeamMember.filter(team_id=team_id).using_db(conn) \
            .order_by("joined_at", "id").first()
        await Team.filter(id=team_id).using_db(conn).update(
            leader_id=successor.user_id if successor else None)
    return True


async def add_member(event: Event, team: Team, user: User, *, field: str | None = None) -> None:
    """Put `user` in `team`, race-free: the seat is taken by a conditional UPDATE of the
    team's member_count, and the membership row by the unique (event, user) constraint; if
    either fails, nothing is changed."""
    if await membership(event, user):
        raise DomainError("You are already in a team in this event.", field=field)
    try:
        async with in_transaction() as conn:
            if not await _take_seat(conn, event, team.id):
                raise DomainError("This team is full.", field=field)
            await _seat_member(conn, event, team.id, user.id)
    except IntegrityError:
        raise DomainError("You are already in a team in this event.", field=field)


async def move_member(event: Event, user_id: int, target: Team | None, *,
                      field: str | None = None) -> None:
    """Move `user_id` from their team in the event (if any) to `target` (or to no team), in
    one transaction: when the target is full, or another move of the same person wins, the
    person stays where they were. A class team stays when its last pupil is moved out."""
    moved_meanwhile = N_("Someone else moved this person at the same moment. Look at the list "
                         "again and try once more.")
    try:
        async with in_transaction() as conn:
            current = await TeamMember.filter(event_id=event.id, user_id=user_id) \
                .using_db(conn).select_related("team").first()
            if target is not None and current is not None and current.team_id == target.id:
                return
            if target is not None and not await _take_seat(conn, event, target.id):
                raise DomainError("This team is full.", field=field)
            if current is not None:
                await _unseat_member(conn, current.team_id, user_id, missing=moved_meanwhile,
                                     delete_when_empty=current.team.school_class_id is None)
            if target is not None:
                await _seat_member(conn, event, target.id, user_id)
    except IntegrityError:  # placed somewhere else at the same moment
        raise DomainError(moved_meanwhile, field=field)


async def join_team(event: Event, user: User, code: str, now: datetime) -> Team:
    code = normalise_code(code)
    if not code:
        raise ValidationError({"code": N_("This field is required.")})
    # Before the code is looked up: an adult learns nothing about pupils' teams by trying.
    pupil = await check_may_take_part(event, user)
    check_registration_open(event, now, field="code")
    team = await Team.filter(event_id=event.id, join_code=code).first() \
        if len(code) <= JOIN_CODE_MAX else None
    if team is None:
        raise UnknownJoinCode(N_("No team in this event has that join code. Check the code and "
                                 "try again."), field="code")
    if pupil is not None and team.school_class_id not in (None, pupil.school_class_id):
        raise Forbidden("This team belongs to another class: join one of your own class's "
                        "teams.")
    await add_member(event, team, user, field="code")
    await ensure_participant(event, user)
    return team


class UnknownJoinCode(DomainError):
    pass


async def join_team_counted(limiter: Limiter, event: Event, user: User, code: str, now: datetime,
                            ip: str) -> Team:
    """join_team, with wrong codes counted per person and per address and slowed down: a join
    code is all it takes to get into a team, so it must not be guessed by trying."""
    guesses = (limits.check(limits.JOIN_CODE_GUESSES, str(user.id)),
               limits.check(limits.JOIN_CODE_GUESSES_ADDRESS, ip))
    await limiter.check(*guesses, field="code")
    try:
        return await join_team(event, user, code, now)
    except UnknownJoinCode:
        await limiter.count(*guesses)
        raise


async def remove_member(event: Event, team: Team, user_id: int, *,
                        delete_when_empty: bool = True) -> bool:
    """Take `user_id` out of `team`; the longest-standing member leads when the leader goes;
    the team is deleted with its last member (unless a teacher is only moving pupils between
    the class's teams). Returns False when the team is gone."""
    async with in_transaction() as conn:
        return await _unseat_member(conn, team.id, user_id, delete_when_empty=delete_when_empty)


async def leave_team(event: Event, team: Team, user: User) -> bool:
    await _require_member(team, user)
    return await remove_member(event, team, user.id)


async def _require_member(team: Team, user: User) -> None:
    if not await TeamMember.filter(team_id=team.id, user_id=user.id).exists():
        raise Forbidden("Only members of this team can do this.")


async def require_leader(team: Team, user: User) -> None:
    await _require_member(team, user)
    if team.leader_id != user.id:
        raise Forbidden("Only the team leader can do this.")


async def hand_over(event: Event, team: Team, user: User, new_leader_id: int | None) -> None:
    await require_leader(team, user)
    if new_leader_id is None or not await TeamMember.filter(
            team_id=team.id, user_id=new_leader_id).exists():
        raise ValidationError({"user_id": N_("Choose a member of this team.")})
    await Team.filter(id=team.id, leader_id=user.id).update(leader_id=new_leader_id)
    team.leader_id = new_leader_id


async def update_team(event: Event, team: Team, user: User, challenge_id: int | None,
                      looking_for: str) -> None:
    await require_leader(team, user)
    challenge = await _challenge_choice(event, challenge_id)
    await Team.filter(id=team.id).update(challenge_id=challenge.id if challenge else None,
                                         looking_for=looking_for.strip())
