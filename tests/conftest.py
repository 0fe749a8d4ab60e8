"""Shared fixtures: a real database (SQLite file, or PostgreSQL when DATABASE_URL says so), the
ASGI app over httpx, and helpers to sign in and post forms with their CSRF token."""
from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta, timezone
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from tortoise import Tortoise

from samskapa import clock as app_clock
from samskapa import db
from samskapa.app import create_app
from samskapa.auth import passwords
from samskapa.settings import Settings

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def _fresh_postgres_database(url: str) -> tuple[str, callable]:
    """A new database beside the one DATABASE_URL names, so runs never collide; dropped after."""
    import asyncio
    import uuid

    import asyncpg

    base, _, _name = url.rpartition("/")
    fresh = f"samskapa_test_{uuid.uuid4().hex[:12]}"
    admin_url = url.replace("postgres://", "postgresql://", 1)

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{fresh}"'))
    return f"{base}/{fresh}", lambda: asyncio.run(run(f'DROP DATABASE IF EXISTS "{fresh}"'))


@contextmanager
def fresh_database(folder: Path) -> Iterator[str]:
    """The URL of a new, empty database of the kind DATABASE_URL names (SQLite by default)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        fresh, drop = _fresh_postgres_database(url)
        try:
            yield fresh
        finally:
            drop()
    else:
        yield f"sqlite://{folder / 'test.db'}"


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch):
    """Real argon2id with the smallest cost: the suite hashes hundreds of passwords and codes
    (the app's own cost is for attackers, not for tests)."""
    monkeypatch.setattr(passwords, "_hasher", CHEAP_HASHER)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def settings(tmp_path_factory, database_url) -> Settings:
    data_dir = tmp_path_factory.mktemp("data")
    return Settings.from_env({"SAMSKAPA_DATA_DIR": str(data_dir), "DATABASE_URL": database_url,
                              "SECRET_KEY": "test-secret",
                              # httpx's host in these tests (the app answers configured hosts only)
                              "SAMSKAPA_ALLOWED_HOSTS": "testserver",
                              "SAMSKAPA_BASE_URL": "http://testserver"}, max_body_bytes=200_000)


@pytest.fixture(scope="session")
async def database(settings):
    await db.init_db(settings.database_url)
    # Tests build the schema from the models; tests/test_migrations.py checks the migrations
    # produce the same schema.
    await Tortoise.generate_schemas(safe=True)
    yield
    await db.close_db()


async def _truncate() -> None:
    conn = Tortoise.get_connection("default")
    tables = [m._meta.db_table for m in Tortoise.apps["models"].values()]
    if conn.capabilities.dialect == "postgres":
        await conn.execute_script(f"TRUNCATE {', '.join(tables + ['challenge_themes'])} "
                                  "RESTART IDENTITY CASCADE")
    else:
        for table in tables + ["challenge_themes"]:
            await conn.execute_script(f'DELETE FROM "{table}"')


@pytest.fixture
async def clean_db(database):
    await _truncate()
    yield


@pytest.fixture
def app(settings):
    return create_app(settings, manage_db=False)


class Client(httpx.AsyncClient):
    """An httpx client that knows the CSRF dance."""

    async def csrf(self, path: str = "/login") -> str:
        response = await self.get(path)
        match = CSRF_RE.search(response.text)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    async def post_form(self, path: str, data: dict | None = None, *, htmx: bool = False,
                        token_from: str = "/login") -> httpx.Response:
        token = await self.csrf(token_from)
        headers = {"HX-Request": "true"} if htmx else {}
        return await self.post(path, data={**(data or {}), "csrf_token": token}, headers=headers)

    async def login(self, email: str, password: str) -> httpx.Response:
        response = await self.post_form("/login", {"email": email, "password": password})
        assert response.status_code == 303, response.text[:500]
        return response


@pytest.fixture
async def client(app, clean_db):
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with Client(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def make_client(app, clean_db):
    """Several independent visitors (each its own cookies)."""
    clients = []

    async def factory(ip: str = "127.0.0.1") -> Client:
        c = Client(transport=httpx.ASGITransport(app=app, client=(ip, 50000)),
                   base_url="http://testserver")
        clients.append(c)
        return c

    yield factory
    for c in clients:
        await c.aclose()


class Mailbox:
    """Mail as delivered (without SMTP: the server's log), links included; the outbox in the
    database holds them with their links hidden."""

    def __init__(self, caplog) -> None:
        self.caplog = caplog

    def mails(self, to: str | None = None) -> list[tuple[str, str, str]]:
        found = [r.mail for r in self.caplog.records if hasattr(r, "mail")]
        return [m for m in found if to is None or m[0] == to]

    def last_link(self, to: str, path: str) -> str:
        """The path of the newest link to `path`... mailed to `to` (e.g. "/password/reset/")."""
        for _to, _subject, body in reversed(self.mails(to)):
            match = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"\S+)", body)
            if match:
                return match.group(1)
        raise AssertionError(f"no mail to {to} with a link to {path}: {self.mails(to)}")


@pytest.fixture
def mailbox(caplog) -> Mailbox:
    caplog.set_level(logging.INFO, logger="samskapa.mail")
    return Mailbox(caplog)


class Clock:
    """A clock the test moves by hand (the limiter's waits, deadlines) without waiting."""

    def __init__(self) -> None:
        self.now = datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """Time for the whole app: samskapa.clock.now() is the one place it reads the wall clock."""
    monkeypatch.setattr(app_clock, "source", clock := Clock())
    return clock
