"""The rubric editor: criteria with weight, scale and levels; the lock at the first score; a
confirmed change to a locked rubric says what happens to saved scores and does exactly that."""
from __future__ import annotations

from challenges.models import Challenge
from judging import rubric
from judging.models import Assignment, AssignmentStatus, Criterion, Rubric, Score, ScoreChange
from submissions.models import Submission
from tests.events.helpers import signed_in
from tests.judging.jury_world import build

FORM = {"name": "Nytta", "description": "För invånarna", "weight": "1,5", "scale_min": "0",
        "scale_max": "3", "levels": "Ingen\n\nViss\nStor"}


async def test_organiser_adds_a_criterion_with_levels(make_client):
    w = await build()
    client = await signed_in(make_client, w.organiser)
    token = await client.csrf("/events/hack/judging/rubric")
    r = await client.post("/events/hack/judging/rubric", data={**FORM, "csrf_token": token})
    assert r.status_code == 303
    added = await Criterion.get(name="Nytta")
    assert (added.weight, added.scale_min, added.scale_max, added.levels) == (
        1.5, 0, 3, {"0": "Ingen", "2": "Viss", "3": "Stor"})
    page = await client.get("/events/hack/judging/rubric")
    assert "Nytta" in page.text and "Stor" in page.text


async def test_bad_criteria_are_refused_with_the_form_kept(make_client):
    w = await build()
    client = await signed_in(make_client, w.organiser)
    token = await client.csrf("/events/hack/judging/rubric")
    for change, message in [({"scale_min": "3", "scale_max": "2"}, "Det högsta steget måste vara större"),
                            ({"scale_min": "0", "scale_max": "11"}, "högst 11 steg"),
                            ({"weight": "0"}, "större än 0"), ({"weight": "-2"}, "större än 0"),
                            ({"weight": "1e309"}, "större än 0"), ({"name": ""}, "måste fyllas"),
                            ({"levels": "a\nb\nc\nd\ne"}, "Skalan har 4 steg"),
                            ({"scale_min": "²"}, "heltal")]:
        r = await client.post("/events/hack/judging/rubric",
                              data={**FORM, **change, "csrf_token": token})
        assert r.status_code == 422, change
        assert message in r.text, (change, r.text[:3000])
        assert "För invånarna" in r.text  # what was typed stays
    assert not await Criterion.filter(name="Nytta").exists()
    # A challenge of another event (or none) is not a rubric of this one.
    r = await client.post("/events/hack/judging/rubric",
                          data={**FORM, "challenge": "finns-inte", "csrf_token": token})
    assert r.status_code == 422


async def _scored(w, juror_index=0, sub=0, values=(4, 8), done=True):
    a = await Assignment.create(event=w.event, juror=w.jurors[juror_index],
                                submission=w.subs[sub],
                                status=AssignmentStatus.DONE if done else AssignmentStatus.PENDING)
    for criterion, value in zip(w.criteria, values):
        await Score.create(assignment=a, criterion=criterion, value=value)
    return a


async def test_a_locked_rubric_asks_and_says_what_happens(make_client, clock):
    w = await build()
    high = await _scored(w, 0, 0, (5, 8))
    low = await _scored(w, 1, 1, (2, 3))
    await Rubric.filter(id=w.rubric.id).update(locked_at=clock.now)
    idea = w.criteria[0]
    client = await signed_in(make_client, w.organiser)
    url = f"/events/hack/judging/criteria/{idea.id}"
    token = await client.csrf(url)
    new = {"name": "Idé", "description": "", "weight": "2", "scale_min": "1", "scale_max": "3",
           "levels": ""}
    r = await client.post(url, data={**new, "csrf_token": token})
    assert r.status_code == 422
    assert "1 sparad poäng ligger utanför den nya skalan och tas bort" in r.text
    assert "1 klar bedömning öppnas igen" in r.text
    assert (await Criterion.get(id=idea.id)).scale_max == 5  # nothing changed yet
    assert await Score.filter(criterion_id=idea.id).count() == 2
    r = await client.post(url, data={**new, "confirm": "on", "csrf_token": token})
    assert r.status_code == 303
    assert (await Criterion.get(id=idea.id)).scale_max == 3
    assert await Score.filter(criterion_id=idea.id).values_list("value", flat=True) == [2]
    assert (await Assignment.get(id=high.id)).status == AssignmentStatus.PENDING
    assert (await Assignment.get(id=low.id)).status == AssignmentStatus.DONE
    log = await ScoreChange.filter(event_id=w.event.id).order_by("id") \
        .values_list("what", "old_value", "new_value", "assignment_id")
    assert (f"criterion:{idea.id}", "5", None, high.id) in log
    assert ("status", "done", "pending", high.id) in log
    assert ("rubric", "Idé (1-5, ×2)", "Idé (1-3, ×2)", None) in log


async def test_adding_or_removing_on_a_locked_rubric(make_client, clock):
    w = await build()
    done = await _scored(w, 0, 0, (5, 8))
    await Rubric.filter(id=w.rubric.id).update(locked_at=clock.now)
    client = await signed_in(make_client, w.organiser)
    token = await client.csrf("/events/hack/judging/rubric")
    r = await client.post("/events/hack/judging/rubric", data={**FORM, "csrf_token": token})
    assert r.status_code == 422 and "1 klar bedömning öppnas igen" in r.text
    r = await client.post("/events/hack/judging/rubric",
                          data={**FORM, "confirm": "on", "csrf_token": token})
    assert r.status_code == 303
    assert (await Assignment.get(id=done.id)).status == AssignmentStatus.PENDING
    craft = w.criteria[1]
    url = f"/events/hack/judging/criteria/{craft.id}/delete"
    r = await client.post(url, data={"csrf_token": token})
    assert r.status_code == 422 and "1 sparad poäng för kriteriet tas bort" in r.text
    assert await Criterion.exists(id=craft.id)
    r = await client.post(url, data={"confirm": "on", "csrf_token": token})
    assert r.status_code == 303 and not await Criterion.exists(id=craft.id)
    assert await ScoreChange.filter(what=f"criterion:{craft.id}", old_value="8",
                                    new_value=None).exists()


async def test_a_challenge_rubric_applies_to_its_submissions(clean_db):
    w = await build()
    track = await Challenge.create(event=w.event, slug="cykel", title="Cykel", published=True)
    await Submission.filter(id=w.subs[0].id).update(challenge_id=track.id)
    own = await rubric.rubric_for(w.event, track)
    sub0 = await Submission.get(id=w.subs[0].id)
    assert {c.name for c in await rubric.criteria_for(sub0)} == {"Idé", "Genomförande"}
    await Criterion.create(rubric=own, name="Cykelvänlighet", scale_min=1, scale_max=3)
    assert [c.name for c in await rubric.criteria_for(sub0)] == ["Cykelvänlighet"]
    assert [c.name for c in await rubric.criteria_for(w.subs[1])] == ["Idé", "Genomförande"]
    assert (await rubric.rubric_for(w.event, None)).id == w.rubric.id  # found, not made again
