"""Who reviews what, around the pure design in judging/assignment.py: running it over the
event's judged submissions (`Submission.is_judged`) and jurors, the organiser's moves by hand,
and progress.

The automatic run keeps every existing review of a judged submission that is not in
conflict (a started review never moves under a juror's feet) and tops up the rest to k each.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from events.models import Event
from judging import assignment, conflicts, event_settings
from judging.models import Assignment, AssignmentStatus, ScoreChange
from samskapa.auth.models import User
from samskapa.errors import DomainError, NotFound, ValidationError
from samskapa.i18n import N_
from submissions.models import Submission

async def judged(event: Event) -> list[Submission]:
    return await Submission.judged(event.id).order_by("title", "id")


async def run(event: Event, by: User, *, seed: int = 0) -> int:
    """Gives every judged submission k reviews; returns how many reviews were added."""
    try:
        return await _run(event, seed)
    except IntegrityError:
        # Another run (a second organiser, a double submit) added some of the same pairs
        # meanwhile, and this batch was rolled back: plan again around what it added.
        return await _run(event, seed)


async def _run(event: Event, seed: int) -> int:
    settings = await event_settings.of(event)
    subs = [s.id for s in await judged(event)]
    jurors = await conflicts.juror_ids(event)
    if not subs:
        raise DomainError(N_("There are no submissions to judge yet (hidden and ineligible ones are left out)."))
    if not jurors:
        raise DomainError(N_("The event has no jury members yet: invite some first."))
    banned = await conflicts.pairs(event)
    current = set(await Assignment.filter(event_id=event.id).values_list("juror_id",
                                                                         "submission_id"))
    try:
        planned = assignment.assign(subs, jurors, settings.reviews_per_submission,
                                    conflicts=banned, existing=current - banned, seed=seed)
    except assignment.AssignmentImpossible as exc:
        raise DomainError(N_("The reviews could not be assigned: %(reason)s"),
                          reason=exc.reason)
    new = [pair for pair in planned if pair not in current]
    async with in_transaction() as conn:
        await Assignment.bulk_create(
            [Assignment(event_id=event.id, juror_id=j, submission_id=s) for j, s in new],
            using_db=conn)
    return len(new)


async def in_event(event: Event, assignment_id: int) -> Assignment:
    found = await Assignment.filter(id=assignment_id, event_id=event.id) \
        .prefetch_related("juror", "submission").first()
    if found is None:
        raise NotFound(N_("There is no such review in this event."))
    return found


async def _check_pair(event: Event, juror_id: int | None, submission: Submission) -> User:
    juror = None
    if juror_id is not None and juror_id in await conflicts.juror_ids(event):
        juror = await User.get(id=juror_id)
    if juror is None:
        raise ValidationError({"juror_id": N_("Choose one of the jury members.")})
    if await conflicts.is_conflicted(juror.id, submission):
        raise ValidationError({"juror_id": N_("This jury member has a conflict of interest "
                                              "with the team.")})
    if await Assignment.exists(juror_id=juror.id, submission_id=submission.id):
        raise ValidationError({"juror_id": N_("This jury member already reviews this "
                                              "submission.")})
    return juror


async def add(event: Event, by: User, juror_id: int | None, submission_id: int | None) -> Assignment:
    submission = await Submission.get_or_none(id=submission_id, event_id=event.id) \
        if submission_id else None
    if submission is None or not submission.is_judged:
        raise ValidationError({"submission_id": N_("Choose one of the submissions to judge.")})
    juror = await _check_pair(event, juror_id, submission)
    try:
        return await Assignment.create(event=event, juror=juror, submission=submission,
                                       by_hand=True)
    except IntegrityError:
        raise ValidationError({"juror_id": N_("This jury member already reviews this "
                                              "submission.")})


STARTED = N_("This review has been started: its scores and feedback stay. Only a review "
             "nobody has started can be moved or removed.")


async def _check_unstarted(review: Assignment) -> None:
    """A started review is the juror's work: it is never moved or deleted with its scores."""
    if (review.status != AssignmentStatus.PENDING or review.feedback.strip()
            or await review.scores.all().exists()):
        raise DomainError(STARTED)


async def move(event: Event, by: User, review: Assignment, juror_id: int | None) -> Assignment:
    """Gives a review nobody has started to another juror."""
    await _check_unstarted(review)
    submission = await Submission.get(id=review.submission_id)
    juror = await _check_pair(event, juror_id, submission)
    async with in_transaction() as conn:
        moved = await Assignment.filter(id=review.id, juror_id=review.juror_id) \
            .using_db(conn).update(juror_id=juror.id, by_hand=True)
        if moved:
            await ScoreChange.create(event=event, assignment_id=review.id, changed_by=by,
                                     what="juror", old_value=str(review.juror_id),
                                     new_value=str(juror.id), using_db=conn)
    review.juror_id = juror.id
    return review


async def remove(event: Event, by: User, review: Assignment) -> None:
    """Deletes a review nobody has started."""
    await _check_unstarted(review)
    async with in_transaction() as conn:
        await ScoreChange.create(event=event, assignment_id=None, changed_by=by,
                                 what="removed", old_value=f"{review.juror_id}:"
                                 f"{review.submission_id}", using_db=conn)
        await Assignment.filter(id=review.id).using_db(conn).delete()


# --- progress -----------------------------------------------------------------------------------

@dataclass
class Row:
    total: int = 0
    done: int = 0
    skipped: int = 0
    conflicted: int = 0

    @property
    def left(self) -> int:
        return self.total - self.done - self.skipped


@dataclass
class Progress:
    jurors: list[tuple[User, Row]]
    submissions: list[tuple[Submission, Row]]
    reviews: list[Assignment]
    conflicted: list[Assignment]  # reviews that must move (a juror joined the team, declared...)
    islands: list[tuple[list[User], list[Submission]]] = field(default_factory=list)
    k: int = 3

    @property
    def total(self) -> Row:
        row = Row()
        for _u, r in self.jurors:
            row.total += r.total
            row.done += r.done
            row.skipped += r.skipped
        return row


async def progress(event: Event) -> Progress:
    settings = await event_settings.of(event)
    reviews = await conflicts.with_conflict(Assignment.filter(event_id=event.id)) \
        .prefetch_related("juror", "submission").order_by("id")
    jurors = {u.id: u for u in await User.filter(id__in=await conflicts.juror_ids(event))}
    subs = {s.id: s for s in await judged(event)}
    per_juror = {uid: Row() for uid in jurors}
    per_sub = {sid: Row() for sid in subs}
    for review in reviews:
        jurors.setdefault(review.juror_id, review.juror)
        subs.setdefault(review.submission_id, review.submission)
        for row in (per_juror.setdefault(review.juror_id, Row()),
                    per_sub.setdefault(review.submission_id, Row())):
            row.total += 1
            row.done += review.status == AssignmentStatus.DONE
            row.skipped += review.status == AssignmentStatus.SKIPPED
            row.conflicted += bool(review.conflicted)
    pairs = [(r.juror_id, r.submission_id) for r in reviews]
    split = assignment.islands(pairs) if pairs else []
    return Progress(
        jurors=sorted(((jurors[uid], row) for uid, row in per_juror.items()),
                      key=lambda item: item[0].display_name.casefold()),
        submissions=sorted(((subs[sid], row) for sid, row in per_sub.items()),
                           key=lambda item: item[0].title.casefold()),
        reviews=reviews,
        conflicted=[r for r in reviews if r.conflicted],
        islands=[(sorted((jurors[j] for j in js), key=lambda u: u.id),
                  sorted((subs[s] for s in ss), key=lambda s: s.id))
                 for js, ss in split] if len(split) > 1 else [],
        k=settings.reviews_per_submission,
    )

