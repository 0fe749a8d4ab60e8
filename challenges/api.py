"""Open data out: the published challenges of a published event as JSON.

    GET /api/events/{slug}/challenges[?theme=<theme slug>&q=<text>]
    GET /api/events/{slug}/challenges/{cslug}

Drafts (of events or challenges) and unknown slugs are a JSON 404, whoever asks.
"""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from challenges import service
from challenges.models import Challenge
from events.models import Event
from samskapa.errors import NotFound

HEADERS = {"Access-Control-Allow-Origin": "*"}  # open data: any site may read it


def _base(request: Request) -> str:
    return request.app.state.settings.base_url


def challenge_json(request: Request, event: Event, challenge: Challenge) -> dict:
    org = challenge.organisation
    # The list gives `theme_list` (aggregated in its query); a single challenge its relation.
    themes = getattr(challenge, "theme_list", None)
    if themes is None:
        themes = list(challenge.themes)
    return {
        "slug": challenge.slug,
        "title": challenge.title,
        "summary": challenge.summary,
        "description": challenge.description,
        "expected_outcome": challenge.expected_outcome,
        "organisation": org.name if org else None,
        "themes": [{"slug": t.slug, "name_sv": t.name_sv, "name_en": t.name_en}
                   for t in themes],
        "datasets": [{"title": d.title, "url": d.url, "licence": d.licence, "format": d.format}
                     for d in challenge.datasets],
        "contact": {"name": challenge.contact_name, "email": challenge.contact_email},
        "url": f"{_base(request)}/events/{event.slug}/challenges/{challenge.slug}",
    }


def not_found(exc: NotFound) -> JSONResponse:
    return JSONResponse({"error": "not_found", "message": exc.text()}, status_code=404,
                        headers=HEADERS)


async def _published_event(slug: str) -> Event:
    event = await Event.get_or_none(slug=slug, published=True)
    if event is None:
        raise NotFound("There is no event at this address.")
    return event


async def api_challenges(request: Request) -> JSONResponse:
    try:
        event = await _published_event(request.path_params["slug"])
    except NotFound as exc:
        return not_found(exc)
    challenges = await service.list_challenges(
        event, None, theme=request.query_params.get("theme", "")[:80],
        q=request.query_params.get("q", "")[:200])
    return JSONResponse({
        "event": {"slug": event.slug, "title": event.title,
                  "url": f"{_base(request)}/events/{event.slug}"},
        "count": len(challenges),
        "challenges": [challenge_json(request, event, c) for c in challenges],
    }, headers=HEADERS)


async def api_challenge(request: Request) -> JSONResponse:
    try:
        event = await _published_event(request.path_params["slug"])
        challenge = await service.get_challenge(event, request.path_params["cslug"], None)
    except NotFound as exc:
        return not_found(exc)
    return JSONResponse(challenge_json(request, event, challenge), headers=HEADERS)


routes = [
    Route("/api/events/{slug}/challenges", api_challenges, name="api_challenges"),
    Route("/api/events/{slug}/challenges/{cslug}", api_challenge, name="api_challenge"),
]
