"""Event pages."""
from __future__ import annotations

from datetime import datetime, timezone

from starlette.requests import Request
from starlette.routing import Route

from events.models import Event
from samskapa.templating import render


async def home(request: Request):
    events = await Event.filter(published=True)
    return render(request, "events/home.html", {"events": events,
                                                "now": datetime.now(timezone.utc)})


routes = [Route("/", home, name="home")]
