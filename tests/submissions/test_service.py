"""The submission use cases: one per team, saves as versions, optimistic concurrency, the
deadline, membership, URLs, history and restore, organisers' marks, who sees what."""
from __future__ import annotations

import pytest

from events.models import EventKind
from events.policy import standing
from samskapa.errors import DomainError, Forbidden, ValidationError
from submissions import service
from submissions.models import Eligibility, Submission, SubmissionVersion
from submissions.service import Conflict, SubmissionData
from tests.submissions.conftest import build_world, move_to, utcnow


async def test_a_member_creates_and_another_edits_every_save_a_version(world):
    w = world
    first = await service.save(w.event, w.team, w.alice, SubmissionData("Cykelkartan"), None,
                               utcnow())
    assert first.version == 1 and first.challenge_id == w.challenge.id
    second = await service.save(w.event, w.team, w.bob,
                                SubmissionData("Cykelkartan", summary="Säkra vägar"), 1, utcnow())
    assert second.version == 2 and second.updated_by_id == w.bob.id
    numbers = await SubmissionVersion.filter(submission_id=first.id).values_list("number",
                                                                                  flat=True)
    assert sorted(numbers) == [1, 2]
    assert await Submission.filter(team_id=w.team.id).count() == 1  # one per team


async def test_a_stale_version_is_a_conflict_and_nothing_is_written(world):
    w = world
    await service.save(w.event, w.team, w.alice, SubmissionData("A"), None, utcnow())
    await service.save(w.event, w.team, w.alice, SubmissionData("Alices titel"), 1, utcnow())
    with pytest.raises(Conflict) as caught:
        await service.save(w.event, w.team, w.bob, SubmissionData("Bobs titel"), 1, utcnow())
    assert caught.value.theirs.title == "Alices titel" and caught.value.theirs.version == 2
    assert caught.value.saved_by.id == w.alice.id
    saved = await Submission.get(team_id=w.team.id)
    assert saved.title == "Alices titel" and saved.version == 2
    assert await SubmissionVersion.filter(submission_id=saved.id).count() == 2
    # Saving again against the new version works.
    again = await service.save(w.event, w.team, w.bob, SubmissionData("Bobs titel"), 2, utcnow())
    assert again.version == 3 and again.title == "Bobs titel"


async def test_a_second_create_from_an_old_page_is_a_conflict(world):
    w = world
    await service.save(w.event, w.team, w.alice, SubmissionData("Först"), None, utcnow())
    with pytest.raises(Conflict):
        await service.save(w.event, w.team, w.bob, SubmissionData("Sen"), None, utcnow())
    assert (await Submission.get(team_id=w.team.id)).title == "Först"


async def test_after_the_deadline_nothing_changes(world):
    w = world
    await service.save(w.event, w.team, w.alice, SubmissionData("Före"), None, utcnow())
    event = await move_to(w.event, "judging")
    with pytest.raises(DomainError) as caught:
        await service.save(event, w.team, w.alice, SubmissionData("Efter"), 1, utcnow())
    assert caught.value.message == service.SUBMISSIONS_CLOSED
    with pytest.raises(DomainError):
        await service.restore(event, w.team, w.alice, 1, 1, utcnow())
    saved = await Submission.get(team_id=w.team.id)
    assert saved.title == "Före" and saved.version == 1


async def test_only_members_edit(world):
    w = world
    for user in (w.outsider, w.organiser, w.juror):
        with pytest.raises(Forbidden):
            await service.save(w.event, w.team, user, SubmissionData("Kapat"), None, utcnow())
    assert not await Submission.exists(team_id=w.team.id)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)",
                                 "data:text/html,<script>x</script>", "file:///etc/passwd",
                                 "ftp://example.se", "//example.se", "https://", "http://a b.se"])
async def test_only_http_and_https_addresses(world, url):
    w = world
    for field in ("repository_url", "demo_url", "video_url"):
        with pytest.raises(ValidationError) as caught:
            await service.save(w.event, w.team, w.alice,
                               SubmissionData("Titel", **{field: url}), None, utcnow())
        assert caught.value.errors[field][0] == service.WEB_ADDRESS
    assert not await Submission.exists(team_id=w.team.id)


async def test_minecraft_location_only_in_school_events_and_within_the_world(clean_db):
    w = await build_world("skola", EventKind.SCHOOL)
    with pytest.raises(ValidationError) as caught:
        await service.save(w.event, w.team, w.alice,
                           SubmissionData("Slott", location_y=999), None, utcnow())
    assert "location_y" in caught.value.errors
    saved = await service.save(w.event, w.team, w.alice,
                               SubmissionData("Slott", plot="B7", location_x=-120, location_y=64,
                                              location_z=3000), None, utcnow())
    assert (saved.plot, saved.location_x, saved.location_y, saved.location_z) == \
        ("B7", -120, 64, 3000)
    hack = await build_world("hack2")
    saved = await service.save(hack.event, hack.team, hack.alice,
                               SubmissionData("App", plot="B7", location_x=1), None, utcnow())
    assert saved.plot == "" and saved.location_x is None  # no world in a hackathon


async def test_history_says_what_changed_and_restore_is_a_new_version(world):
    w = world
    await service.save(w.event, w.team, w.alice,
                       SubmissionData("Karta", description="Rad ett\nRad två\nRad tre"),
                       None, utcnow())
    await service.save(w.event, w.team, w.bob,
                       SubmissionData("Kartan", description="Rad ett\nRad 2\nRad tre",
                                      demo_url="https://demo.example.se"), 1, utcnow())
    submission = await Submission.get(team_id=w.team.id)
    entries = await service.history(submission)
    assert [e.version.number for e in entries] == [2, 1]
    changed = {c.name: c for c in entries[0].changes}
    assert set(changed) == {"title", "description", "demo_url"}
    assert (changed["title"].before, changed["title"].after) == ("Karta", "Kartan")
    lines = [(line.kind, line.text) for line in changed["description"].lines]
    assert ("removed", "Rad två") in lines and ("added", "Rad 2") in lines
    assert ("same", "Rad ett") in lines

    restored = await service.restore(w.event, w.team, w.alice, 1, 2, utcnow())
    assert restored.version == 3 and restored.title == "Karta" and restored.demo_url == ""
    assert [e.version.number for e in await service.history(restored)] == [3, 2, 1]
    with pytest.raises(DomainError):  # the current version: nothing to restore
        await service.restore(w.event, w.team, w.alice, 3, 3, utcnow())
    with pytest.raises(Conflict):  # based on an old page
        await service.restore(w.event, w.team, w.bob, 2, 2, utcnow())


async def test_organisers_mark_eligibility_with_a_reason_and_hide(world):
    w = world
    submission = await service.save(w.event, w.team, w.alice, SubmissionData("X"), None,
                                    utcnow())
    with pytest.raises(ValidationError) as caught:
        await service.set_eligibility(submission, "ineligible", "  ")
    assert caught.value.errors["reason"][0] == service.REASON_REQUIRED
    with pytest.raises(ValidationError):
        await service.set_eligibility(submission, "maybe", "")
    await service.set_eligibility(submission, "ineligible", "Inlämnad av fel lag")
    fresh = await Submission.get(id=submission.id)
    assert fresh.eligibility == Eligibility.INELIGIBLE and fresh.version == 1
    assert await Submission.judged(w.event.id) == []
    await service.set_eligibility(fresh, "eligible", "ignored")
    assert (await Submission.get(id=submission.id)).eligibility_reason == ""
    assert [s.id for s in await Submission.judged(w.event.id)] == [submission.id]
    await service.set_hidden(fresh, True)
    assert await Submission.judged(w.event.id) == []
    rows, counts = await service.organiser_list(w.event)
    assert counts.total == 1 and counts.hidden == 1 and counts.teams_without == 1
    assert counts.by_eligibility["eligible"] == 1
    rows, _ = await service.organiser_list(w.event, hidden=False)
    assert rows == []


async def test_who_sees_a_submission_before_and_after_the_gallery_opens(world):
    w = world
    submission = await service.save(w.event, w.team, w.alice, SubmissionData("X"), None,
                                    utcnow())

    async def sees(user, event) -> bool:
        return await service.may_see(submission, await standing(event, user), utcnow())

    event = w.event
    assert await sees(w.alice, event) and await sees(w.organiser, event)
    assert await sees(w.juror, event)
    assert not await sees(w.outsider, event) and not await sees(None, event)
    event = await move_to(event, "results")  # the default: the gallery opens with the results
    assert await sees(None, event) and await sees(w.outsider, event)
    await service.set_hidden(submission, True)
    assert not await sees(None, event) and await sees(w.organiser, event)
    await service.set_hidden(submission, False)
    await service.set_eligibility(submission, "ineligible", "Regelbrott")
    assert not await sees(None, event)


async def test_the_gallery_opens_at_the_phase_the_organiser_chose(world):
    w = world
    settings = await service.gallery_settings(w.event)
    assert not service.gallery_open(w.event, settings, utcnow())  # hacking < results
    settings = await service.set_gallery_phase(w.event, "hacking")
    assert service.gallery_open(w.event, settings, utcnow())
    with pytest.raises(ValidationError):
        await service.set_gallery_phase(w.event, "upcoming")
    judging = await service.set_gallery_phase(w.event, "judging")
    assert not service.gallery_open(w.event, judging, utcnow())
    assert service.gallery_open(await move_to(w.event, "judging"), judging, utcnow())


async def test_a_saved_version_says_when_it_was_saved(world):
    """QA: the page showed version 1's time for every later version (a conditional UPDATE
    skips auto_now)."""
    from datetime import timedelta
    w = world
    first = await service.save(w.event, w.team, w.alice, SubmissionData("Före"), None, utcnow())
    later = first.updated_at + timedelta(minutes=42)
    second = await service.save(w.event, w.team, w.bob, SubmissionData("Efter"), 1, later)
    assert second.updated_at == later
