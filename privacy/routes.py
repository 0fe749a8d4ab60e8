"""The privacy page and accessibility statement (public; edited by the site admin), a person's
own data (/account/data: download, delete the account), and an event's personal data after it
ends (its organisers).

Thin handlers: one guard line, parse, call the service, render the page or (htmx) the named
block of the same template.
"""
from __future__ import annotations

import json
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events.models import Phase
from events.policy import Permission, require_event
from privacy import service, statements
from privacy.models import StatementKind
from samskapa.auth.guards import current_user, require_admin, require_user, sign_out
from samskapa.clock import now
from samskapa.errors import DomainError, ValidationError
from samskapa.forms import Form
from samskapa.http import redirect
from samskapa.i18n import LANGUAGES, get_language
from samskapa.page_cache import cached_public_page
from samskapa.security import client_address
from samskapa.templating import render



# --- the statements --------------------------------------------------------------------------

def _statement_page(kind: StatementKind):
    @cached_public_page
    async def page(request: Request) -> Response:
        await current_user(request)  # public
        text = await statements.statement(kind, get_language())
        body = statements.fill_in(text.body, request.app.state.settings)
        return render(request, "privacy/statement.html", {
            "title": statements.TITLES[kind], "text": text, "body": body})
    return page


async def edit_statement(request: Request) -> Response:
    await require_admin(request)
    kind = statements.parse_kind(request.path_params["kind"])
    language = statements.parse_language(request.path_params["language"])
    text = await statements.statement(kind, language)
    form = Form({"body": text.body})
    status_code = 200
    if request.method == "POST":
        form = await Form.from_request(request)
        body = form.text("body", required=False, max_length=statements.MAX_LENGTH)
        if not form.errors:
            try:
                await statements.save_statement(kind, language, body)
            except ValidationError as exc:
                form.add(exc)
            else:
                return redirect(request, f"/{kind.value}")
        status_code = 422
    return render(request, "privacy/statement_edit.html", {
        "kind": kind, "language": language, "language_name": LANGUAGES[language],
        "title": statements.TITLES[kind], "text": text, "form": form,
        "errors": form.messages()}, block="form", status_code=status_code)


# --- your data -------------------------------------------------------------------------------

async def _data_page(request: Request, form: Form | None = None, status_code: int = 200,
                     notice: str | None = None) -> Response:
    form = form or Form({})
    return render(request, "privacy/account_data.html", {
        "form": form, "errors": form.messages(), "notice": notice}, block="delete",
        status_code=status_code)


async def account_data(request: Request) -> Response:
    await require_user(request)
    return await _data_page(request)


async def account_data_download(request: Request) -> Response:
    user = await require_user(request)
    moment = now()
    data = await service.export(user, moment)
    filename = f"samskapa-data-{moment.date().isoformat()}.json"
    return Response(json.dumps(data, ensure_ascii=False, indent=2), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


async def delete_account(request: Request) -> Response:
    user = await require_user(request)
    form = await Form.from_request(request)
    confirmation = form.text("confirmation", max_length=500)
    if not form.errors:
        try:
            await service.delete_account(request.app.state.limiter, user, confirmation,
                                         client_address(request))
        except ValidationError as exc:
            form.add(exc)
        except DomainError as exc:
            return await _data_page(request, form, 422, notice=exc.text())
        else:
            await sign_out(request)
            return redirect(request, "/account/deleted")
    return await _data_page(request, form, 422)


async def account_deleted(request: Request) -> Response:
    await current_user(request)  # public: the page after the account is gone
    return render(request, "privacy/account_deleted.html")


# --- an event's personal data ----------------------------------------------------------------

async def event_data(request: Request) -> Response:
    user, event, _standing = await require_event(request, Permission.MANAGE_EVENT)
    form = Form({})
    status_code, notice, erased = 200, None, None
    ended = event.phase(now()) == Phase.RESULTS
    if request.method == "POST":
        form = await Form.from_request(request)
        if ended and not form.checkbox("confirm"):
            form.error("confirm", "Tick the box to confirm.")
        else:  # before the end the service refuses, saying when it becomes possible
            try:
                erased = await service.erase_event(event, now())
            except DomainError as exc:
                notice = exc.text()
        status_code = 422 if form.errors or notice else 200
    return render(request, "privacy/event_data.html", {
        "event": event, "ended": ended,
        "held": await service.event_personal_data(event), "erased": erased, "form": form,
        "errors": form.messages(), "notice": notice}, block="erase", status_code=status_code)


routes = [
    Route("/privacy", _statement_page(StatementKind.PRIVACY), name="privacy"),
    Route("/accessibility", _statement_page(StatementKind.ACCESSIBILITY), name="accessibility"),
    Route("/admin/statements/{kind}/{language}", edit_statement, methods=["GET", "POST"],
          name="edit_statement"),
    Route("/account/data", account_data, name="account_data"),
    Route("/account/data/download", account_data_download, name="account_data_download"),
    Route("/account/data/delete", delete_account, methods=["POST"], name="delete_account"),
    Route("/account/deleted", account_deleted, name="account_deleted"),
    Route("/events/{slug}/personal-data", event_data, methods=["GET", "POST"],
          name="event_personal_data"),
]
