"""Server-side sessions: the signed cookie only names a session; the row decides whether it is
still alive, so logout, a new password or a new login code can end it at once."""
from __future__ import annotations

import secrets
from datetime import timedelta

from samskapa.auth.models import User, UserSession
from samskapa.auth.passwords import token_hash
from samskapa.clock import now

# Matches the cookie's max_age: a session unused this long is over even if the cookie survived.
IDLE_LIFETIME = timedelta(days=14)
# last_seen_at is written at most this often, so most requests cost the one lookup and no write.
TOUCH_EVERY = timedelta(minutes=5)



async def start(user: User, user_agent: str) -> tuple[UserSession, str]:
    """A new session for `user`; returns it and the key for the cookie (shown nowhere else)."""
    key = secrets.token_urlsafe(32)
    moment = now()
    await UserSession.filter(last_seen_at__lt=moment - IDLE_LIFETIME).delete()
    record = await UserSession.create(user=user, key_hash=token_hash(key), last_seen_at=moment,
                                      user_agent=user_agent[:200])
    return record, key


async def find(key: str) -> UserSession | None:
    """The live session behind a cookie's key, with its user: one query."""
    moment = now()
    record = await UserSession.filter(
        key_hash=token_hash(key), last_seen_at__gt=moment - IDLE_LIFETIME,
    ).select_related("user").first()
    if record is not None and record.last_seen_at < moment - TOUCH_EVERY:
        # A bookkeeping write: it leaves the public page cache alone (page_cache.UNSHOWN_TABLES).
        await UserSession.filter(id=record.id).update(last_seen_at=moment)
        record.last_seen_at = moment
    return record


async def end(session_id: int) -> None:
    await UserSession.filter(id=session_id).delete()


async def end_all(user_id: int) -> None:
    """Ends every session of the user (a new password, a new login code, sign out everywhere);
    whoever did it gets a fresh session from sign_in afterwards."""
    await UserSession.filter(user_id=user_id).delete()


async def of_user(user_id: int) -> list[UserSession]:
    return await UserSession.filter(
        user_id=user_id, last_seen_at__gt=now() - IDLE_LIFETIME).order_by("-last_seen_at")
