"""Event use cases: creating and editing an event, publishing, registering as a participant,
the start page's listing and the organiser's dashboard figures (who may do what: events.policy).

Plain async functions with explicit arguments (the clock is passed in as `now`); they raise
domain errors with English msgids that are translated where they are shown.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from slugify import slugify
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from events.models import (EVENT_KIND_LABELS, PHASE_LABELS, RESERVED_SLUGS, SCHEDULE_FIELDS,
                           SLUG_RE, Event, EventKind, EventRole, Phase, Role)
from events.policy import Permission, roles_with
from samskapa.auth.models import User
from samskapa.errors import DomainError, Forbidden, ValidationError
from samskapa.i18n import N_
from teams.models import Team, TeamMember

SLUG_TAKEN = N_("That address is already taken.")
SLUG_FORMAT = N_("Use lowercase letters a-z, digits and single hyphens, e.g. "
                 "hack-for-sodertalje-2026.")
SLUG_MAX = 80
SLUG_FALLBACK = "event"  # for a title with no letters or digits at all
REGISTRATION_CLOSED = N_("Registration for this event is closed.")


# --- creating and editing -----------------------------------------------------------------------

@dataclass
class EventData:
    title: str
    slug: str
    summary: str
    description: str
    venue: str
    kind: EventKind
    max_team_size: int
    registration_opens: datetime
    registration_closes: datetime
    hacking_starts: datetime
    submissions_close: datetime
    judging_closes: datetime
    results_published: datetime

    def fields(self) -> dict:
        return dict(self.__dict__)


SCHEDULE_ORDER_ERRORS = {
    "registration_closes": N_("Registration cannot close before it opens."),
    "hacking_starts": N_("Hacking cannot start before registration closes."),
    "submissions_close": N_("Submissions cannot close before hacking starts."),
    "judging_closes": N_("Judging cannot close before submissions close."),
    "results_published": N_("Results cannot be published before judging closes."),
}


def schedule_field_errors(times: dict[str, datetime | None]) -> dict[str, tuple[str, dict]]:
    """Field -> error for each schedule time that comes before the one it must follow."""
    probe = Event(**{name: times.get(name) for name, _label in SCHEDULE_FIELDS})
    return {field: (SCHEDULE_ORDER_ERRORS[field], {}) for field in probe.schedule_errors()}


async def _check(data: EventData, event: Event | None) -> None:
    errors: dict[str, tuple[str, dict]] = {}
    if not SLUG_RE.match(data.slug):
        errors["slug"] = (SLUG_FORMAT, {})
    elif data.slug in RESERVED_SLUGS:
        errors["slug"] = (N_("Samskapa uses that address for a page of its own. Choose "
                             "another."), {})
    else:
        taken = Event.filter(slug=data.slug)
        if event is not None:
            taken = taken.exclude(id=event.id)
        if await taken.exists():
            errors["slug"] = (SLUG_TAKEN, {})
    errors.update(schedule_field_errors(data.fields()))
    if event is not None:
        errors.update(await _team_size_errors(event, data.max_team_size))
    if errors:
        raise ValidationError(errors)


async def _team_size_errors(event: Event, size: int, conn=None) -> dict[str, tuple[str, dict]]:
    biggest = await Team.filter(event_id=event.id).using_db(conn) \
        .order_by("-member_count").first()
    if biggest is not None and biggest.member_count > size:
        return {"max_team_size": (
            N_("A team already has %(n)s members; the team size cannot be lower."),
            {"n": biggest.member_count})}
    return {}


def slug_from_title(title: str) -> str:
    """The address a title suggests: lowercase a-z, digits and hyphens, Swedish letters
    transliterated (å ä ö -> a a o). Room is left for a "-2" suffix."""
    return slugify(title, max_length=SLUG_MAX - 4, word_boundary=True) or SLUG_FALLBACK


async def free_slug(title: str, event: Event | None = None) -> str:
    """The title's address, with the lowest free suffix (-2, -3, ...) when it is taken."""
    base = slug_from_title(title)
    taken = Event.filter(slug__startswith=base)
    if event is not None:
        taken = taken.exclude(id=event.id)
    used = set(await taken.values_list("slug", flat=True)) | RESERVED_SLUGS
    suffix, slug = 1, base
    while slug in used:
        suffix += 1
        slug = f"{base}-{suffix}"
    return slug


def past_schedule_fields(data: EventData, now: datetime) -> list[str]:
    """Schedule times already past. Registration opening in the past is left out: it only
    means registration opens at once, which is what organisers usually want."""
    return [name for name, _label in SCHEDULE_FIELDS[1:] if getattr(data, name) < now]


class PastDatesUnconfirmed(DomainError):
    """A new event's schedule lies (partly) in the past and nobody confirmed it. Not refused:
    an organiser may record an event after the fact (to publish its challenges and results),
    but a mistyped year is the usual cause, so they are asked."""

    status_code = 422

    def __init__(self, fields: list[str]) -> None:
        super().__init__(N_("Some dates are in the past. Check them, or confirm that they are "
                            "right."))
        self.fields = fields


async def create_event(data: EventData, creator: User, now: datetime, *,
                       past_confirmed: bool = False) -> Event:
    """A site admin, or someone they allowed, creates a draft event and becomes its first
    organiser. Without an address the title's is used (with a suffix when taken)."""
    if not creator.can_create_events:
        raise Forbidden(N_("Only site administrators and people they allow can create events."))
    derived = not data.slug
    for _attempt in range(5):
        if derived:
            data.slug = await free_slug(data.title)
        await _check(data, None)
        if not past_confirmed and (past := past_schedule_fields(data, now)):
            raise PastDatesUnconfirmed(past)
        try:
            async with in_transaction():
                event = await Event.create(**data.fields(), published=False)
                await EventRole.create(event=event, user=creator, role=Role.ORGANISER)
        except IntegrityError:  # someone took the slug between the check and the insert
            if not derived:
                raise ValidationError({"slug": SLUG_TAKEN})
            continue  # the next free suffix
        return event
    raise ValidationError({"slug": SLUG_TAKEN})


async def update_event(event: Event, data: EventData) -> Event:
    if not data.slug:
        data.slug = await free_slug(data.title, event)
    await _check(data, event)
    try:
        async with in_transaction() as conn:
            # The event row stays locked until the save: joins lock it too (teams.service), so
            # no one joins between the team size check and the new size.
            await Event.filter(id=event.id).using_db(conn).select_for_update().first()
            if errors := await _team_size_errors(event, data.max_team_size, conn):
                raise ValidationError(errors)
            for name, value in data.fields().items():
                setattr(event, name, value)
            await event.save(using_db=conn)
    except IntegrityError:
        raise ValidationError({"slug": SLUG_TAKEN})
    return event


async def set_published(event: Event, published: bool) -> Event:
    event.published = published
    await event.save(update_fields=["published"])
    return event


# --- participants -------------------------------------------------------------------------------

async def participant_role(event: Event, user: User) -> EventRole | None:
    return await EventRole.get_or_none(event_id=event.id, user_id=user.id, role=Role.PARTICIPANT)


async def register_participant(event: Event, user: User, skills: str, looking_for_team: bool,
                               now: datetime) -> tuple[EventRole, bool]:
    """Register `user` (or update their skills when already registered). Returns the role and
    whether it was created. New registrations only while registration is open."""
    existing = await participant_role(event, user)
    if existing is not None:
        existing.skills = skills
        existing.looking_for_team = looking_for_team
        await existing.save(update_fields=["skills", "looking_for_team"])
        return existing, False
    if not event.registration_open(now):
        if now < event.registration_opens:
            raise DomainError(N_("Registration for this event has not opened yet."))
        raise DomainError(REGISTRATION_CLOSED)
    if user.is_pupil:
        raise Forbidden(N_("Pupils take part through their class, not by registering."))
    try:
        role = await EventRole.create(event=event, user=user, role=Role.PARTICIPANT,
                                      skills=skills, looking_for_team=looking_for_team)
    except IntegrityError:  # a double click: the other request registered them
        role = await participant_role(event, user)
        assert role is not None
        return role, False
    return role, True


async def team_of(event: Event, user: User | None):
    """The team `user` is in at `event`, if any."""
    if user is None:
        return None
    return await Team.filter(event_id=event.id, members__user_id=user.id).first()


# --- what the pages show ------------------------------------------------------------------------

def phase_label(event: Event, now: datetime) -> str:
    """The msgid naming where the event stands now (registration closed before hacking starts
    is its own state for people, though not a phase of its own)."""
    phase = event.phase(now)
    if phase == Phase.REGISTRATION and not event.registration_open(now):
        return N_("Registration closed")
    return PHASE_LABELS[phase]


def current_step(event: Event, now: datetime) -> str | None:
    """The latest schedule step that has passed (the one to highlight)."""
    current = None
    for name, _label, value in event.schedule():
        if value <= now:
            current = name
    return current


def kind_label(event: Event) -> str:
    return EVENT_KIND_LABELS[EventKind(event.kind)]


def order_for_listing(events: list[Event], now: datetime) -> list[Event]:
    """Events still running or to come first (soonest first), then past ones (latest first)."""
    running = sorted((e for e in events if e.results_published > now),
                     key=lambda e: e.hacking_starts)
    past = sorted((e for e in events if e.results_published <= now),
                  key=lambda e: e.hacking_starts, reverse=True)
    return running + past


async def listed_events(user: User | None, now: datetime) -> tuple[list[Event], list[Event]]:
    """(published events, drafts this person may see) for the start page."""
    published = order_for_listing(await Event.filter(published=True), now)
    drafts: list[Event] = []
    if user is not None:
        if user.is_admin:
            drafts = await Event.filter(published=False)
        else:
            drafts = await Event.filter(
                published=False, roles__user_id=user.id,
                roles__role__in=list(roles_with(Permission.SEE_DRAFTS))).distinct()
        drafts = order_for_listing(list(drafts), now)
    return published, drafts


@dataclass
class Dashboard:
    teams: int
    members: int
    participants: int
    challenges_published: int
    challenges_draft: int
    classes: int
    pupils: int
    next_deadline: tuple[str, datetime] | None
    people: list[EventRole]
    jurors_in_teams: list[TeamMember]  # jury members who are in a team (user, team loaded)


async def dashboard(event: Event, now: datetime) -> Dashboard:
    from challenges.models import Challenge
    from school.models import Pupil, SchoolClass

    return Dashboard(
        teams=await Team.filter(event_id=event.id).count(),
        members=await TeamMember.filter(event_id=event.id).count(),
        participants=await EventRole.filter(event_id=event.id, role=Role.PARTICIPANT).count(),
        challenges_published=await Challenge.filter(event_id=event.id, published=True).count(),
        challenges_draft=await Challenge.filter(event_id=event.id, published=False).count(),
        classes=await SchoolClass.filter(event_id=event.id).count(),
        pupils=await Pupil.filter(school_class__event_id=event.id).count(),
        next_deadline=event.next_deadline(now),
        people=await EventRole.filter(event_id=event.id).prefetch_related("user")
        .order_by("role", "id"),
        jurors_in_teams=await TeamMember.filter(
            event_id=event.id, user_id__in=Subquery(EventRole.filter(
                event_id=event.id, role__in=list(roles_with(Permission.SCORE)))
                .values("user_id")))
        .prefetch_related("user", "team").order_by("id"),
    )
