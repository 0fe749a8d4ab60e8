"""Rubrics: the criteria an event (or one of its challenges) is judged by.

A rubric locks at the first saved score (judging/review.py). Changing a locked rubric is allowed,
but only confirmed, and the organiser is told first exactly what happens to saved scores
(`effect_of`):
- a new scale clears the scores outside it, and the reviews they were in reopen;
- a new criterion reopens every finished review of the rubric (it lacks that score);
- a removed criterion takes its scores with it;
- name, description, weight and level texts change no score.
Every cleared score and reopened review is a ScoreChange row, and so is the change itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from challenges.models import Challenge
from events.models import Event
from judging.models import Assignment, AssignmentStatus, Criterion, Rubric, Score, ScoreChange
from samskapa.auth.models import User
from samskapa.errors import DomainError, NotFound, ValidationError
from samskapa.i18n import N_
from submissions.models import Submission

MAX_CRITERIA = 20
MAX_STEPS = 11  # 0-10 is the widest scale: a juror picks one of at most eleven levels


@dataclass
class CriterionData:
    name: str
    description: str
    weight: float
    scale_min: int
    scale_max: int
    levels: dict[str, str] = field(default_factory=dict)

    def errors(self) -> dict[str, str]:
        found: dict[str, str] = {}
        if self.scale_max <= self.scale_min:
            found["scale_max"] = N_("The highest step must be above the lowest.")
        elif self.scale_max - self.scale_min + 1 > MAX_STEPS:
            found["scale_max"] = N_("A scale has at most 11 steps (such as 0-10).")
        return found

    def summary(self) -> str:
        """How the audit log names a criterion's definition."""
        return f"{self.name} ({self.scale_min}-{self.scale_max}, ×{self.weight:g})"


def data_of(criterion: Criterion) -> CriterionData:
    return CriterionData(criterion.name, criterion.description, criterion.weight,
                         criterion.scale_min, criterion.scale_max, dict(criterion.levels))


@dataclass
class Effect:
    """What a change to a locked rubric does to saved scores."""
    cleared_scores: int = 0
    reopened_reviews: int = 0


class ConfirmationNeeded(DomainError):
    """The rubric is locked: the change waits for the organiser's confirmation."""

    status_code = 422

    def __init__(self, effect: Effect) -> None:
        super().__init__(N_("Scores have already been saved with this rubric. Check what the "
                            "change does to them and confirm it."))
        self.effect = effect


# --- finding rubrics ----------------------------------------------------------------------------

async def rubric_for(event: Event, challenge: Challenge | None = None) -> Rubric:
    """The event's rubric, or the challenge's own one; made empty the first time it is asked
    for. (The unique constraint cannot hold for the event's own rubric, whose challenge is
    NULL, so that one is found before it is made.)"""
    query = Rubric.filter(event_id=event.id, challenge_id=challenge.id if challenge else None)
    found = await query.order_by("id").first()
    if found is None:
        try:
            found = await Rubric.create(event=event, challenge=challenge)
        except IntegrityError:  # made by another request meanwhile
            found = await query.order_by("id").first()
    assert found is not None
    return found


async def rubrics_of(event: Event) -> list[Rubric]:
    return await Rubric.filter(event_id=event.id).prefetch_related("challenge", "criteria") \
        .order_by("id")


def _chosen_rubric(rubrics: list[tuple[int, int | None]], challenge_id: int | None) -> int | None:
    """Which rubric scores a submission of `challenge_id`, given (rubric id, its challenge id)
    of every criterion of the event: its challenge's own rubric when that has criteria, else
    the event's."""
    own = [rid for rid, challenge in rubrics
           if challenge is not None and challenge == challenge_id]
    general = [rid for rid, challenge in rubrics if challenge is None]
    return min(own) if own else min(general) if general else None


async def criteria_for(submission: Submission) -> list[Criterion]:
    """The criteria `submission` is scored by (`_chosen_rubric`). One query; each criterion
    comes with its rubric loaded."""
    every = await Criterion.filter(rubric__event_id=submission.event_id) \
        .select_related("rubric").order_by("position", "id")
    chosen = _chosen_rubric([(c.rubric_id, c.rubric.challenge_id) for c in every],
                            submission.challenge_id)
    return [c for c in every if c.rubric_id == chosen]


@dataclass(frozen=True, slots=True)
class Scale:
    """What a score save needs of a criterion, read as plain values (no model objects)."""
    id: int
    rubric_id: int
    scale_min: int
    scale_max: int
    rubric_locked: bool

    check_value = Criterion.check_value  # the same rule: scale_min <= value <= scale_max


async def scales_for(submission: Submission) -> dict[int, Scale]:
    """The criteria `criteria_for` gives, by id, as Scales: every score save asks (one query)."""
    rows = await Criterion.filter(rubric__event_id=submission.event_id).values_list(
        "id", "rubric_id", "scale_min", "scale_max", "rubric__challenge_id", "rubric__locked_at")
    chosen = _chosen_rubric([(row[1], row[4]) for row in rows], submission.challenge_id)
    return {cid: Scale(cid, rid, low, high, locked_at is not None)
            for cid, rid, low, high, _challenge, locked_at in rows if rid == chosen}


async def criteria_of(rubric: Rubric | None) -> list[Criterion]:
    if rubric is None:
        return []
    return await Criterion.filter(rubric_id=rubric.id).order_by("position", "id")


async def criterion_in(event: Event, criterion_id: int) -> Criterion:
    found = await Criterion.filter(id=criterion_id, rubric__event_id=event.id) \
        .prefetch_related("rubric").first()
    if found is None:
        raise NotFound(N_("There is no such criterion in this event."))
    return found


async def _submissions_scored_by(rubric: Rubric) -> list[int]:
    """Ids of the submissions this rubric applies to."""
    event_subs = Submission.filter(event_id=rubric.event_id)
    if rubric.challenge_id is not None:
        return await event_subs.filter(challenge_id=rubric.challenge_id).values_list("id",
                                                                                    flat=True)
    with_own = await Rubric.filter(event_id=rubric.event_id, challenge_id__isnull=False,
                                   criteria__id__isnull=False).values_list("challenge_id",
                                                                           flat=True)
    subs = await event_subs.values_list("id", "challenge_id")
    return [sid for sid, cid in subs if cid is None or cid not in set(with_own)]


# --- what a change does -------------------------------------------------------------------------

async def effect_of(rubric: Rubric, criterion: Criterion | None,
                    data: CriterionData | None) -> Effect:
    """What saving `data` for `criterion` (None: a new criterion; data None: removing it) would
    do to saved scores."""
    if criterion is None:  # a new criterion: every finished review lacks its score
        subs = await _submissions_scored_by(rubric)
        return Effect(reopened_reviews=await Assignment.filter(
            submission_id__in=subs, status=AssignmentStatus.DONE).count())
    if data is None:  # removing it: its scores go, no review reopens
        return Effect(cleared_scores=await Score.filter(criterion_id=criterion.id).count())
    outside = Score.filter(_outside(data), criterion_id=criterion.id)
    return Effect(
        cleared_scores=await outside.count(),
        reopened_reviews=await Assignment.filter(
            id__in=await outside.values_list("assignment_id", flat=True),
            status=AssignmentStatus.DONE).count())


def _outside(data: CriterionData) -> Q:
    return Q(value__lt=data.scale_min) | Q(value__gt=data.scale_max)


async def _guard(rubric: Rubric, criterion: Criterion | None, data: CriterionData | None,
                 confirmed: bool) -> None:
    if rubric.locked_at is not None and not confirmed:
        raise ConfirmationNeeded(await effect_of(rubric, criterion, data))


async def _log(conn, event_id: int, by: User, now: datetime, what: str, old, new,
               assignment_id: int | None = None) -> None:
    await ScoreChange.create(event_id=event_id, assignment_id=assignment_id, changed_by=by,
                             what=what, old_value=None if old is None else str(old),
                             new_value=None if new is None else str(new), changed_at=now,
                             using_db=conn)


async def _reopen(conn, assignment_ids, event_id: int, by: User, now: datetime) -> None:
    for aid in assignment_ids:
        await Assignment.filter(id=aid).using_db(conn).update(
            status=AssignmentStatus.PENDING, completed_at=None)
        await _log(conn, event_id, by, now, "status", AssignmentStatus.DONE.value,
                   AssignmentStatus.PENDING.value, aid)


# --- changing it --------------------------------------------------------------------------------

def _check(data: CriterionData) -> None:
    if errors := data.errors():
        raise ValidationError(errors)


async def add_criterion(rubric: Rubric, data: CriterionData, by: User, now: datetime, *,
                        confirmed: bool = False) -> Criterion:
    _check(data)
    if await Criterion.filter(rubric_id=rubric.id).count() >= MAX_CRITERIA:
        raise DomainError(N_("A rubric has at most 20 criteria."))
    await _guard(rubric, None, data, confirmed)
    async with in_transaction() as conn:
        position = await Criterion.filter(rubric_id=rubric.id).using_db(conn).count()
        criterion = await Criterion.create(rubric=rubric, position=position, using_db=conn,
                                           **data.__dict__)
        if rubric.locked_at is not None:
            subs = await _submissions_scored_by(rubric)
            done = await Assignment.filter(submission_id__in=subs,
                                           status=AssignmentStatus.DONE) \
                .using_db(conn).values_list("id", flat=True)
            await _reopen(conn, done, rubric.event_id, by, now)
            await _log(conn, rubric.event_id, by, now, "rubric", None, data.summary())
    return criterion


async def update_criterion(criterion: Criterion, data: CriterionData, by: User, now: datetime,
                           *, confirmed: bool = False) -> Criterion:
    _check(data)
    rubric = await Rubric.get(id=criterion.rubric_id)
    await _guard(rubric, criterion, data, confirmed)
    before = data_of(criterion)
    async with in_transaction() as conn:
        if rubric.locked_at is not None:
            outside = await Score.filter(_outside(data), criterion_id=criterion.id) \
                .using_db(conn).values_list("id", "assignment_id", "value")
            for score_id, aid, value in outside:
                await Score.filter(id=score_id).using_db(conn).delete()
                await _log(conn, rubric.event_id, by, now, f"criterion:{criterion.id}", value,
                           None, aid)
            done = await Assignment.filter(id__in=[aid for _s, aid, _v in outside],
                                           status=AssignmentStatus.DONE) \
                .using_db(conn).values_list("id", flat=True)
            await _reopen(conn, done, rubric.event_id, by, now)
            if before != data:
                await _log(conn, rubric.event_id, by, now, "rubric", before.summary(),
                           data.summary())
        for name, value in data.__dict__.items():
            setattr(criterion, name, value)
        await criterion.save(using_db=conn)
    return criterion


async def delete_criterion(criterion: Criterion, by: User, now: datetime, *,
                           confirmed: bool = False) -> None:
    rubric = await Rubric.get(id=criterion.rubric_id)
    await _guard(rubric, criterion, None, confirmed)
    async with in_transaction() as conn:
        if rubric.locked_at is not None:
            for aid, value in await Score.filter(criterion_id=criterion.id).using_db(conn) \
                    .values_list("assignment_id", "value"):
                await _log(conn, rubric.event_id, by, now, f"criterion:{criterion.id}", value,
                           None, aid)
            await _log(conn, rubric.event_id, by, now, "rubric", data_of(criterion).summary(),
                       None)
        await criterion.delete(using_db=conn)
