"""Stand-in for the house's events/policy.py (CONTRACTS.md §1), so that the submissions
package can be written and tested before the house lands: same names, same meaning. The
house's version replaces this file whole when its branch is merged."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from events.models import Event, EventRole, Role
from samskapa.auth.models import User
from samskapa.errors import Forbidden, NotFound
from samskapa.i18n import N_


class Permission(StrEnum):
    SEE_EVENT = "see_event"
    SEE_DRAFTS = "see_drafts"
    MANAGE_EVENT = "manage_event"
    ADD_CHALLENGE = "add_challenge"
    MANAGE_CHALLENGES = "manage_challenges"
    MANAGE_TEAMS = "manage_teams"
    SEE_PUPILS = "see_pupils"
    TEACH = "teach"
    MANAGE_SUBMISSIONS = "manage_submissions"
    MANAGE_JUDGING = "manage_judging"
    SCORE = "score"
    CHAIR_JURY = "chair_jury"


_BY_ROLE = {
    Role.ORGANISER: set(Permission),
    Role.CHALLENGE_OWNER: {Permission.SEE_EVENT, Permission.SEE_DRAFTS, Permission.ADD_CHALLENGE},
    Role.JURY: {Permission.SEE_EVENT, Permission.SEE_PUPILS, Permission.SCORE},
    Role.TEACHER: {Permission.SEE_EVENT, Permission.SEE_PUPILS, Permission.TEACH},
    Role.PARTICIPANT: {Permission.SEE_EVENT},
}


@dataclass(frozen=True)
class Standing:
    event: Event
    user: User | None
    roles: frozenset[Role]

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user else None

    @property
    def is_organiser(self) -> bool:
        return bool(self.user and (self.user.is_admin or Role.ORGANISER in self.roles))

    def may(self, permission: Permission) -> bool:
        if self.is_organiser:
            return True
        if permission == Permission.SEE_EVENT and self.event.published:
            return True
        return any(permission in _BY_ROLE.get(role, ()) for role in self.roles)

    def require(self, permission: Permission, message: str | None = None) -> None:
        if not self.may(permission):
            raise Forbidden(message or N_("You do not have permission to do this."))


async def standing(event: Event, user: User | None) -> Standing:
    if user is None:
        return Standing(event, None, frozenset())
    roles = await EventRole.filter(event_id=event.id, user_id=user.id).values_list("role",
                                                                                  flat=True)
    return Standing(event, user, frozenset(Role(r) for r in roles))


async def event_for(slug: str, user: User | None,
                    permission: Permission = Permission.SEE_EVENT) -> tuple[Event, Standing]:
    event = await Event.get_or_none(slug=slug)
    if event is None:
        raise NotFound(N_("There is no such event, or it is not published yet."))
    who = await standing(event, user)
    if not who.may(Permission.SEE_EVENT) and not who.may(Permission.SEE_DRAFTS):
        raise NotFound(N_("There is no such event, or it is not published yet."))
    who.require(permission)
    return event, who
