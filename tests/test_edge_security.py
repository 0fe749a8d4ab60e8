"""Host header and security headers, over HTTP as an attacker or a browser sends them."""
from __future__ import annotations

import dataclasses
import re

import httpx
import pytest
from starlette.routing import Route

from events.models import Event
from samskapa.app import create_app
from tests.events.helpers import make_event

CSP_DIRECTIVES = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'",
    "img-src": "'self' data:", "frame-ancestors": "'none'", "form-action": "'self'",
    "base-uri": "'self'", "object-src": "'none'",
}
ABSOLUTE_LINK = re.compile(r'(?:href|src|action)="(?:https?:)?//', re.I)


async def published_event() -> Event:
    return await make_event("host-hack", title="Host Hack")


async def test_a_forged_host_is_refused_and_never_reaches_the_next_visitor(client):
    await published_event()
    for path in ("/", "/events/host-hack", "/events/host-hack/challenges"):
        forged = await client.get(path, headers={"Host": "evil.example"})
        assert forged.status_code == 400, path
        also_forged = await client.get(path, headers={"Host": "evil.example:8000"})
        assert also_forged.status_code == 400, path
        visitor = await client.get(path)
        assert visitor.status_code == 200
        assert "evil.example" not in visitor.text, path
        assert "evil.example" not in str(visitor.headers)


async def test_pages_link_root_relative_and_hosts_are_kept_apart(settings, clean_db):
    """A second configured name (say, the school's LAN name) still never ends up in the pages
    the other name serves."""
    await published_event()
    app = create_app(dataclasses.replace(settings, allowed_hosts=("testserver", "alias.example")),
                     manage_db=False)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        for path in ("/", "/events/host-hack", "/events/host-hack/challenges", "/login"):
            alias = await c.get(path, headers={"Host": "alias.example"})
            assert alias.status_code == 200
            assert "alias.example" not in alias.text, path
            assert not ABSOLUTE_LINK.search(alias.text), path
            assert 'src="/static/js/htmx.min.js"' in alias.text
            normal = await c.get(path)
            assert "alias.example" not in normal.text, path
        assert len({key[1] for key in app.state.page_cache._entries}) == 2  # one key per host


async def test_feeds_and_apis_link_to_the_configured_base_url(settings, clean_db):
    """Found walking the app: the iCal feed and the API built their absolute links from the
    Host header, which only has to be an allowed name (any port passes). They come from the
    base URL now."""
    await published_event()
    app = create_app(dataclasses.replace(settings, allowed_hosts=("testserver", "alias.example")),
                     manage_db=False)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        for path in ("/events/host-hack/calendar.ics", "/api/events/host-hack",
                     "/api/events", "/api/events/host-hack/challenges"):
            for host in ("testserver:9999", "alias.example"):
                r = await c.get(path, headers={"Host": host})
                assert r.status_code == 200, (path, host)
                assert host not in r.text and ":9999" not in r.text, (path, host)
        feed = (await c.get("/events/host-hack/calendar.ics",
                            headers={"Host": "alias.example"})).text
        assert "URL:http://testserver/events/host-hack" in feed.replace("\r\n ", "")


def _csp(response: httpx.Response) -> dict[str, str]:
    header = response.headers.get("content-security-policy", "")
    return {part.split(None, 1)[0]: part.split(None, 1)[1] if " " in part.strip() else ""
            for part in (p.strip() for p in header.split(";")) if part}


def assert_security_headers(response: httpx.Response, what: str) -> None:
    csp = _csp(response)
    for directive, value in CSP_DIRECTIVES.items():
        assert csp.get(directive) == value, f"{what}: CSP {directive} is {csp.get(directive)!r}"
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    assert response.headers.get("x-content-type-options") == "nosniff", what
    assert response.headers.get("referrer-policy") == "same-origin", what


@pytest.fixture
def failing_app(app):
    async def boom(request):
        raise RuntimeError("a bug")

    app.router.routes.append(Route("/test-boom", boom))
    return app


async def test_every_response_carries_the_security_headers(client, failing_app):
    await published_event()
    responses = {
        "page": await client.get("/"),
        "cached page": await client.get("/"),
        "htmx fragment": await client.get("/events/host-hack/challenges",
                                          headers={"HX-Request": "true"}),
        "static file": await client.get("/static/js/htmx.min.js"),
        "404": await client.get("/no/such/page"),
        "403 (no CSRF token)": await client.post("/login", data={"email": "a@b.se"}),
        "400 (forged host)": await client.get("/", headers={"Host": "evil.example"}),
    }
    # Starlette re-raises after answering 500; the transport must not pass that on to us.
    transport = httpx.ASGITransport(app=failing_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        responses["500"] = await c.get("/test-boom")
    assert [r.status_code for r in responses.values()] == [200, 200, 200, 200, 404, 403, 400, 500]
    for what, response in responses.items():
        assert_security_headers(response, what)
        assert "strict-transport-security" not in response.headers, f"{what}: HSTS over http"


async def test_hsts_only_over_https(app, clean_db):
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
        for path in ("/", "/static/css/site.css", "/nowhere"):
            response = await c.get(path)
            assert response.headers["strict-transport-security"].startswith("max-age="), path
            assert_security_headers(response, path)


async def test_pages_need_no_inline_script_or_style(client):
    """What the CSP forbids must not be in the pages: inline <script>, style attributes, on*=
    handlers, hx-on; and htmx is told not to eval nor to inject its indicator style."""
    await published_event()
    for path in ("/", "/events/host-hack", "/events/host-hack/challenges", "/login",
                 "/register", "/pupil"):
        page = (await client.get(path)).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), path
        assert not re.search(r"\sstyle=", page), path
        assert not re.search(r"\son[a-z]+=|hx-on", page), path
        assert '"allowEval": false' in page and '"includeIndicatorStyles": false' in page


def test_no_template_needs_inline_script_or_style():
    """Every template, not only the pages walked: the CSP would block these in the browser."""
    from samskapa.templating import TEMPLATE_DIR

    offences = []
    for path in sorted(TEMPLATE_DIR.rglob("*.html")):
        text = path.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"\sstyle=", r"\son[a-z]+=", r"hx-on",
                        r"javascript:", r"\bjs:"):
            offences += [f"{path.relative_to(TEMPLATE_DIR)}: {m.group(0).strip()}"
                         for m in re.finditer(pattern, text)]
    assert not offences, offences
