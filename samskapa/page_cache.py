"""A short-lived, per-process cache of public pages as anonymous visitors see them.

Why: the public challenge list and event pages are what crowds open at the start of a hackathon
(one link on a projector, a hundred phones); every anonymous visitor gets the same HTML, so it is
rendered once per few seconds instead of once per request.

Correctness rules:
- only GET, only anonymous visitors (a signed-in page shows personal things), only 200 answers,
  and never a page that carries a CSRF token or sets a cookie;
- the key holds the path, the query, the language and whether htmx asked for a fragment;
- any write in this process (an unsafe request, or any model saved or deleted) empties the cache,
  so a process always shows its own changes at once; another worker process may show a page up
  to `ttl` seconds old, which is the price of not asking the database.
"""
from __future__ import annotations

import importlib
import inspect
import time
import weakref
from dataclasses import dataclass
from functools import wraps

from starlette.requests import Request
from starlette.responses import Response
from tortoise.models import Model
from tortoise.signals import Signals

from samskapa.i18n import get_language
from samskapa.security import UNSAFE_METHODS
from samskapa.templating import is_htmx


_live_caches: "weakref.WeakSet[PageCache]" = weakref.WeakSet()


@dataclass(frozen=True)
class _Entry:
    expires: float
    body: bytes
    headers: tuple[tuple[str, str], ...]


class PageCache:
    def __init__(self, ttl: float, max_entries: int = 2000, clock=time.monotonic) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._entries: dict[tuple, _Entry] = {}
        _live_caches.add(self)

    def clear(self) -> None:
        self._entries.clear()

    def get(self, key: tuple) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires < self.clock():
            del self._entries[key]
            return None
        return entry

    def put(self, key: tuple, response: Response) -> None:
        if len(self._entries) >= self.max_entries:
            self._entries.clear()  # crude but bounded; a full cache is rare and refills fast
        headers = tuple((k, v) for k, v in response.headers.items() if k != "content-length")
        self._entries[key] = _Entry(self.clock() + self.ttl, bytes(response.body), headers)


def cached_public_page(handler):
    """Route decorator: serve anonymous GETs of this page from the app's PageCache."""

    @wraps(handler)
    async def wrapper(request: Request) -> Response:
        cache: PageCache = request.app.state.page_cache
        if cache.ttl <= 0 or request.method != "GET" or request.state.user is not None:
            return await handler(request)
        key = (request.url.path, request.url.query, get_language(), is_htmx(request))
        entry = cache.get(key)
        if entry is not None:
            return Response(entry.body, status_code=200, headers=dict(entry.headers))
        had_token = "csrf" in request.session
        response = await handler(request)
        carries_token = had_token or "csrf" in request.session
        if (response.status_code == 200 and not carries_token
                and "set-cookie" not in response.headers):
            cache.put(key, response)
        return response

    return wrapper


class CacheInvalidationMiddleware:
    """Empties the page cache after every unsafe request this process answers."""

    def __init__(self, app, cache: PageCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope, receive, send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            if scope["type"] == "http" and scope["method"] in UNSAFE_METHODS:
                self.cache.clear()


async def _clear_all(*_args, **_kwargs) -> None:
    for cache in list(_live_caches):
        cache.clear()


def clear_on_model_writes(model_modules: list[str]) -> None:
    """Writes that do not come through a request (CLI, jobs, tests) empty the caches too.
    Idempotent: Tortoise keeps one copy of the same listener per model."""
    for module_name in model_modules:
        for _name, obj in inspect.getmembers(importlib.import_module(module_name),
                                             inspect.isclass):
            if issubclass(obj, Model) and obj is not Model and obj.__module__ == module_name:
                for signal in (Signals.post_save, Signals.post_delete):
                    obj.register_listener(signal, _clear_all)
