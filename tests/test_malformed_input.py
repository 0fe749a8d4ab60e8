"""Malformed input gets a 4xx with a message, never a 5xx.

`test_no_route_answers_malformed_input_with_5xx` walks every route of the app (`app.routes`) and
sends each malformed value in every path parameter, in the query string of every GET and in the
form fields of every POST, with a valid CSRF token and signed in as someone the route lets
through (the organiser where the authorisation table allows it), so that no guard hides a bug;
no answer may be a 5xx, and every 4xx must say why.
Run it on PostgreSQL too (DATABASE_URL=postgres://...): a NUL byte or an id above 2^31 only
breaks there. The tests below it pin each malformed value found to its 4xx and message.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from starlette.routing import Mount, Route
from tortoise.transactions import in_transaction

from events.models import SCHEDULE_FIELDS
from samskapa import packages
from samskapa.app import create_app
from samskapa.auth.models import User
from tests.conftest import CHEAP_HASHER
from tests.test_authorization import (CASES, CSRF, EVENT_FORM, INVITE_TOKEN, PASSWORD,
                                      PUPIL_CODE, RESET_TOKEN, Rollback, build_world, fill,
                                      session_cookie)

ROOT = Path(__file__).resolve().parents[1]
# A 4xx says why: an error page, a message beside a field or above the form, or JSON's message.
MESSAGE_RE = re.compile(r'class="(?:error|form-errors|error-page)|"message":')
PARAM_RE = re.compile(r"\{(\w+)(?::(\w+))?\}")

# Each value once in every place a user can type into.
MALFORMED = {
    "year 0001": "0001-01-01T00:00",
    "year 9999": "9999-12-31T23:59",
    "2^31": "2147483648",
    "2^63": "9223372036854775808",
    "30 digits": "9" * 30,
    "4,400 digits": "9" * 4400,  # int() refuses past 4,300 digits (found in review)
    "superscript two": "²",
    "Arabic-Indic digits": "١٢",
    "negative": "-1",
    "NUL": "a\x00b",
    "escape": "\x1b[2J",
    "RTL override": "\u202egnp.exe",
    "zero-width space": "Skuggan\u200b",
    "float overflow": "1e309",
    "too long": "x" * 300,
}


def field_names() -> set[str]:
    """Every form field and query parameter the app reads: from the templates' fields and the
    source's Form readers and query_params look-ups (so new fields are fuzzed too)."""
    names = {name for name, _label in SCHEDULE_FIELDS}
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        names |= set(re.findall(r'name="([a-z_]+)"', text))
        names |= set(re.findall(r'(?:field|select|checkbox)\("([a-z_]+)"', text))
    for package in ("samskapa", *packages.INSTALLED):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text()
            names |= set(re.findall(r'(?:form\.\w+|query_params\.get|_getlist\(form,)\(?\s*'
                                    r'f?"([a-z_]+)"', text))
    names |= {f"dataset_{n}" for n in ("title", "url", "licence", "format")}
    names.discard("csrf_token")
    return names


def routes_of(routes, prefix: str = "") -> list[tuple[str, set[str]]]:
    """(path pattern, methods) of every route, through mounts (static files included)."""
    found = []
    for route in routes:
        if isinstance(route, Route):
            found.append((prefix + route.path, set(route.methods or {"GET"})))
        elif isinstance(route, Mount):
            inner = getattr(route, "routes", None) or []
            if inner:
                found += routes_of(inner, prefix + route.path)
            else:  # an app such as StaticFiles: its rest of the path is a parameter
                found.append((prefix + route.path + "/{path}", {"GET"}))
    return found


def valid_params(pattern: str, world) -> dict[str, str]:
    """Path parameters that reach the route's handler in the seeded world."""
    school = "/classes" in pattern
    return {
        "slug": "skola" if school else "hack",
        "team_id": str(world.ids["class_team" if school else "team_a"]),
        "class_id": str(world.ids["class"]),
        "pupil_id": str(world.ids["pupil"]),
        "cslug": "cykel", "tslug": "mobilitet",
        "submission_id": str(world.ids["submission"]), "file_id": str(world.ids["file"]),
        "token": INVITE_TOKEN if pattern.startswith("/invitations") else RESET_TOKEN,
        "path": "css/app.css",
    }


def url_for(pattern: str, params: dict[str, str]) -> str:
    # A parameter this table does not know yet gets an id: the route is fuzzed all the same.
    return PARAM_RE.sub(lambda m: quote(params.get(m.group(1), "1"), safe=""), pattern)


def case_for(pattern: str):
    """The authorisation table's case for an unsafe route: its URL, a valid form and a role
    that gets through the guard (the organiser wherever the table lets them)."""
    for case in CASES:
        if case.route == pattern:
            allowed = [r for r, outcome in case.expect.items() if outcome in ("ok", "422")]
            if allowed:
                return case, "organiser" if "organiser" in allowed else allowed[0]
    return None, "organiser"


@pytest.fixture(scope="module")
def app(settings):
    return create_app(settings, manage_db=False)


@pytest.fixture(scope="module")
async def world(database):
    from tests.conftest import _truncate
    await _truncate()
    w = await build_world()
    await User.filter(is_pupil=False).update(password_hash=CHEAP_HASHER.hash(PASSWORD))
    await User.filter(is_pupil=True).update(password_hash=CHEAP_HASHER.hash(PUPIL_CODE))
    yield w
    await _truncate()


# Bodies no form sends: bytes that are not UTF-8, and multipart cut short or without a boundary
# (the CSRF token then comes in its header, as htmx sends it).
RAW_BODIES = {
    "not UTF-8": ("application/x-www-form-urlencoded", b"name=%FF%FE&title=\xff\xfe&email=%C0"),
    "truncated multipart": ("multipart/form-data; boundary=xyz",
                            b'--xyz\r\nContent-Disposition: form-data; name="name"\r\n\r\nab'),
    "multipart without boundary": ("multipart/form-data", b"--\r\n\r\n"),
    "multipart NUL": ("multipart/form-data; boundary=xyz",
                      b'--xyz\r\nContent-Disposition: form-data; name="name"\r\n\r\na\x00b'
                      b'\r\n--xyz--\r\n'),
}


async def send(app, world, role: str, method: str, url: str, query: dict | None = None,
               data: dict | None = None, raw: tuple[str, bytes] | None = None,
               n: list = [0]) -> httpx.Response:
    """One request as `role`, in a transaction rolled back afterwards (the world stays as
    seeded); each from its own address so no sign-in limit interferes."""
    n[0] += 1
    cookie = session_cookie(app.state.settings.secret_key, role)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False,
                                client=(f"10.9.{n[0] // 250}.{n[0] % 250}", 5000))
    try:
        async with in_transaction():
            async with httpx.AsyncClient(transport=transport,
                                         base_url="http://testserver") as client:
                if method == "GET":
                    response = await client.get(url, params=query, headers={
                        "Cookie": f"samskapa_session={cookie}"})
                elif raw is not None:
                    response = await client.post(url, content=raw[1], headers={
                        "Cookie": f"samskapa_session={cookie}", "Content-Type": raw[0],
                        "X-CSRF-Token": CSRF})
                else:
                    response = await client.post(url, data={**(data or {}), "csrf_token": CSRF},
                                                 headers={"Cookie": f"samskapa_session={cookie}"})
            raise Rollback(response)
    except Rollback as done:
        return done.args[0]


async def test_no_route_answers_malformed_input_with_5xx(app, world, cheap_argon2):
    names = sorted(field_names())
    failures, walked = [], set()

    async def check(role, method, pattern, url, query=None, data=None, raw=None, what=""):
        response = await send(app, world, role, method, url, query, data, raw)
        if response.status_code >= 500 or (response.status_code >= 400
                                           and not MESSAGE_RE.search(response.text)):
            failures.append(f"{response.status_code} {role} {method} {pattern} {what} -> {url}")
        walked.add(pattern)

    for pattern, methods in routes_of(app.routes):
        params = valid_params(pattern, world)
        path_names = [m.group(1) for m in PARAM_RE.finditer(pattern)]
        for method in sorted(methods & {"GET", "POST"}):
            case, role = case_for(pattern) if method == "POST" else (None, "organiser")
            url = fill(case.url, world.ids) if case else url_for(pattern, params)
            base = {k: fill(v, world.ids) for k, v in case.data.items()} if case else {}
            if method == "POST":
                for label, body in RAW_BODIES.items():
                    await check(role, method, pattern, url, raw=body, what=f"body {label}")
            for label, value in MALFORMED.items():
                for name in path_names:
                    bad_url = url_for(pattern, {**params, name: value})
                    await check(role, method, pattern, bad_url, data=base,
                                what=f"{label} in path {name}")
                if method == "GET":
                    # In groups that keep a long value's URL within what a client sends.
                    group = max(1, 60_000 // (len(value) * 3 + 20))
                    for start in range(0, len(names), group):
                        await check(role, method, pattern, url,
                                    query=dict.fromkeys(names[start:start + group], value),
                                    what=f"{label} in the query")
                    continue
                await check(role, method, pattern, url, data=dict.fromkeys(names, value),
                            what=f"{label} in every field")
                for name in base:  # one field malformed, the rest valid: past the form checks
                    await check(role, method, pattern, url, data={**base, name: value},
                                what=f"{label} in field {name}")
    assert not failures, "\n".join(failures)
    assert walked == {pattern for pattern, _methods in routes_of(app.routes)}
    assert len(walked) > 40 and "/events/{slug}/classes/{class_id:id}/place" in walked


# --- each malformed value found, pinned to its 4xx and its message (Swedish, the default) ---

CONTROL_IN_FIELD = "Fältet innehåller styrtecken (till exempel en NUL-byte)"
CONTROL_IN_URL = "till exempel ett styrtecken i adressen"
NOT_FOUND = "Vi hittade inte sidan."


async def test_year_0001_in_a_date_field(app, world):
    for when in ("0001-01-01T00:00", "9999-12-31T23:59"):
        r = await send(app, world, "admin", "POST", "/events/new",
                       data={**EVENT_FORM, "registration_opens": when})
        assert r.status_code == 422, r.text[-800:]
        assert "Ange ett datum mellan åren 2000 och 2100." in r.text
        assert f'value="{when}"' in r.text  # the input is kept to be corrected


@pytest.mark.parametrize("number", ["2147483648", "9223372036854775808", "9" * 30])
async def test_path_ids_beyond_the_database(app, world, number):
    for url in (f"/events/hack/teams/{number}", f"/events/skola/classes/{number}",
                f"/events/skola/classes/{world.ids['class']}/pupils/{number}/code"):
        method = "POST" if url.endswith("/code") else "GET"
        r = await send(app, world, "organiser", method, url)
        assert r.status_code == 404, (url, r.status_code)
        assert NOT_FOUND in r.text


async def test_unicode_digits_as_ids(app, world):
    r = await send(app, world, "organiser", "GET", "/events/hack/teams/%C2%B2")
    assert r.status_code == 404
    r = await send(app, world, "organiser", "POST", f"/events/skola/classes/{world.ids['class']}"
                   "/place", data={"pupil_id": "²", "team_id": str(world.ids["class_team"])})
    assert r.status_code == 422 and "Välj en elev i klassen." in r.text
    r = await send(app, world, "participant", "POST",
                   f"/events/hack/teams/{world.ids['team_a']}/leader",
                   data={"user_id": "²"})
    assert r.status_code == 422 and "Välj en medlem i laget." in r.text
    for big in ("2147483648", "9223372036854775808"):
        r = await send(app, world, "organiser", "POST", f"/events/skola/classes/"
                       f"{world.ids['class']}/place", data={"pupil_id": big, "team_id": big})
        assert r.status_code == 422 and "Välj en elev i klassen." in r.text


async def test_a_malformed_team_never_takes_a_pupil_out_of_their_team(app, world):
    """Found walking the app: team_id "²" (or 2^64, or "abc") was read as "no team"."""
    for bad in ("²", "99999999999999999999", "abc"):
        r = await send(app, world, "organiser", "POST", f"/events/skola/classes/"
                       f"{world.ids['class']}/place", data={"pupil_id": str(world.ids["pupil"]),
                                                            "team_id": bad})
        assert r.status_code == 422 and "Välj ett av klassens lag." in r.text, bad


async def test_nul_byte_when_signing_in(app, world):
    """Anonymous sign-in, an adult's and a pupil's: the NUL never reaches the database."""
    r = await send(app, world, "anonymous", "POST", "/login",
                   data={"email": "mate@example.se\x00", "password": PASSWORD})
    assert r.status_code == 422 and CONTROL_IN_FIELD in r.text
    assert 'value="mate@example.se"' in r.text  # cleaned, kept, to send again
    r = await send(app, world, "anonymous", "POST", "/pupil", data={
        "class_code": "KLASS5BB\x00", "nickname": "Creeper", "login_code": PUPIL_CODE})
    assert r.status_code == 422 and CONTROL_IN_FIELD in r.text


async def test_nul_byte_in_search_and_addresses(app, world):
    r = await send(app, world, "anonymous", "GET", "/events/hack/challenges",
                   query={"q": "cykel\x00"})
    assert r.status_code == 400 and CONTROL_IN_URL in r.text
    for url in ("/events/hack%00", "/events/hack/challenges/cykel%00", "/invitations/a%00b",
                "/static/css%00.css"):
        r = await send(app, world, "organiser", "GET", url)
        assert r.status_code == 400 and CONTROL_IN_URL in r.text, url


async def test_codes_and_slugs_longer_than_their_column(app, world):
    r = await send(app, world, "anonymous", "POST", "/pupil/join",
                   data={"class_code": "K" * 19, "nickname": "Steve"})
    assert r.status_code == 422
    assert "Ingen klass har den klasskoden." in r.text
    r = await send(app, world, "mate", "POST", "/events/hack/join", data={"code": "A" * 19})
    assert r.status_code == 422 and "Inget lag i det här evenemanget har den koden." in r.text
    r = await send(app, world, "anonymous", "GET", "/events/" + "x" * 300)
    assert r.status_code == 400 and "Något du skickade är längre än vi tar emot" in r.text
