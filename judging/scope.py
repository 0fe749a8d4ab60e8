"""A jury-link session reaches its event's jury pages and nothing else.

A juror signed in by a mailed link alone (judging/jury.py) proved only that they read that
mail: their session must not open the account pages, another event or any organiser page. The
signed session cookie names the one event (jury.SCOPE_KEY; the cookie cannot be altered without
the server's key, and signing in with a password starts a fresh cookie without it). Reading it
costs no query. A page outside the scope sends them to their queue; anything else is refused.
"""
from __future__ import annotations

import re

from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from judging.jury import SCOPE_KEY

# Besides the event's jury pages: signing out, the language switch, static files, the
# sign-in links themselves and the public pages about privacy and accessibility.
ALWAYS = re.compile(r"^/(?:static/|logout$|lang$|jury-link/|privacy$|accessibility$)")


def allowed(path: str, slug: str) -> bool:
    return bool(ALWAYS.match(path)) or path == f"/events/{slug}/jury" \
        or path.startswith(f"/events/{slug}/jury/")


class JuryScopeMiddleware:
    def __init__(self, app: ASGIApp, on_forbidden: ASGIApp) -> None:
        self.app = app
        self.on_forbidden = on_forbidden

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        slug = scope.get("session", {}).get(SCOPE_KEY) if scope["type"] == "http" else None
        if slug and not allowed(scope["path"], slug):
            if scope["method"] in ("GET", "HEAD"):
                response = RedirectResponse(f"/events/{slug}/jury", status_code=303)
                await response(scope, receive, send)
            else:
                await self.on_forbidden(scope, receive, send)
            return
        await self.app(scope, receive, send)
