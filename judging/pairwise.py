"""Pairwise judging for events whose method is "pairwise", around the pure judging/crowd_bt.py.

The juror looks at one submission, then another, and says which of the two is better (Gavel's
flow): `next_pair` picks what they see next (expected information gain with ε = 0.25
exploration, every submission its minimum of looks first, and not a submission another juror
is looking at right now: `BUSY_FOR`), `decide` records the choice. A juror sees each submission
once: never again one they compared, nor one they skipped (`PairwiseSkip`, Gavel's ignore
list), so a skipped pair never comes back.

Crowd-BT's update reads and writes three rows (the juror's reliability and both submissions'
beliefs). Two jurors deciding about the same submission at once must not lose an update, so
`decide` locks the rows (SELECT ... FOR UPDATE, in id order so that two deciders never wait on
each other; SQLite writes one transaction at a time anyway) and computes the update from what
it read under the lock.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from events.models import Event
from judging import conflicts, crowd_bt, event_settings
from judging.assignments import judged
from judging.models import Method, PairwiseDecision, PairwiseItem, PairwiseJuror, PairwiseSkip
from judging.review import check_open
from samskapa.auth.models import User
from samskapa.errors import DomainError
from samskapa.i18n import N_
from submissions.models import Submission

# A juror who opened a submission this long ago is no longer "on it" for the others.
BUSY_FOR = timedelta(minutes=10)
MIN_VIEWS = 2


class PairwiseRefused(DomainError):
    status_code = 422


@dataclass
class Pair:
    previous: Submission | None
    current: Submission


async def _juror_state(event: Event, juror: User) -> PairwiseJuror:
    state = await PairwiseJuror.get_or_none(event_id=event.id, juror_id=juror.id)
    if state is None:
        try:
            state = await PairwiseJuror.create(event=event, juror=juror,
                                               alpha=crowd_bt.ALPHA_PRIOR,
                                               beta=crowd_bt.BETA_PRIOR)
        except IntegrityError:  # a second tab made it meanwhile
            state = await PairwiseJuror.get(event_id=event.id, juror_id=juror.id)
    return state


async def _items(subs: list[Submission]) -> dict[int, PairwiseItem]:
    found = {i.submission_id: i for i in await PairwiseItem.filter(
        submission_id__in=[s.id for s in subs])}
    for sub in subs:
        if sub.id not in found:
            try:
                found[sub.id] = await PairwiseItem.create(
                    submission=sub, mu=crowd_bt.MU_PRIOR, sigma_sq=crowd_bt.SIGMA_SQ_PRIOR)
            except IntegrityError:
                found[sub.id] = await PairwiseItem.get(submission_id=sub.id)
    return found


async def _check(event: Event, now: datetime) -> None:
    if (await event_settings.of(event)).method != Method.PAIRWISE:
        raise PairwiseRefused(N_("This event is not judged by comparing submissions in pairs."))
    check_open(event, now)


async def next_pair(event: Event, juror: User, now: datetime, *,
                    exclude: int | None = None) -> Pair | None:
    """What the juror sees now: the submission they are on, or a newly chosen one."""
    await _check(event, now)
    state = await _juror_state(event, juror)
    subs = {s.id: s for s in await judged(event)}
    previous = subs.get(state.previous_id) if state.previous_id else None
    if state.current_id in subs:
        return Pair(previous, subs[state.current_id])
    banned = await conflicts.conflicted_submissions(event, juror.id)
    seen = set(await PairwiseDecision.filter(event_id=event.id, juror_id=juror.id)
               .values_list("winner_id", flat=True)) | set(
        await PairwiseDecision.filter(event_id=event.id, juror_id=juror.id)
        .values_list("loser_id", flat=True)) | set(
        await PairwiseSkip.filter(event_id=event.id, juror_id=juror.id)
        .values_list("submission_id", flat=True))
    items = await _items(list(subs.values()))
    candidates = {sid: crowd_bt.Item(items[sid].mu, items[sid].sigma_sq) for sid in subs
                  if sid not in banned and sid not in seen and sid != state.previous_id
                  and sid != exclude}
    busy = set(await PairwiseJuror.filter(event_id=event.id, current_since__gt=now - BUSY_FOR)
               .exclude(juror_id=juror.id).values_list("current_id", flat=True))
    rng = random.Random(f"{event.id}:{juror.id}:{len(seen)}")
    prev_item = items.get(state.previous_id)
    chosen = crowd_bt.choose_next(
        crowd_bt.Annotator(state.alpha, state.beta),
        crowd_bt.Item(prev_item.mu, prev_item.sigma_sq) if prev_item else None,
        candidates, rng, epsilon=crowd_bt.EPSILON,
        views={sid: item.views for sid, item in items.items()}, min_views=MIN_VIEWS, busy=busy)
    if chosen is None:
        return None
    await PairwiseJuror.filter(id=state.id).update(current_id=chosen, current_since=now)
    return Pair(previous, subs[chosen])


async def decide(event: Event, juror: User, choice: str, shown: int | None,
                 now: datetime) -> None:
    """`choice`: "current" or "previous" (the better one), "seen" (the first look, nothing to
    compare yet) or "skip". `shown` is the submission the page showed: a page left open while
    the juror moved on elsewhere is refused rather than recorded against the wrong pair."""
    await _check(event, now)
    if choice not in ("current", "previous", "seen", "skip"):
        raise PairwiseRefused(N_("Choose one of the two submissions."))
    async with in_transaction() as conn:
        state = await PairwiseJuror.filter(event_id=event.id, juror_id=juror.id) \
            .using_db(conn).select_for_update().first()
        if state is None or state.current_id is None or state.current_id != shown:
            raise PairwiseRefused(N_("This page was out of date. Here is where you are now."))
        current, previous = state.current_id, state.previous_id
        if choice == "skip":
            if not await PairwiseSkip.filter(juror_id=juror.id, submission_id=current) \
                    .using_db(conn).exists():
                await PairwiseSkip.create(event=event, juror=juror, submission_id=current,
                                          skipped_at=now, using_db=conn)
            await PairwiseJuror.filter(id=state.id).using_db(conn).update(
                current_id=None, current_since=None)
            return
        if choice == "seen" or previous is None:
            await PairwiseJuror.filter(id=state.id).using_db(conn).update(
                previous_id=current, current_id=None, current_since=None)
            return
        winner, loser = (current, previous) if choice == "current" else (previous, current)
        rows = {i.submission_id: i for i in await PairwiseItem.filter(
            submission_id__in=sorted((winner, loser))).using_db(conn).select_for_update()
            .order_by("id")}
        if len(rows) != 2:
            raise PairwiseRefused(N_("This submission is no longer being judged."))
        annotator, won, lost = crowd_bt.update(
            crowd_bt.Annotator(state.alpha, state.beta),
            crowd_bt.Item(rows[winner].mu, rows[winner].sigma_sq),
            crowd_bt.Item(rows[loser].mu, rows[loser].sigma_sq))
        for sid, item in ((winner, won), (loser, lost)):
            await PairwiseItem.filter(id=rows[sid].id).using_db(conn).update(
                mu=item.mu, sigma_sq=item.sigma_sq, views=rows[sid].views + 1)
        await PairwiseJuror.filter(id=state.id).using_db(conn).update(
            alpha=annotator.alpha, beta=annotator.beta, previous_id=current, current_id=None,
            current_since=None)
        await PairwiseDecision.create(event=event, juror=juror, winner_id=winner,
                                      loser_id=loser, decided_at=now, using_db=conn)
