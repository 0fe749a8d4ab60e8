"""The application factory: settings in, a Starlette app out."""
from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send
from tortoise.exceptions import ValidationError as UnstorableValue
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from samskapa import db, i18n, packages
from samskapa.auth.admin_routes import routes as admin_routes
from samskapa.auth.guards import CurrentUserMiddleware, LoginRequired
from samskapa.auth.scope import SessionScopeMiddleware
from samskapa.auth.routes import routes as auth_routes
from samskapa.errors import DomainError
from samskapa.flash import flash
from samskapa.http import redirect
from samskapa.limiter import Limiter
from samskapa.page_cache import PageCache, invalidate_on_database_writes
from samskapa.security import (MalformedURLMiddleware, RequestGuardMiddleware,
                               SecureAwareSessionMiddleware, SecurityHeadersMiddleware)
from samskapa.settings import Settings
from samskapa.templating import render

log = logging.getLogger("samskapa")
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

ERROR_TITLES = {
    400: i18n.N_("That did not work"),
    403: i18n.N_("Not allowed"),
    404: i18n.N_("Page not found"),
    405: i18n.N_("Not allowed"),
    413: i18n.N_("Too much data"),
    422: i18n.N_("That did not work"),
    500: i18n.N_("Something went wrong"),
}
ERROR_TEXTS = {
    400: i18n.N_("We could not read what was sent: it contains something that cannot be used, "
                 "such as a control character in the address. Check what you typed or pasted "
                 "and try again."),
    403: i18n.N_("You do not have permission to do this. If you think you should, ask the "
                 "event's organisers."),
    404: i18n.N_("We could not find that page. It may have been moved, or the event may not "
                 "be published yet."),
    413: i18n.N_("What you sent is larger than we accept."),
    500: i18n.N_("An unexpected error happened on our side. It has been logged; please try "
                 "again in a moment."),
}

TOO_LARGE_LIMIT = i18n.N_("What you sent is larger than the %(mb)s MB we accept here.")
SIGNED_OUT_ELSEWHERE = i18n.N_(
    "You have been signed out, for example because you signed out everywhere or a password or "
    "login code was changed. Sign in again to go on where you were.")
VALUE_DOES_NOT_FIT = i18n.N_("Something you sent is longer than we accept or not of the right "
                             "kind. Check what you typed or pasted and try again.")


def request_language(request: Request) -> str:
    return i18n.request_language(request.cookies, request.headers.get("accept-language"))


class LanguageMiddleware:
    """Sets the request's language (the `lang` cookie, else the browser's Accept-Language, else
    Swedish) for templates and services. Pages say so in `Vary`, so that no shared cache hands
    one visitor's language to another."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        i18n.set_language(request_language(Request(scope)))

        async def send_with_vary(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    headers.add_vary_header("Accept-Language")
                    headers.add_vary_header("Cookie")
            await send(message)

        await self.app(scope, receive, send_with_vary)


def error_page(request: Request, status_code: int, message: str | None = None) -> Response:
    i18n.set_language(request_language(request))
    context = {
        "status_code": status_code,
        "title": i18n.gettext(ERROR_TITLES.get(status_code, ERROR_TITLES[400])),
        "message": message or i18n.gettext(ERROR_TEXTS.get(status_code, ERROR_TEXTS[500])),
    }
    return render(request, "errors.html", context, block="content", status_code=status_code)


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_page(request, exc.status_code)


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    return error_page(request, exc.status_code, exc.text())


async def unstorable_value(request: Request, exc: Exception) -> Response:
    # Tortoise checks every value against its column, lookups included, before any query: a
    # slug or code longer than its column (from a URL or a field) cannot match anything.
    # Cut short: the value is the visitor's, and may be megabytes long.
    log.warning("Refused a value on %s %.200s: %.300s", request.method, request.url.path, exc)
    return error_page(request, 400, i18n.gettext(VALUE_DOES_NOT_FIT))


def _came_from(request: Request) -> str:
    """The page an unsafe request was sent from (htmx says; a plain form has its Referer), as
    a path: /login's `next` accepts nothing else."""
    parts = urlsplit(request.headers.get("HX-Current-URL") or request.headers.get("referer")
                     or "/")
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


async def login_required(request: Request, exc: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        target = _came_from(request)
    return redirect(request, f"/login?next={quote(target)}")


async def _forbidden(scope: Scope, receive: Receive, send: Send) -> None:
    """A refused CSRF token. When the session behind it has ended, the visitor is asked to
    sign in again and come back, rather than told they lack permission."""
    request = Request(scope, receive)
    if scope.get("state", {}).get("session_ended"):
        flash(request, i18n.gettext(SIGNED_OUT_ELSEWHERE))
        await redirect(request, f"/login?next={quote(_came_from(request))}")(scope, receive, send)
    else:
        await error_page(request, 403)(scope, receive, send)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, 500)


def _asgi_error(status_code: int):
    async def respond(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        limit = scope.get("state", {}).get("body_limit")
        message = None
        if status_code == 413 and limit:
            i18n.set_language(request_language(request))
            message = i18n.gettext(TOO_LARGE_LIMIT, mb=i18n.format_megabytes(limit))
        await error_page(request, status_code, message)(scope, receive, send)
    return respond


class SamskapaApp(Starlette):
    def build_middleware_stack(self):
        # Outside Starlette's own error middleware, so that a 500 page has the headers too.
        return SecurityHeadersMiddleware(super().build_middleware_stack())


def create_app(settings: Settings | None = None, *, manage_db: bool = True) -> Starlette:
    """`manage_db=False` leaves Tortoise to the caller (tests open one database per session)."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Starlette):
        if manage_db:
            settings.check_writable()  # else SQLite hangs every page (see settings.DataDirError)
            await db.init_db(settings.database_url)
            try:
                await db.check_connection()
            except Exception:
                await db.close_db()  # else aiosqlite's thread keeps the failed process alive
                raise
        running = [asyncio.create_task(task(settings)) for task in packages.tasks()]
        try:
            yield
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            if manage_db:
                await db.close_db()

    routes = [
        # First, so url_for("static", ...) in every page finds it without walking every route.
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
        *auth_routes,
        *admin_routes,
        *packages.routes(),  # every installed domain package's, in INSTALLED order
    ]
    page_cache = PageCache(settings.public_cache_seconds)
    invalidate_on_database_writes()
    # Outermost first. Only configured hosts: a forged Host header never reaches a page.
    middleware = [
        # The client's address and scheme, from X-Forwarded-* only when the connection comes
        # from a configured proxy (never from a visitor's own headers).
        *([Middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))]
          if settings.trusted_proxies else []),
        Middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts),
                   www_redirect=False),
        Middleware(LanguageMiddleware),
        Middleware(SecureAwareSessionMiddleware, secret_key=settings.secret_key),
        Middleware(CurrentUserMiddleware),
        # A session opened by a mailed link alone reaches one path only (samskapa/auth/scope.py).
        Middleware(SessionScopeMiddleware, on_forbidden=_asgi_error(403)),
        Middleware(MalformedURLMiddleware, on_bad_request=_asgi_error(400)),
        Middleware(RequestGuardMiddleware, max_body_bytes=settings.max_body_bytes,
                   on_forbidden=_forbidden, on_too_large=_asgi_error(413)),
    ]
    app = SamskapaApp(
        debug=False,  # never a traceback to a user, even in development
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={
            HTTPException: http_exception,
            DomainError: domain_error,
            UnstorableValue: unstorable_value,
            LoginRequired: login_required,
            Exception: server_error,
        },
    )
    app.state.settings = settings
    app.state.page_cache = page_cache
    app.state.limiter = Limiter(settings.secret_key)
    return app
