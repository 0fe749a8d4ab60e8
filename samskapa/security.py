"""Request-level protection: security headers, body size limit, CSRF on every unsafe request,
the client's address.

CSRF is a middleware rather than a per-route check so that no route can forget it: the token lives
in the signed session, and an unsafe request must echo it in the `csrf_token` form field or the
`X-CSRF-Token` header (htmx sends the header, see base.html).

Bodies are read into memory up to `max_body_bytes` (1 MB by default), except on upload routes:
an endpoint marked `@streamed_upload("max_image_bytes")` gets the limit of that setting, and
its multipart body is passed on as it arrives, counted chunk by chunk (413 past the limit,
raised from inside the stream, so the route may answer in its own words: its form again, with
the limit beside the file field). An upload whose declared length is already past the limit
reaches the route the same way, its stream raising at once, so that it too ends on the form
rather than on an error page. Its CSRF token is checked without buffering the upload: from the
X-CSRF-Token header, else from the form's first field (our forms put `csrf_token` first), which
must arrive within the first STREAMED_TOKEN_WINDOW bytes; only that prefix is held, then
replayed before the rest.
"""
from __future__ import annotations

import hmac
import re
import secrets
from urllib.parse import parse_qs, unquote_plus

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Match, Route
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
BODY_LIMIT_ATTRIBUTE = "streamed_body_limit"
STREAMED_TOKEN_WINDOW = 64 * 1024


def streamed_upload(setting: str):
    """Marks an upload endpoint: its body is streamed (never held in memory) up to
    `getattr(settings, setting)` bytes instead of the global `max_body_bytes`."""
    def mark(endpoint):
        setattr(endpoint, BODY_LIMIT_ATTRIBUTE, setting)
        return endpoint
    return mark


class BodyTooLarge(HTTPException):
    """Raised from the request stream when an upload passes its route's limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(413)
        self.limit = limit


def streamed_limit(scope: Scope) -> int | None:
    """The body limit of the marked upload route this request goes to, or None."""
    app = scope.get("app")
    router = getattr(app, "router", None)
    if router is None:
        return None
    for route in router.routes:
        if isinstance(route, Route) and route.matches(scope)[0] == Match.FULL:
            setting = getattr(route.endpoint, BODY_LIMIT_ATTRIBUTE, None)
            return int(getattr(app.state.settings, setting)) if setting else None
    return None


# No inline script or style anywhere: htmx is configured for it in base.html (no eval, no
# injected indicator style), and pages carry no style="" or on*= attributes.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
])
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),  # frame-ancestors for browsers without CSP level 2
    (b"referrer-policy", b"same-origin"),  # pupils' team pages never leak to other sites
]
HSTS = (b"strict-transport-security", b"max-age=31536000")


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response (pages, errors, static files). HSTS only
    over https: sent over plain http it would be meaningless, and on localhost harmful."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                added = [h for h in SECURITY_HEADERS if h[0] not in present]
                # Read at answer time: a proxy-headers middleware may have set the scheme.
                if scope.get("scheme") == "https":
                    added.append(HSTS)
                message = {**message, "headers": [*message.get("headers", []), *added]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def csrf_token(session: dict) -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


class SecureAwareSessionMiddleware:
    """Signed session cookie, HttpOnly and SameSite=Lax, marked Secure when served over https."""

    def __init__(self, app: ASGIApp, secret_key: str, max_age: int = 14 * 24 * 3600) -> None:
        common = dict(secret_key=secret_key, session_cookie="samskapa_session", max_age=max_age,
                      same_site="lax")
        self.plain = SessionMiddleware(app, https_only=False, **common)
        self.secure = SessionMiddleware(app, https_only=True, **common)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = self.secure if scope.get("scheme") in ("https", "wss") else self.plain
        await handler(scope, receive, send)


class RequestGuardMiddleware:
    """Refuses bodies over `max_body_bytes` (413) and unsafe requests without a valid CSRF token
    (403). Runs inside the session middleware, so the token is read from the session."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, on_forbidden, on_too_large) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.on_forbidden = on_forbidden
        self.on_too_large = on_too_large

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit, streamed = self.max_body_bytes, None
        if scope["method"] in UNSAFE_METHODS and headers.get("content-type", "").startswith(
                "multipart/form-data"):
            streamed = streamed_limit(scope)
            limit = limit if streamed is None else streamed
        declared = headers.get("content-length")
        declared_too_large = bool(declared and declared.isdigit() and int(declared) > limit)
        if streamed is not None:
            await self._streamed(scope, receive, send, headers, limit, declared_too_large)
            return
        if declared_too_large:
            scope.setdefault("state", {})["body_limit"] = limit  # for the 413 page to say
            await self.on_too_large(scope, receive, send)
            return
        if scope["method"] not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return

        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_body_bytes:
                await self.on_too_large(scope, receive, send)
                return
            chunks.append(body)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)

        given = headers.get(CSRF_HEADER) or _token_from_body(headers.get("content-type", ""), body)
        if not self._token_ok(scope, given):
            await self.on_forbidden(scope, receive, send)
            return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _token_ok(self, scope: Scope, given: str | None) -> bool:
        expected = scope.get("session", {}).get("csrf")
        # As bytes: compare_digest refuses (TypeError) a str that is not ASCII.
        return bool(expected and given
                    and hmac.compare_digest(expected.encode(), given.encode()))

    async def _streamed(self, scope: Scope, receive: Receive, send: Send, headers: Headers,
                        limit: int, declared_too_large: bool) -> None:
        """An upload: the token from the header or the body's first bytes, then the body
        passed on chunk by chunk, counted; none of it when its declared length is past the
        limit (the route reads BodyTooLarge at once)."""
        given = headers.get(CSRF_HEADER)
        chunks: list[bytes] = []
        size, ended = 0, False
        while given is None and not ended and size < STREAMED_TOKEN_WINDOW:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            ended = not message.get("more_body")
            given = _token_from_body(headers.get("content-type", ""),
                                     b"".join(chunks)[:STREAMED_TOKEN_WINDOW])
        if size > limit:
            await self.on_too_large(scope, receive, send)
            return
        if not self._token_ok(scope, given):
            await self.on_forbidden(scope, receive, send)
            return
        prefix: bytes | None = b"".join(chunks)

        async def stream() -> Message:
            nonlocal prefix, size
            if declared_too_large:
                raise BodyTooLarge(limit)
            if prefix is not None:
                message = {"type": "http.request", "body": prefix, "more_body": not ended}
                prefix = None
                return message
            if ended:
                return await receive()  # (a disconnect, when the app asks for more)
            message = await receive()
            if message["type"] == "http.request":
                size += len(message.get("body", b""))
                if size > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, stream, send)


def _token_from_body(content_type: str, body: bytes) -> str | None:
    if content_type.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(body.decode("latin-1"), keep_blank_values=True).get(CSRF_FIELD)
        return values[0] if values else None
    if content_type.startswith("multipart/form-data"):
        # The token is a plain text part; find it without parsing any uploaded files.
        marker = b'name="' + CSRF_FIELD.encode() + b'"'
        start = body.find(marker)
        if start < 0:
            return None
        value_start = body.find(b"\r\n\r\n", start)
        value_end = body.find(b"\r\n", value_start + 4)
        if value_start < 0 or value_end < 0:
            return None
        return body[value_start + 4:value_end].decode("ascii", "replace")
    return None


def client_address(request: Request) -> str:
    """The visitor's IP address: the connection's peer, or what a configured proxy says it is
    (ProxyHeadersMiddleware in create_app trusts X-Forwarded-For only from
    SAMSKAPA_TRUSTED_PROXIES, so a visitor cannot choose their own address)."""
    return request.client.host if request.client else "?"


class MalformedURLMiddleware:
    """Refuses (400) a path or query string with control characters in it: no link of ours has
    one, and a NUL byte that reached PostgreSQL would end in a 500. Form fields are cleaned by
    samskapa.forms.Form, which can say so beside the field."""

    def __init__(self, app: ASGIApp, on_bad_request) -> None:
        self.app = app
        self.on_bad_request = on_bad_request

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = unquote_plus(scope.get("query_string", b"").decode("latin-1"))
            if _CONTROL_RE.search(scope["path"]) or _CONTROL_RE.search(query):
                await self.on_bad_request(scope, receive, send)
                return
        await self.app(scope, receive, send)
