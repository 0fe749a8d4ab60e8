"""The jury: inviting jurors, and single-use sign-in links for jurors who only score.

Two ways in:
- an invitation (events/invitations.py, role jury): the juror signs in or creates an account,
  with everything an account has;
- a jury link: the organiser gives a name and an address; the juror gets a link that signs
  them in once, without a password, to a session that reaches this event's jury pages and
  nothing else (samskapa/auth/scope.py, given the queue's path at sign-in). Only
  the token's SHA-256 is stored; a link lasts `LINK_LIFETIME` and is used up by its first use.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from events.models import Event, EventRole, Role
from judging.conflicts import JURY_ROLES
from judging.models import JuryLink
from samskapa.auth.models import User
from samskapa.auth.passwords import new_token, token_hash
from samskapa.errors import DomainError, NotFound, ValidationError
from samskapa.i18n import N_, gettext
from samskapa.mail import send_mail

LINK_LIFETIME = timedelta(days=7)


async def jurors(event: Event) -> list[User]:
    ids = await EventRole.filter(event_id=event.id, role__in=JURY_ROLES) \
        .values_list("user_id", flat=True)
    return sorted(await User.filter(id__in=set(ids)), key=lambda u: u.display_name.casefold())


async def send_link(settings, event: Event, by: User, email: str, name: str,
                    now: datetime) -> tuple[JuryLink, str]:
    """Makes `email` a jury member of the event (a new account without a password when there
    is none) and mails them a single-use sign-in link. Returns the link row and the link."""
    user = await User.get_or_none(email=email)
    if user is not None and user.is_admin:
        # A site admin's account must not be reachable with a mailed link alone.
        raise ValidationError({"email": N_("This address belongs to a site administrator: "
                                           "invite them instead.")})
    async with in_transaction() as conn:
        if user is None:
            if not name:
                raise ValidationError({"display_name": N_("This field is required.")})
            try:
                user = await User.create(email=email, display_name=name, using_db=conn)
            except IntegrityError:
                raise ValidationError({"email": N_("Try again in a moment.")})
        if not await EventRole.filter(event_id=event.id, user_id=user.id, role__in=JURY_ROLES) \
                .using_db(conn).exists():
            await EventRole.create(event=event, user=user, role=Role.JURY, using_db=conn)
        # One live link per juror and event: a new one replaces the old.
        await JuryLink.filter(event_id=event.id, juror_id=user.id, used_at=None) \
            .using_db(conn).delete()
        token, digest = new_token()
        link_row = await JuryLink.create(event=event, juror=user, token_hash=digest,
                                         created_by=by, expires_at=now + LINK_LIFETIME,
                                         using_db=conn)
    link = f"{settings.base_url}/jury-link/{token}"
    await send_mail(
        settings, email,
        gettext("Your jury link for %(event)s", event=event.title),
        gettext("%(inviter)s has asked you to be in the jury of %(event)s on Samskapa.\n\n"
                "This link signs you in to your jury queue, once, within 7 days; no password "
                "is needed:\n\n%(link)s\n\nIf you did not expect this, ignore this message.",
                inviter=by.display_name, event=event.title, link=link),
        secret_links=(link,))
    return link_row, link


@dataclass
class LinkUse:
    juror: User
    event: Event


async def find_link(token: str, now: datetime) -> JuryLink:
    found = await JuryLink.filter(token_hash=token_hash(token)) \
        .prefetch_related("event", "juror").first()
    if found is None:
        raise NotFound(N_("This jury link is not valid. Check that you copied the whole link, "
                          "or ask the organisers for a new one."))
    if found.used_at is not None:
        raise DomainError(N_("This jury link has already been used. Ask the organisers for a "
                             "new one."))
    if found.expires_at <= now:
        raise DomainError(N_("This jury link has expired. Ask the organisers for a new one."))
    return found


async def use_link(token: str, now: datetime) -> LinkUse:
    found = await find_link(token, now)
    # Conditional update: of two simultaneous uses exactly one signs in.
    if not await JuryLink.filter(id=found.id, used_at=None).update(used_at=now):
        raise DomainError(N_("This jury link has already been used. Ask the organisers for a "
                             "new one."))
    if not await EventRole.filter(event_id=found.event_id, user_id=found.juror_id,
                                  role__in=JURY_ROLES).exists():
        raise DomainError(N_("You are no longer in this event's jury."))
    return LinkUse(found.juror, found.event)
