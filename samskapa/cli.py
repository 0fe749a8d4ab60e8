"""The `samskapa` command: serve, migrate, demo data, admins, and Minecraft worlds."""
from __future__ import annotations

import asyncio
import getpass
import os
import sys

import click

from minecraft.cli import world
from samskapa import db
from samskapa.settings import Settings


def _run(coro_factory):
    """Run one database job with the ORM open, and always close it (aiosqlite threads would
    otherwise keep the process alive)."""
    settings = Settings.from_env()

    async def job():
        await db.init_db(settings.database_url)
        try:
            return await coro_factory(settings)
        finally:
            await db.close_db()

    return asyncio.run(job())


@click.group()
def main() -> None:
    """Samskapa: hackathons and co-creation events, and Minecraft worlds from open data."""


@main.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    settings = Settings.from_env()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    asyncio.run(db.migrate(settings.database_url))
    click.echo(f"Database up to date: {_display_url(settings.database_url)}")


@main.command()
def demo() -> None:
    """Load the demo events (idempotent: running it twice changes nothing)."""
    from samskapa.demo import load_demo

    logins = _run(lambda settings: load_demo())
    click.echo("Demo data loaded. Sign in with:")
    for role, login in logins:
        click.echo(f"  {role:<28} {login}")


@main.command()
@click.option("--email", prompt=True)
@click.option("--name", default="Administratör", show_default=True)
@click.option("--password", default=None, help="Read from SAMSKAPA_ADMIN_PASSWORD or asked for.")
def createadmin(email: str, name: str, password: str | None) -> None:
    """Create a site administrator (or make an existing account one)."""
    from samskapa.auth.service import create_admin
    from samskapa.errors import ValidationError

    password = password or os.environ.get("SAMSKAPA_ADMIN_PASSWORD") or getpass.getpass()
    try:
        user = _run(lambda settings: create_admin(email.strip().lower(), password, name))
    except ValidationError as exc:
        raise click.ClickException(" ".join(exc.texts().values()))
    click.echo(f"Site administrator ready: {user.email}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web app with uvicorn."""
    import uvicorn

    # Proxy headers are the app's business (SAMSKAPA_TRUSTED_PROXIES, see create_app): uvicorn's
    # own handling believes X-Forwarded-For on every connection from 127.0.0.1, whoever made it.
    uvicorn.run("samskapa.asgi:app", host=host, port=port, workers=workers,
                proxy_headers=False, log_level="info")


def _display_url(url: str) -> str:
    # Never print a password from DATABASE_URL.
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://…@{rest.split('@', 1)[1]}"
    return url


main.add_command(world)


if __name__ == "__main__":
    sys.exit(main())
