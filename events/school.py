"""School events: classes, pupils joining with a class code and a nickname, pupil sign-in with a
personal login code, and teachers placing their pupils in teams.

Pupils never give a real name or an email address: their account is a User with is_pupil=True
whose display_name is the nickname, and whose password is a personal login code (hashed with
argon2 like any password) shown once when it is made.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from events import teams
from events.models import Event, EventRole, Pupil, Role, SchoolClass, Team, TeamMember
from samskapa.auth.models import User
from samskapa.auth.passwords import hash_password, normalise_code, random_code, verify_password
from samskapa.auth.service import LoginLimits
from samskapa.errors import DomainError, Forbidden, NotFound, ValidationError
from samskapa.i18n import N_
from samskapa.names import clean_name, name_key

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


async def is_teacher(event: Event, user: User | None) -> bool:
    return user is not None and Role.TEACHER in await teams.roles_of(event, user)


async def require_class_staff(event: Event, user: User) -> None:
    """Teachers of the event, its organisers and site admins manage classes."""
    require_school_event(event)
    if not (await is_teacher(event, user) or await teams.is_organiser(event, user)):
        raise Forbidden("Only the event's teachers and organisers can manage classes.")


async def teaches_class_id(event: Event, class_id: int, user: User | None) -> bool:
    if user is None:
        return False
    return await SchoolClass.filter(id=class_id, event_id=event.id, teacher_id=user.id).exists()


async def get_class(event: Event, class_id: int, user: User) -> SchoolClass:
    """A class of this event for its own teacher or the event's organisers."""
    require_school_event(event)
    school_class = await SchoolClass.get_or_none(id=class_id, event_id=event.id)
    if school_class is None:
        raise NotFound("We could not find that class.")
    if school_class.teacher_id != user.id and not await teams.is_organiser(event, user):
        raise Forbidden("Only the class's teacher and the event's organisers can see this class.")
    return school_class


async def classes_for(event: Event, user: User) -> list[SchoolClass]:
    await require_class_staff(event, user)
    query = SchoolClass.filter(event_id=event.id)
    if not await teams.is_organiser(event, user):
        query = query.filter(teacher_id=user.id)
    return await query.order_by("name").prefetch_related("teacher")


# --- classes ---------------------------------------------------------------------------------

async def _unique_class_code() -> str:
    while True:
        code = random_code(CLASS_CODE_LENGTH)
        if not await SchoolClass.filter(code=code).exists():
            return code


async def create_class(event: Event, teacher: User, name: str, school: str) -> SchoolClass:
    await require_class_staff(event, teacher)
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
    class_teams = await Team.filter(event_id=event.id, school_class_id=school_class.id) \
        .order_by("name").prefetch_related("challenge")
    return ([PupilRow(p, team_of.get(p.user_id)) for p in pupils],
            await teams.team_views(event, class_teams))


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
    return nickname


async def class_by_code(code: str) -> SchoolClass:
    code = normalise_code(code)
    school_class = await SchoolClass.filter(code=code).prefetch_related("event").first() \
        if 0 < len(code) <= CLASS_CODE_MAX else None
    if school_class is None:
        raise ValidationError({"class_code": N_("No class has that class code. Check it with your "
                                             "teacher.")})
    return school_class


async def find_pupil(school_class: SchoolClass, nickname: str) -> Pupil | None:
    """The pupil with this nickname, whatever its case or invisible characters (the folded
    key, see samskapa.names)."""
    return await Pupil.filter(school_class_id=school_class.id,
                              nickname_key=name_key(nickname)).first()


async def join_class(class_code: str, nickname: str) -> tuple[User, str, SchoolClass]:
    """A new pupil account in the class; returns it with its login code (shown once)."""
    school_class = await class_by_code(class_code)
    nickname = check_nickname(nickname)
    taken = ValidationError({"nickname": N_("Someone in this class already has that nickname. "
                                         "Choose another.")})
    if await find_pupil(school_class, nickname) is not None:
        raise taken
    code = random_code(LOGIN_CODE_LENGTH)
    try:
        async with in_transaction() as conn:
            user = await User.create(email=None, password_hash=hash_password(code),
                                     display_name=nickname, is_pupil=True, using_db=conn)
            await Pupil.create(user=user, school_class_id=school_class.id, nickname=nickname,
                               using_db=conn)
            await EventRole.create(event_id=school_class.event_id, user_id=user.id,
                                   role=Role.PARTICIPANT, using_db=conn)
    except IntegrityError:  # the same nickname at the same moment
        raise taken
    return user, code, school_class


async def pupil_login(limits: LoginLimits, class_code: str, nickname: str, login_code: str,
                      ip: str) -> tuple[User, SchoolClass]:
    key = f"pupil:{normalise_code(class_code)}:{name_key(nickname)}"
    if limits.account.blocked(key) or limits.ip.blocked(ip):
        raise DomainError("Too many failed sign-in attempts. Wait a few minutes and try again.",
                          field="login_code")
    try:
        school_class = await class_by_code(class_code)
    except ValidationError:
        limits.ip.fail(ip)
        raise
    pupil = await find_pupil(school_class, nickname)
    if pupil is not None:
        await pupil.fetch_related("user")
    if pupil is None or not verify_password(pupil.user.password_hash, normalise_code(login_code)):
        limits.account.fail(key)
        limits.ip.fail(ip)
        raise DomainError("Wrong nickname or login code.", field="login_code")
    limits.account.reset(key)
    return pupil.user, school_class


async def reissue_code(school_class: SchoolClass, pupil_id: int) -> tuple[Pupil, str]:
    """A new login code for a pupil of the class; the old one stops working at once."""
    pupil = await Pupil.filter(id=pupil_id, school_class_id=school_class.id) \
        .prefetch_related("user").first()
    if pupil is None:
        raise NotFound("We could not find that pupil in this class.")
    code = random_code(LOGIN_CODE_LENGTH)
    await User.filter(id=pupil.user_id).update(password_hash=hash_password(code))
    return pupil, code


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
