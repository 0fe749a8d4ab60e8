"""Invitations by email: organisers invite co-organisers, challenge owners, jury members and
teachers. The link carries a random token; only its hash is stored. An invitation is for the
address it was sent to, can be used once and lasts 14 days."""
from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError

from events.models import ROLE_LABELS, Event, EventRole, Invitation, Role
from samskapa.auth.models import User
from samskapa.auth.passwords import new_token, token_hash
from samskapa.auth.service import mark_email_verified
from samskapa.errors import DomainError, Forbidden, NotFound, ValidationError
from samskapa.i18n import N_, gettext
from samskapa.mail import send_mail

INVITATION_LIFETIME = timedelta(days=14)
# From the least to the most powerful, the order the invite form lists them in.
INVITABLE_ROLES = [Role.TEACHER, Role.JURY, Role.JURY_CHAIR, Role.CHALLENGE_OWNER, Role.ORGANISER]


def invitable_roles(event: Event) -> list[Role]:
    """Teachers only take part in school events."""
    return [r for r in INVITABLE_ROLES if r != Role.TEACHER or event.is_school]


async def invite(settings, event: Event, inviter: User, email: str, role: Role,
                 now: datetime) -> tuple[Invitation, str]:
    """Create the invitation and mail its link. Returns the invitation and the link."""
    if role not in invitable_roles(event):
        raise ValidationError({"role": N_("Choose one of the options.")})
    invited = await User.get_or_none(email=email)
    if invited is not None and await EventRole.exists(event_id=event.id, user_id=invited.id,
                                                      role=role):
        raise ValidationError({"email": N_("This person already has that role in the event.")})
    # Inviting again sends a new link instead of a second invitation: the older link stops
    # working, and the dashboard lists one invitation per person and role.
    await Invitation.filter(event_id=event.id, email=email, role=role,
                            accepted_at__isnull=True).delete()
    token, digest = new_token()
    invitation = await Invitation.create(event=event, email=email, role=role, token_hash=digest,
                                         invited_by=inviter,
                                         expires_at=now + INVITATION_LIFETIME)
    link = f"{settings.base_url}/invitations/{token}"
    role_name = gettext(ROLE_LABELS[role]).lower()
    await send_mail(
        settings, email,
        gettext("Invitation to %(event)s", event=event.title),
        gettext("%(inviter)s has invited you to %(event)s as %(role)s on Samskapa.\n\n"
                "To accept, open this link within 14 days and sign in or create an account with "
                "this email address:\n\n%(link)s\n\nIf you did not expect this, ignore this "
                "message.", inviter=inviter.display_name, event=event.title, role=role_name,
                link=link),
        secret_links=(link,))
    return invitation, link


async def find_invitation(token: str, now: datetime) -> Invitation:
    """The usable invitation behind `token`, or a specific error why it cannot be used."""
    invitation = await Invitation.filter(token_hash=token_hash(token)).prefetch_related(
        "event").first()
    if invitation is None:
        raise NotFound(N_("This invitation link is not valid. Check that you copied the whole "
                          "link, or ask the organisers for a new invitation."))
    if invitation.accepted_at is not None:
        raise DomainError(N_("This invitation has already been used."))
    if invitation.expires_at <= now:
        raise DomainError(N_("This invitation has expired. Ask the organisers for a new one."))
    return invitation


async def accept(token: str, user: User, now: datetime) -> Invitation:
    """Give `user` the invited role. Only the invited address may accept, and only once.

    A role given by invitation needs a verified address. The link was mailed to that address,
    so holding it proves the address: accepting verifies it. An account someone else registered
    with the address never gets the role without the link (and the owner's password reset
    ends that someone's sessions)."""
    invitation = await find_invitation(token, now)
    if (user.email or "").lower() != invitation.email.lower():
        raise Forbidden(N_("This invitation was sent to %(email)s, but you are signed in with "
                           "another account. Sign out and sign in as %(email)s to accept it."),
                        email=invitation.email)
    await mark_email_verified(user)
    # Conditional update: of two simultaneous acceptances exactly one uses the invitation.
    used = await Invitation.filter(id=invitation.id, accepted_at=None).update(accepted_at=now)
    if not used:
        raise DomainError(N_("This invitation has already been used."))
    if not await EventRole.exists(event_id=invitation.event_id, user_id=user.id,
                                  role=invitation.role):
        try:
            await EventRole.create(event_id=invitation.event_id, user=user, role=invitation.role)
        except IntegrityError:
            pass  # they got the role some other way meanwhile: the result is the same
    invitation.accepted_at = now
    return invitation


async def pending(event: Event, now: datetime) -> list[Invitation]:
    return await Invitation.filter(event_id=event.id, accepted_at=None,
                                   expires_at__gt=now).order_by("-id")
