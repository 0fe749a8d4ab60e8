"""Deliberation: the jury chair's awards with their motivations, approving the results, and
when the public sees them.

The rules:
- the public sees the results from max(the chair's approval, the event's "results published"
  time): approving early publishes at the announced time, approving late publishes at once;
- awards change only while the results are not approved; approval can be withdrawn (to edit)
  until the results are public, never after: what the public has seen stays as it was;
- approving while judging is still open, or with assigned reviews unfinished, takes the chair's
  confirmation, after being told how many reviews are left and when judging closes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from challenges.models import Challenge
from events.models import Event
from school.models import SchoolClass
from school.pupil_privacy import Audience
from judging import event_settings
from judging.models import Assignment, AssignmentStatus, Award, AwardKind, JudgingSettings
from samskapa.auth.models import User
from samskapa.errors import DomainError, NotFound, ValidationError
from samskapa.i18n import N_, gettext
from submissions.models import Submission

AWARD_KIND_LABELS = {
    AwardKind.OVERALL: N_("Overall winner"),
    AwardKind.CHALLENGE: N_("Best in a challenge"),
    AwardKind.PEOPLES_CHOICE: N_("People's choice"),
    AwardKind.SPECIAL: N_("Special award"),
}
NAME_MAX = 150
MOTIVATION_MAX = 5000

APPROVED_NO_CHANGES = N_("The results are approved: withdraw the approval to change the "
                         "awards.")
PUBLIC_NO_CHANGES = N_("The results are published, so they can no longer be changed.")


def release_time(settings: JudgingSettings, event: Event) -> datetime | None:
    """When the public sees the results; None while the chair has not approved them."""
    if settings.results_approved_at is None:
        return None
    return max(settings.results_approved_at, event.results_published)


def results_public(settings: JudgingSettings, event: Event, now: datetime) -> bool:
    released = release_time(settings, event)
    return released is not None and now >= released


async def awards_of(event: Event) -> list[Award]:
    return await Award.filter(event_id=event.id).prefetch_related(
        "submission__team", "challenge")


async def public_awards(event: Event) -> list[Award]:
    """The awards the public sees: none for a submission hidden or ruled ineligible after the
    chair approved the results (the organisers' later decision wins)."""
    return [award for award in await awards_of(event)
            if award.submission is None or award.submission.is_judged]


@dataclass(frozen=True)
class AwardData:
    kind: AwardKind
    name: str
    challenge_id: int | None
    submission_id: int | None
    motivation: str
    position: int = 0


def _check_changeable(settings: JudgingSettings, event: Event, now: datetime) -> None:
    if results_public(settings, event, now):
        raise DomainError(PUBLIC_NO_CHANGES)
    if settings.results_approved_at is not None:
        raise DomainError(APPROVED_NO_CHANGES)


async def _validated(event: Event, data: AwardData) -> AwardData:
    errors: dict[str, str | tuple[str, dict]] = {}
    if not data.name:
        errors["name"] = N_("This field is required.")
    elif len(data.name) > NAME_MAX:
        errors["name"] = (N_("At most %(n)s characters."), {"n": NAME_MAX})
    if len(data.motivation) > MOTIVATION_MAX:
        errors["motivation"] = (N_("At most %(n)s characters."), {"n": MOTIVATION_MAX})
    challenge = None
    if data.challenge_id is not None:
        challenge = await Challenge.get_or_none(id=data.challenge_id, event_id=event.id)
        if challenge is None:
            errors["challenge"] = N_("Choose one of the options.")
    elif data.kind == AwardKind.CHALLENGE:
        errors["challenge"] = N_("An award for a challenge needs the challenge.")
    if data.submission_id is not None:
        submission = await Submission.get_or_none(id=data.submission_id, event_id=event.id)
        if submission is None or not submission.is_judged:
            errors["submission"] = N_("Choose one of the options.")
        elif (data.kind == AwardKind.CHALLENGE and challenge is not None
              and submission.challenge_id != challenge.id):
            errors["submission"] = N_("This project is not in that challenge.")
    if errors:
        raise ValidationError(errors)
    # Only a challenge award names a challenge.
    return data if data.kind == AwardKind.CHALLENGE else \
        AwardData(data.kind, data.name, None, data.submission_id, data.motivation, data.position)


async def add_award(event: Event, user: User, data: AwardData, now: datetime) -> Award:
    _check_changeable(await event_settings.of(event), event, now)
    data = await _validated(event, data)
    return await Award.create(event_id=event.id, kind=data.kind, name=data.name,
                              challenge_id=data.challenge_id, submission_id=data.submission_id,
                              motivation=data.motivation, position=data.position,
                              decided_by=user)


async def award_in(event: Event, award_id: int) -> Award:
    award = await Award.get_or_none(id=award_id, event_id=event.id)
    if award is None:
        raise NotFound(N_("There is no such award in this event."))
    return award


async def update_award(event: Event, award: Award, user: User, data: AwardData,
                       now: datetime) -> Award:
    _check_changeable(await event_settings.of(event), event, now)
    data = await _validated(event, data)
    award.kind, award.name, award.motivation = data.kind, data.name, data.motivation
    award.challenge_id, award.submission_id = data.challenge_id, data.submission_id
    award.position, award.decided_by = data.position, user
    await award.save()
    return award


async def delete_award(event: Event, award: Award, now: datetime) -> None:
    _check_changeable(await event_settings.of(event), event, now)
    await award.delete()


@dataclass(frozen=True)
class UnfinishedJudging:
    """What is still open when the chair approves."""
    reviews_left: int                 # assigned reviews of judged submissions, neither done
    reviews: int                      # nor skipped, of all such reviews
    judging_closes: datetime | None   # while judging is still open
    skipped: int = 0                  # skipped reviews: their submissions have fewer than planned


class ConfirmApproval(DomainError):
    """Judging is not finished: the approval waits for the chair's confirmation."""

    status_code = 422

    def __init__(self, unfinished: UnfinishedJudging) -> None:
        super().__init__(N_("Judging is not finished. Check what is still open and confirm "
                            "the approval."))
        self.unfinished = unfinished


async def unfinished_judging(event: Event, now: datetime) -> UnfinishedJudging | None:
    """None when judging has closed and every assigned review is done or skipped."""
    reviews = Assignment.filter(event_id=event.id, submission_id__in=Subquery(
        Submission.judged(event.id).values("id")))
    total = await reviews.count()
    left = await reviews.filter(status=AssignmentStatus.PENDING).count()
    still_open = now < event.judging_closes
    if not left and not still_open:
        return None
    skipped = await reviews.filter(status=AssignmentStatus.SKIPPED).count()
    return UnfinishedJudging(left, total, event.judging_closes if still_open else None, skipped)


async def approve(event: Event, user: User, now: datetime, *,
                  confirmed: bool = False) -> JudgingSettings:
    """The chair approves the results as they stand; they go public at the release time.
    While judging is unfinished, only `confirmed` (ConfirmApproval says what is open)."""
    async with in_transaction():
        settings = await event_settings.of(event)
        if settings.results_approved_at is not None:
            raise DomainError(N_("The results are already approved."))
        if not await Award.filter(event_id=event.id).exists():
            raise DomainError(N_("Decide at least one award before approving the results."))
        if not confirmed and (unfinished := await unfinished_judging(event, now)):
            raise ConfirmApproval(unfinished)
        # Conditional, so that two chairs approving at once record one approval.
        updated = await JudgingSettings.filter(id=settings.id, results_approved_at=None) \
            .update(results_approved_at=now, results_approved_by_id=user.id)
        if not updated:
            raise DomainError(N_("The results are already approved."))
    return await event_settings.of(event)


async def withdraw_approval(event: Event, now: datetime) -> JudgingSettings:
    settings = await event_settings.of(event)
    if settings.results_approved_at is None:
        raise DomainError(N_("The results are not approved."))
    if results_public(settings, event, now):
        raise DomainError(PUBLIC_NO_CHANGES)
    settings.results_approved_at = None
    settings.results_approved_by = None
    await settings.save(update_fields=["results_approved_at", "results_approved_by_id"])
    return settings


async def team_labels(event: Event, viewer: Audience, submissions: list[Submission]
                      ) -> dict[int, str]:
    """submission id -> what this visitor may read as the submission's team. Pupils' team names
    reach only their class, their teacher, the organisers and the jury (events/pupil_privacy.py);
    anyone else reads the class and school a teacher named, never a pupil's words."""
    labels = {}
    class_ids = {s.team.school_class_id for s in submissions if s.team.school_class_id}
    classes = {c.id: c for c in await SchoolClass.filter(id__in=list(class_ids))}
    for submission in submissions:
        team = submission.team
        if not event.is_school or viewer.everything or (
                team.school_class_id is not None and viewer.sees_class(team.school_class_id)):
            labels[submission.id] = team.name
        elif team.school_class_id in classes:
            school_class = classes[team.school_class_id]
            labels[submission.id] = ", ".join(p for p in (school_class.name,
                                                          school_class.school) if p)
        else:
            labels[submission.id] = gettext("A pupils' team")
    return labels
