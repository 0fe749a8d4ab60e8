"""Pupils' accounts are deleted SAMSKAPA_PUPIL_RETENTION_DAYS after their event's results are
published, by a task every app process runs (and by `samskapa purge`, for cron). Running it in
several processes at once is harmless: each deletion is idempotent."""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from privacy import service
from samskapa import clock

log = logging.getLogger("samskapa.privacy")
PURGE_INTERVAL_S = 3600.0  # retention is counted in days: once an hour is on time


async def purge(retention_days: int, now: datetime | None = None) -> int:
    deleted = await service.purge_pupils(now or clock.now(), retention_days)
    if deleted:
        log.info("Retention: deleted %s pupil account(s) older than %s days after their event",
                 deleted, retention_days)
    return deleted


async def run_for_app(settings) -> None:
    """The app's task (privacy's DomainPackage): purges on the configured retention."""
    await run_periodically(settings.pupil_retention_days)


async def run_periodically(retention_days: int) -> None:
    """At start-up, then every PURGE_INTERVAL_S, until cancelled (the app's shutdown)."""
    while True:
        try:
            await purge(retention_days)
        except Exception:  # a failed run must not end the task: the next one tries again
            log.exception("Retention: purging pupils' accounts failed")
        await asyncio.sleep(PURGE_INTERVAL_S)
