"""Judging speed: assignment, every aggregation method and Crowd-BT at the issue's size, each
against a floor measured in the same run.

    .venv/bin/python benchmarks/judging.py [--reps 5] [--parts assignment,aggregation,pairwise]

Parts (one function each, returning rows for the table; `main` runs the chosen ones and prints
the table BENCHMARKS.md asks for: what, figure, baseline, ratio, target, met):
- assignment: 2,000 submissions × 200 jurors, k = 5, with 400 declared conflicts; then adding
  100 submissions to the kept pairs (the incremental case).
- aggregation: 10,000 reviews (those pairs) × 6 criteria of a 1–5 rubric with weights,
  from simulated jurors (quality + leniency + noise): criteria_score for every review, then
  raw_mean, z_scores and calibrated on the reviews, and blend. Target (issue #7): every
  aggregation < 2 s.
- pairwise: Crowd-BT over 300 submissions with 30 jurors, 3,000 comparisons, each juror's next
  item chosen by choose_next among all it has not seen (Gavel's rule: expected information
  gain over every candidate), then update; per-decision p50/p99 and the whole run.
The floor for assignment and aggregation: turning the same Review objects into numpy arrays and
a per-submission mean (np.bincount) plus a sort — the least any method must do with these
inputs. For pairwise: one update alone (what a decision costs without choosing). Figures are
medians of --reps runs (the host is shared and noisy; the ratios are what carry over).

Adding a part (e.g. the "100 concurrent jurors saving scores" run against the app): write a
function `part_name(opts) -> list[Row]` and add it to PARTS.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from judging import crowd_bt  # noqa: E402
from judging.assignment import assign, islands  # noqa: E402
from judging.scoring import (  # noqa: E402
    Criterion, Review, blend, calibrated, criteria_score, raw_mean, z_scores)

SUBMISSIONS, JURORS, K, CRITERIA = 2_000, 200, 5, 6
TARGET_S = 2.0
Row = tuple[str, str, str, str, str, str]
HEADER: Row = ("what", "figure", "baseline", "ratio", "target", "met")


def timed(fn: Callable, reps: int) -> tuple[float, object]:
    """Median wall time of `reps` calls, and the last result."""
    times, result = [], None
    for _ in range(reps):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def seconds(t: float) -> str:
    return f"{t * 1000:,.1f} ms" if t < 1 else f"{t:,.2f} s"


def floor(reviews: list[Review]) -> None:
    """The least any aggregation does: arrays from the reviews, a mean per submission, a sort."""
    sub = np.fromiter((r.submission for r in reviews), int, len(reviews))
    score = np.fromiter((r.score for r in reviews), float, len(reviews))
    mean = np.bincount(sub, score) / np.maximum(np.bincount(sub), 1)
    np.argsort(-mean)


def conflicts(rng: random.Random) -> set[tuple[int, int]]:
    return {(rng.randrange(JURORS), rng.randrange(SUBMISSIONS)) for _ in range(400)}


def part_assignment(opts) -> list[Row]:
    rng = random.Random(1)
    conf = conflicts(rng)
    t, pairs = timed(lambda: assign(range(SUBMISSIONS), range(JURORS), K, conflicts=conf,
                                    seed=7), opts.reps)
    loads = np.bincount([r for r, _ in pairs], minlength=JURORS)
    parts = len(islands(pairs))
    t_more, more = timed(lambda: assign(range(SUBMISSIONS + 100), range(JURORS), K,
                                        conflicts=conf, existing=pairs, seed=8), opts.reps)
    reviews = [Review(r, a, 0.5) for r, a in pairs]
    base, _ = timed(lambda: floor(reviews), opts.reps)
    print(f"assignment: {len(pairs):,} pairs, loads {loads.min()}–{loads.max()}, "
          f"{parts} island(s); +100 submissions: {len(more) - len(pairs):,} new pairs",
          file=sys.stderr)
    return [
        (f"assign {SUBMISSIONS:,} × {JURORS} jurors, k={K}, 400 conflicts", seconds(t),
         seconds(base), f"{t / base:,.0f}×", f"< {TARGET_S:g} s", "yes" if t < TARGET_S else "NO"),
        ("assign again with 100 more submissions (pairs kept)", seconds(t_more), seconds(base),
         f"{t_more / base:,.0f}×", f"< {TARGET_S:g} s", "yes" if t_more < TARGET_S else "NO"),
        ("assignment: juror loads min–max / islands", f"{loads.min()}–{loads.max()} / {parts}",
         "", "", "±1 / 1", "yes" if loads.max() - loads.min() <= 1 and parts == 1 else "NO"),
    ]


def simulated_reviews(seed: int = 3) -> tuple[list[dict[int, int]], list[tuple[int, int]],
                                              list[Criterion]]:
    rng = np.random.default_rng(seed)
    pairs = assign(range(SUBMISSIONS), range(JURORS), K, seed=seed)
    quality = rng.normal(3, 0.7, SUBMISSIONS)
    leniency = rng.normal(0, 0.4, JURORS)
    criteria = [Criterion(key=c, weight=float(w), minimum=1, maximum=5)
                for c, w in enumerate(rng.integers(1, 4, CRITERIA))]
    values = []
    for r, a in pairs:
        raw = quality[a] + leniency[r] + rng.normal(0, 0.6, CRITERIA)
        values.append({c: int(v) for c, v in enumerate(np.clip(np.rint(raw), 1, 5))})
    return values, pairs, criteria


def part_aggregation(opts) -> list[Row]:
    values, pairs, criteria = simulated_reviews()
    rng = np.random.default_rng(5)
    confidence = rng.choice([1 / 1.75 ** 2, 1.0, 1.75 ** 2], len(pairs))

    def make_reviews() -> list[Review]:
        return [Review(r, a, criteria_score(v, criteria), float(c))
                for (r, a), v, c in zip(pairs, values, confidence)]

    t_crit, reviews = timed(make_reviews, opts.reps)
    base, _ = timed(lambda: floor(reviews), opts.reps)
    rows: list[Row] = [(f"criteria_score × {len(reviews):,} reviews × {CRITERIA} criteria",
                        seconds(t_crit), seconds(base), f"{t_crit / base:,.0f}×",
                        f"< {TARGET_S:g} s", "yes" if t_crit < TARGET_S else "NO")]
    results = {}
    for name, method in (("mean", raw_mean), ("zscore", z_scores), ("calibrated", calibrated)):
        t, results[name] = timed(lambda m=method: m(reviews), opts.reps)
        rows.append((f"{name}: {len(reviews):,} reviews, {SUBMISSIONS:,} submissions, "
                     f"{JURORS} jurors", seconds(t), seconds(base), f"{t / base:,.0f}×",
                     f"< {TARGET_S:g} s", "yes" if t < TARGET_S else "NO"))
    votes = {a: int(n) for a, n in enumerate(rng.poisson(3, SUBMISSIONS))}
    t, _ = timed(lambda: blend(results["calibrated"], votes, 0.2), opts.reps)
    rows.append(("blend calibrated with 6,000 votes at 20 %", seconds(t), seconds(base),
                 f"{t / base:,.0f}×", f"< {TARGET_S:g} s", "yes" if t < TARGET_S else "NO"))
    tied = {n: sum(row.tied for row in r.rows) for n, r in results.items()}
    print("aggregation: rows flagged tied " + ", ".join(f"{n} {c:,}" for n, c in tied.items()),
          file=sys.stderr)
    return rows


def part_pairwise(opts) -> list[Row]:
    n_items, n_judges, comparisons = 300, 30, 3_000

    def run() -> list[float]:
        rng = random.Random(9)
        truth = {i: rng.gauss(0, 1) for i in range(n_items)}
        items = {i: crowd_bt.Item() for i in truth}
        judges = {j: crowd_bt.Annotator() for j in range(n_judges)}
        previous: dict[int, int | None] = dict.fromkeys(judges)
        seen: dict[int, set[int]] = {j: set() for j in judges}
        views = dict.fromkeys(truth, 0)
        busy: dict[int, int] = {}
        decisions = []
        for step in range(comparisons + n_judges):
            j = step % n_judges
            t0 = time.perf_counter()
            left = {i: items[i] for i in items if i not in seen[j]}
            p = previous[j]
            nxt = crowd_bt.choose_next(judges[j], items[p] if p is not None else None, left,
                                       rng, views=views, min_views=3,
                                       busy={i for k, i in busy.items() if k != j})
            if p is not None:
                says_p = rng.random() < 1 / (1 + np.exp(truth[nxt] - truth[p]))
                win, lose = (p, nxt) if says_p else (nxt, p)
                judges[j], items[win], items[lose] = crowd_bt.update(judges[j], items[win],
                                                                     items[lose])
                views[p] += 1
                views[nxt] += 1
            decisions.append(time.perf_counter() - t0)
            seen[j].add(nxt)
            previous[j] = nxt
            busy[j] = nxt
        return decisions

    t_run, decisions = timed(run, max(1, opts.reps // 2))
    item, judge = crowd_bt.Item(0.3, 0.5), crowd_bt.Annotator(12, 2)
    base, _ = timed(lambda: [crowd_bt.update(judge, item, item) for _ in range(1000)], opts.reps)
    base /= 1000
    p50 = statistics.median(decisions)
    p99 = sorted(decisions)[int(0.99 * len(decisions))]
    return [
        (f"Crowd-BT: {comparisons:,} comparisons, {n_items} items, {n_judges} jurors (run)",
         seconds(t_run), "", "", "", ""),
        ("Crowd-BT: one decision (choose_next + update), p50/p99",
         f"{p50 * 1000:.1f}/{p99 * 1000:.1f} ms", f"{base * 1e6:.0f} µs", f"{p50 / base:,.0f}×",
         "", ""),
    ]


def part_http(opts) -> list[Row]:
    """Score saves against the running app (benchmarks/judging_http.py prints its own table)."""
    from benchmarks import judging_http
    judging_http.main([])
    return []


PARTS: dict[str, Callable] = {"assignment": part_assignment, "aggregation": part_aggregation,
                              "pairwise": part_pairwise, "http": part_http}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--parts", default=",".join(PARTS),
                        help="comma-separated, from: " + ", ".join(PARTS))
    opts = parser.parse_args()
    rows: list[Row] = []
    for name in opts.parts.split(","):
        print(f"running {name} …", file=sys.stderr, flush=True)
        rows.extend(PARTS[name](opts))
    print()
    print(f"Samskapa judging benchmark, {time.strftime('%Y-%m-%d %H:%M')}: median of "
          f"{opts.reps} runs; {os.cpu_count()} cores; baseline = numpy floor (arrays from the "
          f"same reviews, mean per submission, sort) or, for Crowd-BT, one update")
    widths = [max(len(str(r[i])) for r in rows + [HEADER]) for i in range(6)]
    for row in [HEADER, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())


if __name__ == "__main__":
    main()
