"""A short-lived, per-process cache of public pages as anonymous visitors see them.

Why: the public challenge list and event pages are what crowds open at the start of a hackathon
(one link on a projector, a hundred phones); every anonymous visitor gets the same HTML, so it is
rendered once per few seconds instead of once per request.

Correctness rules:
- only GET, only anonymous visitors (a signed-in page shows personal things), only 200 answers,
  and never a page that carries a CSRF token or sets a cookie;
- the key holds the scheme, the host, the path, the query, the language and whether htmx asked
  for a fragment (pages link root-relative, but a page must still never travel between hosts);
- every database write in this process empties the cache: the hook sits on Tortoise's database
  clients, so `QuerySet.update()`, bulk writes, raw SQL, CLI-style jobs run in the process and
  transaction commits count too, not only model signals. A page whose rendering began before a
  write is not stored (a generation counter), so it cannot bring back what the write changed;
- another process (a second worker, the `samskapa` CLI) may show a page up to `ttl` seconds old,
  which is the price of not asking the database;
- when an entry expires, one request renders it again while the others get the previous copy
  (stale-while-revalidate, one refill per key), so a crowd never renders a page fifty times at
  once. With no copy to give (first visit, or just after a write) they wait for that one render.
"""
from __future__ import annotations

import asyncio
import importlib
import re
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps

from starlette.requests import Request
from starlette.responses import Response

from samskapa.i18n import get_language
from samskapa.templating import is_htmx

_live_caches: "weakref.WeakSet[PageCache]" = weakref.WeakSet()
# Bumped by every database write in this process; a render stores its page only if no write
# happened while it ran.
_generation = 0


def invalidate() -> None:
    global _generation
    _generation += 1
    for cache in list(_live_caches):
        cache.clear()


@dataclass(frozen=True)
class _Entry:
    fresh_until: float
    body: bytes
    headers: tuple[tuple[str, str], ...]

    def response(self) -> Response:
        return Response(self.body, status_code=200, headers=dict(self.headers))


class PageCache:
    """`max_stale`: how long after expiry a copy may still be given out while it is refilled;
    older copies make the crowd wait for the one refill instead (time-dependent pages, such as
    an event's phase, should not come back from long ago)."""

    def __init__(self, ttl: float, max_entries: int = 2000, max_stale: float = 60.0,
                 clock=time.monotonic) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.max_stale = max_stale
        self.clock = clock
        self._entries: dict[tuple, _Entry] = {}
        self._refills: dict[tuple, asyncio.Future] = {}
        _live_caches.add(self)

    def clear(self) -> None:
        self._entries.clear()
        # Renders in flight began before the write: requests from now on start a new one.
        self._refills.clear()

    def _put(self, key: tuple, response: Response) -> _Entry:
        if len(self._entries) >= self.max_entries:
            self._entries.clear()  # crude but bounded; a full cache is rare and refills fast
        headers = tuple((k, v) for k, v in response.headers.items() if k != "content-length")
        entry = _Entry(self.clock() + self.ttl, bytes(response.body), headers)
        self._entries[key] = entry
        return entry

    async def respond(self, key: tuple,
                      render: Callable[[], Awaitable[tuple[Response, bool]]]) -> Response:
        """The page for `key`: a fresh copy, else a recent copy while another request refills
        it, else the result of one render shared by every request waiting for it. `render`
        returns the response and whether it may be shared."""
        now = self.clock()
        entry = self._entries.get(key)
        if entry is not None and now < entry.fresh_until:
            return entry.response()
        refill = self._refills.get(key)
        if refill is not None:
            if entry is not None and now < entry.fresh_until + self.max_stale:
                return entry.response()
            shared = await asyncio.shield(refill)
            if shared is not None:
                return shared.response()
            response, _shareable = await render()  # that render could not be shared
            return response

        generation = _generation
        refill = asyncio.get_running_loop().create_future()
        self._refills[key] = refill
        stored = None
        try:
            response, shareable = await render()
            if not shareable:
                self._entries.pop(key, None)
            elif generation == _generation:
                stored = self._put(key, response)
            return response
        finally:
            if self._refills.get(key) is refill:
                del self._refills[key]
            refill.set_result(stored)


def cached_public_page(handler):
    """Route decorator: serve anonymous GETs of this page from the app's PageCache."""

    @wraps(handler)
    async def wrapper(request: Request) -> Response:
        cache: PageCache = request.app.state.page_cache
        if cache.ttl <= 0 or request.method != "GET" or request.state.user is not None:
            return await handler(request)
        key = (request.url.scheme, request.url.hostname, request.url.path, request.url.query,
               get_language(), is_htmx(request))

        async def render() -> tuple[Response, bool]:
            had_token = "csrf" in request.session
            response = await handler(request)
            carries_token = had_token or "csrf" in request.session
            shareable = (response.status_code == 200 and not carries_token
                         and "set-cookie" not in response.headers)
            return response, shareable

        return await cache.respond(key, render)

    return wrapper


# --- every database write empties the caches ----------------------------------------------------

_READS = ("SELECT", "PRAGMA", "EXPLAIN", "SHOW")
_WRITE_IN_CTE = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)


def _is_read(query: str) -> bool:
    # A read must never count as a write: a page whose own query emptied the cache would never
    # be stored. Anything unsure counts as a write (emptying too often only costs a render).
    head = query.lstrip()[:8].upper()
    if head.startswith(_READS):
        return True
    return head.startswith("WITH") and not _WRITE_IN_CTE.search(query)


# Bookkeeping no public page shows. Every sign-in, failed attempt and session's last-seen writes
# these: were they to empty the cache, anyone failing sign-ins could keep every page uncached.
UNSHOWN_TABLES = frozenset({"user_sessions", "limit_counters", "outbox_messages",
                            "email_verification_tokens", "password_reset_tokens"})
_WRITE_TARGET = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+["`]?(\w+)',
                           re.IGNORECASE)


def _writes_only_unshown(query: str) -> bool:
    target = _WRITE_TARGET.match(query)
    return target is not None and target.group(1).lower() in UNSHOWN_TABLES


_CLIENT_MODULES = ("tortoise.backends.sqlite.client", "tortoise.backends.asyncpg.client")


def _invalidating(method, *, unless_read: bool):
    @wraps(method)
    async def wrapped(self, query, *args, **kwargs):
        if (unless_read and _is_read(query)) or _writes_only_unshown(query):
            return await method(self, query, *args, **kwargs)
        try:
            return await method(self, query, *args, **kwargs)
        finally:
            invalidate()  # after the statement: a page rendered meanwhile is not stored

    wrapped._invalidates_page_cache = True
    return wrapped


def _invalidating_commit(method):
    @wraps(method)
    async def wrapped(self, *args, **kwargs):
        try:
            return await method(self, *args, **kwargs)
        finally:
            # Other connections see a transaction's writes only now (PostgreSQL).
            invalidate()

    wrapped._invalidates_page_cache = True
    return wrapped


def invalidate_on_database_writes() -> None:
    """Wrap the write paths of Tortoise's SQLite and PostgreSQL clients (idempotent). Signals
    would miss `QuerySet.update()`/`.delete()`, bulk writes and raw SQL; every one of them goes
    through these methods."""
    from tortoise.backends.base.client import BaseDBAsyncClient

    for module_name in _CLIENT_MODULES:
        module = importlib.import_module(module_name)
        for cls in vars(module).values():
            if not (isinstance(cls, type) and issubclass(cls, BaseDBAsyncClient)
                    and cls.__module__ == module_name):
                continue
            for name, wrap in (
                    ("execute_insert", lambda m: _invalidating(m, unless_read=False)),
                    ("execute_many", lambda m: _invalidating(m, unless_read=False)),
                    ("execute_script", lambda m: _invalidating(m, unless_read=False)),
                    ("execute_query", lambda m: _invalidating(m, unless_read=True)),
                    ("execute_query_dict", lambda m: _invalidating(m, unless_read=True)),
                    ("commit", _invalidating_commit)):
                method = cls.__dict__.get(name)
                if method is not None and not getattr(method, "_invalidates_page_cache", False):
                    setattr(cls, name, wrap(method))
