"""judging.assignment: k reviews each, balanced loads, no conflicts, connected, kept pairs,
deterministic — by example and by property (hypothesis)."""
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from judging.assignment import AssignmentImpossible, assign, islands


def loads(pairs):
    return Counter(r for r, _ in pairs)


def reviewers(pairs):
    return Counter(a for _, a in pairs)


def test_small_design_by_hand():
    # 4 submissions x k=2 = 8 reviews over 4 jurors: each juror exactly 2, each submission 2
    # distinct jurors, and 8 edges >= 4 + 4 - 1 nodes-1, so it can be (and is) connected.
    pairs = assign([10, 11, 12, 13], [1, 2, 3, 4], k=2, seed=7)
    assert len(pairs) == len(set(pairs)) == 8
    assert set(reviewers(pairs).values()) == {2}
    assert set(loads(pairs).values()) == {2}
    assert len(islands(pairs)) == 1


def test_k_is_capped_by_the_jurors_without_conflict():
    # 2 jurors, k=3: everybody gets the 2 there are; submission 5 conflicts with juror 1 and
    # gets juror 2 only.
    pairs = assign([4, 5], [1, 2], k=3, conflicts=[(1, 5)])
    assert sorted(pairs) == [(1, 4), (2, 4), (2, 5)]


def test_a_submission_nobody_may_review_is_refused():
    with pytest.raises(AssignmentImpossible) as e:
        assign([4, 5, 6], [1, 2], conflicts=[(1, 5), (2, 5), (1, 6), (2, 6)])
    assert e.value.submissions == (5, 6)
    assert "conflict" in e.value.reason
    with pytest.raises(AssignmentImpossible):
        assign([4], [])
    assert assign([], [1, 2]) == []
    with pytest.raises(ValueError):
        assign([1], [1], k=0)


def test_a_juror_who_leaves_is_replaced_and_the_rest_is_kept():
    before = assign(range(12), range(6), k=3, seed=1)
    staying = [p for p in before if p[0] != 5]
    after = assign(range(12), range(5), k=3, existing=before, seed=1)
    assert set(staying) <= set(after)
    assert all(r != 5 for r, _ in after)
    assert set(reviewers(after).values()) == {3}


def test_new_submissions_go_to_the_least_loaded():
    before = assign(range(10), range(5), k=2, seed=3)         # 20 reviews: 4 each
    after = assign(range(15), range(5), k=2, existing=before, seed=3)
    assert set(before) <= set(after)
    assert set(loads(after).values()) == {6}                   # 30 reviews: 6 each


def test_existing_conflicted_or_unknown_pairs_are_dropped():
    pairs = assign([1, 2], [7, 8, 9], k=2, conflicts=[(7, 1)], existing=[(7, 1), (9, 2), (99, 1)])
    assert (7, 1) not in pairs and (9, 2) in pairs
    assert all(r in (7, 8, 9) for r, _ in pairs)


def test_islands_by_hand():
    # jurors 1,2 share submission 10; juror 3 alone on 20 and 21; juror 4 on 30.
    pairs = [(1, 10), (2, 10), (2, 11), (3, 20), (3, 21), (4, 30)]
    assert islands(pairs) == [
        (frozenset({1, 2}), frozenset({10, 11})),
        (frozenset({3}), frozenset({20, 21})),
        (frozenset({4}), frozenset({30})),
    ]
    assert islands([]) == []


def test_too_few_reviews_cannot_connect_and_islands_say_so():
    # 10 submissions x 3 reviews over 30 jurors: every juror reviews once, 30 edges < 39 needed.
    pairs = assign(range(10), range(30), k=3)
    assert len(islands(pairs)) == 10


@st.composite
def events(draw, with_conflicts=True):
    n_sub = draw(st.integers(1, 40))
    n_jur = draw(st.integers(1, 12))
    k = draw(st.integers(1, 5))
    subs = draw(st.lists(st.integers(0, 10_000), min_size=n_sub, max_size=n_sub, unique=True))
    jurors = draw(st.lists(st.integers(0, 10_000), min_size=n_jur, max_size=n_jur, unique=True))
    conflicts = set()
    if with_conflicts:
        conflicts = set(draw(st.lists(st.tuples(st.sampled_from(jurors), st.sampled_from(subs)),
                                      max_size=n_sub)))
    seed = draw(st.integers(0, 2**32 - 1))
    return subs, jurors, k, conflicts, seed


@settings(max_examples=150, deadline=None)
@given(events(with_conflicts=False))
def test_property_without_conflicts(event):
    subs, jurors, k, _, seed = event
    pairs = assign(subs, jurors, k, seed=seed)
    kk = min(k, len(jurors))
    assert len(set(pairs)) == len(pairs)
    assert reviewers(pairs) == {a: kk for a in subs}                  # k each
    load = [loads(pairs).get(r, 0) for r in jurors]
    assert max(load) - min(load) <= 1                                 # within ±1
    if len(subs) * kk >= len(subs) + len(jurors) - 1:                 # enough edges to connect
        assert len(islands(pairs)) == 1
    assert assign(list(reversed(subs)), list(reversed(jurors)), k, seed=seed) == pairs  # determ.


@settings(max_examples=150, deadline=None)
@given(events())
def test_property_with_conflicts(event):
    subs, jurors, k, conflicts, seed = event
    free = {a: sum((r, a) not in conflicts for r in jurors) for a in subs}
    if min(free.values()) == 0:
        with pytest.raises(AssignmentImpossible):
            assign(subs, jurors, k, conflicts=conflicts, seed=seed)
        return
    pairs = assign(subs, jurors, k, conflicts=conflicts, seed=seed)
    assert not set(pairs) & conflicts
    assert reviewers(pairs) == {a: min(k, free[a]) for a in subs}
    assert assign(subs, jurors, k, conflicts=conflicts, seed=seed) == pairs
    # Balance: no move of a single submission from a juror to another who may take it (and
    # does not have it) would lower the spread between them by two or more.
    load = {r: loads(pairs).get(r, 0) for r in jurors}
    on = {a: {r for r, b in pairs if b == a} for a in subs}
    for r, a in pairs:
        for r2 in jurors:
            if r2 not in on[a] and (r2, a) not in conflicts:
                assert load[r] - load[r2] <= 1


@settings(max_examples=100, deadline=None)
@given(events(with_conflicts=False), st.data())
def test_property_existing_pairs_are_kept(event, data):
    subs, jurors, k, _, seed = event
    first = assign(subs, jurors, k, seed=seed)
    kept = data.draw(st.lists(st.sampled_from(first), unique=True)) if first else []
    more_subs = subs + [20_000 + i for i in range(data.draw(st.integers(0, 5)))]
    pairs = assign(more_subs, jurors, k, existing=kept, seed=seed)
    assert set(kept) <= set(pairs)
    kk = min(k, len(jurors))
    assert all(n == kk for n in reviewers(pairs).values())
    assert set(reviewers(pairs)) == set(more_subs)
