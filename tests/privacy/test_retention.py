"""Pupils' accounts are deleted SAMSKAPA_PUPIL_RETENTION_DAYS after their event's results are
published: the service (with a clock), the app's periodic task, and `samskapa purge`."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from privacy import retention, service
from samskapa.app import create_app
from samskapa.auth.models import User
from samskapa.settings import Settings
from school.models import Pupil
from teams.models import Team
from tests.privacy.conftest import (join_pupil, make_class, make_event, make_user, put_in_team,
                                    utcnow)

ROOT = Path(__file__).resolve().parents[2]


async def _pupils_of_event(slug: str, results_published, *nicknames):
    event = await make_event(slug, results_published=results_published)
    klass = await make_class(event, await make_user(f"Larare-{slug}"))
    return event, [(await join_pupil(klass, n))[0] for n in nicknames]


async def test_the_service_deletes_pupils_retention_days_after_the_results(clean_db):
    now = utcnow()
    old, (a, b) = await _pupils_of_event("gammal", now - timedelta(days=31), "Alfa", "Beta")
    recent, (c,) = await _pupils_of_event("ny", now - timedelta(days=29), "Gamma")
    team = await Team.create(event=old, name="Alfas lag", join_code="ALFA22")
    await put_in_team(team, a, b)
    adults = await User.filter(is_pupil=False).count()

    assert await service.purge_pupils(now, 30) == 2
    assert not await User.filter(id__in=[a.id, b.id]).exists()
    assert await User.exists(id=c.id)
    assert await User.filter(is_pupil=False).count() == adults  # teachers stay
    team = await Team.get(id=team.id)
    assert team.member_count == 0 and team.name == "Lag 1"
    assert await service.purge_pupils(now, 30) == 0  # nothing left: running again is harmless

    # Two days later the other event's pupils are due too.
    assert await service.purge_pupils(now + timedelta(days=2), 30) == 1
    assert await Pupil.all().count() == 0


async def test_the_app_runs_the_purge_by_itself(clean_db, settings, monkeypatch):
    _event, (pupil,) = await _pupils_of_event("gammal", utcnow() - timedelta(days=40), "Alfa")
    ran = asyncio.Event()
    real_purge = retention.purge

    async def purge(days, now=None):
        deleted = await real_purge(days, now)
        ran.set()
        return deleted
    monkeypatch.setattr(retention, "purge", purge)

    app = create_app(settings, manage_db=False)
    async with app.router.lifespan_context(app):
        await asyncio.wait_for(ran.wait(), timeout=60)
    assert not await User.exists(id=pupil.id)


async def test_the_periodic_task_survives_a_failed_run_and_runs_again(monkeypatch):
    calls = []
    again = asyncio.Event()

    async def purge(days, now=None):
        calls.append(days)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        again.set()
        return 0
    monkeypatch.setattr(retention, "purge", purge)
    monkeypatch.setattr(retention, "PURGE_INTERVAL_S", 0)
    task = asyncio.create_task(retention.run_periodically(12))
    try:
        await asyncio.wait_for(again.wait(), timeout=60)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert calls[:2] == [12, 12] and task.cancelled()


async def test_the_retention_is_configured_from_the_environment():
    env = {"SECRET_KEY": "x", "SAMSKAPA_DATA_DIR": "/tmp"}
    assert Settings.from_env(env).pupil_retention_days == 30
    assert Settings.from_env({**env, "SAMSKAPA_PUPIL_RETENTION_DAYS": "7"}) \
        .pupil_retention_days == 7


async def test_samskapa_purge_for_cron(clean_db, settings):
    _event, (pupil,) = await _pupils_of_event("gammal", utcnow() - timedelta(days=10), "Alfa")
    env = {**os.environ, "DATABASE_URL": settings.database_url, "SECRET_KEY": "x",
           "SAMSKAPA_DATA_DIR": str(settings.data_dir), "SAMSKAPA_PUPIL_RETENTION_DAYS": "7"}
    result = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "samskapa.cli", "purge"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Deleted 1 pupil account(s)." in result.stdout
    assert not await User.exists(id=pupil.id)
