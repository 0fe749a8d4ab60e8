"""One-time messages for the page a redirect leads to ("Your password is changed"), kept in the
session cookie between the POST and that page, and shown once by base.html."""
from __future__ import annotations

from starlette.requests import Request

KEY = "flash"


def flash(request: Request, message: str) -> None:
    """`message` is already in the visitor's language (gettext)."""
    request.session[KEY] = [*request.session.get(KEY, []), message]


def pop_flashes(request: Request) -> list[str]:
    # Only touch the session when there is something: an untouched anonymous session sets no
    # cookie, so the public page cache can keep the page.
    return request.session.pop(KEY) if KEY in request.session else []
