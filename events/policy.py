"""Who may do what in an event: the one place that turns a person's roles into permissions.

Every package asks here (events, challenges, teams, school, submissions, judging): a route's
guard is `user, event, standing = await require_event(request, Permission.X)` (signed in), or
`event_for(slug, user_or_none, Permission.X)` where visitors may come, and a service that
needs more than one yes/no takes the `Standing`. Rules about one object (a challenge owner edits
their own challenge, a juror scores what was assigned to them, a teacher sees their own class)
stay in the owning package and read the Standing.

Site administrators have every permission an organiser has, in every event.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from events.models import Event, EventRole, Role
from samskapa.auth.guards import require_user
from samskapa.auth.models import User
from samskapa.errors import Forbidden, NotFound
from samskapa.i18n import N_

EVENT_NOT_FOUND = N_("There is no such event, or it is not published yet.")


class Permission(StrEnum):
    SEE_EVENT = "see_event"            # published: everyone; a draft: SEE_DRAFTS holders only
    SEE_DRAFTS = "see_drafts"          # the event (and its pages) before it is published
    MANAGE_EVENT = "manage_event"      # edit, publish, roles, invitations, dashboard, its data
    ADD_CHALLENGE = "add_challenge"    # and edit their own (challenges.service.can_edit)
    MANAGE_CHALLENGES = "manage_challenges"  # edit any challenge, themes
    MANAGE_TEAMS = "manage_teams"      # move members, hide teams
    SEE_PUPILS = "see_pupils"          # teachers: their own classes (school.pupil_privacy)
    TEACH = "teach"                    # classes, pupils' codes, placing pupils in teams
    MANAGE_SUBMISSIONS = "manage_submissions"  # eligibility, hiding
    MANAGE_JUDGING = "manage_judging"  # rubric, jury, assignment, method, awards, publishing
    SCORE = "score"                    # what is assigned to them (judging)
    CHAIR_JURY = "chair_jury"          # ranking, awards, motivations


P = Permission
# Role -> what it allows. Organisers run the event but do not score: a jury role does that.
GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ORGANISER: frozenset(Permission) - {P.SCORE},
    Role.CHALLENGE_OWNER: frozenset({P.SEE_EVENT, P.SEE_DRAFTS, P.ADD_CHALLENGE}),
    Role.JURY: frozenset({P.SEE_EVENT, P.SEE_PUPILS, P.SCORE}),
    Role.JURY_CHAIR: frozenset({P.SEE_EVENT, P.SEE_PUPILS, P.SCORE, P.CHAIR_JURY}),
    Role.TEACHER: frozenset({P.SEE_EVENT, P.SEE_PUPILS, P.TEACH}),
    Role.PARTICIPANT: frozenset({P.SEE_EVENT}),
}
EVERYONE: frozenset[Permission] = frozenset({P.SEE_EVENT})  # of a published event
ADMIN = GRANTS[Role.ORGANISER]

# What a refusal says when the caller gives no message of its own.
REFUSALS: dict[Permission, str] = {
    P.MANAGE_EVENT: N_("Only the event's organisers can do this."),
    P.ADD_CHALLENGE: N_("Only the event's organisers and challenge owners can add challenges."),
    P.TEACH: N_("Only the event's teachers and organisers can manage classes."),
}
NOT_ALLOWED = N_("You do not have permission to do this. If you think you should, ask the "
                 "event's organisers.")


def grants(roles: Iterable[Role], is_admin: bool = False) -> frozenset[Permission]:
    """Everything these roles (and site administration) allow, the event's state aside."""
    allowed = set(EVERYONE)
    if is_admin:
        allowed |= ADMIN
    for role in roles:
        allowed |= GRANTS[Role(role)]
    return frozenset(allowed)


def roles_with(permission: Permission) -> frozenset[Role]:
    """The roles that allow `permission` (e.g. whose holders see draft events)."""
    return frozenset(role for role, allowed in GRANTS.items() if permission in allowed)


@dataclass(frozen=True)
class Standing:
    """One person's standing in one event: who they are (None: anonymous) and their roles."""
    event: Event
    user: User | None
    roles: frozenset[Role] = frozenset()

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None

    @property
    def is_admin(self) -> bool:
        return bool(self.user is not None and self.user.is_admin)

    @property
    def is_organiser(self) -> bool:
        """Organisers of the event, and site admins, run it."""
        return self.is_admin or Role.ORGANISER in self.roles

    @property
    def permissions(self) -> frozenset[Permission]:
        return grants(self.roles, self.is_admin)

    def has(self, role: Role) -> bool:
        return role in self.roles

    def may(self, permission: Permission) -> bool:
        if permission == P.SEE_EVENT and not self.event.published:
            return P.SEE_DRAFTS in self.permissions
        return permission in self.permissions

    def require(self, permission: Permission, message: str | None = None) -> None:
        """Forbidden (403) unless this person may; `message` is a msgid saying who may."""
        if not self.may(permission):
            raise Forbidden(message or REFUSALS.get(permission, NOT_ALLOWED))


async def standing(event: Event, user: User | None) -> Standing:
    """`user`'s standing in `event` (one query for their roles; none when anonymous)."""
    if user is None:
        return Standing(event, None)
    rows = await EventRole.filter(event_id=event.id, user_id=user.id).values_list("role",
                                                                                  flat=True)
    return Standing(event, user, frozenset(Role(r) for r in rows))


async def event_for(slug: str, user: User | None, permission: Permission = P.SEE_EVENT, *,
                    message: str | None = None) -> tuple[Event, Standing]:
    """The event at `slug` and `user`'s standing in it: 404 when they may not see it at all (an
    unknown address, or a draft), 403 when they may see it but lack `permission`."""
    event = await Event.get_or_none(slug=slug)
    if event is None:
        raise NotFound(EVENT_NOT_FOUND)
    found = await standing(event, user)
    if not found.may(P.SEE_EVENT):
        raise NotFound(EVENT_NOT_FOUND)
    found.require(permission, message)
    return event, found


async def require_event(request, permission: Permission = P.SEE_EVENT, *,
                        message: str | None = None) -> tuple[User, Event, Standing]:
    """A route's guard: the signed-in user (else to the sign-in page), the event at the path's
    `slug` and their standing in it, refused as `event_for` refuses."""
    user = await require_user(request)
    event, found = await event_for(request.path_params["slug"], user, permission,
                                   message=message)
    return user, event, found
