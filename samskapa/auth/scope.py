"""Sessions limited to one part of the site.

A session opened by a mailed link alone (a jury link, judging/jury.py) proves only that its
holder read that mail: it must not open account pages, other events or any organiser page.
Whoever signs such a session in puts the one path it may reach in the signed session cookie
(`SCOPE_KEY`; the cookie cannot be altered without the server's key, and signing in with a
password starts a fresh cookie without it). Reading it costs no query. A page outside sends the
visitor back to their path; anything else outside is refused.
"""
from __future__ import annotations

import re

from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

SCOPE_KEY = "only"
# Besides the scope's own path: signing out, the language switch, static files, the sign-in
# links of the jury and the public statements about privacy and accessibility.
ALWAYS = re.compile(r"^/(?:static/|logout$|lang$|jury-link/|privacy$|accessibility$)")


def allowed(path: str, prefix: str) -> bool:
    return bool(ALWAYS.match(path)) or path == prefix or path.startswith(prefix + "/")


class SessionScopeMiddleware:
    def __init__(self, app: ASGIApp, on_forbidden: ASGIApp) -> None:
        self.app = app
        self.on_forbidden = on_forbidden

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        prefix = scope.get("session", {}).get(SCOPE_KEY) if scope["type"] == "http" else None
        if prefix and not allowed(scope["path"], prefix):
            if scope["method"] in ("GET", "HEAD"):
                await RedirectResponse(prefix, status_code=303)(scope, receive, send)
            else:
                await self.on_forbidden(scope, receive, send)
            return
        await self.app(scope, receive, send)
