"""A person's own data, and forgetting people: exporting everything held about a user,
deleting an account, deleting an event's personal data after it ends, and the retention of
pupils' accounts.

Forgetting keeps what others need, without the person: teams stay (their member count and
leader follow), challenges stay without their owner, invitations stay without their sender.
Sessions end with the account: its server-side sessions (samskapa/auth/sessions.py) are deleted
with it, so the next request from any of its browsers is anonymous.
"""
from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import F
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from challenges.models import Challenge
from events.models import Event, EventRole, Invitation, Phase, Role
from samskapa import limiter as limits
from samskapa.auth.models import PasswordResetToken, User, UserSession
from samskapa.auth.passwords import password_matches
from samskapa.errors import DomainError, ValidationError
from samskapa.i18n import N_, gettext
from samskapa.limiter import Limiter
from samskapa.mail import OutboxMessage
from samskapa.names import name_key
from school.models import Pupil, SchoolClass
from teams.models import Team, TeamMember


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


# --- export ----------------------------------------------------------------------------------

async def export(user: User, now: datetime) -> dict:
    """Everything held about `user`, as plain JSON-ready data (GDPR art. 15 and 20)."""
    emails = [user.email] if user.email else []
    pupil = await Pupil.filter(user_id=user.id).prefetch_related("school_class__event").first()
    roles = await EventRole.filter(user_id=user.id).prefetch_related("event").order_by("id")
    memberships = await TeamMember.filter(user_id=user.id).prefetch_related("team", "event") \
        .order_by("id")
    led = await Team.filter(leader_id=user.id).prefetch_related("event").order_by("id")
    classes = await SchoolClass.filter(teacher_id=user.id).prefetch_related("event").order_by("id")
    challenges = await Challenge.filter(owner_id=user.id).prefetch_related("event").order_by("id")
    sent = await Invitation.filter(invited_by_id=user.id).prefetch_related("event").order_by("id")
    received = await Invitation.filter(email__in=emails).prefetch_related("event").order_by("id")
    resets = await PasswordResetToken.filter(user_id=user.id).order_by("id")
    sessions = await UserSession.filter(user_id=user.id).order_by("id")
    mails = await OutboxMessage.filter(to__in=emails).order_by("id")
    return {
        "exported_at": now.isoformat(),
        "account": {
            "id": user.id, "email": user.email, "display_name": user.display_name,
            "is_site_admin": user.is_admin, "is_pupil": user.is_pupil,
            "created_at": _when(user.created_at),
            "email_verified_at": _when(user.email_verified_at),
            "password": "stored only as an argon2 hash, which is not included",
        },
        "pupil": pupil and {
            "nickname": pupil.nickname, "class": pupil.school_class.name,
            "school": pupil.school_class.school, "event": pupil.school_class.event.slug,
            "joined_at": _when(pupil.created_at),
            "login_code": "stored only as an argon2 hash, which is not included",
        },
        "event_roles": [{"event": r.event.slug, "role": r.role.value, "skills": r.skills,
                         "looking_for_team": r.looking_for_team,
                         "created_at": _when(r.created_at)} for r in roles],
        "team_memberships": [{"event": m.event.slug, "team": m.team.name,
                              "is_leader": m.team.leader_id == user.id,
                              "joined_at": _when(m.joined_at)} for m in memberships],
        "teams_led": [{"event": t.event.slug, "team": t.name} for t in led],
        "classes_taught": [{"event": c.event.slug, "name": c.name, "school": c.school,
                            "created_at": _when(c.created_at)} for c in classes],
        "challenges_owned": [{"event": c.event.slug, "title": c.title,
                              "contact_name": c.contact_name, "contact_email": c.contact_email,
                              "created_at": _when(c.created_at)} for c in challenges],
        "invitations_sent": [{"event": i.event.slug, "email": i.email, "role": i.role.value,
                              "created_at": _when(i.created_at),
                              "accepted_at": _when(i.accepted_at)} for i in sent],
        "invitations_received": [{"event": i.event.slug, "role": i.role.value,
                                  "created_at": _when(i.created_at),
                                  "accepted_at": _when(i.accepted_at)} for i in received],
        "password_reset_requests": [{"expires_at": _when(t.expires_at),
                                     "used_at": _when(t.used_at)} for t in resets],
        "sessions": [{"browser": t.user_agent, "created_at": _when(t.created_at),
                      "last_seen_at": _when(t.last_seen_at)} for t in sessions],
        "mails": [{"to": m.to, "subject": m.subject, "body": m.body,
                   "created_at": _when(m.created_at), "sent": m.sent} for m in mails],
    }


# --- forgetting people -----------------------------------------------------------------------

async def _forget(user_ids: list[int], conn) -> None:
    """Delete these accounts and what only they need, keeping the rest correct without them."""
    if not user_ids:
        return
    emails = [e for e in await User.filter(id__in=user_ids).using_db(conn)
              .values_list("email", flat=True) if e]
    # Teams stay: one seat fewer per member leaving, and the longest-standing member left
    # leads a team whose leader goes (none when no one is left).
    teams = Counter(await TeamMember.filter(user_id__in=user_ids).using_db(conn)
                    .values_list("team_id", flat=True))
    await TeamMember.filter(user_id__in=user_ids).using_db(conn).delete()
    for team_id, leaving in teams.items():
        await Team.filter(id=team_id).using_db(conn) \
            .update(member_count=F("member_count") - leaving)
    for team in await Team.filter(leader_id__in=user_ids).using_db(conn):
        successor = await TeamMember.filter(team_id=team.id).using_db(conn) \
            .order_by("joined_at", "id").first()
        await Team.filter(id=team.id).using_db(conn) \
            .update(leader_id=successor.user_id if successor else None)
    if emails:
        # Their address in others' records: invitations to them, mail to them, challenge contacts.
        await Invitation.filter(email__in=emails).using_db(conn).delete()
        await OutboxMessage.filter(to__in=emails).using_db(conn).delete()
        await Challenge.filter(contact_email__in=emails).using_db(conn) \
            .update(contact_name="", contact_email="")
    # The database does the rest: roles, pupil places and reset tokens go with the account
    # (cascade); challenges, classes and invitations they made stay without them (set null).
    await User.filter(id__in=user_ids).using_db(conn).delete()


async def delete_account(limiter: Limiter, user: User, confirmation: str, ip: str) -> None:
    """An adult confirms with their password (counted like a sign-in: a signed-in browser is
    no way to guess it); a pupil, who may have lost their login code, by typing their
    nickname."""
    if user.is_pupil:
        if " ".join(confirmation.split()).casefold() != user.display_name.casefold():
            raise ValidationError({"confirmation": N_("Type your nickname exactly as it is "
                                                      "shown to confirm.")})
    else:
        attempt = limits.SignIn(limiter, limits.adult_account(user.email or ""), ip)
        await attempt.begin(field="confirmation")
        if not await password_matches(user.password_hash, confirmation):
            raise ValidationError({"confirmation": N_("Wrong password.")})
        await attempt.succeeded()
    if user.is_admin and not await User.filter(is_admin=True).exclude(id=user.id).exists():
        raise DomainError("You are the only site administrator. Make someone else site "
                          "administrator before you delete your account.")
    async with in_transaction() as conn:
        await _forget([user.id], conn)


# --- an event's personal data ----------------------------------------------------------------

@dataclass
class EventPersonalData:
    pupils: int
    registrations: int
    memberships: int
    invitations: int

    @property
    def empty(self) -> bool:
        return not (self.pupils or self.registrations or self.memberships or self.invitations)


def _pupils_of(event_ids: list[int]) -> QuerySet[Pupil]:
    return Pupil.filter(school_class__event_id__in=event_ids)


async def event_personal_data(event: Event) -> EventPersonalData:
    """What `erase_event` would delete (the organiser sees it before confirming)."""
    return EventPersonalData(
        pupils=await _pupils_of([event.id]).count(),
        registrations=await EventRole.filter(event_id=event.id, role=Role.PARTICIPANT).count(),
        memberships=await TeamMember.filter(event_id=event.id).count(),
        invitations=await Invitation.filter(event_id=event.id).count())


def check_event_ended(event: Event, now: datetime) -> None:
    if event.phase(now) != Phase.RESULTS:
        raise DomainError("The event's personal data can be deleted only after it has ended and "
                          "its results are published.")


async def _anonymise_team_names(event: Event, conn) -> None:
    """In a school event every team becomes "Team 1", "Team 2", ...: a name may say who was in
    it, and which names pupils chose (rather than their teacher) is not recorded."""
    if not event.is_school:
        return
    ids = await Team.filter(event_id=event.id).using_db(conn).order_by("id") \
        .values_list("id", flat=True)
    # Two steps, so that no rename collides with a name another team still has. The folded
    # key goes with the name (update() skips Team.save, which keeps it in step).
    for team_id in ids:
        placeholder = secrets.token_hex(16)
        await Team.filter(id=team_id).using_db(conn).update(name=placeholder,
                                                            name_key=placeholder)
    for n, team_id in enumerate(ids, start=1):
        name = gettext("Team %(n)s", n=n)
        await Team.filter(id=team_id).using_db(conn).update(name=name, name_key=name_key(name))


async def erase_event(event: Event, now: datetime) -> EventPersonalData:
    """After the results: the pupils' accounts of its classes, participants' registrations and
    skills, team memberships and invitations go; the event, its challenges, classes and teams
    stay (pupil-chosen team names anonymised); staff keep their roles."""
    check_event_ended(event, now)
    counts = await event_personal_data(event)
    async with in_transaction() as conn:
        pupil_ids = await _pupils_of([event.id]).using_db(conn).values_list("user_id", flat=True)
        await _forget(list(pupil_ids), conn)
        await EventRole.filter(event_id=event.id, role=Role.PARTICIPANT).using_db(conn).delete()
        await TeamMember.filter(event_id=event.id).using_db(conn).delete()
        await Team.filter(event_id=event.id).using_db(conn).update(
            member_count=0, leader_id=None, looking_for="")
        await Invitation.filter(event_id=event.id).using_db(conn).delete()
        await _anonymise_team_names(event, conn)
    return counts


# --- retention -------------------------------------------------------------------------------

async def purge_pupils(now: datetime, retention_days: int) -> int:
    """Deletes the accounts of pupils whose event published its results at least
    `retention_days` ago; returns how many. Safe to run often and from several processes."""
    cutoff = now - timedelta(days=retention_days)
    events = await Event.filter(results_published__lte=cutoff,
                                classes__pupils__id__isnull=False).distinct()
    deleted = 0
    for event in events:
        async with in_transaction() as conn:
            pupil_ids = list(await _pupils_of([event.id]).using_db(conn)
                             .values_list("user_id", flat=True))
            await _forget(pupil_ids, conn)
            await _anonymise_team_names(event, conn)
        deleted += len(pupil_ids)
    return deleted
