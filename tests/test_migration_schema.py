"""The migrations must end with the same indexes and unique constraints as the models declare:
on SQLite an AlterField rebuilds its table, and a rebuild can lose what the old table had."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import fresh_database

ROOT = Path(__file__).resolve().parent.parent


def _indexes(how: str, url: str) -> set[tuple]:
    result = subprocess.run([sys.executable, "-m", "tests.schema_indexes", how, url], cwd=ROOT,
                            env=os.environ, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return {(table, tuple(cols), unique) for table, cols, unique in json.loads(result.stdout)}


def test_migrated_database_has_the_models_indexes(tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "g").mkdir()
    with fresh_database(tmp_path / "m") as migrated, fresh_database(tmp_path / "g") as generated:
        from_migrations = _indexes("migrate", migrated)
        from_models = _indexes("models", generated)
    assert from_models, "no indexes read"
    assert sorted(from_models - from_migrations) == [], "missing after migrate"
    assert sorted(from_migrations - from_models) == [], "extra after migrate"


DUPLICATE_ROLES = """
import asyncio, sys
from tortoise import Tortoise
from tortoise.migrations.api.migrate import migrate
from samskapa import db

async def main(url):
    await migrate(config=db.tortoise_config(url), target="models.0011_results")
    await Tortoise.close_connections()
    await db.init_db(url)
    conn = Tortoise.get_connection("default")
    # Only event_roles matters here: no user or event rows needed.
    await conn.execute_script("PRAGMA foreign_keys = OFF")
    for i in (1, 2, 3):
        await conn.execute_script(
            "INSERT INTO event_roles (id, event_id, user_id, role, skills, looking_for_team, "
            f"created_at) VALUES ({i}, 1, 1, 'jury', '', 0, '2025-01-01')")
    await db.close_db()
    await db.migrate(url)
    await db.init_db(url)
    rows = await Tortoise.get_connection("default").execute_query_dict(
        "SELECT id FROM event_roles")
    print([r["id"] for r in rows])
    await db.close_db()

asyncio.run(main(sys.argv[1]))
"""


def test_duplicate_roles_from_after_0008_are_removed_once(tmp_path):
    """An SQLite database that ran 0008–0011 without the unique index may hold duplicate roles:
    the migration keeps the oldest and restores the index."""
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return  # PostgreSQL kept its constraint: the duplicates cannot be inserted at all
    url = f"sqlite://{tmp_path / 'old.db'}"
    result = subprocess.run([sys.executable, "-c", DUPLICATE_ROLES, url], cwd=ROOT,
                            env=os.environ, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[1]"
