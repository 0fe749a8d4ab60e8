"""Deliberation: awards with motivations, approval, the release time, and nothing changing
after the results are public."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from judging import awards, event_settings
from judging.models import Award, AwardKind
from samskapa.errors import DomainError, ValidationError
from submissions.models import Eligibility
from tests.judging.results_helpers import judged_event


def data(submission_id, *, kind=AwardKind.OVERALL, name="Bästa bidraget", challenge_id=None,
         motivation="Ett **genomarbetat** bidrag."):
    return awards.AwardData(kind, name, challenge_id, submission_id, motivation)


async def test_an_award_needs_a_name_and_a_project_of_this_event(clean_db):
    w = await judged_event()
    other = await judged_event("annat-2025")
    now = datetime.now(timezone.utc)
    with pytest.raises(ValidationError) as refused:
        await awards.add_award(w.event, w.organiser,
                               data(other.submissions["Solrosen"].id, name=""), now)
    assert set(refused.value.errors) == {"name", "submission"}
    with pytest.raises(ValidationError) as refused:
        await awards.add_award(w.event, w.organiser, data(None, kind=AwardKind.CHALLENGE), now)
    assert set(refused.value.errors) == {"challenge"}
    w.submissions["Bussen"].eligibility = Eligibility.INELIGIBLE
    await w.submissions["Bussen"].save()
    with pytest.raises(ValidationError):
        await awards.add_award(w.event, w.organiser, data(w.submissions["Bussen"].id), now)
    assert await Award.all().count() == 0


async def test_approval_publishes_at_the_announced_time_and_freezes_the_awards(clean_db):
    w = await judged_event(results_in=timedelta(days=1))
    now = datetime.now(timezone.utc)
    with pytest.raises(DomainError, match="at least one award"):
        await awards.approve(w.event, w.organiser, now)
    award = await awards.add_award(w.event, w.organiser, data(w.submissions["Solrosen"].id), now)
    settings = await awards.approve(w.event, w.organiser, now)
    # Approved a day early: public at the announced time, not now.
    assert awards.release_time(settings, w.event) == w.event.results_published
    assert not awards.results_public(settings, w.event, now)
    assert awards.results_public(settings, w.event, w.event.results_published)
    with pytest.raises(DomainError, match="withdraw the approval"):
        await awards.update_award(w.event, award, w.organiser,
                                  data(w.submissions["Bussen"].id), now)
    with pytest.raises(DomainError, match="already approved"):
        await awards.approve(w.event, w.organiser, now)
    # Before the release the chair may take the approval back and change the awards.
    await awards.withdraw_approval(w.event, now)
    await awards.update_award(w.event, award, w.organiser, data(w.submissions["Bussen"].id), now)
    assert (await Award.get(id=award.id)).submission_id == w.submissions["Bussen"].id


async def test_a_late_approval_publishes_at_once_and_then_nothing_changes(clean_db):
    w = await judged_event(results_in=-timedelta(hours=2))
    now = datetime.now(timezone.utc)
    award = await awards.add_award(w.event, w.organiser, data(w.submissions["Solrosen"].id), now)
    settings = await awards.approve(w.event, w.organiser, now)
    assert awards.release_time(settings, w.event) == now
    assert awards.results_public(settings, w.event, now)
    later = now + timedelta(minutes=1)
    for attempt in (awards.withdraw_approval(w.event, later),
                    awards.delete_award(w.event, award, later),
                    awards.add_award(w.event, w.organiser, data(None), later)):
        with pytest.raises(DomainError, match="published"):
            await attempt
    assert await Award.filter(event=w.event).count() == 1
    assert (await event_settings.of(w.event)).results_approved_at is not None


async def test_a_challenge_award_goes_to_a_project_in_that_challenge(clean_db):
    from challenges.models import Challenge
    w = await judged_event()
    cykel = await Challenge.create(event=w.event, slug="cykel", title="Cykel", published=True)
    now = datetime.now(timezone.utc)
    with pytest.raises(ValidationError) as refused:
        await awards.add_award(w.event, w.organiser, data(
            w.submissions["Cykelbanan"].id, kind=AwardKind.CHALLENGE, challenge_id=cykel.id), now)
    assert "submission" in refused.value.errors
    w.submissions["Cykelbanan"].challenge = cykel
    await w.submissions["Cykelbanan"].save()
    award = await awards.add_award(w.event, w.organiser, data(
        w.submissions["Cykelbanan"].id, kind=AwardKind.CHALLENGE, challenge_id=cykel.id), now)
    assert award.challenge_id == cykel.id
    # Any other kind names no challenge, whatever the form sent.
    overall = await awards.add_award(w.event, w.organiser, data(
        w.submissions["Solrosen"].id, challenge_id=cykel.id), now)
    assert overall.challenge_id is None
