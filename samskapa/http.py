"""HTTP helpers every package's routes share: redirects that htmx follows, form pages, and the
check that keeps a `next` parameter on this site."""
from __future__ import annotations

from urllib.parse import quote, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from samskapa.forms import Form
from samskapa.templating import render


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths: a `next` parameter must never send anyone to another site.

    Browsers read a backslash as a slash and drop tabs and newlines, so `/\\evil.example` or
    `/<tab>/evil.example` would mean `//evil.example`: such characters are refused outright
    rather than cleaned up."""
    if not target or not target.startswith("/") or target[1:2] in ("/", "\\"):
        return default
    if "\\" in target or not target.isprintable() or any(c.isspace() for c in target):
        return default
    parsed = urlsplit(target)
    if parsed.scheme or parsed.netloc:
        return default
    return target


def redirect(request: Request, url: str) -> Response:
    """See-other redirect; htmx follows HX-Redirect with a full page load instead."""
    if request.headers.get("HX-Request") == "true":
        # Quoted as RedirectResponse quotes a Location (a header holds no other characters).
        return Response(status_code=204,
                        headers={"HX-Redirect": quote(url, safe=":/%#?=@[]!$&'()*+,;")})
    return RedirectResponse(url, status_code=303)


def form_page(request: Request, template: str, form: Form, status_code: int = 200, **context):
    """The page of a form, or (htmx) its `form` block, with the form's errors beside it."""
    return render(request, template, {"form": form, "errors": form.messages(), **context},
                  block="form", status_code=status_code)
