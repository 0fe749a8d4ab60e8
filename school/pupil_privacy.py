"""Who sees pupils in a school event.

Pupils are children: their nicknames and whatever they typed (team names, "looking for" texts,
skills) are shown only to their own class, their teacher and the event's organisers and jury.
Everyone else (anonymous visitors, adults without one of those roles, teachers and pupils of
other classes) sees counts instead. Because anonymous visitors never see a pupil, a page as an
anonymous visitor sees it is safe for the public page cache.

In a school event every pupils' team belongs to a class (`Team.school_class`); a team that has
none (made before teams were tied to classes) belongs to the classes of its pupils.
"""
from __future__ import annotations

from dataclasses import dataclass

from events.models import EventRole, Role
from events.policy import Permission, Standing, grants
from school.models import Pupil, SchoolClass


@dataclass(frozen=True)
class Audience:
    """What one visitor may see of an event's pupils."""
    everything: bool
    class_ids: frozenset[int] = frozenset()
    user_id: int | None = None

    def sees_class(self, class_id: int) -> bool:
        return self.everything or class_id in self.class_ids


async def audience(standing: Standing) -> Audience:
    event, user = standing.event, standing.user
    if not event.is_school:
        return Audience(everything=True)
    if user is None:
        return Audience(everything=False)
    # Organisers and the jury see every class; teachers (SEE_PUPILS by teaching) their own.
    if Permission.SEE_PUPILS in grants(standing.roles - {Role.TEACHER}, standing.is_admin):
        return Audience(everything=True, user_id=user.id)
    taught = await SchoolClass.filter(event_id=event.id, teacher_id=user.id) \
        .values_list("id", flat=True)
    own = await Pupil.filter(user_id=user.id, school_class__event_id=event.id) \
        .values_list("school_class_id", flat=True)
    return Audience(everything=False, class_ids=frozenset([*taught, *own]), user_id=user.id)


async def pupil_classes(user_ids: list[int]) -> dict[int, int]:
    """user id -> class id, for the pupils among `user_ids`."""
    if not user_ids:
        return {}
    rows = await Pupil.filter(user_id__in=user_ids).values_list("user_id", "school_class_id")
    return dict(rows)


@dataclass
class Hidden:
    """What is left out of a list for this visitor: counted, never named."""
    teams: int = 0
    pupils: int = 0


async def visible_team_views(views: list, viewer: Audience) -> tuple[list, Hidden]:
    """The team views this visitor may see, with the pupils of classes they may not see taken
    out of each (`view.others` counts them); the rest is counted in `Hidden`."""
    hidden = Hidden()
    if viewer.everything:
        return views, hidden
    class_of = await pupil_classes([m.id for v in views for m in v.members])
    shown = []
    for view in views:
        member_ids = {m.id for m in view.members}
        is_member = viewer.user_id in member_ids
        team_classes = ({view.team.school_class_id} if view.team.school_class_id is not None
                        else {class_of[m] for m in member_ids if m in class_of})
        if not team_classes or is_member or team_classes & viewer.class_ids:
            # Teammates see each other; anyone else sees only the pupils of their own classes.
            kept = [m for m in view.members
                    if is_member or m.id not in class_of or class_of[m.id] in viewer.class_ids]
            view.others += len(view.members) - len(kept)
            view.members = kept
            shown.append(view)
        else:
            hidden.teams += 1
            hidden.pupils += sum(1 for m in member_ids if m in class_of)
    return shown, hidden


async def visible_looking(looking: list[EventRole],
                          viewer: Audience) -> tuple[list[EventRole], int]:
    """The board's people looking for a team that this visitor may see, and how many not."""
    if viewer.everything:
        return looking, 0
    class_of = await pupil_classes([r.user_id for r in looking])
    shown = [r for r in looking
             if r.user_id not in class_of or class_of[r.user_id] in viewer.class_ids]
    return shown, len(looking) - len(shown)
