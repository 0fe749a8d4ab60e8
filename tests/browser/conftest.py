"""Browser suite: the real app served by uvicorn in a subprocess, driven by Debian's Chromium
through Playwright (sync API, plain `def` tests).

The server gets a fresh database of its own (an SQLite file, or a fresh PostgreSQL database beside
the one DATABASE_URL names, dropped afterwards), built with the real migrations (`samskapa
migrate`), and a site admin made with `samskapa createadmin`. These tests never open Tortoise in
the test process: the server is the only one touching its database.

No silent skips: a missing Chromium fails the suite loudly (`make test` installs it first).
"""
from __future__ import annotations

import itertools
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode, urlparse
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import _fresh_postgres_database

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ADMIN_EMAIL = "admin@example.se"
ADMIN_PASSWORD = "Admin-lösen-2026"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Playwright's default is 30 s; a page of this app answers in milliseconds, so a stuck step
# should fail fast and keep the suite short.
TIMEOUT_MS = 10_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run([sys.executable, "-m", "samskapa.cli", *args], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, (
        f"samskapa {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _in_thread(fn, *args):
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args).result()


@dataclass
class Server:
    base_url: str
    env: dict[str, str]
    log_path: Path

    def url(self, path: str) -> str:
        return self.base_url + path

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


# Package scope: the server and Playwright (whose sync API marks an asyncio loop running in
# this thread) are gone before the rest of the suite's async tests run.
@pytest.fixture(scope="package")
def server(tmp_path_factory):
    """The app under uvicorn with its own fresh, migrated database and a site admin."""
    data_dir = tmp_path_factory.mktemp("browser-data")
    url = os.environ.get("DATABASE_URL", "")
    drop = None
    if url.startswith(("postgres://", "postgresql://")):
        # In a thread of its own: Playwright's sync API keeps an asyncio loop marked running in
        # this one, and the helper uses asyncio.run.
        database_url, drop_here = _in_thread(_fresh_postgres_database, url)
        drop = lambda: _in_thread(drop_here)  # noqa: E731
    else:
        database_url = f"sqlite://{data_dir / 'samskapa.db'}"
    env = {**os.environ, "SAMSKAPA_DATA_DIR": str(data_dir), "DATABASE_URL": database_url,
           "SAMSKAPA_ADMIN_PASSWORD": ADMIN_PASSWORD, "PYTHONUNBUFFERED": "1"}
    env.pop("SECRET_KEY", None)  # generated once into the data dir, as on a fresh machine
    process = None
    try:
        _cli(["migrate"], env)
        _cli(["createadmin", "--email", ADMIN_EMAIL, "--name", "Ada Admin"], env)
        port = _free_port()
        env["SAMSKAPA_BASE_URL"] = f"http://127.0.0.1:{port}"  # links in mails point here
        log_path = data_dir / "uvicorn.log"
        log = open(log_path, "wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "samskapa.asgi:app", "--host", "127.0.0.1",
             "--port", str(port), "--workers", "1", "--log-level", "warning"],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        base_url = f"http://127.0.0.1:{port}"
        srv = Server(base_url, env, log_path)
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {process.returncode}:\n{srv.log_tail()}")
            try:
                with urllib.request.urlopen(base_url + "/", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not answer within 30 s:\n{srv.log_tail()}")
            time.sleep(0.1)
        yield srv
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if drop is not None:
            drop()


@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), (
        f"{CHROMIUM} is missing: the browser tests need Debian's chromium "
        "(`make browser` or `apt-get install chromium`)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _expected_console_error(text: str) -> bool:
    # The browser reports 4xx answers (a 404 page, a 422 form) as failed loads; htmx reports a
    # request cut short by leaving the page (sendAbort, then afterRequest). A server error
    # (htmx:responseError) or a script error is never expected.
    return "status of 4" in text or text.startswith(("htmx:sendAbort", "htmx:afterRequest"))


def _network_error(text: str) -> bool:
    return text.startswith("htmx:sendError") or "net::ERR_" in text


@pytest.fixture
def new_page(browser, server, tmp_path):
    """A factory of pages, each in its own browser context (its own cookies: its own visitor).
    Pages are closed after the test; a page's console errors fail the test."""
    contexts = []
    errors: list[str] = []

    def factory(locale: str = "sv-SE", javascript: bool = True, network_errors: bool = False):
        """`network_errors`: the test cuts requests or goes offline on purpose, so htmx's
        sendError and the browser's failed loads are expected on this page (not others)."""
        context = browser.new_context(base_url=server.base_url, locale=locale,
                                      viewport={"width": 1200, "height": 900},
                                      java_script_enabled=javascript)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
        page.on("console", lambda msg: errors.append(f"console {msg.type}: {msg.text}")
                if msg.type == "error" and not _expected_console_error(msg.text)
                and not (network_errors and _network_error(msg.text)) else None)
        return page

    yield factory
    for context in contexts:
        context.close()
    assert not errors, "JavaScript errors in the browser:\n" + "\n".join(errors)


@pytest.fixture
def admin_page(new_page):
    """A page signed in as the site admin."""
    page = new_page()
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    return page


@pytest.fixture
def shot(tmp_path):
    """Screenshot into the test's tmp dir (never committed); returns the path."""
    def take(page, name: str) -> Path:
        path = tmp_path / f"{name}.png"
        # caret="initial": hiding the caret injects an inline <style>, which our CSP refuses.
        page.screenshot(path=str(path), full_page=True, caret="initial")
        print(f"screenshot: {path}")
        return path
    return take


# --- helpers shared by the walks -------------------------------------------------------------

def local(dt: datetime) -> str:
    """A datetime as a `datetime-local` input value in Stockholm time."""
    return dt.astimezone(STOCKHOLM).strftime("%Y-%m-%dT%H:%M")


def sv(msgid: str, **params) -> str:
    """The Swedish text the user sees for an English msgid, from the same catalogues the server
    reads. Fails when the string has no Swedish translation: the walks prove the UI is Swedish."""
    from samskapa.i18n import translations

    text = translations("sv").ugettext(msgid)
    assert text != msgid or msgid in SAME_IN_SWEDISH, f"no Swedish translation for {msgid!r}"
    return text % params if params else text


SAME_IN_SWEDISH = {"Svenska", "English", "Format"}


def label(msgid: str, **params) -> re.Pattern:
    """A field's whole label in Swedish (a required field's label ends in an asterisk)."""
    return re.compile(rf"^\s*{re.escape(sv(msgid, **params))}\s*\*?\s*$")


def csrf_token(page) -> str:
    return page.locator("input[name=csrf_token]").first.get_attribute("value")


def post_form(page, path: str, data: list[tuple[str, str]] | dict) -> str:
    """Post a form as the page's signed-in user (for test set-up that is not the walk itself);
    follows the redirect and returns the final URL path."""
    items = list(data.items()) if isinstance(data, dict) else list(data)
    if not page.locator("input[name=csrf_token]").count():
        page.goto("/")
    items.append(("csrf_token", csrf_token(page)))
    response = page.request.post(path, data=urlencode(items), headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert response.ok, f"POST {path} -> {response.status}: {response.text()[:3000]}"
    return urlparse(response.url).path


def sign_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label(sv("Email address")).fill(email)
    page.get_by_label(label("Password")).fill(password)
    page.locator("main").get_by_role("button", name=sv("Sign in"), exact=True).click()
    page.wait_for_url(lambda u: "/login" not in u)


def sign_out(page) -> None:
    page.locator("header").get_by_role("button", name=sv("Sign out")).click()
    page.wait_for_load_state()


def register_account(page, name: str, email: str, password: str) -> None:
    """Fill in the account form the page shows (the caller navigated there) and submit it."""
    page.get_by_label(sv("Your name")).fill(name)
    page.get_by_label(sv("Email address")).fill(email)
    page.get_by_label(label("Password")).fill(password)
    page.locator("main").get_by_role("button", name=sv("Create account"), exact=True).click()
    page.wait_for_url(lambda u: "/register" not in u)


_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{os.getpid()}-{next(_counter)}"


def create_event(page, slug: str, title: str, kind: str = "hackathon", publish: bool = True,
                 max_team_size: int = 5) -> str:
    """Set-up through the real forms (as the signed-in admin on `page`); returns the event URL."""
    data = {"title": title, "slug": slug, "summary": f"Sammanfattning av {title}.",
            "description": "Ett **evenemang** för test.", "venue": "Södertälje Science Park",
            "kind": kind, "max_team_size": str(max_team_size)}
    data.update({name: local(value) for name, value in schedule().items()})
    path = post_form(page, "/events/new", data)
    assert path == f"/events/{slug}", path
    if publish:
        post_form(page, f"/events/{slug}/publish", {})
    return path


def add_theme(page, slug: str, name_sv: str, name_en: str) -> None:
    post_form(page, f"/events/{slug}/themes", {"name_sv": name_sv, "name_en": name_en})


def theme_slugs(page, slug: str) -> dict[str, str]:
    """Swedish theme name -> theme slug, read from the challenge form's checkboxes."""
    page.goto(f"/events/{slug}/challenges/new")
    result = {}
    for box in page.locator("input[name=themes]").all():
        name = page.locator(f"label[for='{box.get_attribute('id')}']").inner_text().strip()
        result[name] = box.get_attribute("value")
    return result


def create_challenge(page, event_slug: str, title: str, summary: str, organisation: str,
                     themes: list[str], publish: bool = True) -> str:
    data = [("title", title), ("slug", ""), ("organisation", ""),
            ("organisation_new", organisation), ("summary", summary),
            ("description", "Beskrivning."), ("expected_outcome", "En prototyp."),
            ("contact_name", "Kim Kontakt"), ("contact_email", "kim@example.se"),
            ("dataset_title", "Öppna data"), ("dataset_url", "https://example.se/data.csv"),
            ("dataset_licence", "CC0"), ("dataset_format", "CSV")]
    data += [("themes", t) for t in themes]
    path = post_form(page, f"/events/{event_slug}/challenges/new", data)
    if publish:
        post_form(page, path + "/publish", {})
    return path


def schedule(now: datetime | None = None) -> dict[str, datetime]:
    """Phase times with registration open now."""
    now = now or datetime.now(timezone.utc)
    return {
        "registration_opens": now - timedelta(days=1),
        "registration_closes": now + timedelta(days=5),
        "hacking_starts": now + timedelta(days=6),
        "submissions_close": now + timedelta(days=7),
        "judging_closes": now + timedelta(days=8),
        "results_published": now + timedelta(days=9),
    }
