"""Score saves against the running app: 100 jurors saving scores at once, on SQLite and on
PostgreSQL.

    .venv/bin/python benchmarks/judging_http.py [--rate 100] [--duration 10] [--db sqlite,postgres]

What it does (see ../shared/BENCHMARKS.md for why):
1. A fresh database built with the real migrations (`samskapa migrate`), seeded with bulk
   inserts: an event in its judging phase, a rubric of 6 criteria (scale 1-10), 300 eligible
   submissions, 100 jurors, each with a signed-in server-side session and 15 reviews (k = 5).
2. The app under uvicorn (1 worker, a subprocess), as `make run` serves it.
3. Open loop at a fixed offered rate (`--rate` requests/s, evenly spaced, latency counted from
   when each request was due): request i is juror i mod 100's autosave of one criterion, exactly
   as the page's htmx sends it (HX-Request, the CSRF token in X-CSRF-Token, one field). Every
   request changes a value (the same review and criterion come round again only with another
   value), so every answered save must be one Score written and one ScoreChange row.
4. Closed loop, for information: the 100 jurors each saving as fast as they get answers, for
   the saturation throughput.
5. Afterwards it reads the database: ScoreChange rows against saves sent and answered 200, and
   every (review, criterion)'s stored value against the last value sent. Equal is the target;
   so is p99 < 150 ms at the offered rate.

Only 127.0.0.1 is ever sent traffic; every load run is bounded by --duration.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.web import ServerProcess, log, session_cookie  # noqa: E402

JURORS = 100
SUBMISSIONS = 300
K = 5
CRITERIA = 6
SCALE = (1, 10)
SLUG = "bench-judging"
TARGET_P99_MS = 150.0


def session_key(user_id: int) -> str:
    return f"bench-juror-session-{user_id}"


async def seed(database_url: str, now: datetime) -> dict:
    """Returns each juror's (user id, csrf token, [review ids]) and the criterion ids."""
    from tortoise import Tortoise

    from events.models import Event, EventKind, EventRole, Role
    from teams.models import Team
    from judging.models import Assignment, Criterion, Rubric
    from samskapa import db
    from samskapa.auth.models import User, UserSession
    from samskapa.auth.passwords import token_hash
    from submissions.models import Eligibility, Submission

    await db.init_db(database_url)
    try:
        event = await Event.create(
            slug=SLUG, title="Benchmark: bedömning", kind=EventKind.HACKATHON, published=True,
            registration_opens=now - timedelta(days=5), registration_closes=now - timedelta(days=4),
            hacking_starts=now - timedelta(days=3), submissions_close=now - timedelta(hours=1),
            judging_closes=now + timedelta(days=2), results_published=now + timedelta(days=3))
        rubric = await Rubric.create(event=event)
        criteria = [await Criterion.create(rubric=rubric, position=i, name=f"Kriterium {i + 1}",
                                           scale_min=SCALE[0], scale_max=SCALE[1])
                    for i in range(CRITERIA)]
        await User.bulk_create([User(id=i + 1, email=f"j{i:03d}@bench.samskapa.se",
                                     display_name=f"Jurymedlem {i:03d}")
                                for i in range(JURORS)])
        await UserSession.bulk_create([UserSession(user_id=i + 1,
                                                   key_hash=token_hash(session_key(i + 1)),
                                                   last_seen_at=now) for i in range(JURORS)])
        await EventRole.bulk_create([EventRole(event_id=event.id, user_id=i + 1, role=Role.JURY)
                                     for i in range(JURORS)])
        await Team.bulk_create([Team(id=t + 1, event_id=event.id, name=f"Lag {t:03d}",
                                     name_key=f"lag {t:03d}", join_code=f"BJ{t:04d}",
                                     member_count=0) for t in range(SUBMISSIONS)])
        await Submission.bulk_create([Submission(id=s + 1, event_id=event.id, team_id=s + 1,
                                                 title=f"Bidrag {s:03d}",
                                                 eligibility=Eligibility.ELIGIBLE)
                                      for s in range(SUBMISSIONS)])
        # k = 5 reviews per submission, 15 per juror: submission s goes to jurors s, s+1, ...
        # (mod 100) shifted by a stride, so jurors share submissions with many others.
        pairs = [((s + 20 * r) % JURORS + 1, s + 1) for s in range(SUBMISSIONS) for r in range(K)]
        await Assignment.bulk_create([Assignment(id=i + 1, event_id=event.id, juror_id=j,
                                                 submission_id=s)
                                      for i, (j, s) in enumerate(pairs)])
        reviews: dict[int, list[int]] = {}
        for i, (j, _s) in enumerate(pairs):
            reviews.setdefault(j, []).append(i + 1)
        return {"jurors": [(j, secrets.token_urlsafe(24), reviews[j]) for j in sorted(reviews)],
                "criteria": [c.id for c in criteria]}
    finally:
        await Tortoise.close_connections()


async def read_back(database_url: str) -> tuple[int, dict[tuple[int, int], int]]:
    from tortoise import Tortoise

    from judging.models import Score, ScoreChange
    from samskapa import db

    await db.init_db(database_url)
    try:
        changes = await ScoreChange.filter(what__startswith="criterion:").count()
        stored = {(a, c): v for a, c, v in await Score.all().values_list(
            "assignment_id", "criterion_id", "value")}
        return changes, stored
    finally:
        await Tortoise.close_connections()


class Plan:
    """Request n of juror j: one of their reviews, one criterion, a value that differs from
    the one sent the previous time for that review and criterion."""

    def __init__(self, world: dict, secret: str) -> None:
        self.world = world
        self.criteria = world["criteria"]
        self.counters = [0] * len(world["jurors"])
        self.headers = []
        for user_id, csrf, _reviews in world["jurors"]:
            cookie = session_cookie(secret, {"sid": session_key(user_id), "csrf": csrf})
            self.headers.append({"Cookie": f"samskapa_session={cookie}", "HX-Request": "true",
                                 "X-CSRF-Token": csrf,
                                 "Content-Type": "application/x-www-form-urlencoded"})
        self.last: dict[tuple[int, int], int] = {}

    def next(self, juror: int) -> tuple[str, bytes, dict, tuple[int, int], int]:
        n = self.counters[juror]
        self.counters[juror] += 1
        reviews = self.world["jurors"][juror][2]
        review = reviews[n % len(reviews)]
        round_ = n // len(reviews)
        criterion = self.criteria[round_ % len(self.criteria)]
        value = SCALE[0] + (round_ // len(self.criteria)) % (SCALE[1] - SCALE[0] + 1)
        path = f"/events/{SLUG}/jury/reviews/{review}"
        return path, f"criterion_{criterion}={value}".encode(), self.headers[juror], \
            (review, criterion), value


async def load(base: str, plan: Plan, duration: float, rate: float | None) -> dict:
    """Open loop at `rate` (evenly spaced, juror = i mod 100), or closed loop (rate None: each
    juror sends its next save when the last is answered)."""
    import httpx

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    sent = 0
    limits = httpx.Limits(max_connections=JURORS, max_keepalive_connections=JURORS)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        async def save(juror: int, due: float) -> None:
            nonlocal sent
            path, body, headers, key, value = plan.next(juror)
            sent += 1
            try:
                response = await client.post(path, content=body, headers=headers)
            except httpx.HTTPError as exc:  # counted: a save that got no answer is not saved
                name = type(exc).__name__
                statuses[name] = statuses.get(name, 0) + 1
                return
            latencies.append(time.perf_counter() - due)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code == 200:
                plan.last[key] = value

        start = time.perf_counter() + 0.2
        if rate is not None:
            async def due_at(i: int) -> None:
                due = start + i / rate
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                await save(i % JURORS, due)
            # Requests of one juror never overlap in practice (100 apart at the offered rate);
            # httpx's pool has one connection per juror.
            await asyncio.gather(*(due_at(i) for i in range(int(duration * rate))))
        else:
            end = start + duration

            async def juror_loop(j: int) -> None:
                await asyncio.sleep(max(0.0, start - time.perf_counter()))
                while time.perf_counter() < end:
                    await save(j, time.perf_counter())
            await asyncio.gather(*(juror_loop(j) for j in range(JURORS)))
        elapsed = time.perf_counter() - start
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    return {"sent": sent, "statuses": statuses, "rps": len(latencies) / elapsed,
            "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99)}


def fresh_postgres(url: str) -> tuple[str, callable]:
    from tests.conftest import _fresh_postgres_database
    return _fresh_postgres_database(url)


def run_one(kind: str, opts) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"samskapa-bench-judging-{kind}-"))
    drop = None
    if kind == "postgres":
        database_url, drop = fresh_postgres(opts.postgres_url)
    else:
        database_url = f"sqlite://{workdir / 'bench.db'}"
    secret = secrets.token_urlsafe(32)
    env = {**os.environ, "SAMSKAPA_DATA_DIR": str(workdir), "DATABASE_URL": database_url,
           "SECRET_KEY": secret, "PYTHONUNBUFFERED": "1"}
    server = None
    try:
        log(f"[{kind}] migrating a fresh database")
        subprocess.run([sys.executable, "-m", "samskapa.cli", "migrate"], env=env, cwd=ROOT,
                       check=True, capture_output=True)
        world = asyncio.run(seed(database_url, datetime.now(timezone.utc)))
        server = ServerProcess(f"app-{kind}", "samskapa.asgi:app", env, workdir)
        plan = Plan(world, secret)
        warm = asyncio.run(load(server.base, plan, 2, 50))  # warm-up (in the totals too)
        log(f"[{kind}] open loop at {opts.rate:.0f} saves/s for {opts.duration} s")
        fixed = asyncio.run(load(server.base, plan, opts.duration, opts.rate))
        log(f"[{kind}] closed loop, {JURORS} jurors, {opts.duration} s")
        saturated = asyncio.run(load(server.base, plan, opts.duration, None))
        server.stop()
        server = None
        changes, stored = asyncio.run(read_back(database_url))
        mismatched = sum(1 for key, value in plan.last.items() if stored.get(key) != value)
        return {"kind": kind, "fixed": fixed, "saturated": saturated,
                "sent": sum(plan.counters),  # every save sent, warm-up included
                "ok": sum(run["statuses"].get(200, 0) for run in (warm, fixed, saturated)),
                "changes": changes, "pairs": len(plan.last), "mismatched": mismatched}
    finally:
        if server is not None:
            server.stop()
        if drop is not None:
            drop()


def report(results: list[dict], rate: float) -> None:
    print(f"\nScore saves: {JURORS} jurors, {SUBMISSIONS} submissions × k={K}, "
          f"{CRITERIA} criteria; htmx autosave POSTs, uvicorn 1 worker")
    print(f"{'database':10} {'what':32} {'figure':>14} {'target':>10} met")
    for r in results:
        fixed, sat = r["fixed"], r["saturated"]
        rows = [
            ("offered rate (open loop)", f"{rate:.0f}/s", "", ""),
            ("achieved", f"{fixed['rps']:.1f}/s", "", ""),
            ("p50 / p95", f"{fixed['p50_ms']:.1f}/{fixed['p95_ms']:.1f} ms", "", ""),
            ("p99", f"{fixed['p99_ms']:.1f} ms", f"< {TARGET_P99_MS:.0f} ms",
             "yes" if fixed["p99_ms"] < TARGET_P99_MS else "NO"),
            (f"saturation (closed loop, {JURORS})", f"{sat['rps']:.1f}/s", "", ""),
            ("p50 / p99 at saturation", f"{sat['p50_ms']:.0f}/{sat['p99_ms']:.0f} ms", "", ""),
            ("answers (open / closed loop)", f"{fixed['statuses']} / {sat['statuses']}", "", ""),
            ("saves sent (all runs)", f"{r['sent']}", "", ""),
            ("answered 200", f"{r['ok']}", "= sent", "yes" if r["ok"] == r["sent"] else "NO"),
            ("ScoreChange rows written", f"{r['changes']}", "= sent",
             "yes" if r["changes"] == r["sent"] else "NO"),
            ("stored value ≠ last sent", f"{r['mismatched']} of {r['pairs']}", "0",
             "yes" if r["mismatched"] == 0 else "NO"),
        ]
        for what, figure, target, met in rows:
            print(f"{r['kind']:10} {what:32} {figure:>14} {target:>10} {met}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=50.0,
                        help="offered saves per second in the open-loop run (50: each of the "
                             "100 jurors saving a field every 2 s, a brisk juror)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per load run")
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite, postgres or both")
    parser.add_argument("--postgres-url",
                        default=os.environ.get("BENCH_POSTGRES_URL",
                                               "postgres://postgres@127.0.0.1:5432/test"))
    opts = parser.parse_args(argv)
    kinds = [kind.strip() for kind in opts.db.split(",") if kind.strip()]
    if len(kinds) > 1:
        # One process per database: Tortoise keeps the first database's SQL dialect for the
        # process.
        for kind in kinds:
            subprocess.run([sys.executable, __file__, "--db", kind, "--rate", str(opts.rate),
                            "--duration", str(opts.duration), "--postgres-url",
                            opts.postgres_url], check=True)
        return
    report([run_one(kinds[0], opts)], opts.rate)


if __name__ == "__main__":
    main()
