"""`samskapa purge`: the retention run, for a cron job (the web app also runs it hourly)."""
from __future__ import annotations

import click


@click.command()
def purge() -> None:
    """Delete pupils' accounts whose event ended SAMSKAPA_PUPIL_RETENTION_DAYS ago."""
    from privacy.retention import purge as run_purge
    from samskapa.cli import _run

    deleted = _run(lambda settings: run_purge(settings.pupil_retention_days))
    click.echo(f"Deleted {deleted} pupil account(s).")
