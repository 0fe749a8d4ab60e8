"""The one guard line each route starts with."""
from __future__ import annotations

from starlette.requests import Request

from samskapa.auth import sessions
from samskapa.auth.models import User
from samskapa.errors import Forbidden


class LoginRequired(Exception):
    """Handled by the app: redirect to the sign-in page and come back afterwards."""


class CurrentUserMiddleware:
    """Loads the signed-in user once per request into `request.state.user` (None when
    anonymous, which costs no query), so guards and templates share it.

    The cookie names a server-side session (samskapa/auth/sessions.py); one that has been ended
    or has expired makes the visitor anonymous and empties the cookie, CSRF token included."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            cookie = scope.get("session", {})
            # Static files need nobody: no session lookup for each stylesheet and script.
            wanted = cookie.get("sid") and not scope["path"].startswith("/static/")
            record = await sessions.find(cookie["sid"]) if wanted else None
            state = scope.setdefault("state", {})
            # Ended elsewhere (sign out everywhere, a new password, a new login code): a form
            # sent from an open page is then asked to sign in again, not refused (app.py).
            state["session_ended"] = record is None and bool(wanted)
            if state["session_ended"]:
                cookie.clear()
            state["user_session"] = record
            state["user"] = record.user if record else None
        await self.app(scope, receive, send)


async def current_user(request: Request) -> User | None:
    return getattr(request.state, "user", None)


async def require_user(request: Request) -> User:
    user = await current_user(request)
    if user is None:
        raise LoginRequired()
    return user


async def require_admin(request: Request) -> User:
    user = await require_user(request)
    if not user.is_admin:
        raise Forbidden("Only site administrators can do this.")
    return user


async def require_event_creator(request: Request) -> User:
    user = await require_user(request)
    if not user.can_create_events:
        raise Forbidden("Only site administrators and people they allow can create events.")
    return user


async def sign_in(request: Request, user: User) -> None:
    # A fresh cookie (new session key, new CSRF token) on sign-in: a token planted before login
    # is worth nothing after it. A session this browser had (someone else on a shared school
    # computer) ends here rather than lingering for anyone who copied its cookie.
    earlier = getattr(request.state, "user_session", None)
    if earlier is not None:
        await sessions.end(earlier.id)
    request.session.clear()
    record, key = await sessions.start(user, request.headers.get("user-agent", ""))
    request.session["sid"] = key
    request.state.user = user
    request.state.user_session = record


async def sign_out(request: Request) -> None:
    record = getattr(request.state, "user_session", None)
    if record is not None:
        await sessions.end(record.id)
    request.session.clear()
    request.state.user = None
    request.state.user_session = None
