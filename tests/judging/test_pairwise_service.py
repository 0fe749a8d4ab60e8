"""Pairwise mode: the juror's flow (look, compare, pick), what they are shown, and two jurors
deciding at once without a lost update."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from judging import crowd_bt, pairwise
from judging.models import (JudgingSettings, Method, PairwiseDecision, PairwiseItem,
                            PairwiseJuror, PairwiseSkip)
from samskapa.errors import DomainError
from tests.events.helpers import signed_in
from tests.judging.jury_world import build, join_team


async def _pairwise_world(**kw):
    w = await build(**kw)
    await JudgingSettings.create(event=w.event, method=Method.PAIRWISE)
    return w


async def test_a_juror_looks_compares_and_picks(make_client, clock):
    w = await _pairwise_world()
    client = await signed_in(make_client, w.jurors[0])
    queue = await client.get("/events/hack/jury")
    assert "/events/hack/jury/compare" in queue.text
    page = await client.get("/events/hack/jury/compare")
    assert page.status_code == 200 and "Nästa bidrag" in page.text
    state = await PairwiseJuror.get(juror_id=w.jurors[0].id)
    first = state.current_id
    token = await client.csrf("/events/hack/jury/compare")
    r = await client.post("/events/hack/jury/compare", data={"choice": "seen", "shown": first,
                                                             "csrf_token": token})
    assert r.status_code == 303
    page = await client.get("/events/hack/jury/compare")
    state = await PairwiseJuror.get(id=state.id)
    second = state.current_id
    assert state.previous_id == first and second != first
    r = await client.post("/events/hack/jury/compare", data={"choice": "current",
                                                             "shown": second,
                                                             "csrf_token": token})
    assert r.status_code == 303
    decision = await PairwiseDecision.get(juror_id=w.jurors[0].id)
    assert (decision.winner_id, decision.loser_id) == (second, first)
    annotator, won, lost = crowd_bt.update(crowd_bt.Annotator(), crowd_bt.Item(),
                                           crowd_bt.Item())
    winner = await PairwiseItem.get(submission_id=second)
    loser = await PairwiseItem.get(submission_id=first)
    assert (winner.mu, winner.sigma_sq, winner.views) == pytest.approx((won.mu, won.sigma_sq, 1))
    assert (loser.mu, loser.sigma_sq, loser.views) == pytest.approx((lost.mu, lost.sigma_sq, 1))
    state = await PairwiseJuror.get(id=state.id)
    assert (state.alpha, state.beta) == pytest.approx((annotator.alpha, annotator.beta))
    # A stale page (the same form sent twice) is refused, not counted twice.
    r = await client.post("/events/hack/jury/compare", data={"choice": "current",
                                                             "shown": second,
                                                             "csrf_token": token})
    assert r.status_code == 422 and "inaktuell" in r.text
    for bad in ({"choice": "both", "shown": "1"}, {"choice": "current", "shown": "x"}):
        r = await client.post("/events/hack/jury/compare", data={**bad, "csrf_token": token})
        assert r.status_code == 422
    assert await PairwiseDecision.all().count() == 1


async def test_what_a_juror_is_shown(clock, clean_db):
    w = await _pairwise_world(jurors=2, teams=3)
    now = clock.now
    await join_team(w, w.jurors[0], w.teams[0])  # never shown their own team
    a = await pairwise.next_pair(w.event, w.jurors[0], now)
    assert a.current.id != w.subs[0].id and a.previous is None
    # The other juror is not sent to the submission the first is looking at...
    b = await pairwise.next_pair(w.event, w.jurors[1], now)
    assert b.current.id != a.current.id
    # ...until the first has been on it longer than BUSY_FOR.
    await PairwiseJuror.filter(juror_id=w.jurors[1].id).update(current_id=None)
    await PairwiseJuror.filter(juror_id=w.jurors[0].id).update(
        current_since=now - pairwise.BUSY_FOR - timedelta(seconds=1))
    seen = {(await pairwise.next_pair(w.event, w.jurors[1], now)).current.id}
    assert seen  # chosen among all three again (the busy one no longer excluded)
    # Asking again shows the same submission (a reload does not skip ahead).
    again = await pairwise.next_pair(w.event, w.jurors[0], now)
    assert again.current.id == a.current.id
    # After judging closes, nothing.
    with pytest.raises(DomainError):
        await pairwise.next_pair(w.event, w.jurors[0], w.event.judging_closes)


async def test_a_skipped_submission_never_comes_back_to_that_juror(clock, clean_db):
    w = await _pairwise_world(jurors=2, teams=3)
    now = clock.now
    juror, other = w.jurors
    first = (await pairwise.next_pair(w.event, juror, now)).current.id
    await pairwise.decide(w.event, juror, "seen", first, now)
    skipped = (await pairwise.next_pair(w.event, juror, now)).current.id
    await pairwise.decide(w.event, juror, "skip", skipped, now)
    # The next choice is the one submission neither looked at nor skipped, never the skipped
    # pair again; once that is skipped too, there is nothing left for this juror.
    last, = {s.id for s in w.subs} - {first, skipped}
    pair = await pairwise.next_pair(w.event, juror, now)
    assert (pair.previous.id, pair.current.id) == (first, last)
    await pairwise.decide(w.event, juror, "skip", last, now)
    assert await pairwise.next_pair(w.event, juror, now) is None
    assert set(await PairwiseSkip.filter(juror_id=juror.id)
               .values_list("submission_id", flat=True)) == {skipped, last}
    # Remembered per juror: the other juror is still offered them.
    assert await pairwise.next_pair(w.event, other, now) is not None


async def test_not_in_pairwise_mode(make_client, clock):
    w = await build()
    client = await signed_in(make_client, w.jurors[0])
    r = await client.get("/events/hack/jury/compare")
    assert r.status_code == 422 and "parvis" in r.text


async def test_two_jurors_deciding_at_once_lose_no_update(clock, clean_db):
    """Both jurors compare the same two submissions and decide at the same moment: both
    decisions count, each computed from what the other left (the result equals applying them
    one after the other)."""
    w = await _pairwise_world(jurors=2, teams=2)
    x, y = w.subs[0].id, w.subs[1].id
    now = clock.now
    for juror, (prev, cur) in ((w.jurors[0], (x, y)), (w.jurors[1], (y, x))):
        await PairwiseJuror.create(event=w.event, juror=juror, alpha=crowd_bt.ALPHA_PRIOR,
                                   beta=crowd_bt.BETA_PRIOR, previous_id=prev, current_id=cur,
                                   current_since=now)
    for sid in (x, y):
        await PairwiseItem.create(submission_id=sid, mu=0.0, sigma_sq=1.0)
    # Both say x is better: juror 0 picks "previous" (x), juror 1 "current" (x).
    await asyncio.gather(pairwise.decide(w.event, w.jurors[0], "previous", y, now),
                         pairwise.decide(w.event, w.jurors[1], "current", x, now))
    assert await PairwiseDecision.all().count() == 2
    items = {i.submission_id: i for i in await PairwiseItem.all()}
    assert items[x].views == 2 and items[y].views == 2
    _a, wx, ly = crowd_bt.update(crowd_bt.Annotator(), crowd_bt.Item(), crowd_bt.Item())
    _a, wx, ly = crowd_bt.update(crowd_bt.Annotator(), wx, ly)
    assert items[x].mu == pytest.approx(wx.mu) and items[y].mu == pytest.approx(ly.mu)
    assert items[x].sigma_sq == pytest.approx(wx.sigma_sq)
