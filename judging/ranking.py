"""The ranking the jury chair deliberates on: the event's scores from the database, put through
the method the organiser chose (judging/scoring.py, judging/crowd_bt.py, both pure), with each
submission's interval, ties around the award places (`award_places`), the per-criterion
breakdown, each juror's leniency, review counts
and the islands of a juror-submission graph that is not connected.

A review counts once its juror has scored every criterion of its rubric (a skipped one never),
and never while its juror has a conflict of interest with the team (judging/conflicts.py: the
same rule as the review page, team feedback and the exports), however late the conflict came:
those reviews are counted apart (`excluded`) so the organiser sees that they were left out.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from events.models import Event
from judging import conflicts, crowd_bt, scoring
from judging.models import (Assignment, AssignmentStatus, Award, AwardKind, Confidence,
                            Criterion, JudgingSettings, Method, PairwiseItem, Score)
from samskapa.auth.models import User
from samskapa.i18n import N_
from submissions.models import Submission

# Which of two equal scores goes first (an organiser's choice per event): the stored value ->
# the rule of judging/scoring.py (build_ranking) and its label.
TIE_BREAKS = {
    "more_reviews": ("reviews", N_("More reviews first")),
    "narrower_interval": ("precision", N_("The more certain score first (smaller standard "
                                          "error)")),
}


@dataclass
class Row:
    submission: Submission
    score: float
    low: float
    high: float
    rank: int
    tied: bool
    reviews: int
    criteria: dict[int, float] = field(default_factory=dict)  # criterion id -> mean value
    votes: int | None = None


@dataclass
class JurorRow:
    juror: User
    bias: float | None
    reviews: int


@dataclass
class Island:
    jurors: list[User]
    submissions: list[Submission]


@dataclass
class RankingView:
    method: Method
    rows: list[Row]
    jurors: list[JurorRow]
    islands: list[Island]          # empty when the graph is connected
    criteria: list[Criterion]
    public_weight: float           # 0..1, the people's share of the score
    votes_shown: bool
    unscored: list[Submission]     # eligible but without one complete review
    excluded: int = 0              # complete reviews left out: their juror is in conflict
    award_places: int = scoring.AWARD_PLACES  # ties are flagged around places 1..this


@dataclass
class LoadedReviews:
    reviews: list[scoring.Review]
    criteria_means: dict[int, dict[int, float]]         # submission -> criterion -> mean
    counts: dict[int, int]                              # submission -> reviews
    jurors: dict[int, int]                              # juror -> reviews
    criteria: list[Criterion]                           # of the rubrics scored
    excluded: int = 0                                   # complete but in conflict: left out


def _criterion(c: Criterion) -> scoring.Criterion:
    return scoring.Criterion(key=c.id, weight=c.weight, minimum=c.scale_min, maximum=c.scale_max)


async def load_reviews(event: Event, submission_ids: set[int]) -> LoadedReviews:
    """Every complete review of these submissions, as the pure scoring module takes them, but
    those of a juror in conflict with the team (only counted)."""
    assignments = await conflicts.with_conflict(Assignment.filter(
        event_id=event.id, submission_id__in=list(submission_ids)
    ).exclude(status=AssignmentStatus.SKIPPED))
    scores = await Score.filter(assignment_id__in=[a.id for a in assignments]) \
        .prefetch_related("criterion")
    by_assignment: dict[int, list[Score]] = defaultdict(list)
    for s in scores:
        by_assignment[s.assignment_id].append(s)
    rubric_ids = {s.criterion.rubric_id for s in scores}
    rubric_criteria: dict[int, list[Criterion]] = defaultdict(list)
    every_criterion = await Criterion.filter(rubric_id__in=list(rubric_ids)) \
        .order_by("rubric_id", "position", "id")
    for c in every_criterion:
        rubric_criteria[c.rubric_id].append(c)

    loaded = LoadedReviews([], {}, defaultdict(int), defaultdict(int), every_criterion)
    sums: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for a in assignments:
        given = by_assignment.get(a.id, [])
        if not given:
            continue
        criteria = rubric_criteria[given[0].criterion.rubric_id]
        values = {s.criterion_id: s.value for s in given}
        if any(c.id not in values for c in criteria):
            continue  # not finished: counts once every criterion has its score
        if a.conflicted:
            loaded.excluded += 1
            continue
        loaded.reviews.append(scoring.Review(
            juror=a.juror_id, submission=a.submission_id,
            score=scoring.criteria_score(values, [_criterion(c) for c in criteria]),
            confidence=scoring.CONFIDENCE_WEIGHTS[Confidence(a.confidence).value]))
        loaded.counts[a.submission_id] += 1
        loaded.jurors[a.juror_id] += 1
        for criterion_id, value in values.items():
            sums[a.submission_id][criterion_id].append(value)
    loaded.criteria_means = {sid: {cid: sum(v) / len(v) for cid, v in by_c.items()}
                             for sid, by_c in sums.items()}
    return loaded


async def _pairwise(submission_ids: set[int], award_places: int) -> scoring.Ranking:
    """Crowd-BT's belief as a ranking: mu with mu +- 1.96 sigma as its interval."""
    items = await PairwiseItem.filter(submission_id__in=list(submission_ids))
    return crowd_bt.ranking({i.submission_id: crowd_bt.Item(i.mu, i.sigma_sq) for i in items},
                            views={i.submission_id: i.views for i in items},
                            award_places=award_places)


async def award_places(event: Event, challenge_id: int | None) -> int:
    """How many places win a prize in this ranking: the overall awards (a challenge's awards
    when one challenge is shown) the jury has set up, or the podium's 3 before it has."""
    query = Award.filter(event_id=event.id, kind=AwardKind.OVERALL) if challenge_id is None \
        else Award.filter(event_id=event.id, kind=AwardKind.CHALLENGE, challenge_id=challenge_id)
    return await query.count() or scoring.AWARD_PLACES


def _tie_break(settings: JudgingSettings) -> str:
    return TIE_BREAKS.get(settings.tie_break, TIE_BREAKS["more_reviews"])[0]


async def ranking(event: Event, settings: JudgingSettings, *, method: Method | None = None,
                  challenge_id: int | None = None, votes: dict[int, int] | None = None,
                  ) -> RankingView:
    """The ranking by `method` (default: the event's), of one challenge's submissions or all.
    `votes` (submission -> people's votes) are blended in at the event's share when given."""
    method = method or Method(settings.method)
    query = Submission.judged(event.id).prefetch_related("team")
    if challenge_id is not None:
        query = query.filter(challenge_id=challenge_id)
    submissions = {s.id: s for s in await query}
    loaded = await load_reviews(event, set(submissions))
    tie_break = _tie_break(settings)
    places = await award_places(event, challenge_id)
    if method == Method.PAIRWISE:
        result = await _pairwise(set(submissions), places)
    elif not loaded.reviews:  # nothing scored yet: an empty ranking, everything unscored
        result = scoring.Ranking(method=method.value, rows=[])
    else:
        result = scoring.METHODS[method.value](loaded.reviews, tie_break=tie_break,
                                               award_places=places)
    public_weight = settings.public_vote_percent / 100
    if votes is not None and public_weight > 0:
        result = scoring.blend(result, votes, public_weight, tie_break=tie_break,
                               award_places=places)

    rows = [Row(submission=submissions[r.submission], score=r.score, low=r.low, high=r.high,
                rank=r.rank, tied=r.tied, reviews=loaded.counts.get(r.submission, 0),
                criteria=loaded.criteria_means.get(r.submission, {}),
                votes=(votes or {}).get(r.submission, 0) if votes is not None else None)
            for r in result.rows if r.submission in submissions]
    ranked_ids = {r.submission.id for r in rows}

    users = {u.id: u for u in await User.filter(id__in=list(loaded.jurors))}
    jurors = sorted((JurorRow(users[j], result.juror_bias.get(j), n)
                     for j, n in loaded.jurors.items() if j in users),
                    key=lambda j: j.juror.public_name.lower())
    islands = []
    if not result.connected:
        islands = [Island(sorted((users[j] for j in js if j in users),
                                 key=lambda u: u.public_name.lower()),
                          sorted((submissions[s] for s in ss), key=lambda s: s.title.lower()))
                   for js, ss in result.islands]
    return RankingView(
        method=method, rows=rows, jurors=jurors, islands=islands,
        criteria=loaded.criteria, public_weight=public_weight, votes_shown=votes is not None,
        unscored=sorted((s for sid, s in submissions.items() if sid not in ranked_ids),
                        key=lambda s: s.title.lower()),
        excluded=loaded.excluded, award_places=places)
