"""Migration 0006 gives existing nicknames and team names their folded key, also where names
made before it differ only in case (the old constraint let them in). Run in a subprocess, as
tests/test_migrations_and_demo.py does: migrating re-initialises Tortoise."""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from tortoise import Tortoise

from samskapa import db
from tests.conftest import fresh_database

ROOT = Path(__file__).resolve().parent.parent


def test_existing_names_get_their_keys(tmp_path):
    with fresh_database(tmp_path) as url:
        result = subprocess.run(
            [sys.executable, "-c", "import sys; from tests.test_migration_name_keys import main;"
             " main(sys.argv[1])", url], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    pupils, teams = json.loads(result.stdout.splitlines()[-1])
    # Nothing lost on the way: the pupils and the class's teams survive 0005 rebuilding the
    # school_classes table on SQLite (with foreign keys on, its DROP would cascade to them).
    assert pupils == ["skuggan", "skuggan ~2", "blixten"]  # the first keeps the sign-in key
    assert teams == ["laget", "laget ~2"]


def main(url: str) -> None:
    print(json.dumps(asyncio.run(scenario(url))))


async def scenario(url: str) -> tuple[list[str], list[str]]:
    config = db.tortoise_config(url)
    await db.run_migrations(config=config, target="models.0001_initial")
    conn = Tortoise.get_connection("default")
    q = "?" if conn.capabilities.dialect == "sqlite" else "$"
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)

    async def insert(table: str, **values) -> None:
        marks = ", ".join(f"{q}{i + 1}" if q == "$" else "?" for i in range(len(values)))
        await conn.execute_query(
            f'INSERT INTO "{table}" ({", ".join(values)}) VALUES ({marks})',
            list(values.values()))

    await insert("users", id=1, display_name="Org", is_admin=False, is_pupil=False,
                 created_at=now)
    for i, name in enumerate(["Skuggan", "skuggan", "Blixten"], start=2):
        await insert("users", id=i, display_name=name, is_admin=False, is_pupil=True,
                     created_at=now)
    await insert("events", id=1, slug="e", title="E", summary="", description="",
                 venue="", kind="school", published=True, max_team_size=5,
                 registration_opens=now, registration_closes=now, hacking_starts=now,
                 submissions_close=now, judging_closes=now, results_published=now,
                 created_at=now)
    await insert("school_classes", id=1, event_id=1, name="6B", school="", teacher_id=1,
                 code="ABC234", created_at=now)
    for i, name in enumerate(["Skuggan", "skuggan", "Blixten"], start=1):
        await insert("pupils", id=i, user_id=i + 1, school_class_id=1, nickname=name,
                     created_at=now)
    for i, name in enumerate(["Laget", "LAGET"], start=1):
        await insert("teams", id=i, event_id=1, name=name, join_code=f"CODE{i}",
                     member_count=0, looking_for="", created_at=now, school_class_id=1)
    await Tortoise.close_connections()

    await db.migrate(url)  # the rest, as `samskapa migrate` runs it
    await Tortoise.init(config=config)
    conn = Tortoise.get_connection("default")
    pupils = await conn.execute_query_dict(
        'SELECT id, nickname_key FROM "pupils" ORDER BY id')
    teams = await conn.execute_query_dict('SELECT id, name_key FROM "teams" ORDER BY id')
    await Tortoise.close_connections()
    return [p["nickname_key"] for p in pupils], [t["name_key"] for t in teams]
