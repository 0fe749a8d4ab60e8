"""What a team sees of its judging once the results are public: the jurors' feedback (never
their private notes, never who wrote it) and, where the organiser allows, its scores per
criterion."""
from __future__ import annotations

from dataclasses import dataclass, field

from events.models import Event
from teams.models import Team, TeamMember
from judging import conflicts
from judging.models import Assignment, AssignmentStatus, Criterion, JudgingSettings, Score
from samskapa.auth.models import User
from submissions.models import Submission


@dataclass
class TeamFeedback:
    team: Team
    submission: Submission | None
    comments: list[str] = field(default_factory=list)
    # (criterion, mean value) per criterion, when the organiser shows scores to teams.
    scores: list[tuple[Criterion, float]] | None = None


async def for_member(event: Event, user: User, settings: JudgingSettings) -> TeamFeedback | None:
    """The feedback of the user's team in this event; None when they are in no team."""
    member = await TeamMember.get_or_none(event_id=event.id, user_id=user.id) \
        .prefetch_related("team")
    if member is None:
        return None
    submission = await Submission.get_or_none(team_id=member.team_id)
    found = TeamFeedback(team=member.team, submission=submission)
    if submission is None:
        return found
    # Finished reviews, never one by a juror in conflict with the team (the ranking's rule).
    reviews = [a for a in await conflicts.with_conflict(Assignment.filter(
        submission_id=submission.id, status=AssignmentStatus.DONE)).order_by("id")
        if not a.conflicted]
    found.comments = [a.feedback.strip() for a in reviews if a.feedback.strip()]
    if settings.show_scores_to_teams:
        values: dict[int, list[int]] = {}
        for score in await Score.filter(assignment_id__in=[a.id for a in reviews]):
            values.setdefault(score.criterion_id, []).append(score.value)
        criteria = await Criterion.filter(id__in=list(values))
        found.scores = [(c, sum(values[c.id]) / len(values[c.id])) for c in criteria]
    return found
