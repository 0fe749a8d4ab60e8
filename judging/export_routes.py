"""Exports for the organisers and the jury chair: CSV files, the jury protocol (a printable page
and a PDF) and the diplomas PDF. Reads only: every route is a GET behind CHAIR_JURY."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from events.models import Event
from events.policy import Permission, require_event
from judging import event_settings, exports
from judging.models import METHOD_LABELS, Method
from samskapa.clock import now
from samskapa.templating import render


async def _event(request: Request) -> Event:
    user, event, _standing = await require_event(request, Permission.CHAIR_JURY)
    return event


def _download(body: str | bytes, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})


async def exports_page(request: Request) -> Response:
    event = await _event(request)
    settings = await event_settings.of(event)
    return render(request, "judging/protocol_exports.html", {
        "event": event, "settings": settings, "method_labels": METHOD_LABELS,
        "methods": list(Method)})


async def scores_csv(request: Request) -> Response:
    event = await _event(request)
    return _download(await exports.raw_scores_csv(event), "text/csv; charset=utf-8",
                     f"{event.slug}-scores.csv")


async def ranking_csv(request: Request) -> Response:
    event = await _event(request)
    settings = await event_settings.of(event)
    raw = request.query_params.get("method", "")
    method = Method(raw) if raw in {m.value for m in Method} else Method(settings.method)
    return _download(await exports.ranking_csv(event, settings, method),
                     "text/csv; charset=utf-8", f"{event.slug}-ranking-{method.value}.csv")


async def jurors_csv(request: Request) -> Response:
    event = await _event(request)
    settings = await event_settings.of(event)
    return _download(await exports.jurors_csv(event, settings), "text/csv; charset=utf-8",
                     f"{event.slug}-jurors.csv")


async def protocol_page(request: Request) -> Response:
    event = await _event(request)
    found = await exports.protocol(event, now())
    stylesheet = request.app.url_path_for("static", path="css/print.css")
    return HTMLResponse(exports.protocol_html(found, stylesheet=stylesheet),
                        headers={"Cache-Control": "no-store"})


async def protocol_pdf(request: Request) -> Response:
    event = await _event(request)
    found = await exports.protocol(event, now())
    return _download(await exports.protocol_pdf(found), "application/pdf",
                     f"{event.slug}-juryprotokoll.pdf")


async def diplomas_pdf(request: Request) -> Response:
    event = await _event(request)
    return _download(await exports.diplomas_pdf(event, await exports.diplomas(event)),
                     "application/pdf", f"{event.slug}-diplom.pdf")


routes = [
    Route("/events/{slug}/judging/exports", exports_page, name="judging_exports"),
    Route("/events/{slug}/judging/exports/scores.csv", scores_csv, name="judging_scores_csv"),
    Route("/events/{slug}/judging/exports/ranking.csv", ranking_csv, name="judging_ranking_csv"),
    Route("/events/{slug}/judging/exports/jurors.csv", jurors_csv, name="judging_jurors_csv"),
    Route("/events/{slug}/judging/protocol", protocol_page, name="judging_protocol"),
    Route("/events/{slug}/judging/protocol.pdf", protocol_pdf, name="judging_protocol_pdf"),
    Route("/events/{slug}/judging/diplomas.pdf", diplomas_pdf, name="judging_diplomas_pdf"),
]
