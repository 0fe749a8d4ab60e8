"""A team's submission: saving it as versions, history and restore, who may see it, the
organisers' review and the public gallery.

Plain async functions with explicit arguments (the clock comes in as `now`, the visitor as a
`Standing` from events.policy); they raise domain errors with English msgids.

Optimistic concurrency: a save names the version it was based on. When someone else changed
the text since then, the save is refused with `Conflict` (carrying their saved version) and
nothing is written; the form comes back with both. Files added or removed in the meantime do
not count as a conflict: they do not touch what the form edits. The version is raised by a
conditional UPDATE (`WHERE version = n`), so two saves racing past the check cannot both win.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from challenges.models import Challenge, is_web_url
from events.models import Event, Phase
from events.policy import Permission, Standing
from samskapa import clock
from samskapa.auth.models import User
from samskapa.errors import DomainError, Forbidden, NotFound, ValidationError
from samskapa.i18n import N_, format_datetime
from school.models import SchoolClass
from submissions.diff import FieldChange, changes, file_changes
from submissions.models import (MAX_FILES, VERSIONED_FIELDS, Eligibility, GallerySettings,
                                Submission, SubmissionFile, SubmissionVersion)
from teams.models import Team, TeamMember

TITLE_MAX, SUMMARY_MAX, URL_MAX, PLOT_MAX = 150, 300, 500, 100
DESCRIPTION_MAX = 20_000
REASON_MAX = 500
# Minecraft's world border and build height (Java 1.18+, Bedrock).
COORDINATE_MAX, Y_MIN, Y_MAX = 30_000_000, -64, 320

SUBMISSIONS_CLOSED = N_("Submissions closed on %(when)s. The submission can no longer be "
                        "changed.")
NOT_A_MEMBER = N_("Only the team's members can change its submission.")
NOT_FOUND = N_("We could not find that submission.")
NO_SUCH_VERSION = N_("There is no such version of this submission.")
WEB_ADDRESS = N_("Enter a web address starting with https:// or http://.")
NOTHING_TO_RESTORE = N_("That version is the one saved now: there is nothing to restore.")
RESTORE_TOO_MANY_FILES = N_("Restoring this version would give the submission more than "
                            "%(n)s files, since the files added after it stay. Remove some "
                            "first.")
REASON_REQUIRED = N_("Say why the submission is not eligible: the team will see it.")
GALLERY_PHASES = (Phase.HACKING, Phase.JUDGING, Phase.AWAITING_RESULTS, Phase.RESULTS)
PHASE_ORDER = list(Phase)


class Conflict(DomainError):
    """Someone else saved the text after the version this save was based on."""

    status_code = 409

    def __init__(self, theirs: Submission, saved_by: User | None) -> None:
        super().__init__(N_("Someone else in your team saved the submission while you were "
                            "editing it. Nothing is lost: their version is saved, yours is "
                            "below. Copy what you want to keep and save again."))
        self.theirs = theirs
        self.saved_by = saved_by


@dataclass
class SubmissionData:
    """What the submission form edits (VERSIONED_FIELDS)."""
    title: str
    summary: str = ""
    description: str = ""
    repository_url: str = ""
    demo_url: str = ""
    video_url: str = ""
    plot: str = ""
    location_x: int | None = None
    location_y: int | None = None
    location_z: int | None = None

    def snapshot(self) -> dict:
        return asdict(self)

    @classmethod
    def of(cls, source: Submission | dict) -> "SubmissionData":
        get = source.get if isinstance(source, dict) else lambda name: getattr(source, name)
        return cls(**{name: get(name) for name in VERSIONED_FIELDS
                      if get(name) is not None or name.startswith("location_")})


def check_data(data: SubmissionData, event: Event) -> None:
    """Field errors (ValidationError) for what no form may store: a missing title, overlong
    text, an address that is not http(s) (javascript:, data:, file: ...), a location outside
    the Minecraft world."""
    errors: dict[str, str | tuple[str, dict]] = {}
    if not data.title.strip():
        errors["title"] = N_("This field is required.")
    for name, limit in (("title", TITLE_MAX), ("summary", SUMMARY_MAX),
                        ("description", DESCRIPTION_MAX), ("plot", PLOT_MAX)):
        if len(getattr(data, name)) > limit:
            errors.setdefault(name, (N_("At most %(n)s characters."), {"n": limit}))
    for name in ("repository_url", "demo_url", "video_url"):
        value = getattr(data, name)
        if len(value) > URL_MAX:
            errors[name] = (N_("At most %(n)s characters."), {"n": URL_MAX})
        elif value and not is_web_url(value):
            errors[name] = WEB_ADDRESS
    if event.is_school:
        for name, low, high in (("location_x", -COORDINATE_MAX, COORDINATE_MAX),
                                ("location_y", Y_MIN, Y_MAX),
                                ("location_z", -COORDINATE_MAX, COORDINATE_MAX)):
            value = getattr(data, name)
            if value is not None and not low <= value <= high:
                errors[name] = (N_("Enter a number from %(min)s to %(max)s."),
                                {"min": low, "max": high})
    elif data.plot or any(v is not None for v in (data.location_x, data.location_y,
                                                   data.location_z)):
        data.plot, data.location_x, data.location_y, data.location_z = "", None, None, None
    if errors:
        raise ValidationError(errors)


# --- the deadline and the team ----------------------------------------------------------------

def is_open(event: Event, now: datetime) -> bool:
    return now < event.submissions_close


def check_open(event: Event, now: datetime) -> None:
    if not is_open(event, now):
        raise DomainError(SUBMISSIONS_CLOSED, when=format_datetime(event.submissions_close))


async def is_member(team: Team, user: User | None) -> bool:
    return user is not None and await TeamMember.exists(team_id=team.id, user_id=user.id)


async def require_member(team: Team, user: User | None) -> None:
    if not await is_member(team, user):
        raise Forbidden(NOT_A_MEMBER)


async def team_submission(team: Team) -> Submission | None:
    return await Submission.get_or_none(team_id=team.id)


async def get_team(event: Event, team_id: int) -> Team:
    team = await Team.filter(id=team_id, event_id=event.id).prefetch_related("challenge").first()
    if team is None:
        raise NotFound(N_("We could not find that team."))
    return team


# --- who may see a submission -----------------------------------------------------------------

async def gallery_settings(event: Event) -> GallerySettings:
    found = await GallerySettings.get_or_none(event_id=event.id)
    return found or GallerySettings(event_id=event.id)


def gallery_open(event: Event, settings: GallerySettings, now: datetime) -> bool:
    opens = Phase(settings.opens_at_phase) if settings.opens_at_phase in Phase._value2member_map_ \
        else Phase.RESULTS
    return event.published and PHASE_ORDER.index(event.phase(now)) >= PHASE_ORDER.index(opens)


async def may_see(submission: Submission, standing: Standing, now: datetime) -> bool:
    """Team members, the event's organisers and jury, the teacher of a class's team; everyone
    once the gallery is open, unless the organisers hid it or found it not eligible."""
    if standing.may(Permission.MANAGE_SUBMISSIONS) or standing.may(Permission.SCORE):
        return True
    if await is_member(await submission.team, standing.user):
        return True
    team = await submission.team
    if standing.user and team.school_class_id is not None and standing.may(Permission.TEACH):
        if await SchoolClass.exists(id=team.school_class_id, teacher_id=standing.user.id):
            return True
    return submission.is_judged and gallery_open(
        standing.event, await gallery_settings(standing.event), now)


async def visible_submission(event: Event, submission_id: int, standing: Standing,
                             now: datetime) -> Submission:
    """The submission, or NotFound for a visitor who may not see it (its existence included)."""
    submission = await Submission.filter(id=submission_id, event_id=event.id) \
        .prefetch_related("team", "challenge").first()
    if submission is None or not await may_see(submission, standing, now):
        raise NotFound(NOT_FOUND)
    return submission


# --- saving -----------------------------------------------------------------------------------

async def _current_file_ids(submission_id: int, conn) -> list[int]:
    return await SubmissionFile.filter(submission_id=submission_id, detached=False) \
        .using_db(conn).order_by("id").values_list("id", flat=True)


async def record_version(submission_id: int, user: User | None, conn) -> SubmissionVersion:
    """Snapshot of the submission as it is now in `conn`'s transaction, under its version."""
    submission = await Submission.get(id=submission_id).using_db(conn)
    return await SubmissionVersion.create(
        submission_id=submission_id, number=submission.version,
        snapshot=SubmissionData.of(submission).snapshot(),
        file_ids=await _current_file_ids(submission_id, conn),
        saved_by_id=user.id if user else None, using_db=conn)


async def bump_version(submission_id: int, user: User | None, conn) -> SubmissionVersion:
    """A new version for a change that cannot conflict (a file added or removed)."""
    await Submission.filter(id=submission_id).using_db(conn).update(
        version=F("version") + 1, updated_by_id=user.id if user else None,
        updated_at=clock.now())  # a conditional UPDATE skips auto_now
    return await record_version(submission_id, user, conn)


async def save(event: Event, team: Team, user: User, data: SubmissionData,
               based_on: int | None, now: datetime) -> Submission:
    """Creates the team's submission (`based_on` None) or saves a new version of it."""
    check_open(event, now)
    await require_member(team, user)
    check_data(data, event)
    fields = {**data.snapshot(), "challenge_id": team.challenge_id, "updated_by_id": user.id}
    current = await Submission.get_or_none(team_id=team.id)
    if current is None:
        if based_on is not None:  # it was there when the form was loaded
            raise NotFound(NOT_FOUND)
        try:
            async with in_transaction() as conn:
                current = await Submission.create(event_id=event.id, team_id=team.id,
                                                  version=1, using_db=conn, **fields)
                await record_version(current.id, user, conn)
        except IntegrityError:  # a teammate created it a moment ago (unique team)
            theirs = await Submission.get(team_id=team.id)
            raise Conflict(theirs, await theirs.updated_by) from None
        return current
    if based_on is None:  # a second "create" from a page loaded before the first save
        raise Conflict(current, await current.updated_by)
    async with in_transaction() as conn:
        if based_on != current.version and await _text_changed_since(current, based_on, conn):
            raise Conflict(current, await current.updated_by)
        updated = await Submission.filter(id=current.id, version=current.version) \
            .using_db(conn).update(version=current.version + 1, updated_at=now, **fields)
        if not updated:  # lost a race with a save between the read and here
            theirs = await Submission.get(id=current.id).using_db(conn)
            raise Conflict(theirs, await theirs.updated_by)
        await record_version(current.id, user, conn)
    return await Submission.get(id=current.id)


async def _text_changed_since(current: Submission, based_on: int, conn) -> bool:
    base = await SubmissionVersion.get_or_none(submission_id=current.id, number=based_on) \
        .using_db(conn)
    if base is None or based_on > current.version:
        return True
    return changes(base.snapshot, SubmissionData.of(current).snapshot()) != []


# --- history and restore ----------------------------------------------------------------------

@dataclass
class HistoryEntry:
    version: SubmissionVersion
    changes: list[FieldChange]
    files_added: list[SubmissionFile]
    files_removed: list[SubmissionFile]
    # Attached now but not in this version: they stay when it is restored (`restore`).
    kept_on_restore: list[SubmissionFile]


async def history(submission: Submission) -> list[HistoryEntry]:
    """Every saved version, newest first, with what it changed from the one before."""
    versions = await SubmissionVersion.filter(submission_id=submission.id) \
        .order_by("number").prefetch_related("saved_by")
    files = {f.id: f for f in await SubmissionFile.filter(submission_id=submission.id)}
    attached = [f for f in files.values() if not f.detached]
    entries, previous = [], None
    for version in versions:
        before = previous.snapshot if previous else {}
        added, removed = file_changes(previous.file_ids if previous else [], version.file_ids)
        entries.append(HistoryEntry(version, changes(before, version.snapshot),
                                    [files[i] for i in added if i in files],
                                    [files[i] for i in removed if i in files],
                                    [f for f in attached if f.id not in version.file_ids]))
        previous = version
    return entries[::-1]


async def restore(event: Event, team: Team, user: User, number: int, based_on: int | None,
                  now: datetime) -> Submission:
    """Makes version `number` the current one again, as a new version (history is never
    rewritten): its text, and its files back where they were removed since. Files added
    after it stay: a team restoring an old description does not expect to lose the pictures
    it uploaded since (the history page says so by the button); removing them is one click."""
    check_open(event, now)
    await require_member(team, user)
    submission = await team_submission(team)
    if submission is None:
        raise NotFound(NOT_FOUND)
    old = await SubmissionVersion.get_or_none(submission_id=submission.id, number=number)
    if old is None:
        raise NotFound(NO_SUCH_VERSION)
    if number == submission.version:
        raise DomainError(NOTHING_TO_RESTORE)
    data = SubmissionData.of(old.snapshot)
    async with in_transaction() as conn:
        if based_on is not None and based_on != submission.version:
            raise Conflict(submission, await submission.updated_by)
        updated = await Submission.filter(id=submission.id, version=submission.version) \
            .using_db(conn).update(version=submission.version + 1, updated_by_id=user.id,
                                   updated_at=now, **data.snapshot())
        if not updated:
            raise Conflict(await Submission.get(id=submission.id).using_db(conn), None)
        # The UPDATE above holds the submission's row: an upload meanwhile counts after this.
        if old.file_ids:
            await SubmissionFile.filter(submission_id=submission.id, id__in=old.file_ids) \
                .using_db(conn).update(detached=False)
        if await SubmissionFile.filter(submission_id=submission.id, detached=False) \
                .using_db(conn).count() > MAX_FILES:
            raise DomainError(RESTORE_TOO_MANY_FILES, n=MAX_FILES)  # rolls all of it back
        await record_version(submission.id, user, conn)
    return await Submission.get(id=submission.id)


# --- organisers -------------------------------------------------------------------------------

@dataclass
class Counts:
    total: int
    by_eligibility: dict[str, int]
    hidden: int
    teams_without: int


async def organiser_list(event: Event, *, challenge_id: int | None = None,
                         eligibility: str | None = None,
                         hidden: bool | None = None) -> tuple[list[Submission], Counts]:
    query = Submission.filter(event_id=event.id)
    if challenge_id is not None:
        query = query.filter(challenge_id=challenge_id)
    if eligibility in Eligibility._value2member_map_:
        query = query.filter(eligibility=eligibility)
    if hidden is not None:
        query = query.filter(hidden=hidden)
    rows = await query.order_by("title", "id").prefetch_related("team", "challenge")
    grouped = await Submission.filter(event_id=event.id).group_by("eligibility") \
        .annotate(n=Count("id")).values_list("eligibility", "n")
    by = {e.value: 0 for e in Eligibility}
    by.update({str(k.value if isinstance(k, Eligibility) else k): n for k, n in grouped})
    total = sum(by.values())
    teams = await Team.filter(event_id=event.id).count()
    counts = Counts(total, by, await Submission.filter(event_id=event.id, hidden=True).count(),
                    max(0, teams - total))
    return rows, counts


async def event_submission(event: Event, submission_id: int) -> Submission:
    submission = await Submission.get_or_none(id=submission_id, event_id=event.id)
    if submission is None:
        raise NotFound(NOT_FOUND)
    return submission


async def set_eligibility(submission: Submission, eligibility: str, reason: str) -> Submission:
    if eligibility not in Eligibility._value2member_map_:
        raise ValidationError({"eligibility": N_("Choose one of the options.")})
    reason = reason.strip()
    if eligibility == Eligibility.INELIGIBLE and not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": (N_("At most %(n)s characters."), {"n": REASON_MAX})})
    submission.eligibility = Eligibility(eligibility)
    submission.eligibility_reason = reason if eligibility == Eligibility.INELIGIBLE else ""
    # update_fields: never raises `version` or touches what the team wrote.
    await submission.save(update_fields=["eligibility", "eligibility_reason"])
    return submission


async def set_hidden(submission: Submission, hidden: bool) -> Submission:
    submission.hidden = hidden
    await submission.save(update_fields=["hidden"])
    return submission


async def set_gallery_phase(event: Event, phase: str) -> GallerySettings:
    if phase not in {p.value for p in GALLERY_PHASES}:
        raise ValidationError({"opens_at_phase": N_("Choose one of the options.")})
    settings = await GallerySettings.get_or_none(event_id=event.id)
    if settings is None:
        try:
            return await GallerySettings.create(event_id=event.id, opens_at_phase=phase)
        except IntegrityError:  # created a moment ago by another organiser
            settings = await GallerySettings.get(event_id=event.id)
    settings.opens_at_phase = phase
    await settings.save(update_fields=["opens_at_phase"])
    return settings


# --- the public gallery and judging -----------------------------------------------------------

async def gallery(event: Event, challenge_slug: str | None = None) -> list[Submission]:
    """What the public sees (the caller checks `gallery_open`): not hidden, not found
    ineligible; optionally one challenge's."""
    query = Submission.judged(event.id)
    if challenge_slug:
        query = query.filter(challenge__slug=challenge_slug)
    return await query.order_by("title", "id").prefetch_related("team", "challenge")


async def gallery_challenges(event: Event) -> list[Challenge]:
    """The challenges that have a submission in the gallery (the filter's choices)."""
    ids = await Submission.judged(event.id).filter(challenge_id__not_isnull=True) \
        .values_list("challenge_id", flat=True)
    return await Challenge.filter(id__in=set(ids)).order_by("title")


async def files_of(submission: Submission) -> list[SubmissionFile]:
    return await SubmissionFile.filter(submission_id=submission.id, detached=False)
