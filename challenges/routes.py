"""Challenge pages: the public list with its filter, a challenge, create/edit, publish, and the
themes of an event. Thin handlers: guard, parse, call challenges.service, render the page or, for
an htmx request, the named block of the same template."""
from __future__ import annotations

import secrets

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from challenges import service
from challenges.models import Challenge
from challenges.service import ChallengeInput, DatasetInput
from events.models import Event
from events.policy import Permission, Standing, event_for, require_event
from samskapa.auth.guards import current_user
from samskapa.errors import ValidationError
from samskapa.forms import Form
from samskapa.http import redirect
from samskapa.i18n import N_
from samskapa.page_cache import cached_public_page
from samskapa.templating import is_htmx, render

DATASET_FIELDS = ("title", "url", "licence", "format")
DATASET_LIMITS = {"title": 200, "url": 500, "licence": 100, "format": 50}
MAX_DATASET_ROWS = 50


def challenge_url(event: Event, challenge: Challenge) -> str:
    return f"/events/{event.slug}/challenges/{challenge.slug}"


async def _staff(request: Request) -> tuple[Event, Standing]:
    """Guard for the writing pages: signed in, the event visible, organiser or challenge owner."""
    _user, event, standing = await require_event(request, Permission.ADD_CHALLENGE)
    return event, standing


async def _organiser(request: Request) -> Event:
    """Guard for the themes pages: signed in, an organiser of the event (or a site admin)."""
    _user, event, _standing = await require_event(
        request, Permission.MANAGE_CHALLENGES,
        message=N_("Only the event's organisers can manage its themes."))
    return event


# --- the list -------------------------------------------------------------------------------

@cached_public_page
async def challenge_list(request: Request) -> Response:
    event, standing = await event_for(request.path_params["slug"], await current_user(request))
    theme = request.query_params.get("theme", "").strip()[:80]
    q = request.query_params.get("q", "").strip()[:200]
    themes = await service.event_themes(event)
    challenges = await service.challenge_cards(event, standing, theme=theme, q=q, themes=themes)
    context = {"event": event, "themes": themes, "challenges": challenges,
               "can_add": standing.may(Permission.ADD_CHALLENGE),
               "can_manage": standing.may(Permission.MANAGE_CHALLENGES),
               "theme": theme, "q": q, "filtered": bool(theme or q)}
    # The same URL answers with a fragment or a page: caches must keep them apart.
    return render(request, "challenges/list.html", context, block="results",
                  headers={"Vary": "HX-Request, HX-History-Restore-Request"})


async def challenge_detail(request: Request) -> Response:
    event, standing = await event_for(request.path_params["slug"], await current_user(request))
    challenge = await service.get_challenge(event, request.path_params["cslug"], standing)
    return render(request, "challenges/detail.html", {
        "event": event, "challenge": challenge,
        "can_edit": service.can_edit(standing, challenge)})


# --- create and edit ------------------------------------------------------------------------

def read_challenge_form(form: Form) -> tuple[ChallengeInput, list[DatasetInput]]:
    """Parse and check the shape of the form; domain rules are the service's."""
    title = form.text("title", max_length=200)
    slug = form.text("slug", required=False, max_length=80)
    organisation_id = form.id("organisation")
    organisation_new = form.text("organisation_new", required=False, max_length=150)
    summary = form.text("summary", required=False, max_length=400)
    description = form.text("description", required=False, max_length=20_000)
    expected_outcome = form.text("expected_outcome", required=False, max_length=10_000)
    contact_name = form.text("contact_name", required=False, max_length=120)
    contact_email = form.email("contact_email", required=False)
    theme_slugs = _getlist(form, "themes")
    form.values["themes"] = theme_slugs

    columns = {name: _getlist(form, f"dataset_{name}") for name in DATASET_FIELDS}
    count = min(max((len(v) for v in columns.values()), default=0), MAX_DATASET_ROWS)
    rows = []
    for i in range(count):
        values = {name: (columns[name][i].strip() if i < len(columns[name]) else "")
                  for name in DATASET_FIELDS}
        for name, limit in DATASET_LIMITS.items():
            if len(values[name]) > limit:
                form.error(f"dataset_{name}-{i}", "At most %(n)s characters.", n=limit)
        rows.append(DatasetInput(**values))

    data = ChallengeInput(
        title=title, slug=slug,
        organisation_id=organisation_id,
        organisation_name=organisation_new, summary=summary, description=description,
        expected_outcome=expected_outcome, theme_slugs=theme_slugs,
        contact_name=contact_name, contact_email=contact_email, datasets=rows)
    return data, rows


def _getlist(form: Form, name: str) -> list[str]:
    data = form.data
    values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name, "")]
    return [v for v in values if isinstance(v, str)]


def form_from_challenge(challenge: Challenge) -> Form:
    items = [("title", challenge.title), ("slug", challenge.slug),
             ("organisation", str(challenge.organisation_id or "")),
             ("summary", challenge.summary), ("description", challenge.description),
             ("expected_outcome", challenge.expected_outcome),
             ("contact_name", challenge.contact_name),
             ("contact_email", challenge.contact_email)]
    items += [("themes", t.slug) for t in challenge.themes]
    for ds in challenge.datasets:
        items += [(f"dataset_{name}", getattr(ds, name)) for name in DATASET_FIELDS]
    return Form(FormData(items))


async def _form_page(request: Request, event: Event, form: Form, rows: list[DatasetInput],
                     challenge: Challenge | None = None, status_code: int = 200) -> Response:
    context = {
        "event": event, "challenge": challenge, "form": form, "errors": form.messages(),
        "rows": rows or [DatasetInput()], "themes": await service.event_themes(event),
        "selected_themes": set(_getlist(form, "themes")),
        "organisation_options": [(str(o.id), o.name) for o in await service.organisations()],
        "action": (f"{challenge_url(event, challenge)}/edit" if challenge
                   else f"/events/{event.slug}/challenges/new"),
    }
    return render(request, "challenges/form.html", context, block="form",
                  status_code=status_code)


async def _save(request: Request, event: Event, standing: Standing,
                challenge: Challenge | None) -> Response:
    form = await Form.from_request(request)
    data, rows = read_challenge_form(form)
    if form.raw("add_dataset"):  # the add-a-row button without JavaScript: nothing is saved
        form.errors.clear()  # nor judged yet
        return await _form_page(request, event, form, rows + [DatasetInput()], challenge)
    if not form.errors:
        try:
            saved = await service.save_challenge(event, data, owner=standing.user,
                                                 challenge=challenge)
        except ValidationError as exc:
            form.add(exc)
        else:
            return redirect(request, challenge_url(event, saved))
    else:  # show the domain's objections too, all at once
        for key, message in (await service.challenge_errors(event, data, challenge)).items():
            form.error(key, message)
    return await _form_page(request, event, form, rows, challenge, status_code=422)


async def challenge_new(request: Request) -> Response:
    event, standing = await _staff(request)
    if request.method == "GET":
        return await _form_page(request, event, Form({}), [DatasetInput()])
    return await _save(request, event, standing, None)


async def challenge_edit(request: Request) -> Response:
    event, standing = await _staff(request)
    challenge = await service.find_challenge(event, request.path_params["cslug"])
    service.require_editor(standing, challenge)
    if request.method == "GET":
        form = form_from_challenge(challenge)
        rows = [DatasetInput(ds.title, ds.url, ds.licence, ds.format)
                for ds in challenge.datasets] + [DatasetInput()]
        return await _form_page(request, event, form, rows, challenge)
    return await _save(request, event, standing, challenge)


async def dataset_row(request: Request) -> Response:
    """One blank dataset row for htmx to append to the form."""
    event, _standing = await _staff(request)
    if not is_htmx(request):
        return RedirectResponse(f"/events/{event.slug}/challenges/new", status_code=303)
    return render(request, "challenges/form.html",
                  {"row": DatasetInput(), "key": f"n{secrets.token_hex(4)}", "errors": {}},
                  block="dataset_row")


async def _set_published(request: Request, published: bool) -> Response:
    event, standing = await _staff(request)
    challenge = await service.find_challenge(event, request.path_params["cslug"])
    service.require_editor(standing, challenge)
    await service.set_published(challenge, published)
    return redirect(request, challenge_url(event, challenge))


async def challenge_publish(request: Request) -> Response:
    return await _set_published(request, True)


async def challenge_unpublish(request: Request) -> Response:
    return await _set_published(request, False)


# --- themes ---------------------------------------------------------------------------------

async def _themes_page(request: Request, event: Event, form: Form, status_code: int = 200,
                       **context) -> Response:
    return render(request, "challenges/themes.html",
                  {"event": event, "form": form, "errors": form.messages(),
                   "themes": await service.themes_with_usage(event), **context},
                  block="themes", status_code=status_code)


async def themes(request: Request) -> Response:
    event = await _organiser(request)
    if request.method == "GET":
        return await _themes_page(request, event, Form({}))
    form = await Form.from_request(request)
    name_sv = form.text("name_sv", max_length=120)
    name_en = form.text("name_en", max_length=120)
    if not form.errors:
        try:
            theme = await service.add_theme(event, name_sv, name_en)
        except ValidationError as exc:
            form.add(exc)
        else:
            if is_htmx(request):
                return await _themes_page(request, event, Form({}), added=theme)
            return redirect(request, f"/events/{event.slug}/themes")
    return await _themes_page(request, event, form, 422)


async def theme_delete(request: Request) -> Response:
    event = await _organiser(request)
    form = await Form.from_request(request)
    try:
        await service.delete_theme(event, request.path_params["tslug"],
                                   detach=form.checkbox("detach"))
    except ValidationError as exc:
        refused = Form({})
        refused.add(exc)
        return await _themes_page(request, event, Form({}), 422,
                                  refused=request.path_params["tslug"],
                                  refused_message=refused.messages().get("theme"))
    if is_htmx(request):
        return await _themes_page(request, event, Form({}))
    return redirect(request, f"/events/{event.slug}/themes")


routes = [
    Route("/events/{slug}/challenges", challenge_list, name="challenge_list"),
    Route("/events/{slug}/challenges/new", challenge_new, methods=["GET", "POST"],
          name="challenge_new"),
    Route("/events/{slug}/challenges/new/dataset-row", dataset_row, name="challenge_dataset_row"),
    Route("/events/{slug}/challenges/{cslug}", challenge_detail, name="challenge_detail"),
    Route("/events/{slug}/challenges/{cslug}/edit", challenge_edit, methods=["GET", "POST"],
          name="challenge_edit"),
    Route("/events/{slug}/challenges/{cslug}/publish", challenge_publish, methods=["POST"],
          name="challenge_publish"),
    Route("/events/{slug}/challenges/{cslug}/unpublish", challenge_unpublish, methods=["POST"],
          name="challenge_unpublish"),
    Route("/events/{slug}/themes", themes, methods=["GET", "POST"], name="event_themes"),
    Route("/events/{slug}/themes/{tslug}/delete", theme_delete, methods=["POST"],
          name="event_theme_delete"),
]

from challenges.api import routes as api_routes  # noqa: E402  (the JSON read API)

routes += api_routes
