"""The web benchmark's baseline: a bare Starlette app that renders one static Jinja template.

benchmarks/web.py saves the HTML of the real challenge list page as `page.html` in a directory
and serves this app with the same uvicorn settings as the real one, so the ratio between the two
is what Samskapa's own work (database, sessions, middleware, the real templates) costs.

    BASELINE_TEMPLATE_DIR=<dir> uvicorn benchmarks.baseline_app:app
"""
from __future__ import annotations

import os

import jinja2
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.environ["BASELINE_TEMPLATE_DIR"]),
                         autoescape=True)
template = env.get_template("page.html")


async def page(request) -> HTMLResponse:
    return HTMLResponse(template.render(request=request))


app = Starlette(routes=[Route("/", page)])
