"""The real set-up path: migrations (not generate_schemas) on a fresh database, then the demo
data twice, through the `samskapa` command as a user runs it."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

from samskapa.db import tortoise_config
from tests.conftest import fresh_database

ROOT = Path(__file__).resolve().parent.parent
COUNT_TABLES = ["users", "events", "event_roles", "challenges", "datasets", "themes", "teams",
                "team_members", "school_classes", "pupils", "submissions", "assignments",
                "scores", "votes", "vote_tokens", "awards", "judging_settings"]


async def test_migrations_match_the_models(database, settings):
    apps = tortoise_config(settings.database_url)["apps"]
    writers = await MigrationAutodetector(Tortoise.apps, apps).changes()
    assert writers == [], ("models changed without a migration: run "
                           "`.venv/bin/tortoise makemigrations`")


@pytest.fixture
def fresh_database_url(tmp_path):
    with fresh_database(tmp_path) as url:
        yield url


def _samskapa(env, *args) -> str:
    result = subprocess.run([sys.executable, "-m", "samskapa.cli", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def _counts(env) -> dict[str, int]:
    script = (
        "import asyncio, json\n"
        "from tortoise import Tortoise\n"
        "from samskapa import db\n"
        "from samskapa.settings import Settings\n"
        "async def main():\n"
        "    await db.init_db(Settings.from_env().database_url)\n"
        "    conn = Tortoise.get_connection('default')\n"
        f"    out = {{t: (await conn.execute_query_dict(f'SELECT COUNT(*) AS n FROM {{t}}'))[0]['n'] for t in {COUNT_TABLES!r}}}\n"
        "    await db.close_db()\n"
        "    print(json.dumps(out))\n"
        "asyncio.run(main())\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    import json
    return json.loads(result.stdout)


def test_migrate_then_demo_twice(tmp_path, fresh_database_url):
    env = {**os.environ, "DATABASE_URL": fresh_database_url,
           "SAMSKAPA_DATA_DIR": str(tmp_path / "data")}
    # An empty database: migrate says it created it, not that it was up to date.
    assert re.match(r"Created the database: \d+ migrations? applied: ", _samskapa(env, "migrate"))
    first = _samskapa(env, "demo")
    assert "admin@demo.samskapa.se" in first and "class code" in first
    counts = _counts(env)
    assert counts["events"] == 3 and counts["challenges"] >= 5 and counts["pupils"] == 8
    # Last year's event, judged: three reviews per submission, votes and awards.
    assert counts["submissions"] == 5 and counts["assignments"] == 15
    assert counts["votes"] > 0 and counts["awards"] == 3 and counts["judging_settings"] == 1
    assert counts["team_members"] > 0
    # Idempotent: a second run adds nothing.
    _samskapa(env, "demo")
    assert _counts(env) == counts
    # Migrating an up-to-date database is a no-op.
    assert _samskapa(env, "migrate").startswith("Database up to date, no migration to apply: ")
