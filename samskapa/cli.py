"""The `samskapa` command: serve, migrate, demo data, admins, and Minecraft worlds."""
from __future__ import annotations

import asyncio
import getpass
import os
import socket
import sys
from ipaddress import ip_address
from urllib.parse import urlsplit

import click

from minecraft.cli import world
from samskapa import db, packages
from samskapa.settings import DataDirError, Settings


def _run(coro_factory):
    """Run one database job with the ORM open, and always close it (aiosqlite threads would
    otherwise keep the process alive)."""
    settings = _settings()

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


def _settings() -> Settings:
    """Settings from the environment, with a writable data directory, or one clear sentence and
    exit status 1 (SQLite on a read-only directory would hang every page instead)."""
    try:
        settings = Settings.from_env()
        settings.check_writable()
    except DataDirError as exc:
        raise click.ClickException(str(exc)) from None
    return settings


@main.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    settings = _settings()
    applied = asyncio.run(db.migrate(settings.database_url))
    where = _display_url(settings.database_url)
    if not applied:
        click.echo(f"Database up to date, no migration to apply: {where}")
    else:
        count = f"{len(applied)} migration{'s' if len(applied) > 1 else ''} applied"
        if applied[0].initial:
            click.echo(f"Created the database: {count}: {where}")
        else:
            names = ", ".join(m.name for m in applied)
            click.echo(f"Upgraded the database: {count} ({names}): {where}")


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
    from samskapa.names import clean_email

    password = password or os.environ.get("SAMSKAPA_ADMIN_PASSWORD") or getpass.getpass()
    try:  # the address written as every form writes it (samskapa.names)
        user = _run(lambda settings: create_admin(clean_email(email, "email"), password, name))
    except ValidationError as exc:
        raise click.ClickException(" ".join(exc.texts().values()))
    click.echo(f"Site administrator ready: {user.email}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int, envvar="PORT")
@click.option("--workers", default=1, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web app with uvicorn (the port also from $PORT)."""
    import uvicorn

    _settings()
    configured = os.environ.get("SAMSKAPA_BASE_URL")
    if configured:
        problem = base_url_mismatch(configured, host, port)
        if problem:
            click.echo(f"Warning: {problem}", err=True)
        else:
            click.echo(f"Links in mails point to {configured} (SAMSKAPA_BASE_URL).", err=True)
    else:
        # The app (every worker process) reads it from the environment.
        os.environ["SAMSKAPA_BASE_URL"] = served_base_url(host, port)
        click.echo(f"Links in mails point to {os.environ['SAMSKAPA_BASE_URL']} (set "
                   "SAMSKAPA_BASE_URL to the address visitors use).", err=True)
    # A request stuck on a broken database must not keep SIGTERM from stopping the server.
    # Proxy headers are the app's business (SAMSKAPA_TRUSTED_PROXIES, see create_app): uvicorn's
    # own handling believes X-Forwarded-For on every connection from 127.0.0.1, whoever made it.
    uvicorn.run("samskapa.asgi:app", host=host, port=port, workers=workers,
                proxy_headers=False, log_level="info", timeout_graceful_shutdown=10)


ANY_ADDRESS = ("0.0.0.0", "::", "")


def _lan_address() -> str:
    """The address other machines reach this one at (no packet is sent), else loopback."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: only picks the outgoing interface
            return s.getsockname()[0]
    except OSError:
        return "127.0.0.1"


def served_base_url(host: str, port: int) -> str:
    host = _lan_address() if host in ANY_ADDRESS else host
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


def base_url_mismatch(base_url: str, host: str, port: int) -> str | None:
    """Why links built from `base_url` would miss a server on host:port, or None. A name
    without a port may be a reverse proxy in front of us, which cannot be checked from here."""
    parts = urlsplit(base_url)
    named_host = parts.hostname or ""
    explicit_port = parts.port
    try:
        ip_address(named_host)
        is_address = True
    except ValueError:
        is_address = named_host == "localhost"
    served = f"{host}:{port}"
    if explicit_port is not None and explicit_port not in (80, 443) and explicit_port != port:
        return (f"SAMSKAPA_BASE_URL is {base_url} but the app is served on {served}: links in "
                "mails will point to the wrong port.")
    if is_address and host not in ANY_ADDRESS:
        same = named_host == host or {named_host, host} <= {"localhost", "127.0.0.1"}
        if not same or (explicit_port or {"http": 80, "https": 443}.get(parts.scheme)) != port:
            return (f"SAMSKAPA_BASE_URL is {base_url} but the app is served on {served}: links "
                    "in mails will point elsewhere.")
    return None


def _display_url(url: str) -> str:
    # Never print a password from DATABASE_URL.
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://…@{rest.split('@', 1)[1]}"
    return url


main.add_command(world)
for command in packages.commands():
    main.add_command(command)


if __name__ == "__main__":
    sys.exit(main())
