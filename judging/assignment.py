"""Who reviews what: a balanced, conflict-free, connected juror–submission design (pure).

    assign(submissions, jurors, k=3, conflicts=(), existing=(), seed=0) -> [(juror, submission)]
    islands(pairs) -> [(jurors, submissions)]          # connected components, largest first

What `assign` guarantees
- **k reviews each.** Every submission gets k_a = min(k, number of jurors without a conflict
  with it) jurors. A submission with *no* such juror makes the whole call raise
  `AssignmentImpossible` (its `.submissions` names them); nothing is half-assigned. A submission
  that has more than k pairs in `existing` keeps them all and gets no more.
- **No conflicts.** A (juror, submission) pair in `conflicts` is never returned, and is dropped
  from `existing` too (a conflict declared after assignment wins).
- **Balanced loads.** Without conflicts or pre-existing pairs, loads differ by at most one
  (max − min ≤ 1, i.e. every juror within ±1 of the ideal Σk_a / J). Conflicts and kept pairs can
  make that impossible (a juror conflicted with nearly everything; a juror who already scored
  more than the ideal): then the design moves new pairs along augmenting paths (juror A gives a
  submission to B, B gives another to C, …) until no such path lowers the spread, and then
  until no juror could hand a new submission to one who may take it and has two fewer.
- **Connected.** Calibration (scoring.calibrated) compares jurors through the submissions they
  share, so the bipartite juror–submission graph must be one component. New pairs are drawn by
  "least-loaded juror first, ties broken by a seeded shuffle", which is a random bi-regular
  bipartite graph: connected with high probability and a good expander (bias estimates are
  compared along short paths — better conditioned than a chain or rotation design, where
  jurors at both ends of the chain are compared only through many hops). If it still falls apart,
  load-preserving swaps (r1,a1),(r2,a2) -> (r1,a2),(r2,a1) across components merge them. A
  connected graph needs Σk_a ≥ S + J − 1 edges (S submissions, J jurors) and k ≥ 2; when that
  or the conflicts make it impossible the result stays split and `islands()` tells which parts.
- **Kept pairs.** Every pair of `existing` whose juror and submission are still in the inputs
  (and not conflicted) is returned unchanged and counts towards k and towards the loads. Pass
  the pairs that must not move (all current pairs for "add the new submissions only", or only
  the started/scored ones to let the rest be planned afresh); a juror who leaves is simply not
  in `jurors`, and their submissions are topped up from the others.
- **Deterministic.** Same inputs and seed → same pairs, whatever the order of the input
  sequences (they are sorted first).
"""
from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Collection, Sequence

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

Pair = tuple[int, int]  # (juror, submission)


class AssignmentImpossible(Exception):
    """No valid assignment exists. `reason` is an English msgid for the organiser's page;
    `submissions` names the submissions that no juror may review."""

    def __init__(self, reason: str, submissions: Sequence[int] = ()):
        super().__init__(reason)
        self.reason = reason
        self.submissions = tuple(submissions)


def assign(submissions: Sequence[int], jurors: Sequence[int], k: int = 3,
           conflicts: Collection[Pair] = (), existing: Collection[Pair] = (),
           seed: int = 0) -> list[Pair]:
    """All (juror, submission) pairs, sorted: the kept `existing` ones and the new ones."""
    if k < 1:
        raise ValueError("k must be at least 1")
    subs = sorted(set(submissions))
    jur = sorted(set(jurors))
    if not subs:
        return []
    if not jur:
        raise AssignmentImpossible("There are no jurors to assign.", subs)
    s_index = {a: i for i, a in enumerate(subs)}
    j_index = {r: i for i, r in enumerate(jur)}

    # Dense S x J masks: 2,000 x 200 is 400 kB, and every step below becomes a vector operation.
    allowed = np.ones((len(subs), len(jur)), dtype=bool)
    for r, a in conflicts:
        if r in j_index and a in s_index:
            allowed[s_index[a], j_index[r]] = False
    kept = np.zeros_like(allowed)
    for r, a in existing:
        if r in j_index and a in s_index:
            kept[s_index[a], j_index[r]] = True
    kept &= allowed
    stranded = [subs[i] for i in np.flatnonzero(~allowed.any(axis=1))]
    if stranded:
        raise AssignmentImpossible(
            "No juror without a conflict of interest is left for some submissions.", stranded)

    on = kept.copy()
    load = on.sum(axis=0)
    need = np.minimum(k, allowed.sum(axis=1)) - on.sum(axis=1)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(subs))
    draws = 0.5 * rng.random((len(subs), len(jur)))

    # Greedy fill in a shuffled submission order: each takes its missing reviewers from the
    # least-loaded eligible jurors, ties broken by a seeded draw (the random design). Loads are
    # integers, so load + U[0, 0.5) orders by load first and by the draw within equal loads.
    for a in order:
        if need[a] <= 0:
            continue
        key = load + draws[a]
        key[~allowed[a] | on[a]] = np.inf
        chosen = np.argpartition(key, need[a] - 1)[:need[a]]
        on[a, chosen] = True
        load[chosen] += 1

    _balance(on, kept, allowed, load)
    _connect(on, kept, allowed, rng)
    a_idx, r_idx = np.nonzero(on)
    return sorted((jur[r], subs[a]) for a, r in zip(a_idx.tolist(), r_idx.tolist()))


def _balance(on: np.ndarray, kept: np.ndarray, allowed: np.ndarray, load: np.ndarray) -> None:
    """Lower max − min load by moving new (not kept) pairs along augmenting paths: breadth-first
    from the most loaded jurors to any juror at least two below them, each step r -> r' moving
    one of r's new submissions that r' may take and does not already have, until no such path
    exists; then by single moves between any two jurors two or more apart."""
    movable = on & ~kept
    while load.max() - load.min() > 1:
        top = load.max()
        parent: dict[int, tuple[int, int] | None] = {int(r): None for r in np.flatnonzero(load == top)}
        queue = deque(parent)
        target = None
        while queue and target is None:
            r = queue.popleft()
            for a in np.flatnonzero(movable[:, r]):
                takers = np.flatnonzero(allowed[a] & ~on[a])
                for r2 in takers.tolist():
                    if r2 in parent:
                        continue
                    parent[r2] = (r, int(a))
                    if load[r2] <= top - 2:
                        target = r2
                        break
                    queue.append(r2)
                if target is not None:
                    break
        if target is None:
            break
        r2 = target
        while parent[r2] is not None:      # walk back, moving submission a from r to r2
            r, a = parent[r2]
            on[a, r] = movable[a, r] = False
            on[a, r2] = movable[a, r2] = True
            r2 = r
        load[target] += 1
        load[r2] -= 1
    # Then single moves between any two jurors two or more apart (each lowers Σ load², so this
    # ends): afterwards no juror could hand one of their new submissions to a juror who may
    # take it and has two or more fewer.
    moved = True
    while moved and load.max() - load.min() > 1:
        moved = False
        for a, r in zip(*np.nonzero(movable)):
            takers = np.flatnonzero(allowed[a] & ~on[a] & (load <= load[r] - 2))
            if len(takers):
                r2 = takers[np.argmin(load[takers])]
                on[a, r] = movable[a, r] = False
                on[a, r2] = movable[a, r2] = True
                load[r] -= 1
                load[r2] += 1
                moved = True


def _components(on: np.ndarray) -> tuple[int, np.ndarray]:
    """Connected components of the bipartite graph given as an S x J mask; the labels are
    for nodes 0..J-1 (jurors) then J..J+S-1 (submissions)."""
    n_sub, n_jur = on.shape
    a_idx, r_idx = np.nonzero(on)
    n = n_jur + n_sub
    graph = coo_matrix((np.ones(len(a_idx)), (r_idx, n_jur + a_idx)), shape=(n, n))
    return connected_components(graph, directed=False)


def _connect(on: np.ndarray, kept: np.ndarray, allowed: np.ndarray, rng: np.random.Generator,
             budget: int = 2000) -> None:
    """Merge components with load-preserving swaps of two new pairs from different components:
    (r1,a1),(r2,a2) -> (r1,a2),(r2,a1). The swap merges the two unless both removed edges were
    bridges, so (r1,a1) is taken from the largest component that has a cycle (edges ≥ nodes; a
    tree has only bridges), trying its new pairs in a seeded order, and a swap is kept only if
    the number of components drops. Without conflicts or kept pairs this always succeeds when
    connection is possible at all (Σk_a ≥ S + J − 1 leaves a cycle somewhere while the graph is
    split); `budget` bounds the component counts spent on it (what stays apart is reported by
    `islands()`)."""
    n_sub, n_jur = on.shape
    count, label = _components(on)
    while count > 1 and budget > 0:
        a_idx, r_idx = np.nonzero(on & ~kept)
        comp_of = label[r_idx]
        edges = np.bincount(label[n_jur + np.nonzero(on)[0]], minlength=count)
        nodes = np.bincount(label, minlength=count)
        cyclic = [c for c in np.argsort(-nodes, kind="stable") if edges[c] >= nodes[c]]
        if not cyclic:
            return
        mine = np.flatnonzero(comp_of == cyclic[0])
        theirs = np.flatnonzero(comp_of != cyclic[0])
        merged = False
        for i in rng.permutation(mine):
            a1, r1 = a_idx[i], r_idx[i]
            # a partner the swap is allowed with (r1 and a2 lie in different components, so
            # r1 is not on a2 yet, nor r2 on a1)
            ok = allowed[a_idx[theirs], r1] & allowed[a1, r_idx[theirs]]
            if not ok.any():
                continue
            j = theirs[rng.choice(np.flatnonzero(ok))]
            a2, r2 = a_idx[j], r_idx[j]
            on[a1, r1] = on[a2, r2] = False
            on[a2, r1] = on[a1, r2] = True
            after, after_label = _components(on)
            budget -= 1
            if after < count:
                count, label, merged = after, after_label, True
                break
            on[a2, r1] = on[a1, r2] = False            # undo: both were bridges
            on[a1, r1] = on[a2, r2] = True
            if budget <= 0:
                return
        if not merged:
            return


def islands(pairs: Collection[Pair]) -> list[tuple[frozenset[int], frozenset[int]]]:
    """Connected components of the juror–submission graph as (jurors, submissions), largest
    (most jurors + submissions) first, then by smallest submission id. One element means the
    jury is connected: every juror's standard can be compared with every other's."""
    pairs = set(pairs)
    if not pairs:
        return []
    jur = sorted({r for r, _ in pairs})
    subs = sorted({a for _, a in pairs})
    j_index = {r: i for i, r in enumerate(jur)}
    s_index = {a: i for i, a in enumerate(subs)}
    rows = [j_index[r] for r, _ in pairs]
    cols = [len(jur) + s_index[a] for _, a in pairs]
    n = len(jur) + len(subs)
    _, label = connected_components(coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n)),
                                    directed=False)
    groups: dict[int, tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))
    for i, r in enumerate(jur):
        groups[label[i]][0].add(r)
    for i, a in enumerate(subs):
        groups[label[len(jur) + i]][1].add(a)
    out = [(frozenset(j), frozenset(s)) for j, s in groups.values()]
    out.sort(key=lambda g: (-(len(g[0]) + len(g[1])), min(g[1])))
    return out
