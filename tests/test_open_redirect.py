"""`next` never sends anyone to another site: every payload below goes through the sign-in page
as a browser would (the link, the form's hidden field, the POST), and where the answer sends the
browser is worked out the way a browser reads a Location header."""
from __future__ import annotations

import html
import re
from urllib.parse import quote, urljoin, urlsplit

import pytest

from tests.events.helpers import PASSWORD, make_user

# Raw values of `next` (after the query string is decoded once).
PAYLOADS = [
    "//evil.example/phish",
    "/\\evil.example/phish",           # /%5Cevil.example: browsers read \ as /
    "/\\\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "/\t/evil.example",                # tabs and newlines are dropped by browsers
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/ /evil.example",
    "/\x00/evil.example",
    "/\x0b/evil.example",
    "/\x1f/evil.example",
    "https://evil.example/phish",
    "http:evil.example",
    "https:/evil.example",
    "https:\\\\evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "///evil.example",
    "////evil.example",
    "evil.example",
    "@evil.example",
    "/%5Cevil.example",                # double-encoded in the link: a path, harmless
    "/%2F%2Fevil.example",
    "%2F%2Fevil.example",
    "/\u3000/evil.example",            # ideographic space
    "/\u2028/evil.example",
    "/\uff0fevil.example",             # fullwidth solidus: a path, harmless
]
GOOD = ["/events/hack", "/events/hack?tab=teams&x=1", "/invitations/abc-123_x", "/"]


def browser_target(location: str) -> tuple[str, str]:
    """(scheme, host) a browser on http://testserver/login would go to for this Location."""
    cleaned = re.sub(r"[\t\n\r]", "", location).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08"
                                                       "\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14"
                                                       "\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d"
                                                       "\x1e\x1f ")
    cleaned = cleaned.replace("\\", "/")
    target = urlsplit(urljoin("http://testserver/login", cleaned))
    return target.scheme, target.hostname or ""


def assert_same_site(location: str, payload: str) -> None:
    assert browser_target(location) == ("http", "testserver"), (payload, location)
    assert location.startswith("/") and not location.startswith(("//", "/\\")), (payload, location)


@pytest.fixture
async def anna(clean_db):
    return await make_user("anna@example.se")


def test_the_browser_model_catches_the_reported_payload():
    """The helper reads Locations as a browser does, so the tests below can fail."""
    assert browser_target("/\\evil.example/phish") == ("http", "evil.example")
    assert browser_target("/\t/evil.example") == ("http", "evil.example")
    assert browser_target("/events/hack") == ("http", "testserver")


CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@pytest.mark.parametrize("payload", PAYLOADS + GOOD, ids=repr)
async def test_sign_in_never_leaves_the_site(make_client, anna, payload):
    visitor = await make_client()
    link = f"/login?next={quote(payload, safe='')}"
    if CONTROL.search(payload):
        # No address of ours has a control character: refused before any page.
        assert (await visitor.get(link)).status_code == 400
        link = "/login"  # the payload then travels in the form field only
    page = await visitor.get(link)
    assert page.status_code == 200
    hidden = html.unescape(re.search(r'name="next" value="([^"]*)"', page.text).group(1))
    # The form as the page gave it (plain, as without JavaScript), and the raw payload forged
    # into the form field (with htmx, whose HX-Redirect the browser follows unescaped).
    for field, headers in ((hidden, {}), (payload, {"HX-Request": "true"})):
        token = re.search(r'name="csrf_token" value="([^"]+)"',
                          (await visitor.get(link)).text).group(1)
        r = await visitor.post(link, data={"email": "anna@example.se", "password": PASSWORD,
                                           "next": field, "csrf_token": token}, headers=headers)
        if r.status_code == 422:  # a field with control characters comes back to correct
            assert CONTROL.search(field) and "HX-Redirect" not in r.headers
            continue
        assert r.status_code in (204, 303), r.text[-400:]
        location = r.headers.get("location") or r.headers["HX-Redirect"]
        assert_same_site(location, payload)
        if payload in GOOD:
            assert location == payload


@pytest.mark.parametrize("payload", PAYLOADS, ids=repr)
async def test_language_switch_never_leaves_the_site(client, payload):
    r = await client.get(f"/lang?to=en&next={quote(payload, safe='')}")
    if CONTROL.search(payload):
        assert r.status_code == 400  # refused before it could go anywhere
        return
    assert r.status_code == 303
    assert_same_site(r.headers["location"], payload)
