"""School events: classes, pupils joining with a class code and a nickname, pupil sign-in with a
personal login code, and teachers placing their pupils in teams.

Pupils never give a real name or an email address: their account is a User with is_pupil=True
whose display_name is the nickname, and whose password is a personal login code (hashed with
argon2 like any password) shown once when it is made.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from events.models import Event, EventRole, Role
from events.policy import Permission, Standing
from samskapa import limiter as limits
from samskapa.auth import sessions
from samskapa.auth.models import User
from samskapa.auth.passwords import (make_password_hash, normalise_code, password_matches,
                                     random_code)
from samskapa.errors import DomainError, Forbidden, NotFound, ValidationError
from samskapa.forms import parse_id
from samskapa.i18n import N_
from samskapa.limiter import Limiter
from samskapa.names import clean_name, name_key
from school.first_names import FIRST_NAMES
from school.models import Pupil, SchoolClass
from teams import service as teams
from teams.models import Team, TeamMember

CLASS_CODE_LENGTH = 6
CLASS_CODE_MAX = SchoolClass._meta.fields_map["code"].max_length  # longer cannot match
LOGIN_CODE_LENGTH = 8
NICKNAME_MIN = 2
NICKNAME_MAX = 30
NICKNAME_EXTRA_CHARACTERS = " -_."


# --- who may do what -------------------------------------------------------------------------

def require_school_event(event: Event) -> None:
    if not event.is_school:
        raise NotFound("This event has no classes: it is not a school event.")


def require_class_staff(standing: Standing) -> None:
    """Teachers of the event, its organisers and site admins manage classes."""
    require_school_event(standing.event)
    standing.require(Permission.TEACH,
                     N_("Only the event's teachers and organisers can manage classes."))


async def teaches_class_id(event: Event, class_id: int, user: User | None) -> bool:
    if user is None:
        return False
    return await SchoolClass.filter(id=class_id, event_id=event.id, teacher_id=user.id).exists()


def runs_every_class(standing: Standing) -> bool:
    """Organisers (and site admins) run every class of the event; a teacher only their own."""
    return standing.is_organiser


async def get_class(standing: Standing, class_id: int) -> SchoolClass:
    """A class of this event for its own teacher or the event's organisers."""
    event = standing.event
    require_school_event(event)
    school_class = await SchoolClass.get_or_none(id=class_id, event_id=event.id)
    if school_class is None:
        raise NotFound("We could not find that class.")
    if school_class.teacher_id != standing.user_id and not runs_every_class(standing):
        raise Forbidden("Only the class's teacher and the event's organisers can see this class.")
    return school_class


async def classes_for(standing: Standing) -> list[SchoolClass]:
    require_class_staff(standing)
    query = SchoolClass.filter(event_id=standing.event.id)
    if not runs_every_class(standing):
        query = query.filter(teacher_id=standing.user_id)
    return await query.order_by("name").prefetch_related("teacher")


# --- classes ---------------------------------------------------------------------------------

async def _unique_class_code() -> str:
    while True:
        code = random_code(CLASS_CODE_LENGTH)
        if not await SchoolClass.filter(code=code).exists():
            return code


async def create_class(standing: Standing, name: str, school: str) -> SchoolClass:
    """A new class taught by the one who creates it (a teacher, or an organiser)."""
    require_class_staff(standing)
    event, teacher = standing.event, standing.user
    if await SchoolClass.filter(event_id=event.id, teacher_id=teacher.id,
                                name__iexact=name.strip(), school__iexact=school.strip()).exists():
        raise ValidationError(
            {"name": N_("You already have a class with this name in this event.")})
    for _attempt in range(10):
        try:
            return await SchoolClass.create(event_id=event.id, teacher_id=teacher.id,
                                            name=name.strip(), school=school.strip(),
                                            code=await _unique_class_code())
        except IntegrityError:  # the code was drawn by someone else at the same moment
            continue
    raise DomainError("Could not create the class. Please try again.")


@dataclass
class PupilRow:
    pupil: Pupil
    team: Team | None


async def roster(event: Event, school_class: SchoolClass) -> tuple[list[PupilRow],
                                                                    list[teams.TeamView]]:
    """The class's pupils (with their team in this event) and the class's teams."""
    pupils = await Pupil.filter(school_class_id=school_class.id).order_by("nickname") \
        .prefetch_related("user")
    memberships = await TeamMember.filter(event_id=event.id,
                                          user_id__in=[p.user_id for p in pupils]) \
        .prefetch_related("team")
    team_of = {m.user_id: m.team for m in memberships}
    return ([PupilRow(p, team_of.get(p.user_id)) for p in pupils],
            await class_team_views(event, school_class))


async def class_team_views(event: Event, school_class: SchoolClass) -> list[teams.TeamView]:
    class_teams = await Team.filter(event_id=event.id, school_class_id=school_class.id) \
        .order_by("name").prefetch_related("challenge")
    return await teams.team_views(event, class_teams)


async def listed_class(event: Event, raw_id: str | None,
                       visible: Callable[[int], bool]) -> SchoolClass | None:
    """The class a team list is narrowed to (`?class=<id>`, where pupils land), None for all.
    Only a class the visitor may see (`visible`, school.pupil_privacy): its name is not public."""
    if not raw_id:
        return None
    class_id = parse_id(raw_id)
    school_class = await SchoolClass.get_or_none(id=class_id, event_id=event.id) \
        if class_id is not None and visible(class_id) else None
    if school_class is None:
        raise NotFound("We could not find that class.")
    return school_class


# --- pupils ----------------------------------------------------------------------------------

def format_login_code(code: str) -> str:
    """ABCD-EFGH: easier to copy by hand (the dash is ignored when typed back)."""
    return f"{code[:4]}-{code[4:]}" if len(code) == LOGIN_CODE_LENGTH else code


def check_nickname(nickname: str) -> str:
    nickname = clean_name(nickname, "nickname")
    if len(nickname) < NICKNAME_MIN or len(nickname) > NICKNAME_MAX:
        raise ValidationError({"nickname": (N_("A nickname has %(min)s to %(max)s characters."),
                                            {"min": NICKNAME_MIN, "max": NICKNAME_MAX})})
    if not all(ch.isalnum() or ch in NICKNAME_EXTRA_CHARACTERS for ch in nickname):
        raise ValidationError({"nickname": N_("Use only letters, digits, spaces, dots, dashes and "
                                           "underscores.")})
    if looks_like_real_name(nickname):
        raise ValidationError({"nickname": N_("That looks like a real name. You need no real name "
                                           "here: make up a nickname, like Kubkungen or Blå "
                                           "Räven.")})
    return nickname


def looks_like_real_name(nickname: str) -> bool:
    """A common Swedish first name followed by a surname-like word ("Anna Svensson",
    "anna.svensson", "Anna-Karin Berg"): children easily type their own name when asked for a
    nickname, and a nickname is shown to their class."""
    words = [w for w in re.split(r"[ ._]+", nickname) if w]
    if len(words) < 2:
        return False
    first, second = words[0].split("-")[0].casefold(), words[1]
    return (first in FIRST_NAMES and len(second) >= 2
            and all(ch.isalpha() or ch == "-" for ch in second))


async def class_by_code(code: str) -> SchoolClass:
    code = normalise_code(code)
    school_class = await SchoolClass.filter(code=code).prefetch_related("event").first() \
        if 0 < len(code) <= CLASS_CODE_MAX else None
    if school_class is None:
        raise ValidationError({"class_code": N_("No class has that class code. Check it with your "
                                             "teacher.")})
    return school_class


async def class_by_code_counted(limiter: Limiter, code: str, ip: str) -> SchoolClass:
    """class_by_code, with wrong codes from one address counted and slowed down (guessing)."""
    guesses = limits.check(limits.CLASS_CODE_GUESSES, ip)
    await limiter.check(guesses, field="class_code")
    try:
        return await class_by_code(code)
    except ValidationError:
        await limiter.count(guesses)
        raise


async def find_pupil(school_class: SchoolClass, nickname: str) -> Pupil | None:
    """The pupil with this nickname, whatever its case or invisible characters (the folded
    key, see samskapa.names)."""
    return await Pupil.filter(school_class_id=school_class.id,
                              nickname_key=name_key(nickname)).first()


async def join_class(limiter: Limiter, class_code: str, nickname: str,
                     ip: str) -> tuple[User, str, SchoolClass]:
    """A new pupil account in the class; returns it with its login code (shown once)."""
    school_class = await class_by_code_counted(limiter, class_code, ip)
    nickname = check_nickname(nickname)
    taken = ValidationError({"nickname": N_("Someone in this class already has that nickname. "
                                         "Choose another.")})
    if await find_pupil(school_class, nickname) is not None:
        raise taken
    # A whole class joins at once from one school address: the budgets allow that, not a
    # script filling a class (or the database) with accounts.
    await limiter.take(limits.check(limits.PUPIL_JOINS_ADDRESS, ip),
                       limits.check(limits.PUPIL_JOINS_CLASS, str(school_class.id)),
                       field="class_code")
    code = random_code(LOGIN_CODE_LENGTH)
    password_hash = await make_password_hash(code)
    try:
        async with in_transaction() as conn:
            user = await User.create(email=None, password_hash=password_hash,
                                     display_name=nickname, is_pupil=True, using_db=conn)
            await Pupil.create(user=user, school_class_id=school_class.id, nickname=nickname,
                               using_db=conn)
            await EventRole.create(event_id=school_class.event_id, user_id=user.id,
                                   role=Role.PARTICIPANT, using_db=conn)
    except IntegrityError:  # the same nickname at the same moment
        raise taken
    # Pupils sign in again where they joined (the school's address): nobody else's failed
    # sign-ins from that address slow them there.
    await limits.signed_in_from(limiter, limits.pupil_account(school_class.id, nickname), ip)
    return user, code, school_class


async def pupil_login(limiter: Limiter, class_code: str, nickname: str, login_code: str,
                      ip: str) -> tuple[User, SchoolClass]:
    school_class = await class_by_code_counted(limiter, class_code, ip)
    attempt = limits.SignIn(limiter, limits.pupil_account(school_class.id, nickname), ip)
    await attempt.begin(field="login_code")
    pupil = await find_pupil(school_class, nickname)
    if pupil is not None:
        await pupil.fetch_related("user")
    if pupil is None or not await password_matches(pupil.user.password_hash,
                                                    normalise_code(login_code)):
        raise DomainError("Wrong nickname or login code.", field="login_code")
    await attempt.succeeded()
    return pupil.user, school_class


async def paused_pupils(limiter: Limiter, school_class: SchoolClass,
                        pupils: list[Pupil]) -> dict[int, timedelta]:
    """Pupils of the class whose sign-in is slowed down after wrong codes, and for how long."""
    accounts = {limits.pupil_account(school_class.id, p.nickname): p.id for p in pupils}
    waits = await limits.waiting_accounts(limiter, list(accounts))
    return {accounts[account]: wait for account, wait in waits.items()}


async def unlock_pupil(limiter: Limiter, school_class: SchoolClass, pupil_id: int) -> Pupil:
    """The teacher vouches for the pupil: their failed sign-ins are forgotten everywhere."""
    pupil = await class_pupil(school_class, pupil_id)
    await limits.unlock_account(limiter, limits.pupil_account(school_class.id, pupil.nickname))
    return pupil


async def reissue_code(school_class: SchoolClass, pupil_id: int) -> tuple[Pupil, str]:
    """A new login code for a pupil of the class; the old one stops working at once, and so
    does every session signed in with it (a code seen by someone else is why it is reissued)."""
    pupil = await class_pupil(school_class, pupil_id)
    code = random_code(LOGIN_CODE_LENGTH)
    await User.filter(id=pupil.user_id).update(password_hash=await make_password_hash(code))
    await sessions.end_all(pupil.user_id)
    return pupil, code


async def class_pupil(school_class: SchoolClass, pupil_id: int) -> Pupil:
    pupil = await Pupil.get_or_none(id=pupil_id, school_class_id=school_class.id)
    if pupil is None:
        raise NotFound("We could not find that pupil in this class.")
    return pupil


async def rename_pupil(school_class: SchoolClass, pupil: Pupil, nickname: str) -> None:
    """A new nickname, by the same rules as when joining (the pupil signs in with it)."""
    nickname = check_nickname(nickname)
    taken = ValidationError({"nickname": N_("Someone in this class already has that nickname. "
                                         "Choose another.")})
    other = await find_pupil(school_class, nickname)
    if other is not None and other.id != pupil.id:
        raise taken
    try:
        async with in_transaction() as conn:
            await Pupil.filter(id=pupil.id).using_db(conn).update(nickname=nickname,
                                                                  nickname_key=name_key(nickname))
            await User.filter(id=pupil.user_id).using_db(conn).update(display_name=nickname)
    except IntegrityError:  # the same nickname at the same moment
        raise taken
    pupil.nickname = nickname


async def remove_pupil(event: Event, pupil: Pupil) -> None:
    """Delete a pupil's account: out of their team first (so its member count and leader stay
    right), then the account, which takes the pupil's place in the class and event with it."""
    member = await TeamMember.filter(event_id=event.id, user_id=pupil.user_id) \
        .prefetch_related("team").first()
    if member is not None:
        try:
            await teams.remove_member(event, member.team, pupil.user_id,
                                      delete_when_empty=member.team.school_class_id is None)
        except DomainError:  # left the team at the same moment
            pass
    await User.filter(id=pupil.user_id, is_pupil=True).delete()


async def delete_class(event: Event, school_class: SchoolClass) -> int:
    """Delete a class with its pupils' accounts and its teams; returns how many pupils went."""
    pupils = await Pupil.filter(school_class_id=school_class.id)
    for pupil in pupils:  # one by one, so their teams' counts and leaders stay right
        await remove_pupil(event, pupil)
    async with in_transaction() as conn:
        # The class row locked: a pupil joining now waits, then fails on the missing class (on
        # PostgreSQL; SQLite writes one at a time). One who joined during the loop above goes
        # here, account and all, instead of being left behind by the cascade.
        await SchoolClass.filter(id=school_class.id).using_db(conn).select_for_update().first()
        late = await Pupil.filter(school_class_id=school_class.id).using_db(conn) \
            .values_list("user_id", flat=True)
        await SchoolClass.filter(id=school_class.id).using_db(conn).delete()  # teams go too
        await User.filter(id__in=list(late), is_pupil=True).using_db(conn).delete()
    return len(pupils) + len(late)


# --- teams for a class -----------------------------------------------------------------------

async def create_class_team(event: Event, school_class: SchoolClass, name: str,
                            challenge_id: int | None, now: datetime) -> Team:
    """An empty team of the class; its first pupil placed in it leads it."""
    return await teams.create_team(event, None, name, challenge_id, now,
                                   school_class=school_class, staff=True)


async def place_pupil(event: Event, school_class: SchoolClass, pupil_id: int | None,
                      team_id: int | None) -> None:
    """Put a pupil of the class in one of the class's teams (or in none, team_id None)."""
    pupil = await Pupil.get_or_none(id=pupil_id, school_class_id=school_class.id) \
        if pupil_id else None
    if pupil is None:
        raise ValidationError({"pupil_id": N_("Choose a pupil of this class.")})
    target = None
    if team_id is not None:
        target = await Team.get_or_none(id=team_id, event_id=event.id,
                                        school_class_id=school_class.id)
        if target is None:
            raise ValidationError({"team_id": N_("Choose one of this class's teams.")})
    await teams.move_member(event, pupil.user_id, target, field="team_id")
