"""A juror's review: scores per criterion saved as they go, confidence, feedback for the team, a
private note for the jury, done / reopened / skipped. Every change is a ScoreChange row.

Saving is idempotent per (review, field): the same value sent twice (a retry after a dropped
answer on a school network) changes nothing and logs nothing, so a client may always resend.
Saves of one review are serialised by locking its row (PostgreSQL; SQLite writes one at a
time anyway), so two tabs never lose or duplicate a change.

Refused, with nothing changed: after judging closes; a review that is not the juror's own; a
submission the juror has a conflict with or that is no longer judged; a value off the scale.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from events.models import Event
from judging import conflicts, rubric
from judging.models import (Assignment, AssignmentStatus, Confidence, Criterion, Rubric, Score,
                            ScoreChange)
from samskapa.auth.models import User
from samskapa.errors import DomainError, NotFound, ValidationError
from samskapa.i18n import N_, format_datetime
from submissions.models import Submission

JUDGING_CLOSED = N_("Judging closed on %(when)s: scores can no longer be changed.")
FEEDBACK_MAX = 5000
NOTE_MAX = 2000
SKIP_REASON_MAX = 300


# How the audit log names what changed (criteria are named by the rubric).
AUDIT_LABELS = {
    "confidence": N_("Confidence"),
    "feedback": N_("Feedback for the team"),
    "private_note": N_("Private note for the jury"),
    "status": N_("Status"),
    "juror": N_("Moved to another jury member"),
    "removed": N_("Review removed"),
    "rubric": N_("Rubric"),
}


class ReviewRefused(DomainError):
    status_code = 422


@dataclass
class Review:
    """One review with everything its page shows."""
    assignment: Assignment
    submission: Submission
    criteria: list[Criterion]
    scores: dict[int, int]
    conflicted: bool

    @property
    def complete(self) -> bool:
        return all(c.id in self.scores for c in self.criteria)

    @property
    def missing(self) -> list[Criterion]:
        return [c for c in self.criteria if c.id not in self.scores]


async def own_review(event: Event, juror: User, assignment_id: int) -> Assignment:
    """The juror's own review with its submission, or 404: another juror's review does not
    exist for them. One query, the conflict check included."""
    found = await conflicts.with_conflict(Assignment.filter(
        id=assignment_id, event_id=event.id, juror_id=juror.id)).select_related("submission") \
        .first()
    if found is None:
        raise NotFound(N_("There is no such review in your queue."))
    return found


async def load(assignment: Assignment) -> Review:
    submission = assignment.submission
    criteria = await rubric.criteria_for(submission)
    scores = dict(await Score.filter(assignment_id=assignment.id)
                  .values_list("criterion_id", "value"))
    return Review(assignment, submission, criteria, scores, bool(assignment.conflicted))


async def queue(event: Event, juror: User) -> list[Review]:
    reviews = await conflicts.with_conflict(
        Assignment.filter(event_id=event.id, juror_id=juror.id)) \
        .prefetch_related("submission").order_by("id")
    return [await load(r) for r in reviews]


def check_open(event: Event, now: datetime) -> None:
    if now >= event.judging_closes:
        raise ReviewRefused(JUDGING_CLOSED, when=format_datetime(event.judging_closes))


def _check_may_change(event: Event, assignment: Assignment, now: datetime) -> None:
    """`assignment` as own_review reads it (its conflict read with it, in this request)."""
    check_open(event, now)
    submission = assignment.submission
    if assignment.conflicted:
        raise ReviewRefused(N_("You have a conflict of interest with this team, so you cannot "
                               "score its work. The organisers will give the review to "
                               "someone else."))
    if not submission.is_judged:
        raise ReviewRefused(N_("This submission is no longer being judged."))


async def _log(conn, assignment: Assignment, by: User, now: datetime, what: str, old,
               new) -> None:
    await ScoreChange.create(event_id=assignment.event_id, assignment_id=assignment.id,
                             changed_by=by, what=what,
                             old_value=None if old is None else str(old),
                             new_value=None if new is None else str(new), changed_at=now,
                             using_db=conn)


async def _locked(conn, assignment: Assignment) -> Assignment:
    return await Assignment.filter(id=assignment.id).using_db(conn).select_for_update().get()


@dataclass
class Changes:
    """What one request asks to save (None: not sent)."""
    values: dict[int, int | None]  # criterion id -> value (None: not a whole number)
    confidence: str | None = None
    feedback: str | None = None
    private_note: str | None = None


async def save(event: Event, juror: User, assignment: Assignment, changes: Changes,
               now: datetime) -> list[str]:
    """Saves what was sent; returns the names of the fields that changed. All or nothing: one
    refused field leaves every field as it was."""
    _check_may_change(event, assignment, now)
    criteria = await rubric.scales_for(assignment.submission)
    errors: dict[str, tuple[str, dict]] = {}
    for cid, value in changes.values.items():
        criterion = criteria.get(cid)
        if criterion is None:
            errors[f"criterion_{cid}"] = (N_("This criterion is not in the rubric of this "
                                             "submission."), {})
        elif value is None or not criterion.check_value(value):
            errors[f"criterion_{cid}"] = (N_("Choose a value from %(min)s to %(max)s."),
                                          {"min": criterion.scale_min,
                                           "max": criterion.scale_max})
    if changes.confidence is not None and changes.confidence not in {c.value for c in Confidence}:
        errors["confidence"] = (N_("Choose one of the options."), {})
    for name, limit in (("feedback", FEEDBACK_MAX), ("private_note", NOTE_MAX)):
        text = getattr(changes, name)
        if text is not None and len(text) > limit:
            errors[name] = (N_("At most %(n)s characters."), {"n": limit})
    if errors:
        raise ValidationError(errors)
    changed: list[str] = []
    log: list[ScoreChange] = []

    def note(what: str, name: str, old, new) -> None:
        log.append(ScoreChange(event_id=assignment.event_id, assignment_id=assignment.id,
                               changed_by_id=juror.id, what=what,
                               old_value=None if old is None else str(old),
                               new_value=None if new is None else str(new), changed_at=now))
        changed.append(name)

    async with in_transaction() as conn:
        current = await _locked(conn, assignment)
        # Read after the lock is held, in a statement of its own: on PostgreSQL a statement
        # sees what was committed when it began, so one that waited for the lock must not be
        # the one that reads what the previous save wrote.
        saved = dict(await Score.filter(assignment_id=assignment.id,
                                        criterion_id__in=list(changes.values))
                     .using_db(conn).values_list("criterion_id", "value"))
        if current.status == AssignmentStatus.SKIPPED:
            raise ReviewRefused(N_("You skipped this submission. Undo the skip to score it."))
        added: list[Score] = []
        for cid, value in changes.values.items():
            old = saved.get(cid)
            if old == value:
                continue  # a resend: already saved
            if old is None:
                added.append(Score(assignment_id=assignment.id, criterion_id=cid, value=value))
            else:
                await Score.filter(assignment_id=assignment.id, criterion_id=cid) \
                    .using_db(conn).update(value=value)
            note(f"criterion:{cid}", f"criterion_{cid}", old, value)
        if added:
            await Score.bulk_create(added, using_db=conn)
        updates = {}
        for name in ("confidence", "feedback", "private_note"):
            new = getattr(changes, name)
            old = getattr(current, name)
            old = old.value if isinstance(old, Confidence) else old
            if new is not None and new != old:
                updates[name] = Confidence(new) if name == "confidence" else new
                note(name, name, old, new)
        if updates:
            await Assignment.filter(id=assignment.id).using_db(conn).update(**updates)
        if log:  # one statement for every change of this save
            await ScoreChange.bulk_create(log, using_db=conn)
        # The first saved score locks the rubric (judging/rubric.py asks before changes); the
        # rubric as loaded above says whether that is still to do.
        unlocked = {criteria[cid].rubric_id for cid in changes.values
                    if not criteria[cid].rubric_locked}
        if unlocked and any(name.startswith("criterion_") for name in changed):
            await Rubric.filter(id__in=unlocked, locked_at=None).using_db(conn) \
                .update(locked_at=now)
    for name, value in (("confidence", changes.confidence), ("feedback", changes.feedback),
                        ("private_note", changes.private_note)):
        if value is not None:
            setattr(assignment, name, Confidence(value) if name == "confidence" else value)
    return changed


async def _set_status(event: Event, juror: User, assignment: Assignment, now: datetime,
                      status: AssignmentStatus, *, allowed_from: set[AssignmentStatus],
                      reason: str = "") -> None:
    async with in_transaction() as conn:
        current = await _locked(conn, assignment)
        if current.status == status:
            return  # a resend
        if current.status not in allowed_from:
            raise ReviewRefused(N_("This review cannot be changed that way now."))
        await Assignment.filter(id=assignment.id).using_db(conn).update(
            status=status, skip_reason=reason,
            completed_at=now if status == AssignmentStatus.DONE else None)
        await _log(conn, assignment, juror, now, "status", current.status.value,
                   status.value if not reason else f"{status.value}: {reason}")
    assignment.status = status
    assignment.skip_reason = reason


async def finish(event: Event, juror: User, assignment: Assignment, now: datetime) -> None:
    _check_may_change(event, assignment, now)
    review = await load(assignment)
    if not review.criteria:
        raise ReviewRefused(N_("This submission has no criteria to score yet."))
    if not review.complete:
        raise ReviewRefused(N_("Score every criterion first: %(names)s."),
                            names=", ".join(c.name for c in review.missing))
    await _set_status(event, juror, assignment, now, AssignmentStatus.DONE,
                      allowed_from={AssignmentStatus.PENDING})


async def reopen(event: Event, juror: User, assignment: Assignment, now: datetime) -> None:
    """Undo: a finished or skipped review goes back to the queue, its scores kept."""
    check_open(event, now)
    await _set_status(event, juror, assignment, now, AssignmentStatus.PENDING,
                      allowed_from={AssignmentStatus.DONE, AssignmentStatus.SKIPPED})


async def skip(event: Event, juror: User, assignment: Assignment, reason: str,
               now: datetime) -> None:
    check_open(event, now)
    if not reason:
        raise ValidationError({"skip_reason": N_("Say why you skip it, for the organisers.")})
    if len(reason) > SKIP_REASON_MAX:
        raise ValidationError({"skip_reason": (N_("At most %(n)s characters."),
                                               {"n": SKIP_REASON_MAX})})
    await _set_status(event, juror, assignment, now, AssignmentStatus.SKIPPED,
                      allowed_from={AssignmentStatus.PENDING}, reason=reason)


async def audit_log(event: Event, limit: int = 500) -> list[ScoreChange]:
    return await ScoreChange.filter(event_id=event.id) \
        .prefetch_related("changed_by", "assignment__juror", "assignment__submission") \
        .order_by("-changed_at", "-id").limit(limit)
