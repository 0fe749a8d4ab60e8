"""People's choice: one vote per person, final.

Who votes: a signed-in participant of the event with their account, or anyone with a
single-use vote code (a teacher prints them as QR codes for a classroom: pupils have no email).
A code vote is tied to the signed-in account only when that account may vote itself, so a
teacher signed in on a shared classroom computer does not use up "their" vote with the first
pupil's code. A class gets at most one code per pupil and CLASS_MARGIN more, counted under the
class row's lock.
Never for one's own team. Voting is open only while the organiser keeps it open.

A vote code is derived from its `VoteToken` row's id with an HMAC of the site's secret key, so
no secret is stored and a sheet can be printed again; the id is written in clear in front of it
(`123-ABCD-EFGH`) so that the code finds its row without a search.

Totals are hidden while voting is open; the jury chair and the organisers see them once it is
closed (to decide the people's choice award), everyone else once the results are public.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from collections import Counter
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from events.models import Event, EventRole, Role
from school.models import Pupil, SchoolClass
from teams.models import TeamMember
from judging import event_settings
from judging.models import JudgingSettings, Vote, VoteToken
from samskapa import limiter as limits
from samskapa.auth.models import User
from samskapa.errors import DomainError, Forbidden, ValidationError
from samskapa.i18n import N_
from submissions.models import Submission

# Letters only (no I or O, which read as 1 and 0): the digits in front are the row's id.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LETTERS = 8  # 24^8, about 2^37 codes per row, and wrong guesses are slowed down
MAX_TOKENS_AT_ONCE = 200
CLASS_MARGIN = 5  # a class's codes: one per pupil, and a few spare for a lost or spoilt slip
CODE_RE = re.compile(r"^([0-9]{1,10})([A-Z]{%d})$" % CODE_LETTERS)

VOTE_CODE_GUESSES = limits.Rule(
    "vote-code-ip", free=30, window=timedelta(hours=1), backoff=timedelta(seconds=30),
    message=N_("Too many wrong vote codes from this network. Try again in %(wait)s."))

UNKNOWN_CODE = N_("That vote code is not valid. Check that you typed it as it is printed.")
CLOSED = N_("Voting for the people's choice is closed.")
ALREADY_VOTED = N_("You have already voted. A vote is final.")


class UnknownVoteCode(DomainError):
    pass


def _mac(secret: str, event_id: int, token_id: int) -> str:
    digest = hmac.new(secret.encode(), f"vote-token\x1f{event_id}\x1f{token_id}".encode(),
                      hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    letters = []
    for _ in range(CODE_LETTERS):
        number, index = divmod(number, len(CODE_ALPHABET))
        letters.append(CODE_ALPHABET[index])
    return "".join(letters)


def token_code(secret: str, token: VoteToken) -> str:
    """The printable code of a token: `<id>-ABCD-EFGH`."""
    mac = _mac(secret, token.event_id, token.id)
    return f"{token.id}-{mac[:4]}-{mac[4:]}"


def parse_code(raw: str) -> tuple[int, str] | None:
    """(token id, letters) from a code as typed: any case, spaces and dashes anywhere."""
    cleaned = re.sub(r"[\s\-]", "", raw).upper()
    match = CODE_RE.match(cleaned) if cleaned.isascii() else None
    if match is None:
        return None
    token_id = int(match.group(1))
    return (token_id, match.group(2)) if 0 < token_id <= 2**31 - 1 else None


async def make_tokens(event: Event, user: User, count: int,
                      school_class: SchoolClass | None) -> list[VoteToken]:
    if not 1 <= count <= MAX_TOKENS_AT_ONCE:
        raise ValidationError({"count": (N_("Enter a number from %(min)s to %(max)s."),
                                         {"min": 1, "max": MAX_TOKENS_AT_ONCE})})
    async with in_transaction() as conn:
        if school_class is not None:
            # The class row locked first (PostgreSQL; SQLite writes one at a time): two tabs or
            # two teachers making codes for one class count one after the other, so together
            # they never pass the cap.
            await SchoolClass.filter(id=school_class.id).using_db(conn).select_for_update() \
                .first()
            limit = await Pupil.filter(school_class_id=school_class.id).using_db(conn) \
                .count() + CLASS_MARGIN
            made = await VoteToken.filter(event_id=event.id, school_class_id=school_class.id) \
                .using_db(conn).count()
            if made + count > limit:
                raise ValidationError({"count": (N_(
                    "A class gets at most one code per pupil and %(margin)s spare: "
                    "%(limit)s in all. %(made)s are made already."),
                    {"margin": CLASS_MARGIN, "limit": limit, "made": made})})
        return [await VoteToken.create(event_id=event.id, created_by=user,
                                       school_class=school_class, using_db=conn)
                for _ in range(count)]


async def unused_tokens(event: Event, school_class: SchoolClass | None) -> list[VoteToken]:
    query = VoteToken.filter(event_id=event.id, used_at=None)
    query = query.filter(school_class_id=school_class.id) if school_class else \
        query.filter(school_class_id=None)
    return await query.order_by("id")


async def token_counts(event: Event) -> dict[int | None, tuple[int, int]]:
    """class id (None: no class) -> (made, used)."""
    made: Counter = Counter()
    used: Counter = Counter()
    for class_id, used_at in await VoteToken.filter(event_id=event.id).values_list(
            "school_class_id", "used_at"):
        made[class_id] += 1
        if used_at is not None:
            used[class_id] += 1
    return {key: (made[key], used[key]) for key in made}


async def candidates(event: Event) -> list[Submission]:
    """What may be voted for: every submission not ruled out or hidden."""
    return await Submission.judged(event.id).prefetch_related("team")


async def own_vote(event: Event, user: User | None) -> Vote | None:
    if user is None:
        return None
    return await Vote.get_or_none(event_id=event.id, voter_id=user.id) \
        .prefetch_related("submission")


async def _own_team_id(event: Event, user: User | None) -> int | None:
    if user is None:
        return None
    return await TeamMember.filter(event_id=event.id, user_id=user.id).first() \
        .values_list("team_id", flat=True)


async def _candidate(event: Event, submission_id: int | None, user: User | None) -> Submission:
    submission = await Submission.get_or_none(id=submission_id, event_id=event.id) \
        if submission_id is not None else None
    if submission is None or not submission.is_judged:
        raise ValidationError({"submission": N_("Choose one of the projects.")})
    if submission.team_id == await _own_team_id(event, user):
        raise ValidationError({"submission": N_(
            "You cannot vote for your own team. Choose another project.")})
    return submission


async def vote_with_account(event: Event, settings: JudgingSettings, user: User,
                            submission_id: int | None) -> Vote:
    if not settings.peoples_choice_open:
        raise DomainError(CLOSED)
    if not await is_participant(event, user):
        raise Forbidden(N_("Only the event's participants vote with their account. Anyone "
                           "else needs a vote code from the organisers or their teacher."))
    submission = await _candidate(event, submission_id, user)
    if await Vote.filter(event_id=event.id, voter_id=user.id).exists():
        raise DomainError(ALREADY_VOTED)
    try:
        return await Vote.create(event_id=event.id, submission=submission, voter=user)
    except IntegrityError:  # voting twice at once, or with a code meanwhile: one counts
        raise DomainError(ALREADY_VOTED)


async def vote_with_code(event: Event, settings: JudgingSettings, secret: str, code: str,
                         submission_id: int | None, user: User | None, now: datetime) -> Vote:
    if not settings.peoples_choice_open:
        raise DomainError(CLOSED)
    parsed = parse_code(code)
    if parsed is None:
        raise UnknownVoteCode(UNKNOWN_CODE, field="code")
    token_id, letters = parsed
    if not hmac.compare_digest(letters, _mac(secret, event.id, token_id)):
        raise UnknownVoteCode(UNKNOWN_CODE, field="code")
    # The vote is the signed-in account's own only when that account may vote itself (a
    # participant; a class's pupils are participants): then it counts as their one vote. A
    # teacher signed in on a classroom computer hands it from pupil to pupil: those codes are
    # the pupils' votes, recorded without an account.
    voter = user if await is_participant(event, user) else None
    submission = await _candidate(event, submission_id, voter)
    token = await VoteToken.get_or_none(id=token_id, event_id=event.id)
    if token is None:
        raise UnknownVoteCode(UNKNOWN_CODE, field="code")  # deleted with its class
    team = await submission.team
    if token.school_class_id is not None and team.school_class_id == token.school_class_id:
        raise ValidationError({"submission": N_(
            "A class's codes are for the other classes' projects. Choose a project of "
            "another class.")})
    try:
        return await _use_code(event, submission, token_id, voter, now)
    except IntegrityError:  # the signed-in person has voted already (unique event + voter)
        raise DomainError(ALREADY_VOTED)


async def _use_code(event: Event, submission: Submission, token_id: int, voter: User | None,
                    now: datetime) -> Vote:
    async with in_transaction():
        # Conditional: two phones sending the same code at once use it once.
        used = await VoteToken.filter(id=token_id, event_id=event.id, used_at=None) \
            .update(used_at=now)
        if not used:
            if await VoteToken.filter(id=token_id, event_id=event.id).exists():
                raise DomainError(N_("This vote code has already been used. Each code gives "
                                     "one vote."), field="code")
            raise UnknownVoteCode(UNKNOWN_CODE, field="code")  # deleted with its class
        # A voter's code vote is theirs too: the unique (event, voter) keeps them from voting
        # with both their account and a code, whichever comes first.
        return await Vote.create(event_id=event.id, submission=submission, token_id=token_id,
                                 voter=voter)


async def vote_with_code_counted(limiter: limits.Limiter, ip: str, *args, **kwargs) -> Vote:
    """vote_with_code, with wrong codes from one address counted and slowed down."""
    guesses = limits.check(VOTE_CODE_GUESSES, ip)
    await limiter.check(guesses, field="code")
    try:
        return await vote_with_code(*args, **kwargs)
    except UnknownVoteCode:
        await limiter.count(guesses)
        raise


async def totals(event: Event) -> dict[int, int]:
    """submission id -> votes."""
    counted: Counter = Counter(await Vote.filter(event_id=event.id)
                               .values_list("submission_id", flat=True))
    return dict(counted)


async def votes_cast(event: Event) -> int:
    return await Vote.filter(event_id=event.id).count()


def totals_visible(settings: JudgingSettings, *, chair: bool, public: bool) -> bool:
    """Hidden while voting is open; then the chair's, and everyone's once the results are."""
    if settings.peoples_choice_open:
        return False
    return public or chair


async def is_participant(event: Event, user: User | None) -> bool:
    return user is not None and await EventRole.filter(
        event_id=event.id, user_id=user.id, role=Role.PARTICIPANT).exists()


async def set_open(event: Event, is_open: bool) -> None:
    settings = await event_settings.of(event)
    await JudgingSettings.filter(id=settings.id).update(peoples_choice_open=is_open)
