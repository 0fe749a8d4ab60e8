"""The ranking from the database: reviews loaded as the pure scoring module takes them, the
organiser's method, intervals, leniency, islands, per-challenge views and the people's vote."""
from __future__ import annotations

import csv
import io

import pytest

from challenges.models import Challenge
from events.models import EventRole, Role
from judging import event_settings, exports, feedback, ranking
from judging.models import (Assignment, AssignmentStatus, Award, AwardKind, Conflict,
                            ConflictKind, Method, PairwiseItem, Score)
from samskapa.errors import ValidationError
from teams.models import TeamMember
from submissions.models import Eligibility
from tests.events.helpers import make_user
from tests.judging.results_helpers import judged_event

ORDER = ["Solrosen", "Cykelbanan", "Parkappen", "Bussen"]


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def titles(view) -> list[str]:
    return [row.submission.title for row in view.rows]


@pytest.mark.parametrize("method", [Method.MEAN, Method.ZSCORE, Method.CALIBRATED])
async def test_every_method_ranks_the_judged_event(clean_db, method):
    w = await judged_event()
    view = await ranking.ranking(w.event, w.settings, method=method)
    assert view.method == method
    assert titles(view) == ORDER
    assert [row.rank for row in view.rows] == [1, 2, 3, 4]
    assert all(row.reviews == 3 and row.low <= row.score <= row.high for row in view.rows)
    assert not view.islands and not view.unscored
    # The per-criterion breakdown: the mean of the three jurors' values on each criterion.
    idea, execution = w.criteria
    top = view.rows[0]
    assert top.criteria[idea.id] == pytest.approx((5 + 4 + 5) / 3)
    assert top.criteria[execution.id] == pytest.approx((4 + 3 + 5) / 3)


async def test_calibration_finds_the_lenient_and_the_strict_juror(clean_db):
    w = await judged_event()
    view = await ranking.ranking(w.event, w.settings, method=Method.CALIBRATED)
    bias = {j.juror.display_name: j.bias for j in view.jurors}
    assert bias["Juror Lenient"] > bias["Juror Fair"] > bias["Juror Strict"]
    assert {j.reviews for j in view.jurors} == {4}


async def test_only_finished_reviews_of_awardable_submissions_count(clean_db):
    w = await judged_event()
    # One more juror: one review with one criterion left, one skipped.
    late = await make_user("sen@hack-2025.se", name="Juror Sen")
    await EventRole.create(event=w.event, user=late, role=Role.JURY)
    half = await Assignment.create(event=w.event, juror=late, submission=w.submissions["Bussen"])
    await Score.create(assignment=half, criterion=w.criteria[0], value=5)
    skipped = await Assignment.create(event=w.event, juror=late, skip_reason="Jäv",
                                      submission=w.submissions["Parkappen"],
                                      status=AssignmentStatus.SKIPPED)
    for criterion in w.criteria:
        await Score.create(assignment=skipped, criterion=criterion, value=5)
    w.submissions["Cykelbanan"].eligibility = Eligibility.INELIGIBLE
    await w.submissions["Cykelbanan"].save()
    w.submissions["Parkappen"].hidden = True
    await w.submissions["Parkappen"].save()
    view = await ranking.ranking(w.event, w.settings, method=Method.MEAN)
    assert titles(view) == ["Solrosen", "Bussen"]
    assert [row.reviews for row in view.rows] == [3, 3]
    assert "Juror Sen" not in {j.juror.display_name for j in view.jurors}


async def test_a_review_by_a_juror_now_in_conflict_counts_nowhere(clean_db):
    w = await judged_event()
    # Juror Lenient has scored every team; then joins Solrosen's team and declares a conflict
    # with Bussen's. Those two reviews leave the ranking, the feedback and the counts alike.
    lenient = w.jurors["lenient"]
    await TeamMember.create(team=w.teams["Solrosen"], event=w.event, user=lenient)
    await Conflict.create(event=w.event, juror=lenient, team=w.teams["Bussen"],
                          kind=ConflictKind.FAMILY)
    view = await ranking.ranking(w.event, w.settings, method=Method.MEAN)
    assert {row.submission.title: row.reviews for row in view.rows} == \
        {"Solrosen": 2, "Cykelbanan": 3, "Parkappen": 3, "Bussen": 2}
    assert view.excluded == 2
    assert {j.juror.display_name: j.reviews for j in view.jurors}["Juror Lenient"] == 2
    # Solrosen: fair (5, 4) -> (2·4/4 + 3/4)/3 = 0.916667, strict (4, 3) -> 0.666667.
    solrosen = next(row for row in view.rows if row.submission.title == "Solrosen")
    assert solrosen.score == pytest.approx((2.75 / 3 + 2 / 3) / 2)
    assert solrosen.criteria[w.criteria[0].id] == pytest.approx(4.5)
    w.settings.show_scores_to_teams = True
    seen = await feedback.for_member(w.event, w.members["Solrosen"][0], w.settings)
    assert len(seen.comments) == 2
    assert [(c.id, mean) for c, mean in seen.scores if c.id == w.criteria[0].id] == \
        [(w.criteria[0].id, pytest.approx(4.5))]
    marked = {(r["juror"], r["submission"]) for r in rows(await exports.raw_scores_csv(w.event))
              if r["conflict"] == "1"}
    assert marked == {("Juror Lenient", "Solrosen"), ("Juror Lenient", "Bussen")}


async def test_ties_are_marked_around_as_many_places_as_awards(clean_db):
    w = await judged_event()
    cykel = await Challenge.create(event=w.event, slug="cykel", title="Cykel", published=True)
    assert (await ranking.ranking(w.event, w.settings)).award_places == 3  # none set up yet
    await Award.create(event=w.event, kind=AwardKind.OVERALL, name="Årets bidrag")
    await Award.create(event=w.event, kind=AwardKind.SPECIAL, name="Juryns specialpris")
    for name in ("Bästa cykelidé", "Hedersomnämnande"):
        await Award.create(event=w.event, kind=AwardKind.CHALLENGE, name=name, challenge=cykel)
    assert (await ranking.ranking(w.event, w.settings)).award_places == 1
    assert (await ranking.ranking(w.event, w.settings, challenge_id=cykel.id)).award_places == 2


async def test_separate_islands_are_named(clean_db):
    w = await judged_event(scores={"fair": {"Solrosen": (5, 4), "Cykelbanan": (4, 4)},
                                   "strict": {"Solrosen": (4, 3), "Cykelbanan": (3, 3)},
                                   "lenient": {"Parkappen": (4, 4), "Bussen": (3, 3)}})
    view = await ranking.ranking(w.event, w.settings, method=Method.CALIBRATED)
    assert len(view.islands) == 2
    groups = [({u.display_name for u in i.jurors}, {s.title for s in i.submissions})
              for i in view.islands]
    assert ({"Juror Fair", "Juror Strict"}, {"Solrosen", "Cykelbanan"}) in groups
    assert ({"Juror Lenient"}, {"Parkappen", "Bussen"}) in groups


async def test_one_challenge_at_a_time(clean_db):
    w = await judged_event()
    cykel = await Challenge.create(event=w.event, slug="cykel", title="Cykel", published=True)
    for title in ("Cykelbanan", "Bussen"):
        w.submissions[title].challenge = cykel
        await w.submissions[title].save()
    view = await ranking.ranking(w.event, w.settings, challenge_id=cykel.id)
    assert titles(view) == ["Cykelbanan", "Bussen"]


async def test_pairwise_ranks_by_crowd_bt_belief(clean_db):
    w = await judged_event()
    for title, mu in (("Bussen", 1.2), ("Solrosen", 0.4), ("Parkappen", -0.3)):
        await PairwiseItem.create(submission=w.submissions[title], mu=mu, sigma_sq=0.04,
                                  views=5)
    view = await ranking.ranking(w.event, w.settings, method=Method.PAIRWISE)
    assert titles(view) == ["Bussen", "Solrosen", "Parkappen"]
    top = view.rows[0]
    assert (top.low, top.high) == (pytest.approx(1.2 - 1.96 * 0.2), pytest.approx(1.2 + 1.96 * 0.2))
    assert [t.title for t in view.unscored] == ["Cykelbanan"]


async def test_the_people_s_vote_is_blended_at_the_event_s_share(clean_db):
    w = await judged_event()
    votes = {w.submissions["Bussen"].id: 40, w.submissions["Solrosen"].id: 1}
    w.settings.public_vote_percent = 0
    assert titles(await ranking.ranking(w.event, w.settings, votes=votes))[0] == "Solrosen"
    w.settings.public_vote_percent = 90
    view = await ranking.ranking(w.event, w.settings, votes=votes)
    assert titles(view)[0] == "Bussen"
    assert view.votes_shown and view.rows[0].votes == 40 and view.public_weight == 0.9


async def test_settings_are_saved_and_checked(clean_db):
    w = await judged_event()
    await event_settings.update(w.event, event_settings.Choices(
        Method.ZSCORE, 5, "narrower_interval", 20, show_scores_to_teams=True,
        public_ranking=True))
    await w.settings.refresh_from_db()
    assert (w.settings.method, w.settings.reviews_per_submission, w.settings.tie_break,
            w.settings.public_vote_percent) == (Method.ZSCORE, 5, "narrower_interval", 20)
    assert w.settings.show_scores_to_teams and w.settings.public_ranking
    with pytest.raises(ValidationError) as refused:
        await event_settings.update(w.event, event_settings.Choices(
            Method.MEAN, 0, "coin toss", 101, show_scores_to_teams=False, public_ranking=False))
    assert set(refused.value.errors) == {"reviews_per_submission", "tie_break",
                                         "public_vote_percent"}
    await w.settings.refresh_from_db()
    assert w.settings.method == Method.ZSCORE and w.settings.show_scores_to_teams


@pytest.mark.parametrize("method", list(Method))
async def test_before_any_score_the_ranking_is_empty(clean_db, method):
    w = await judged_event(scores={})
    view = await ranking.ranking(w.event, w.settings, method=method,
                                 votes={w.submissions["Bussen"].id: 3})
    assert view.rows == [] and not view.islands and not view.jurors
    assert [s.title for s in view.unscored] == sorted(ORDER)
