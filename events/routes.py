"""Event pages: the start page, creating and editing events, publishing, the event page with
registration, the organiser's dashboard, invitations and the iCal feed."""
from __future__ import annotations

from urllib.parse import quote, urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events import invitations, policy, service
from events.api import routes as api_routes
from events.ical import event_calendar
from events.models import (EVENT_KIND_LABELS, ROLE_LABELS, SCHEDULE_FIELDS, SLUG_RE, Event,
                           EventKind, Role)
from events.policy import Permission as P
from events.policy import event_for, require_event
from samskapa import clock
from samskapa.auth.guards import current_user, require_event_creator, require_user
from samskapa.errors import DomainError, ValidationError
from samskapa.forms import Form
from samskapa.http import form_page, redirect
from samskapa.i18n import TIMEZONE, gettext
from samskapa.page_cache import cached_public_page
from samskapa.templating import is_htmx, render


def _local_input(value) -> str:
    return value.astimezone(TIMEZONE).strftime("%Y-%m-%dT%H:%M") if value else ""


def _kind_options() -> list[tuple[str, str]]:
    return [(kind.value, gettext(label)) for kind, label in EVENT_KIND_LABELS.items()]


def _event_form_context(event: Event | None) -> dict:
    return {"event": event, "kinds": _kind_options(), "schedule_fields": SCHEDULE_FIELDS,
            "schedule_labels": dict(SCHEDULE_FIELDS)}


def _form_from_event(event: Event) -> Form:
    data = {"title": event.title, "slug": event.slug, "summary": event.summary,
            "description": event.description, "venue": event.venue,
            "kind": event.kind.value if isinstance(event.kind, EventKind) else event.kind,
            "max_team_size": str(event.max_team_size)}
    for name, _label in SCHEDULE_FIELDS:
        data[name] = _local_input(getattr(event, name))
    return Form(data)


def _read_event_form(form: Form) -> service.EventData | None:
    title = form.text("title", max_length=200)
    slug = form.text("slug", required=False, max_length=service.SLUG_MAX)  # empty: from the title
    if slug and not SLUG_RE.match(slug):
        form.error("slug", service.SLUG_FORMAT)
    summary = form.text("summary", required=False, max_length=300)
    description = form.text("description", required=False, max_length=20000)
    venue = form.text("venue", required=False, max_length=200)
    kind = form.choice("kind", [k.value for k in EventKind])
    size = form.integer("max_team_size", minimum=1, maximum=50)
    times = {name: form.local_datetime(name) for name, _label in SCHEDULE_FIELDS}
    if all(times.values()):  # order errors beside the fields, together with the others
        for field, (message, params) in service.schedule_field_errors(times).items():
            form.error(field, message, **params)
    if form.errors:
        return None
    return service.EventData(title=title, slug=slug, summary=summary, description=description,
                             venue=venue, kind=EventKind(kind), max_team_size=size, **times)


# --- start page ---------------------------------------------------------------------------------

@cached_public_page
async def home(request: Request) -> Response:
    user = await current_user(request)
    now = clock.now()
    published, drafts = await service.listed_events(user, now)
    return render(request, "events/home.html", {
        "events": published, "drafts": drafts, "now": now, "phase_label": service.phase_label})


# --- creating and editing -----------------------------------------------------------------------

async def new_event(request: Request) -> Response:
    user = await require_event_creator(request)
    if request.method == "GET":
        form = Form({"kind": EventKind.HACKATHON.value, "max_team_size": "5"})
        return form_page(request, "events/form.html", form, **_event_form_context(None))
    form = await Form.from_request(request)
    data = _read_event_form(form)
    now = clock.now()
    if data is not None:
        try:
            event = await service.create_event(data, user, now,
                                               past_confirmed=form.checkbox("confirm_past"))
        except service.PastDatesUnconfirmed:
            pass  # the form comes back with the past dates listed and a box to confirm them
        except ValidationError as exc:
            form.add(exc)
        else:
            return redirect(request, f"/events/{event.slug}")
    return form_page(request, "events/form.html", form, 422, **_event_form_context(None),
                     past_dates=service.past_schedule_fields(data, now) if data else [],
                     suggested_slug=await _suggested_slug(form.raw("title")))


async def _suggested_slug(title: str) -> str | None:
    return await service.free_slug(title) if title else None


async def slug_suggestion(request: Request) -> Response:
    """The address an empty address field will get, shown live as the title is typed."""
    await require_event_creator(request)
    title = request.query_params.get("title", "").strip()[:200]
    form = Form({"title": title, "kind": EventKind.HACKATHON.value, "max_team_size": "5"})
    return render(request, "events/form.html", {
        "form": form, "errors": {}, "suggested_slug": await _suggested_slug(title),
        **_event_form_context(None)}, block="slug_suggestion")


async def edit_event(request: Request) -> Response:
    user, event, _standing = await require_event(request, P.MANAGE_EVENT)
    if request.method == "GET":
        return form_page(request, "events/form.html", _form_from_event(event),
                         **_event_form_context(event))
    form = await Form.from_request(request)
    data = _read_event_form(form)
    if data is not None:
        try:
            event = await service.update_event(event, data)
        except ValidationError as exc:
            form.add(exc)
        else:
            return redirect(request, f"/events/{event.slug}")
    return form_page(request, "events/form.html", form, 422, **_event_form_context(event))


async def publish(request: Request) -> Response:
    user, event, _standing = await require_event(request, P.MANAGE_EVENT)
    await service.set_published(event, True)
    return redirect(request, f"/events/{event.slug}")


async def unpublish(request: Request) -> Response:
    user, event, _standing = await require_event(request, P.MANAGE_EVENT)
    await service.set_published(event, False)
    return redirect(request, f"/events/{event.slug}")


# --- the event page and registration ------------------------------------------------------------

async def _event_page(request: Request, event: Event, *, status_code: int = 200,
                      block: str | None = None, form: Form | None = None,
                      registration_error: str | None = None, registered_now: bool = False,
                      saved_now: bool = False):
    user = await current_user(request)
    standing = await policy.standing(event, user)
    now = clock.now()
    registration = await service.participant_role(event, user) if user else None
    if form is None:
        form = Form({"skills": registration.skills, "looking_for_team":
                     "on" if registration.looking_for_team else ""} if registration else {})
    return render(request, "events/detail.html", {
        "event": event,
        "now": now,
        "phase_label": service.phase_label(event, now),
        "current_step": service.current_step(event, now),
        "kind_label": service.kind_label(event),
        "is_organiser": standing.may(P.MANAGE_EVENT),
        "may_score": standing.may(P.SCORE),
        "may_judge": standing.may(P.MANAGE_JUDGING),
        "may_chair": standing.may(P.CHAIR_JURY),
        "may_teach": standing.may(P.TEACH),
        "roles": sorted(ROLE_LABELS[r] for r in standing.roles),
        "my_team": await service.team_of(event, user),
        "registration": registration,
        "registration_open": event.registration_open(now),
        "registration_error": registration_error,
        "registered_now": registered_now,
        "saved_now": saved_now,
        "form": form,
        "errors": form.messages(),
    }, block=block, status_code=status_code)


@cached_public_page
async def event_page(request: Request) -> Response:
    user = await current_user(request)
    event, _standing = await event_for(request.path_params["slug"], user)
    return await _event_page(request, event)


async def register(request: Request) -> Response:
    user, event, _standing = await require_event(request)
    form = await Form.from_request(request)
    skills = form.text("skills", required=False, max_length=300)
    looking = form.checkbox("looking_for_team")
    if form.errors:
        return await _event_page(request, event, status_code=422, block="registration",
                                 form=form)
    try:
        _role, created = await service.register_participant(event, user, skills, looking,
                                                            clock.now())
    except DomainError as exc:
        return await _event_page(request, event, status_code=exc.status_code,
                                 block="registration", form=form,
                                 registration_error=exc.text())
    if is_htmx(request):
        return await _event_page(request, event, block="registration", registered_now=created,
                                 saved_now=not created)
    return redirect(request, f"/events/{event.slug}#registration")


# --- the organiser's dashboard and invitations --------------------------------------------------

async def dashboard(request: Request) -> Response:
    user, event, _standing = await require_event(request, P.MANAGE_EVENT)
    now = clock.now()
    return render(request, "events/dashboard.html", {
        "event": event, "now": now, "board": await service.dashboard(event, now),
        "phase_label": service.phase_label(event, now), "role_labels": ROLE_LABELS,
        "pending": await invitations.pending(event, now)})


def _role_options(event: Event) -> list[tuple[str, str]]:
    return [(r.value, gettext(ROLE_LABELS[r])) for r in invitations.invitable_roles(event)]


def _role_choices(event: Event) -> list[tuple[str, str]]:
    # No role is preselected: the organiser picks one, so nobody becomes an organiser by a
    # form's default.
    return [("", gettext("Choose a role")), *_role_options(event)]


async def invite(request: Request) -> Response:
    user, event, _standing = await require_event(request, P.MANAGE_EVENT)
    now = clock.now()

    async def page(form: Form, status_code: int = 200, sent: str | None = None):
        return form_page(request, "events/invite.html", form, status_code, event=event,
                         roles=_role_choices(event), sent=sent,
                         pending=await invitations.pending(event, now), role_labels=ROLE_LABELS)

    if request.method == "GET":
        return await page(Form({}), sent=request.query_params.get("sent"))
    form = await Form.from_request(request)
    email = form.email("email")
    role = form.choice("role", [value for value, _ in _role_options(event)])
    if not form.errors:
        try:
            await invitations.invite(request.app.state.settings, event, user, email, Role(role),
                                     now)
        except ValidationError as exc:
            form.add(exc)
        else:
            if is_htmx(request):
                return await page(Form({}), sent=email)
            return redirect(request, f"/events/{event.slug}/invite?sent={quote(email)}")
    return await page(form, 422)


async def invitation(request: Request) -> Response:
    token = request.path_params["token"]
    user = await current_user(request)
    now = clock.now()
    context = {"token": token, "next": quote(f"/invitations/{token}")}
    try:
        found = await invitations.find_invitation(token, now)
    except DomainError as exc:
        return render(request, "events/invitation.html", {**context, "problem": exc.text()},
                      status_code=exc.status_code)
    context.update(invitation=found, event=found.event,
                   role_label=ROLE_LABELS[Role(found.role)])
    if request.method == "GET":
        wrong_account = bool(user and (user.email or "").lower() != found.email.lower())
        return render(request, "events/invitation.html", {**context,
                                                          "wrong_account": wrong_account})
    user = await require_user(request)
    try:
        await invitations.accept(token, user, now)
    except DomainError as exc:
        return render(request, "events/invitation.html", {**context, "problem": exc.text()},
                      status_code=exc.status_code)
    visible = found.event.published or P.SEE_DRAFTS in policy.grants([Role(found.role)])
    return render(request, "events/invitation.html", {**context, "accepted": True,
                                                      "event_visible": visible})


# --- the iCal feed ------------------------------------------------------------------------------

async def calendar(request: Request) -> Response:
    user = await current_user(request)
    event, _standing = await event_for(request.path_params["slug"], user)
    site = request.app.state.settings
    url = site.url(request.app.url_path_for("event", slug=event.slug))
    body = event_calendar(event, url, urlsplit(site.base_url).hostname or "samskapa",
                          clock.now())
    return Response(body, media_type="text/calendar; charset=utf-8", headers={
        "Content-Disposition": f'inline; filename="{event.slug}.ics"'})


routes = [
    Route("/", home, name="home"),
    Route("/events/new", new_event, methods=["GET", "POST"], name="new_event"),
    Route("/events/new/address", slug_suggestion, name="slug_suggestion"),
    Route("/events/{slug}", event_page, name="event"),
    Route("/events/{slug}/edit", edit_event, methods=["GET", "POST"], name="edit_event"),
    Route("/events/{slug}/publish", publish, methods=["POST"], name="publish_event"),
    Route("/events/{slug}/unpublish", unpublish, methods=["POST"], name="unpublish_event"),
    Route("/events/{slug}/register", register, methods=["POST"], name="register_participant"),
    Route("/events/{slug}/dashboard", dashboard, name="event_dashboard"),
    Route("/events/{slug}/invite", invite, methods=["GET", "POST"], name="invite"),
    Route("/events/{slug}/calendar.ics", calendar, name="event_calendar"),
    Route("/invitations/{token}", invitation, methods=["GET", "POST"], name="invitation"),
    *api_routes,
]
