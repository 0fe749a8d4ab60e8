"""The one guard line each route starts with."""
from __future__ import annotations

from starlette.requests import Request

from samskapa.auth.models import User
from samskapa.errors import Forbidden


class LoginRequired(Exception):
    """Handled by the app: redirect to the sign-in page and come back afterwards."""


class CurrentUserMiddleware:
    """Loads the signed-in user once per request into `request.state.user` (None when
    anonymous, which costs no query), so guards and templates share it."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            user_id = scope.get("session", {}).get("user_id")
            user = await User.get_or_none(id=user_id) if user_id else None
            scope.setdefault("state", {})["user"] = user
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


def sign_in(request: Request, user: User) -> None:
    # A fresh CSRF token on sign-in: a token planted before login is worth nothing after it.
    request.session.clear()
    request.session["user_id"] = user.id
    request.state.user = user


def sign_out(request: Request) -> None:
    request.session.clear()
    request.state.user = None
