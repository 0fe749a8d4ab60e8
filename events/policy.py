"""STAND-IN until the house branch lands (CONTRACTS.md section 1): the jury branch codes against
this contract; at the merge the house's events/policy.py replaces this file entirely."""
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
    MANAGE_JUDGING = "manage_judging"
    SCORE = "score"
    CHAIR_JURY = "chair_jury"


JURY_CHAIR = getattr(Role, "JURY_CHAIR", None)
_GRANTS = {
    Permission.SEE_DRAFTS: {Role.ORGANISER},
    Permission.MANAGE_EVENT: {Role.ORGANISER},
    Permission.MANAGE_JUDGING: {Role.ORGANISER},
    Permission.SCORE: {Role.JURY, JURY_CHAIR},
    Permission.CHAIR_JURY: {Role.ORGANISER, JURY_CHAIR},
}


@dataclass(frozen=True)
class Standing:
    event: Event
    user: User | None
    roles: frozenset

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user else None

    @property
    def is_organiser(self) -> bool:
        return bool(self.user and self.user.is_admin) or Role.ORGANISER in self.roles

    def may(self, permission: Permission) -> bool:
        if permission == Permission.SEE_EVENT:
            return self.event.published or self.may(Permission.SEE_DRAFTS)
        if self.user is None:
            return False
        if self.user.is_admin and permission != Permission.SCORE:
            return True
        return bool(self.roles & _GRANTS[permission])

    def require(self, permission: Permission, message: str | None = None) -> None:
        if not self.may(permission):
            raise Forbidden(message or N_("You do not have permission to do this."))


async def standing(event: Event, user: User | None) -> Standing:
    roles: frozenset = frozenset()
    if user is not None:
        roles = frozenset(Role(r) for r in await EventRole.filter(
            event_id=event.id, user_id=user.id).values_list("role", flat=True))
    return Standing(event, user, roles)


async def event_for(slug: str, user: User | None,
                    permission: Permission = Permission.SEE_EVENT) -> tuple[Event, Standing]:
    event = await Event.get_or_none(slug=slug)
    if event is None:
        raise NotFound(N_("There is no such event, or it is not published yet."))
    found = await standing(event, user)
    if not found.may(Permission.SEE_EVENT):
        raise NotFound(N_("There is no such event, or it is not published yet."))
    found.require(permission)
    return event, found
