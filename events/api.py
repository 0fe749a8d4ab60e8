"""The JSON read API for published events (open data out). Drafts answer 404 like unknown slugs,
except to their organisers and site admins."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from events import service
from events.models import Event
from events.policy import event_for
from samskapa import clock
from samskapa.auth.guards import current_user
from samskapa.errors import NotFound
from samskapa.i18n import TIMEZONE


def _iso(value) -> str:
    return value.astimezone(TIMEZONE).isoformat()


def event_json(request: Request, event: Event, now) -> dict:
    slug = event.slug
    site = request.app.state.settings
    api = request.app.url_path_for("api_event", slug=slug)
    return {
        "slug": slug,
        "title": event.title,
        "summary": event.summary,
        "venue": event.venue,
        "kind": event.kind.value if hasattr(event.kind, "value") else event.kind,
        "published": event.published,
        "max_team_size": event.max_team_size,
        "schedule": {name: _iso(value) for name, _label, value in event.schedule()},
        "phase": event.phase(now).value,
        "registration_open": event.registration_open(now),
        "links": {
            "html": site.url(request.app.url_path_for("event", slug=slug)),
            "api": site.url(api),
            "calendar": site.url(request.app.url_path_for("event_calendar", slug=slug)),
            "challenges": site.url(f"{api}/challenges"),
        },
    }


def not_found() -> JSONResponse:
    return JSONResponse({"error": "not_found", "message": "No such published event."},
                        status_code=404)


async def api_events(request: Request) -> JSONResponse:
    now = clock.now()
    events = service.order_for_listing(await Event.filter(published=True), now)
    return JSONResponse({"events": [event_json(request, e, now) for e in events]})


async def api_event(request: Request) -> JSONResponse:
    from challenges.models import Challenge

    user = await current_user(request)
    try:
        event, _standing = await event_for(request.path_params["slug"], user)
    except NotFound:
        return not_found()
    now = clock.now()
    challenges = await Challenge.filter(event_id=event.id, published=True).prefetch_related(
        "themes", "organisation").order_by("title")
    data = event_json(request, event, now)
    data["description"] = event.description
    data["challenges"] = [{
        "slug": c.slug,
        "title": c.title,
        "summary": c.summary,
        "themes": [{"slug": t.slug, "name_sv": t.name_sv, "name_en": t.name_en}
                   for t in c.themes],
        "organisation": c.organisation.name if c.organisation else None,
        "url": f"{data['links']['html']}/challenges/{c.slug}",
    } for c in challenges]
    return JSONResponse(data)


routes = [
    Route("/api/events", api_events, name="api_events"),
    Route("/api/events/{slug}", api_event, name="api_event"),
]
