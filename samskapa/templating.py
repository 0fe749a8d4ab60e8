"""Jinja templates: a full page normally, the named block for an htmx request.

Every page template extends base.html; its named blocks double as the htmx fragments, so one
template serves both (jinja2-fragments' Jinja2Blocks).
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import jinja2
from jinja2_fragments.starlette import Jinja2Blocks
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from samskapa import i18n
from samskapa.flash import pop_flashes
from samskapa.markdown import render_markdown
from samskapa.security import csrf_token

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"

env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True,
                         extensions=["jinja2.ext.i18n"])
templates = Jinja2Blocks(env=env)
# Jinja's newstyle gettext fills in the placeholders itself (escaping them): give it the
# translated text unformatted, or a plural with any placeholder but num would fail.
env.install_gettext_callables(  # type: ignore[attr-defined]
    lambda message: i18n.translations(i18n.get_language()).ugettext(message),
    lambda singular, plural, n: i18n.translations(i18n.get_language()).ungettext(
        singular, plural, n),
    newstyle=True,
)


@jinja2.pass_context
def url_for(context, name: str, /, **path_params) -> str:
    """A root-relative path, never an absolute URL: Starlette's would take the host from the
    request's Host header, and a public page is cached and shared between visitors."""
    request: Request = context["request"]
    return request.url_for(name, **path_params).path  # the path keeps any root_path


env.globals.update(
    url_for=url_for,
    LANGUAGES=i18n.LANGUAGES,
    current_language=i18n.get_language,
    csrf_token=lambda request: csrf_token(request.session),
    pop_flashes=pop_flashes,
)
env.filters.update(
    datetime=i18n.format_datetime,
    date=i18n.format_date,
    time=i18n.format_time,
    number=i18n.format_number,
    file_size=i18n.format_file_size,
    markdown=lambda text: Markup(render_markdown(text or "")),
    urlencode_query=lambda params: urlencode({k: v for k, v in params.items() if v}),
)

# Form macros as globals: a block rendered alone (htmx) cannot see its template's imports.
_form_macros = env.get_template("_macros/forms.html").module
env.globals.update({name: getattr(_form_macros, name)
                    for name in ("field", "select", "checkbox", "csrf", "form_errors")})


def is_htmx(request: Request) -> bool:
    # A boosted or history-restore request wants the whole page, not a fragment.
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-History-Restore-Request") != "true"
            and request.headers.get("HX-Boosted") != "true")


def render(request: Request, template: str, context: dict | None = None, *,
           block: str | None = None, status_code: int = 200,
           headers: dict[str, str] | None = None) -> Response:
    """Render `template`; for an htmx request and a given `block`, only that block."""
    ctx = {"request": request, **(context or {})}
    if block and is_htmx(request):
        return templates.TemplateResponse(request, template, ctx, block_name=block,
                                          status_code=status_code, headers=headers)
    return templates.TemplateResponse(request, template, ctx, status_code=status_code,
                                      headers=headers)
