"""Web speed: the public challenge list (unfiltered and filtered), an event page and the team-join
POST, against a bare Starlette + Jinja baseline measured in the same run.

    .venv/bin/python benchmarks/web.py [--reps 3] [--duration 10] [--schema migrations|models]

What it does (see ../shared/BENCHMARKS.md for why):
1. Seeds a fresh SQLite database, built with the real migrations, with bulk inserts: 50 events
   (3 themes each), 1,000 challenges (organisations, 1-2 themes, 2 datasets each), 5,000
   participants and 1,500 teams.
2. Serves the app with uvicorn (a subprocess, 1 worker) and, as the baseline, a bare Starlette app
   (benchmarks/baseline_app.py) rendering a static Jinja template made from the real challenge
   list page's HTML, under the same uvicorn settings.
   Pages measured: the challenge list of an event with 50 challenges, the same filtered by theme
   + text, the event page (anonymous visitors: the app may serve these from its public page
   cache), and the challenge list for a signed-in participant (never cached: rendered each
   time).
3. Throughput: `wrk -t2 -c100` closed loop for `--duration` seconds, median of `--reps` runs,
   interleaved baseline/app so drift hits both alike.
4. Latency: `hey -z <duration> -c 50 -q <rate/50>` open loop at a fixed offered rate = half the
   baseline's saturation throughput (p50/p95/p99); for information also at half each page's own
   saturation throughput with evenly spaced arrivals (a small asyncio client: hey's 50 workers
   tick in step and at such low rates send bursts of 50), and at saturation (from wrk).
5. Team join: 100 connections POST join codes, each request as a distinct signed-in participant
   (a server-side session seeded for each, and its cookie signed with the server's secret
   exactly as Starlette's SessionMiddleware signs it, each with its own CSRF token), rotating through 4,200 participants; a tenth of
   them aim at three "hot" teams that fill up, the rest spread over 492 teams. Then an exact race:
   300 more participants, 100 at a time, for the 35 free seats of 5 teams, every answer read
   (wrk drops the answers to requests in flight when it stops). Afterwards it counts TeamMember
   rows per team and compares them with Team.member_count and with the successful responses:
   zero lost or duplicated memberships is the target.

Only 127.0.0.1 is ever sent traffic; every load run is bounded by --duration.
Installs wrk and hey from Debian when absent (apt-get).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from base64 import b64encode
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

N_EVENTS = 50
N_CHALLENGES = 1000
N_PARTICIPANTS = 5000
N_TEAMS = 1500
N_ORGANISATIONS = 20
MAIN_CHALLENGES = 50       # the measured challenge list: one event with 50 challenges
JOIN_TEAMS = 500           # teams in the join event (one leader each)
JOIN_MAX_TEAM_SIZE = 8
HOT_TEAMS = 3              # a tenth of the joins aim here (21 seats): they fill up and refuse
RACE_TEAMS = 5             # after the wrk run, RACE_USERS race for these teams' seats
RACE_USERS = 300
WORKERS = 1
OPEN_LOOP_MAX_RATE = 300   # req/s the even-paced asyncio client is trusted with
PASSWORD = "bench-password"

MAIN_SLUG = "bench-hack"
JOIN_SLUG = "bench-join"
# The routes measured (as the events, challenges and teams packages define them).
CHALLENGE_LIST = "/events/{slug}/challenges"
CHALLENGE_FILTER = "?theme={theme}&q={q}"
EVENT_PAGE = "/events/{slug}"
TEAM_JOIN = "/events/{slug}/join"
JOIN_FIELD = "code"
JOIN_SUCCESS = {303}       # a real form post (no HX-Request): See Other to the team page

THEMES = [("miljo", "Miljömässig hållbarhet", "Environmental sustainability"),
          ("mobilitet", "Mobilitet", "Mobility"),
          ("stadskarna", "Attraktiv och hållbar stadskärna",
           "An attractive and sustainable city centre")]
WORDS = ["cykel", "park", "buss", "skola", "energi", "vatten", "data", "karta", "trygghet",
         "skyfall", "värme", "träd", "torg", "handel", "bostad", "avfall", "buller", "ljus"]
SIGNED_IN_LIST = "challenge list, signed in (no cache)"
FILTER_Q = "skyfall"  # with theme "miljo": 6 of the 50 challenges


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Tools


def ensure_tools() -> None:
    missing = [tool for tool in ("wrk", "hey") if shutil.which(tool) is None]
    if not missing:
        return
    log(f"Installing {' '.join(missing)} from Debian")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", *missing], check=True, env=env)


# ---------------------------------------------------------------------------------------------
# Seeding (bulk inserts with explicit ids)


def _batches(items: list, size: int = 1000):
    for i in range(0, len(items), size):
        yield items[i:i + size]


async def seed(database_url: str, now: datetime, generate_schema: bool = False) -> dict:
    from tortoise import Tortoise

    from challenges.models import Challenge, Dataset, Organisation, Theme
    from events.models import Event, EventKind, EventRole, Role
    from teams.models import Team, TeamMember
    from samskapa import db
    from samskapa.auth.models import User, UserSession
    from samskapa.auth.passwords import UNAMBIGUOUS_ALPHABET, make_password_hash, token_hash

    await db.init_db(database_url)
    if generate_schema:
        await Tortoise.generate_schemas()
    try:
        async def bulk(model, objects: list) -> None:
            for batch in _batches(objects):
                await model.bulk_create(batch)

        # One hash for all: argon2 is slow on purpose.
        password_hash = await make_password_hash(PASSWORD)
        users = [User(id=i + 1, email=f"p{i:05d}@bench.samskapa.se", password_hash=password_hash,
                      display_name=f"Deltagare {i:05d}") for i in range(N_PARTICIPANTS)]
        await bulk(User, users)
        user_ids = [u.id for u in users]
        # Everyone signed in: the server keeps the sessions (samskapa/auth/sessions.py), the
        # cookie only names one (see session_cookie).
        await bulk(UserSession, [UserSession(user_id=u, key_hash=token_hash(session_key(u)),
                                             last_seen_at=now) for u in user_ids])

        organisations = [Organisation(id=i + 1, name=f"Förvaltning {i + 1:02d}",
                                      website=f"https://example.se/forvaltning-{i + 1}")
                         for i in range(N_ORGANISATIONS)]
        await bulk(Organisation, organisations)

        events, themes = [], []
        for e in range(N_EVENTS):
            slug = MAIN_SLUG if e == 0 else JOIN_SLUG if e == 1 else f"bench-event-{e:02d}"
            start = now + timedelta(days=10 + e)
            events.append(Event(
                id=e + 1, slug=slug, title=f"Benchmark-hackathon {e:02d}",
                summary="Ett evenemang för att mäta hastighet.",
                description="**Benchmark**: ett evenemang med många utmaningar och lag.\n\n"
                            + "Text om evenemanget. " * 40,
                venue="Södertälje Science Park", kind=EventKind.HACKATHON, published=True,
                max_team_size=JOIN_MAX_TEAM_SIZE if e == 1 else 5,
                registration_opens=now - timedelta(days=5), registration_closes=start,
                hacking_starts=start + timedelta(hours=1),
                submissions_close=start + timedelta(days=1),
                judging_closes=start + timedelta(days=2),
                results_published=start + timedelta(days=3)))
            for t, (tslug, sv, en) in enumerate(THEMES):
                themes.append(Theme(id=e * len(THEMES) + t + 1, event_id=e + 1, slug=tslug,
                                    name_sv=sv, name_en=en))
        await bulk(Event, events)
        await bulk(Theme, themes)

        # Challenges: 50 in the measured event, the other 950 spread over the rest.
        challenges, datasets, links = [], [], []
        per_event = [MAIN_CHALLENGES] + [0] * (N_EVENTS - 1)
        for i in range(N_CHALLENGES - MAIN_CHALLENGES):
            per_event[1 + i % (N_EVENTS - 1)] += 1
        cid = 0
        for e, count in enumerate(per_event):
            for k in range(count):
                cid += 1
                org = organisations[cid % N_ORGANISATIONS]
                w1, w2 = WORDS[cid % len(WORDS)], WORDS[(cid * 7 + 3) % len(WORDS)]
                title = f"Utmaning {cid:04d}: {w1} och {w2} i staden"
                summary = (f"Hur kan öppna data om {w1} och {w2} göra Södertälje bättre för "
                           f"invånarna? En utmaning från {org.name}.")
                challenges.append(Challenge(
                    id=cid, event_id=e + 1, slug=f"utmaning-{cid:04d}", title=title,
                    summary=summary,
                    description="Bakgrund och frågeställning. " * 30,
                    expected_outcome="En prototyp eller analys.", organisation_id=org.id,
                    contact_name="Kontakt Person", contact_email="kontakt@example.se",
                    published=True, search_text=Challenge.make_search_text(title, summary, org.name)))
                first = e * len(THEMES) + cid % len(THEMES) + 1
                links.append((cid, first))
                if cid % 2:
                    links.append((cid, e * len(THEMES) + (cid + 1) % len(THEMES) + 1))
                for d in range(2):
                    datasets.append(Dataset(
                        id=len(datasets) + 1, challenge_id=cid, title=f"Datamängd {d + 1} om {w1}",
                        url=f"https://example.se/data/{cid}/{d}", licence="CC0",
                        format=["CSV", "GeoJSON"][d]))
        await bulk(Challenge, challenges)
        await bulk(Dataset, datasets)
        m2m = Challenge._meta.fields_map["themes"]
        conn = Tortoise.get_connection("default")
        for batch in _batches(links):
            await conn.execute_many(
                f'INSERT INTO "{m2m.through}" ("{m2m.backward_key}", "{m2m.forward_key}") '
                "VALUES (?, ?)", [list(row) for row in batch])

        # Teams: 500 in the join event (one leader each, room for 7 more), the other 1,000 over
        # the other 48 events that are not the join event, 2-4 members each.
        def code(n: int) -> str:
            chars = []
            for _ in range(6):
                n, r = divmod(n, len(UNAMBIGUOUS_ALPHABET))
                chars.append(UNAMBIGUOUS_ALPHABET[r])
            return "".join(reversed(chars))

        rng_codes = secrets.SystemRandom().sample(range(len(UNAMBIGUOUS_ALPHABET) ** 6), N_TEAMS)
        teams, members, roles = [], [], []
        for t in range(JOIN_TEAMS):
            leader = user_ids[t]
            teams.append(Team(id=t + 1, event_id=2, name=f"Lag {t:04d}",
                              name_key=f"lag {t:04d}", join_code=code(rng_codes[t]),
                              leader_id=leader, member_count=1,
                              challenge_id=None, looking_for="Alla är välkomna"))
            members.append(TeamMember(id=len(members) + 1, team_id=t + 1, event_id=2,
                                      user_id=leader))
        for u in user_ids:  # everyone is registered as a participant of the join event
            roles.append(EventRole(id=len(roles) + 1, event_id=2, user_id=u,
                                   role=Role.PARTICIPANT))
        other_events = [e + 1 for e in range(N_EVENTS) if e != 1]
        event_challenges = {}
        for c in challenges:
            event_challenges.setdefault(c.event_id, []).append(c.id)
        cursor = {}
        for t in range(JOIN_TEAMS, N_TEAMS):
            k = t - JOIN_TEAMS
            event_id = other_events[k % len(other_events)]
            size = 2 + k % 3
            start = cursor.get(event_id, 0)
            team_users = user_ids[start:start + size]
            cursor[event_id] = start + size
            teams.append(Team(id=t + 1, event_id=event_id, name=f"Lag {t:04d}",
                              name_key=f"lag {t:04d}",  # bulk_create skips Team.save()
                              join_code=code(rng_codes[t]), leader_id=team_users[0],
                              member_count=len(team_users),
                              challenge_id=event_challenges[event_id][k % len(
                                  event_challenges[event_id])], looking_for=""))
            for u in team_users:
                members.append(TeamMember(id=len(members) + 1, team_id=t + 1,
                                          event_id=event_id, user_id=u))
                roles.append(EventRole(id=len(roles) + 1, event_id=event_id, user_id=u,
                                       role=Role.PARTICIPANT))
        await bulk(Team, teams)
        await bulk(TeamMember, members)
        await bulk(EventRole, roles)

        counts = {
            "events": await Event.all().count(), "themes": await Theme.all().count(),
            "organisations": await Organisation.all().count(),
            "challenges": await Challenge.all().count(), "datasets": await Dataset.all().count(),
            "participants": await User.all().count(), "teams": await Team.all().count(),
            "team members": await TeamMember.all().count(),
        }
        join_codes = {t.id: t.join_code for t in teams[:JOIN_TEAMS]}
        return {"counts": counts, "join_codes": join_codes,
                "join_pool": user_ids[JOIN_TEAMS:], "theme": THEMES[0][0]}
    finally:
        await db.close_db()


async def count_memberships(database_url: str) -> dict:
    """The join event's teams as stored: TeamMember rows and member_count per team."""
    from tortoise.functions import Count

    from teams.models import Team, TeamMember
    from samskapa import db

    await db.init_db(database_url)
    try:
        teams = await Team.filter(event__slug=JOIN_SLUG).annotate(
            rows=Count("members")).values("id", "member_count", "rows")
        members = await TeamMember.filter(event__slug=JOIN_SLUG).values_list("user_id", flat=True)
        return {"teams": {t["id"]: (t["rows"], t["member_count"]) for t in teams},
                "member_rows": len(members), "distinct_users": len(set(members))}
    finally:
        await db.close_db()


def classify_join(status: int, body: str) -> str:
    lower = body.lower()
    if status in JOIN_SUCCESS:
        return str(status)
    if "this team is full" in lower:
        return f"{status} full"
    if "already in a team" in lower:
        return f"{status} already in a team"
    return str(status)


async def race(base: str, path: str, entries: list[str], concurrency: int = 100) -> dict:
    """Every entry POSTs once, `concurrency` at a time, and every answer is read: the exact
    count of successes to compare with the rows (wrk cannot give it: it drops the answers to
    requests in flight when it stops)."""
    import httpx

    statuses: dict[str, int] = {}
    transport = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=concurrency))
    gate = asyncio.Semaphore(concurrency)

    async def one(entry: str) -> None:
        cookie, body = entry.split(" ")
        request = httpx.Request("POST", base + path, content=body.encode(), headers={
            "Cookie": f"samskapa_session={cookie}; lang=en",
            "Content-Type": "application/x-www-form-urlencoded"})
        async with gate:
            response = await transport.handle_async_request(request)
            text = (await response.aread()).decode("utf-8", "replace")
            await response.aclose()
        key = classify_join(response.status_code, text)
        statuses[key] = statuses.get(key, 0) + 1

    t0 = time.perf_counter()
    async with transport:
        await asyncio.wait_for(asyncio.gather(*(one(e) for e in entries)), timeout=120)
    return {"statuses": statuses, "seconds": time.perf_counter() - t0}


# ---------------------------------------------------------------------------------------------
# Sessions signed like Starlette's SessionMiddleware


def session_key(user_id: int) -> str:
    return f"bench-session-{user_id}"


def session_cookie(secret: str, session: dict) -> str:
    from itsdangerous import TimestampSigner

    data = b64encode(json.dumps(session).encode("utf-8"))
    return TimestampSigner(str(secret)).sign(data).decode("utf-8")


# ---------------------------------------------------------------------------------------------
# Servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def uvicorn_args(app: str, port: int) -> list[str]:
    return [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(WORKERS), "--log-level", "warning", "--no-access-log"]


class ServerProcess:
    def __init__(self, name: str, app: str, env: dict, log_dir: Path) -> None:
        self.name = name
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"{name}.log"
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(uvicorn_args(app, self.port), env=env, cwd=ROOT,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"{name} server exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.base + "/", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"{name} server did not answer in 30 s")
                time.sleep(0.1)

    def get(self, path: str, headers: dict | None = None) -> tuple[int, str]:
        request = urllib.request.Request(self.base + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# ---------------------------------------------------------------------------------------------
# Load generators

STATS_LUA = r"""
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  statuses = {}
  received = 0
  n = 0
  %(init)s
end
%(request)s
function response(status, headers, body)
  received = received + 1
  local key = tostring(status)
  %(classify)s
  statuses[key] = (statuses[key] or 0) + 1
end
function done(summary, latency, requests)
  local counts = {}
  local issued, got = 0, 0
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do counts[k] = (counts[k] or 0) + v end
    issued = issued + (t:get("n") or 0)
    got = got + (t:get("received") or 0)
  end
  local parts = {}
  for k, v in pairs(counts) do table.insert(parts, string.format('"%%s": %%d', k, v)) end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, ' ..
    '"p99_us": %%d, "socket_errors": %%d, "timeouts": %%d, "issued": %%d, "received": %%d, ' ..
    '"statuses": {%%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect + e.read + e.write, e.timeout, issued, got,
    table.concat(parts, ", ")))
end
"""

JOIN_INIT = r"""
  entries = {}
  local f = assert(io.open(args[1] .. "." .. tid, "r"))
  for line in f:lines() do table.insert(entries, line) end
  f:close()
"""
JOIN_REQUEST = r"""
function request()
  n = n + 1
  local cookie, body = entries[((n - 1) %% #entries) + 1]:match("^(%%S+) (%%S+)$")
  return wrk.format("POST", "%(path)s", {
    ["Cookie"] = "samskapa_session=" .. cookie .. "; lang=en",
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end
"""
# A refused join says why; classify the refusals by the English message (lang=en cookie).
JOIN_CLASSIFY = r"""
  if status ~= 303 and body then
    local lower = string.lower(body)
    if string.find(lower, "this team is full", 1, true) then key = key .. " full"
    elseif string.find(lower, "already in a team", 1, true) then key = key .. " already in a team"
    end
  end
"""


def header_args(headers: dict | None) -> list[str]:
    return [arg for k, v in (headers or {}).items() for arg in ("-H", f"{k}: {v}")]


def wrk(url: str, duration: int, workdir: Path, *, init: str = "", request: str = "",
        classify: str = "", args: list[str] | None = None, connections: int = 100,
        headers: dict | None = None) -> dict:
    script = workdir / f"wrk-{secrets.token_hex(4)}.lua"
    script.write_text(STATS_LUA % {"init": init, "request": request, "classify": classify})
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s",
           str(script), *header_args(headers), url]
    if args:
        cmd += ["--", *args]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    match = re.search(r"^WRKJSON (.*)$", out.stdout, re.M)
    if out.returncode != 0 or not match:
        raise SystemExit(f"wrk failed:\n{out.stdout}\n{out.stderr}")
    data = json.loads(match.group(1))
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    return data


def hey(url: str, duration: int, rate: float, workers: int = 50,
        headers: dict | None = None) -> dict:
    cmd = ["hey", "-z", f"{duration}s", "-c", str(workers), "-q", f"{rate / workers:.3f}",
           *header_args(headers),
           "-t", "10", url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    text = out.stdout
    if out.returncode != 0:
        raise SystemExit(f"hey failed:\n{text}\n{out.stderr}")

    def pct(p: int) -> float:
        m = re.search(rf"^\s*{p}% in ([0-9.]+) secs", text, re.M)
        return float(m.group(1)) * 1000 if m else float("nan")

    rps = re.search(r"Requests/sec:\s*([0-9.]+)", text)
    statuses = dict(re.findall(r"\[(\d+)\]\s+(\d+) responses", text))
    return {"rps": float(rps.group(1)) if rps else float("nan"), "p50_ms": pct(50),
            "p95_ms": pct(95), "p99_ms": pct(99), "statuses": statuses}


def open_loop(url: str, duration: int, rate: float, headers: dict | None = None) -> dict:
    """Evenly spaced arrivals at `rate` req/s for `duration` s, each request on its own schedule
    (latency counted from when it was due, so a late start counts against the server). For
    modest rates only: hey's workers tick in step, so at a low rate with -c 50 it sends bursts
    of 50 and measures the burst's queue; this does not."""
    import httpx

    async def run() -> tuple[list[float], dict[str, int]]:
        latencies: list[float] = []
        statuses: dict[str, int] = {}
        transport = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=200))
        # Never more requests queued in the connection pool than it has connections (its queue
        # handling grows quadratically); a request that has to wait here is late, and counted so.
        gate = asyncio.Semaphore(200)

        async def one(due: float) -> None:
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            async with gate:
                response = await transport.handle_async_request(httpx.Request("GET", url, headers=headers))
                await response.aread()
                await response.aclose()
            latencies.append(time.perf_counter() - due)
            statuses[str(response.status_code)] = statuses.get(str(response.status_code), 0) + 1

        start = time.perf_counter() + 0.2
        async with transport:
            await asyncio.wait_for(asyncio.gather(*(
                one(start + i / rate) for i in range(int(duration * rate)))),
                timeout=duration + 60)
        return latencies, statuses

    latencies, statuses = asyncio.run(run())
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    return {"p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99), "statuses": statuses}


# ---------------------------------------------------------------------------------------------
# The run


def join_entries(secret: str, codes: dict[int, str], users: list[int],
                 team_for) -> list[str]:
    """One line per participant: a session cookie signed like Starlette's (user + CSRF token)
    and the form body with that token and the join code of `team_for(index)`."""
    entries = []
    for j, user_id in enumerate(users):
        csrf = secrets.token_urlsafe(32)
        cookie = session_cookie(secret, {"sid": session_key(user_id), "csrf": csrf})
        entries.append(f"{cookie} {JOIN_FIELD}={codes[team_for(j)]}&csrf_token={csrf}")
    return entries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=3, help="throughput repetitions (median)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per load run")
    parser.add_argument("--schema", choices=["migrations", "models"], default="migrations",
                        help="build the schema with the real migrations (default) or straight "
                             "from the models (to measure before migrations are regenerated)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    opts = parser.parse_args()

    ensure_tools()
    workdir = Path(tempfile.mkdtemp(prefix="samskapa-bench-"))
    database_url = f"sqlite://{workdir / 'bench.db'}"
    secret = secrets.token_urlsafe(32)
    env = {**os.environ, "SAMSKAPA_DATA_DIR": str(workdir), "DATABASE_URL": database_url,
           "SECRET_KEY": secret, "PYTHONUNBUFFERED": "1"}
    servers: list[ServerProcess] = []
    try:
        if opts.schema == "migrations":
            log(f"Migrating a fresh database in {workdir}")
            subprocess.run([sys.executable, "-m", "samskapa.cli", "migrate"], env=env, cwd=ROOT,
                           check=True, capture_output=True)
        t0 = time.perf_counter()
        info = asyncio.run(seed(database_url, datetime.now(timezone.utc),
                                generate_schema=opts.schema == "models"))
        log(f"Seeded in {time.perf_counter() - t0:.1f} s: "
            + ", ".join(f"{v:,} {k}" for k, v in info["counts"].items()))

        app = ServerProcess("app", "samskapa.asgi:app", env, workdir)
        servers.append(app)
        list_path = CHALLENGE_LIST.format(slug=MAIN_SLUG)
        targets = {
            "challenge list": list_path,
            "challenge list, filtered": list_path + CHALLENGE_FILTER.format(theme=info["theme"],
                                                                           q=FILTER_Q),
            "event page": EVENT_PAGE.format(slug=MAIN_SLUG),
            # Signed-in visitors see personal things, so their pages are never served from the
            # public page cache: this is the list as rendered on every request.
            SIGNED_IN_LIST: list_path,
        }
        signed_in = {"Cookie": "samskapa_session=" + session_cookie(
            secret, {"sid": session_key(info["join_pool"][0]), "csrf": secrets.token_urlsafe(32)})}
        headers_of = {SIGNED_IN_LIST: signed_in}
        pages = {}
        for name, path in targets.items():
            status, html = app.get(path, headers_of.get(name))
            if status != 200:
                raise SystemExit(f"{name} {path} answered {status}:\n{html[:2000]}")
            pages[name] = html
        if 'action="/logout"' not in pages[SIGNED_IN_LIST]:  # else it measures an anonymous page
            raise SystemExit("The signed-in visitor's session was not accepted.")
        cards = {name: html.count('class="card challenge-card') for name, html in pages.items()}

        template_dir = workdir / "baseline"
        template_dir.mkdir()
        (template_dir / "page.html").write_text(
            "{% raw %}" + pages["challenge list"] + "{% endraw %}", encoding="utf-8")
        base = ServerProcess("baseline", "benchmarks.baseline_app:app",
                             {**env, "BASELINE_TEMPLATE_DIR": str(template_dir)}, workdir)
        servers.append(base)
        status, baseline_html = base.get("/")
        assert status == 200 and baseline_html == pages["challenge list"]

        for _ in range(20):  # warm up: templates compiled, database pages cached
            base.get("/")
            for name, path in targets.items():
                app.get(path, headers_of.get(name))

        log(f"Throughput: wrk -t2 -c100 -d{opts.duration}s, {opts.reps} rounds")
        sat: dict[str, list[dict]] = {name: [] for name in ["baseline", *targets]}
        for rep in range(opts.reps):
            sat["baseline"].append(wrk(base.base + "/", opts.duration, workdir))
            for name, path in targets.items():
                sat[name].append(wrk(app.base + path, opts.duration, workdir,
                                     headers=headers_of.get(name)))
            log(f"  round {rep + 1}: " + ", ".join(f"{n} {r[-1]['rps']:.0f}/s"
                                                   for n, r in sat.items()))

        def median(name: str, key: str) -> float:
            return statistics.median(r[key] for r in sat[name])

        rate = median("baseline", "rps") / 2
        log(f"Latency: hey -z {opts.duration}s -c 50 at {rate:.0f} req/s (half the baseline)")
        lat = {"baseline": hey(base.base + "/", opts.duration, rate)}
        for name, path in targets.items():
            lat[name] = hey(app.base + path, opts.duration, rate, headers=headers_of.get(name))
        # For information: each page at half its OWN saturation throughput, where it is not
        # overloaded (at the baseline's rate a page slower than that only measures the queue).
        own = {}
        for name, path in targets.items():
            own_rate = median(name, "rps") / 2
            # The asyncio client keeps an even pace up to a few hundred requests a second;
            # beyond that hey's bursts are short next to the gaps between them.
            own[name] = (own_rate, open_loop(app.base + path, opts.duration, own_rate,
                                             headers_of.get(name))
                         if own_rate <= OPEN_LOOP_MAX_RATE else
                         hey(app.base + path, opts.duration, own_rate,
                             headers=headers_of.get(name)))

        # Team join, throughput: wrk rotates through distinct signed-in participants; a tenth
        # aim at the three hot teams (21 seats), the rest spread over the other 492 teams.
        codes = info["join_codes"]
        hot = list(range(1, HOT_TEAMS + 1))
        race_teams = list(range(HOT_TEAMS + 1, HOT_TEAMS + RACE_TEAMS + 1))
        normal = [t for t in sorted(codes) if t > HOT_TEAMS + RACE_TEAMS]
        pool, race_users = info["join_pool"][:-RACE_USERS], info["join_pool"][-RACE_USERS:]
        entries = join_entries(secret, codes, pool, lambda j: hot[j // 10 % len(hot)]
                               if j % 10 == 0 else normal[j % len(normal)])
        for tid in (1, 2):
            (workdir / f"join.{tid}").write_text("\n".join(entries[tid - 1::2]) + "\n")
        join_path = TEAM_JOIN.format(slug=JOIN_SLUG)
        log(f"Team join: wrk -t2 -c100 -d{opts.duration}s over {len(entries):,} participants")
        join = wrk(app.base + join_path, opts.duration, workdir, init=JOIN_INIT,
                   request=JOIN_REQUEST % {"path": join_path}, classify=JOIN_CLASSIFY,
                   args=[str(workdir / "join")])
        time.sleep(1)  # let the requests wrk left in flight finish

        # Team join, exactness: 300 more participants race for the 35 seats of 5 teams, 100 at
        # a time, every answer read.
        race_entries = join_entries(secret, codes, race_users,
                                    lambda j: race_teams[j % len(race_teams)])
        log(f"Team join race: {len(race_entries)} participants, {len(race_teams)} teams with "
            f"{len(race_teams) * (JOIN_MAX_TEAM_SIZE - 1)} free seats")
        raced = asyncio.run(race(app.base, join_path, race_entries))
    finally:
        for server in servers:
            server.stop()

    counted = asyncio.run(count_memberships(database_url))
    teams = counted["teams"]
    rows_of = lambda ids: sum(teams[t][0] for t in ids)  # noqa: E731
    mismatched = sum(1 for rows, count in teams.values() if rows != count)
    over_full = sum(1 for rows, _count in teams.values() if rows > JOIN_MAX_TEAM_SIZE)
    twice = counted["member_rows"] - counted["distinct_users"]

    def successes(statuses: dict) -> int:
        return sum(v for k, v in statuses.items() if int(k.split()[0]) in JOIN_SUCCESS)

    # wrk phase: rows added to the hot and normal teams, against the 303s wrk saw; the answers
    # to requests in flight when wrk stopped were not seen, so rows may exceed the 303s by at
    # most that many, never fall short.
    wrk_ok = successes(join["statuses"])
    wrk_rows = rows_of(hot + normal) - len(hot + normal)  # less the leaders seeded
    in_flight = join["issued"] - join["received"]
    wrk_bad = max(0, wrk_ok - wrk_rows) + max(0, wrk_rows - wrk_ok - in_flight)
    # race phase: exact.
    race_ok = successes(raced["statuses"])
    race_rows = rows_of(race_teams) - len(race_teams)
    race_bad = abs(race_ok - race_rows)
    lost_or_duplicated = wrk_bad + race_bad + mismatched + over_full + twice

    base_rps = median("baseline", "rps")
    rows = [("baseline: bare Starlette + static Jinja page", f"{base_rps:,.0f} req/s", "", "",
             "", "")]
    for name in targets:
        rps = median(name, "rps")
        target = "≥ 40 %" if name.startswith("challenge list") and name != SIGNED_IN_LIST else ""
        met = ("yes" if rps / base_rps >= 0.40 else "NO") if target else ""
        rows.append((f"{name}: throughput", f"{rps:,.0f} req/s", f"{base_rps:,.0f} req/s",
                     f"{rps / base_rps:.0%}", target, met))
    for name in ["baseline", *targets]:
        r = lat[name]
        is_list = name.startswith("challenge list") and name != SIGNED_IN_LIST
        rows.append((f"{name}: p50/p95/p99 at {rate:.0f} req/s",
                     f"{r['p50_ms']:.1f}/{r['p95_ms']:.1f}/{r['p99_ms']:.1f} ms",
                     "" if name == "baseline" else f"{lat['baseline']['p99_ms']:.1f} ms p99",
                     "" if name == "baseline" else f"{r['p99_ms'] / lat['baseline']['p99_ms']:.1f}x",
                     "p99 < 150 ms" if is_list else "",
                     ("yes" if r["p99_ms"] < 150 else "NO") if is_list else ""))
    for name, (own_rate, r) in own.items():
        pace = "even" if own_rate <= OPEN_LOOP_MAX_RATE else "hey"
        rows.append((f"{name}: p50/p95/p99 at {own_rate:.0f} req/s, half its own, {pace} (info)",
                     f"{r['p50_ms']:.1f}/{r['p95_ms']:.1f}/{r['p99_ms']:.1f} ms", "", "", "",
                     ""))
    for name in ["baseline", *targets]:
        rows.append((f"{name}: p50/p95/p99 at saturation (info)",
                     "/".join(f"{median(name, k) / 1000:.0f}" for k in
                              ("p50_us", "p95_us", "p99_us")) + " ms", "", "", "", ""))
    rows.append(("team join POST: throughput", f"{join['rps']:,.0f} req/s",
                 f"{base_rps:,.0f} req/s", f"{join['rps'] / base_rps:.0%}", "", ""))
    rows.append(("team join POST: p50/p95/p99 at saturation (info)",
                 f"{join['p50_us'] / 1000:.0f}/{join['p95_us'] / 1000:.0f}/"
                 f"{join['p99_us'] / 1000:.0f} ms", "", "", "", ""))
    rows.append(("team join: lost or duplicated memberships", str(lost_or_duplicated), "", "",
                 "0", "yes" if lost_or_duplicated == 0 else "NO"))

    print()
    print(f"Samskapa web benchmark, {time.strftime('%Y-%m-%d %H:%M')}: uvicorn with {WORKERS} "
          f"worker for app and baseline alike; wrk -t2 -c100 -d{opts.duration}s closed loop "
          f"(median of {opts.reps}); hey -z {opts.duration}s -c 50 open loop at half the "
          f"baseline's throughput; {os.cpu_count()} cores shared with the load generators; "
          f"SQLite; schema from {opts.schema}")
    print("Seeded: " + ", ".join(f"{v:,} {k}" for k, v in info["counts"].items()))
    print(f"Pages: challenge list {len(pages['challenge list']):,} bytes "
          f"({cards['challenge list']} challenges), filtered "
          f"{len(pages['challenge list, filtered']):,} bytes ({cards['challenge list, filtered']} "
          f"challenges: {targets['challenge list, filtered']}), event page "
          f"{len(pages['event page']):,} bytes; baseline {len(baseline_html):,} bytes")
    widths = [max(len(str(r[i])) for r in rows + [HEADER]) for i in range(6)]
    for row in [HEADER, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())
    print()
    print(f"Team join under wrk: {join['issued']:,} requests sent by "
          f"{min(join['issued'], len(entries)):,} distinct participants, answers seen "
          + json.dumps(join["statuses"], ensure_ascii=False)
          + f" (socket errors {join['socket_errors']}, timeouts {join['timeouts']}), "
          f"{in_flight} in flight when wrk stopped; new TeamMember rows {wrk_rows:,} "
          f"(= {wrk_ok:,} seen successes + {wrk_rows - wrk_ok} of the in-flight ones); "
          f"hot teams full: {sum(1 for t in hot if teams[t][0] == JOIN_MAX_TEAM_SIZE)}/"
          f"{len(hot)}")
    print(f"Team join race: {len(race_entries)} participants for "
          f"{len(race_teams) * (JOIN_MAX_TEAM_SIZE - 1)} seats in {raced['seconds']:.1f} s, "
          "answers " + json.dumps(raced["statuses"], ensure_ascii=False)
          + f"; new TeamMember rows {race_rows}")
    print(f"Join event after both: {sum(r for r, _c in teams.values()):,} TeamMember rows in "
          f"{len(teams)} teams, sum of Team.member_count "
          f"{sum(c for _r, c in teams.values()):,}; teams whose rows differ from member_count: "
          f"{mismatched}; teams over {JOIN_MAX_TEAM_SIZE}: {over_full}; participants in two "
          f"teams: {twice}")
    for name, r in lat.items():
        if set(r["statuses"]) - {"200"}:
            print(f"Note: {name} under hey answered {r['statuses']}")
    for name, runs in sat.items():
        bad = {k: v for r in runs for k, v in r["statuses"].items() if k != "200"}
        if bad or any(r["socket_errors"] or r["timeouts"] for r in runs):
            print(f"Note: {name} under wrk: non-200 {bad}, socket errors "
                  f"{sum(r['socket_errors'] for r in runs)}, timeouts "
                  f"{sum(r['timeouts'] for r in runs)}")
    if opts.keep:
        print(f"Kept {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


HEADER = ("what", "figure", "baseline", "ratio", "target", "met")

if __name__ == "__main__":
    main()
