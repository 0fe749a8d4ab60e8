"""A juror scores: autosave per field (idempotent), the plain form without JavaScript, done /
undo / skip, and every refusal of the issue's "bad input" with nothing changed."""
from __future__ import annotations

import asyncio
import re
from datetime import timedelta

from challenges.models import Challenge
from judging.models import (Assignment, AssignmentStatus, Conflict, ConflictKind, Criterion,
                            Rubric, Score, ScoreChange)
from submissions.models import Submission
from tests.events.helpers import signed_in
from tests.judging.jury_world import build, htmx_post, join_team


async def _setup(make_client):
    w = await build()
    juror = w.jurors[0]
    review = await Assignment.create(event=w.event, juror=juror, submission=w.subs[0])
    client = await signed_in(make_client, juror)
    url = f"/events/hack/jury/reviews/{review.id}"
    token = await client.csrf(url)
    return w, juror, review, client, url, token


async def _state(review):
    scores = dict(await Score.filter(assignment_id=review.id).values_list("criterion_id",
                                                                          "value"))
    return scores, await ScoreChange.filter(assignment_id=review.id).count()


async def test_autosave_saves_each_field_once_and_locks_the_rubric(make_client, clock):
    w, juror, review, client, url, token = await _setup(make_client)
    idea, craft = w.criteria
    r = await htmx_post(client, url, {f"criterion_{idea.id}": "4"}, token)
    assert r.status_code == 200
    assert f'id="status-criterion_{idea.id}"' in r.text and "Sparat" in r.text
    assert "<html" not in r.text  # only the field's status line
    assert await _state(review) == ({idea.id: 4}, 1)
    assert (await Rubric.get(id=w.rubric.id)).locked_at is not None
    # A retry of the same save (the answer was lost): nothing new, nothing logged twice.
    r = await htmx_post(client, url, {f"criterion_{idea.id}": "4"}, token)
    assert r.status_code == 200 and await _state(review) == ({idea.id: 4}, 1)
    # A change is logged with who, old and new.
    await htmx_post(client, url, {f"criterion_{idea.id}": "2"}, token)
    await htmx_post(client, url, {f"criterion_{craft.id}": "0"}, token)
    await htmx_post(client, url, {"confidence": "high"}, token)
    await htmx_post(client, url, {"feedback": "Snygg karta!"}, token)
    await htmx_post(client, url, {"private_note": "Påminner om förra året"}, token)
    assert (await _state(review))[0] == {idea.id: 2, craft.id: 0}
    log = await ScoreChange.filter(assignment_id=review.id).order_by("id")
    assert [(c.what, c.old_value, c.new_value, c.changed_by_id) for c in log] == [
        (f"criterion:{idea.id}", None, "4", juror.id),
        (f"criterion:{idea.id}", "4", "2", juror.id),
        (f"criterion:{craft.id}", None, "0", juror.id),
        ("confidence", "medium", "high", juror.id),
        ("feedback", "", "Snygg karta!", juror.id),
        ("private_note", "", "Påminner om förra året", juror.id),
    ]
    saved = await Assignment.get(id=review.id)
    assert (saved.confidence.value, saved.feedback, saved.private_note) == (
        "high", "Snygg karta!", "Påminner om förra året")


async def test_the_plain_form_saves_everything_without_javascript(make_client, clock):
    w, juror, review, client, url, token = await _setup(make_client)
    idea, craft = w.criteria
    page = await client.get(url)
    assert 'hx-trigger="change"' in page.text and "Lysande" in page.text
    r = await client.post(url, data={f"criterion_{idea.id}": "5", f"criterion_{craft.id}": "7",
                                     "confidence": "low", "feedback": "Bra", "private_note": "",
                                     "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == url
    assert (await _state(review))[0] == {idea.id: 5, craft.id: 7}
    # An error comes back with what was typed kept, and nothing saved.
    r = await client.post(url, data={f"criterion_{idea.id}": "9", f"criterion_{craft.id}": "3",
                                     "feedback": "Ny text", "csrf_token": token})
    assert r.status_code == 422
    assert "Välj ett värde från 1 till 5" in r.text and "Ny text" in r.text
    assert (await _state(review))[0] == {idea.id: 5, craft.id: 7}
    assert (await Assignment.get(id=review.id)).feedback == "Bra"


async def test_bad_scores_are_refused_and_nothing_changes(make_client, clock):
    w, juror, review, client, url, token = await _setup(make_client)
    idea, craft = w.criteria
    other_rubric = await Rubric.create(event=w.event, challenge=None)
    for data in ({f"criterion_{idea.id}": "6"}, {f"criterion_{idea.id}": "0"},
                 {f"criterion_{craft.id}": "11"}, {f"criterion_{idea.id}": "drei"},
                 {f"criterion_{idea.id}": "-1"}, {f"criterion_{idea.id}": "1e309"},
                 {f"criterion_{idea.id + 1000}": "3"}, {"confidence": "total"}):
        r = await htmx_post(client, url, data, token)
        assert r.status_code == 422, data
        assert 'class="save-status error"' in r.text
    assert await _state(review) == ({}, 0)
    assert (await Rubric.get(id=w.rubric.id)).locked_at is None
    assert other_rubric.locked_at is None


async def test_another_jurors_review_does_not_exist_for_them(make_client, clock):
    w, juror, review, client, url, token = await _setup(make_client)
    theirs = await Assignment.create(event=w.event, juror=w.jurors[1], submission=w.subs[1])
    r = await htmx_post(client, f"/events/hack/jury/reviews/{theirs.id}",
                        {f"criterion_{w.criteria[0].id}": "3"}, token)
    assert r.status_code == 404
    assert not await Score.filter(assignment_id=theirs.id).exists()
    # Nor does a submission nobody assigned to them: there is no review to post to.
    r = await client.get("/events/hack/jury/reviews/999999")
    assert r.status_code == 404


async def test_a_conflicted_juror_is_refused_also_after_joining_the_team(make_client,
                                                                         clock):
    w, juror, review, client, url, token = await _setup(make_client)
    idea = w.criteria[0]
    await htmx_post(client, url, {f"criterion_{idea.id}": "3"}, token)
    await join_team(w, juror, w.teams[0])  # joins the team after being assigned
    r = await htmx_post(client, url, {f"criterion_{idea.id}": "5"}, token)
    assert r.status_code == 422 and "jäv" in r.text.lower()
    assert await _state(review) == ({idea.id: 3}, 1)
    queue = await client.get("/events/hack/jury")
    assert "Jäv" in queue.text
    # A declared conflict refuses the same way.
    other = await Assignment.create(event=w.event, juror=juror, submission=w.subs[1])
    await Conflict.create(event=w.event, juror=juror, team=w.teams[1], kind=ConflictKind.FAMILY)
    r = await htmx_post(client, f"/events/hack/jury/reviews/{other.id}",
                        {f"criterion_{idea.id}": "5"}, token)
    assert r.status_code == 422 and not await Score.filter(assignment_id=other.id).exists()


async def test_no_change_after_judging_closes(make_client, clock):
    w, juror, review, client, url, token = await _setup(make_client)
    idea = w.criteria[0]
    await htmx_post(client, url, {f"criterion_{idea.id}": "3"}, token)
    clock.advance(timedelta(days=3))  # judging closed yesterday
    r = await htmx_post(client, url, {f"criterion_{idea.id}": "5"}, token)
    assert r.status_code == 422 and "Bedömningen stängde" in r.text
    r = await client.post(url, data={f"criterion_{idea.id}": "5", "csrf_token": token})
    assert r.status_code == 422 and "Bedömningen stängde" in r.text
    # The date as people read it, in the page's language, not a raw datetime.
    raw = str(w.event.judging_closes)
    assert raw[:10] not in r.text and "+00:00" not in r.text
    page = await client.get(url)
    assert "Bedömningen stängde" in page.text and raw[:10] not in page.text
    assert "+00:00" not in page.text
    for action in ("done", "reopen", "skip"):
        r = await client.post(f"{url}/{action}", data={"skip_reason": "x", "csrf_token": token})
        assert r.status_code == 422, action
    assert await _state(review) == ({idea.id: 3}, 1)
    assert (await Assignment.get(id=review.id)).status == AssignmentStatus.PENDING
    page = await client.get(url)
    assert "disabled" in page.text


async def test_finish_undo_and_skip(make_client, clock):
    w, juror, review, client, url, token = await _setup(make_client)
    idea, craft = w.criteria
    r = await client.post(f"{url}/done", data={"csrf_token": token})
    assert r.status_code == 422 and "Genomförande" in r.text  # what is still missing
    await htmx_post(client, url, {f"criterion_{idea.id}": "3"}, token)
    await htmx_post(client, url, {f"criterion_{craft.id}": "8"}, token)
    r = await client.post(f"{url}/done", data={"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/events/hack/jury"
    assert (await Assignment.get(id=review.id)).status == AssignmentStatus.DONE
    # A mis-click undone: the review is open again, its scores kept.
    r = await client.post(f"{url}/reopen", data={"csrf_token": token})
    assert r.status_code == 303
    assert (await Assignment.get(id=review.id)).status == AssignmentStatus.PENDING
    assert (await _state(review))[0] == {idea.id: 3, craft.id: 8}
    # Skipping needs a reason.
    r = await client.post(f"{url}/skip", data={"skip_reason": "", "csrf_token": token})
    assert r.status_code == 422
    r = await client.post(f"{url}/skip", data={"skip_reason": "Länken fungerar inte",
                                               "csrf_token": token})
    assert r.status_code == 303
    skipped = await Assignment.get(id=review.id)
    assert (skipped.status, skipped.skip_reason) == (AssignmentStatus.SKIPPED,
                                                     "Länken fungerar inte")
    r = await htmx_post(client, url, {f"criterion_{idea.id}": "5"}, token)
    assert r.status_code == 422  # skipped: undo first
    statuses = await ScoreChange.filter(assignment_id=review.id, what="status") \
        .values_list("old_value", "new_value")
    assert statuses == [("pending", "done"), ("done", "pending"),
                        ("pending", "skipped: Länken fungerar inte")]


async def test_the_queue_shows_progress_and_the_audit_log_is_the_organisers(make_client,
                                                                          clock):
    w, juror, review, client, url, token = await _setup(make_client)
    await Assignment.create(event=w.event, juror=juror, submission=w.subs[1],
                            status=AssignmentStatus.DONE)
    await htmx_post(client, url, {f"criterion_{w.criteria[0].id}": "4"}, token)
    queue = await client.get("/events/hack/jury")
    assert queue.status_code == 200
    assert "1 av 2 bedömningar klara" in queue.text and "Project 0" in queue.text
    # The closing time as other dates are written ("5 december 2026 12:00", no stray period).
    assert re.search(r"Bedömningen stänger [0-9]{1,2} [a-z]+ [0-9]{4} [0-9]{2}:[0-9]{2}\.",
                     queue.text)
    assert (await client.get("/events/hack/judging/audit")).status_code == 403
    organiser = await signed_in(make_client, w.organiser, "127.0.0.2")
    log = await organiser.get("/events/hack/judging/audit")
    assert log.status_code == 200
    assert "Juror 0" in log.text and "Idé" in log.text and "Project 0" in log.text


async def test_a_challenge_submission_is_scored_by_its_challenge_rubric_only(make_client, clock):
    w, juror, review, client, url, token = await _setup(make_client)
    track = await Challenge.create(event=w.event, slug="cykel", title="Cykel", published=True)
    await Submission.filter(id=w.subs[0].id).update(challenge_id=track.id)
    own = await Rubric.create(event=w.event, challenge=track)
    bike = await Criterion.create(rubric=own, name="Cykelvänlighet", scale_min=1, scale_max=3)
    r = await htmx_post(client, url, {f"criterion_{w.criteria[0].id}": "3"}, token)
    assert r.status_code == 422 and "finns inte i det här bidragets" in r.text
    r = await htmx_post(client, url, {f"criterion_{bike.id}": "4"}, token)
    assert r.status_code == 422 and "från 1 till 3" in r.text
    assert await _state(review) == ({}, 0)
    r = await htmx_post(client, url, {f"criterion_{bike.id}": "3"}, token)
    assert r.status_code == 200 and await _state(review) == ({bike.id: 3}, 1)
    # Only the rubric that was scored locks.
    assert (await Rubric.get(id=own.id)).locked_at is not None
    assert (await Rubric.get(id=w.rubric.id)).locked_at is None


async def test_saves_to_one_review_at_once_are_serialised(make_client, clock):
    """Two tabs (or a resend racing its original): on PostgreSQL these run on separate
    connections at the same time. Each save must see the one before it: no lost change, no
    duplicate score, an audit chain where each old value is the previous new value."""
    w, juror, review, client, url, token = await _setup(make_client)
    idea = w.criteria[0]
    answers = await asyncio.gather(*(htmx_post(client, url, {f"criterion_{idea.id}": str(v)},
                                               token) for v in (1, 2, 3, 4, 5, 1, 2, 3)))
    assert [r.status_code for r in answers] == [200] * 8
    log = await ScoreChange.filter(assignment_id=review.id).order_by("id") \
        .values_list("old_value", "new_value")
    assert log[0][0] is None
    assert all(log[i][0] == log[i - 1][1] for i in range(1, len(log))), log
    assert (await _state(review))[0] == {idea.id: int(log[-1][1])}
