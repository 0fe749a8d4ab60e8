"""Assignment as organisers use it: the automatic run over eligible submissions and jurors, by
hand (add, move, remove), progress and islands."""
from __future__ import annotations

import re
from collections import Counter

from judging.models import Assignment, AssignmentStatus, Conflict, JudgingSettings, Score, ScoreChange
from submissions.models import Eligibility, Submission
from tests.events.helpers import make_user, signed_in
from tests.judging.jury_world import build, join_team


async def test_the_automatic_run_gives_k_reviews_without_conflicts(make_client):
    w = await build(jurors=5, teams=6)
    await JudgingSettings.create(event=w.event, reviews_per_submission=3)
    await Submission.filter(id=w.subs[5].id).update(hidden=True)
    await Submission.filter(id=w.subs[4].id).update(eligibility=Eligibility.INELIGIBLE)
    await Submission.filter(id=w.subs[3].id).update(eligibility=Eligibility.PENDING)
    await join_team(w, w.jurors[0], w.teams[0])
    await Conflict.create(event=w.event, juror=w.jurors[1], team=w.teams[1], kind="family")
    client = await signed_in(make_client, w.organiser)
    token = await client.csrf("/events/hack/judging/assignments")
    r = await client.post("/events/hack/judging/assignments/run", data={"csrf_token": token})
    assert r.status_code == 303
    pairs = await Assignment.filter(event_id=w.event.id).values_list("juror_id", "submission_id")
    per_sub = Counter(s for _j, s in pairs)
    assert per_sub == {w.subs[i].id: 3 for i in range(4)}  # unchecked in; hidden, ineligible out
    assert (w.jurors[0].id, w.subs[0].id) not in pairs
    assert (w.jurors[1].id, w.subs[1].id) not in pairs
    loads = Counter(j for j, _s in pairs)
    assert max(loads.values()) - min(loads.values()) <= 1
    # Running again adds nothing; a new submission gets its reviews, the others stay.
    r = await client.post("/events/hack/judging/assignments/run", data={"csrf_token": token})
    assert await Assignment.filter(event_id=w.event.id).count() == 12
    await Submission.filter(id=w.subs[4].id).update(eligibility=Eligibility.ELIGIBLE)
    await client.post("/events/hack/judging/assignments/run", data={"csrf_token": token})
    after = set(await Assignment.filter(event_id=w.event.id).values_list("juror_id",
                                                                         "submission_id"))
    assert set(pairs) <= after and len(after) == 15
    page = await client.get("/events/hack/judging/assignments")
    assert "Juror 4" in page.text and "separata grupper" not in page.text


async def test_nothing_to_assign_says_why(make_client):
    w = await build(jurors=0, teams=2)
    client = await signed_in(make_client, w.organiser)
    token = await client.csrf("/events/hack/judging/assignments")
    r = await client.post("/events/hack/judging/assignments/run", data={"csrf_token": token})
    assert r.status_code == 422 and "inga jurymedlemmar" in r.text
    await Submission.filter(event_id=w.event.id).update(eligibility=Eligibility.INELIGIBLE)
    r = await client.post("/events/hack/judging/assignments/run", data={"csrf_token": token})
    assert r.status_code == 422 and "inga bidrag att bedöma" in r.text


async def test_by_hand_add_move_remove(make_client):
    w = await build()
    client = await signed_in(make_client, w.organiser)
    token = await client.csrf("/events/hack/judging/assignments")
    base = "/events/hack/judging/assignments"
    r = await client.post(f"{base}/add", data={"juror_id": str(w.jurors[0].id),
                                               "submission_id": str(w.subs[0].id),
                                               "csrf_token": token})
    assert r.status_code == 303
    review = await Assignment.get(juror_id=w.jurors[0].id, submission_id=w.subs[0].id)
    assert review.by_hand
    # "Move to" offers the other jurors, not the one who holds the review (QA)
    page = await client.get(base)
    move = re.search(rf'<select id="move-{review.id}".*?</select>', page.text, re.S).group(0)
    assert f'value="{w.jurors[1].id}"' in move and f'value="{w.jurors[0].id}"' not in move
    await join_team(w, w.jurors[2], w.teams[0])
    outsider = await make_user("outsider@example.se")
    for bad in ({"juror_id": str(w.jurors[0].id), "submission_id": str(w.subs[0].id)},
                {"juror_id": str(w.jurors[2].id), "submission_id": str(w.subs[0].id)},
                {"juror_id": str(outsider.id), "submission_id": str(w.subs[0].id)},
                {"juror_id": "abc", "submission_id": str(w.subs[0].id)},
                {"juror_id": str(w.jurors[1].id), "submission_id": "99999999999"}):
        r = await client.post(f"{base}/add", data={**bad, "csrf_token": token})
        assert r.status_code == 422, bad
    r = await client.post(f"{base}/{review.id}/move", data={"juror_id": str(w.jurors[2].id),
                                                            "csrf_token": token})
    assert r.status_code == 422  # the conflicted juror
    r = await client.post(f"{base}/{review.id}/move", data={"juror_id": str(w.jurors[1].id),
                                                            "csrf_token": token})
    assert r.status_code == 303
    assert (await Assignment.get(id=review.id)).juror_id == w.jurors[1].id
    assert await ScoreChange.exists(assignment_id=review.id, what="juror")
    # A started review (a score, feedback, or done) neither moves nor goes: its scores stay.
    score = await Score.create(assignment_id=review.id, criterion=w.criteria[0], value=3)
    r = await client.post(f"{base}/{review.id}/move", data={"juror_id": str(w.jurors[0].id),
                                                            "csrf_token": token})
    assert r.status_code == 400 and (await Assignment.get(id=review.id)).juror_id == w.jurors[1].id
    r = await client.post(f"{base}/{review.id}/remove", data={"csrf_token": token})
    assert r.status_code == 400 and "har påbörjats" in r.text
    assert await Score.exists(id=score.id)
    await score.delete()
    for started in ({"feedback": "Bra idé"}, {"status": "done"}):
        await Assignment.filter(id=review.id).update(**started)
        r = await client.post(f"{base}/{review.id}/remove", data={"csrf_token": token})
        assert r.status_code == 400 and await Assignment.exists(id=review.id)
        await Assignment.filter(id=review.id).update(feedback="", status="pending")
    # An unstarted one can be removed.
    r = await client.post(f"{base}/{review.id}/remove", data={"csrf_token": token})
    assert r.status_code == 303 and not await Assignment.exists(id=review.id)
    assert await ScoreChange.exists(what="removed", event_id=w.event.id)
    # Reviews of another event are not found here.
    other = await build("annat")
    theirs = await Assignment.create(event=other.event, juror=other.jurors[0],
                                     submission=other.subs[0])
    r = await client.post(f"{base}/{theirs.id}/remove", data={"csrf_token": token})
    assert r.status_code == 404 and await Assignment.exists(id=theirs.id)


async def test_progress_and_islands(make_client):
    w = await build(jurors=4, teams=4)
    j, s = w.jurors, w.subs
    for juror, sub, status in [(j[0], s[0], AssignmentStatus.DONE), (j[1], s[0], "pending"),
                               (j[2], s[1], AssignmentStatus.SKIPPED), (j[3], s[1], "pending")]:
        await Assignment.create(event=w.event, juror=juror, submission=sub, status=status)
    client = await signed_in(make_client, w.organiser)
    page = await client.get("/events/hack/judging/assignments")
    assert "Juryn är uppdelad i separata grupper" in page.text
    assert "Juror 0, Juror 1 — Project 0" in page.text
    overview = await client.get("/events/hack/judging")
    assert "1 av 4 bedömningar klara, 1 hoppade över" in overview.text


async def test_two_runs_at_once_both_succeed_without_duplicates(clean_db, monkeypatch):
    import asyncio
    from judging import assignments, conflicts
    w = await build(jurors=5, teams=6)
    await JudgingSettings.create(event=w.event, reviews_per_submission=3)
    real_pairs = conflicts.pairs

    async def slow_pairs(event):  # both runs read before either writes
        found = await real_pairs(event)
        await asyncio.sleep(0.2)
        return found
    monkeypatch.setattr(conflicts, "pairs", slow_pairs)
    added = await asyncio.gather(assignments.run(w.event, w.organiser),
                                 assignments.run(w.event, w.organiser))
    pairs = await Assignment.filter(event_id=w.event.id).values_list("juror_id",
                                                                     "submission_id")
    assert len(pairs) == len(set(pairs)) == 18 == sum(added)
    assert Counter(s for _j, s in pairs) == {s.id: 3 for s in w.subs}
