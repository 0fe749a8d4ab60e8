"""School events: classes, pupils joining with a class code, pupil login.

Thin handlers: one guard line, parse, call school.service, render the page or (htmx) the named
block of the same template. A login code is shown only in the response that made it (never
stored in the session or a URL), so it is seen once.
"""
from __future__ import annotations

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events.models import Event
from events.policy import require_event
from samskapa.auth.guards import current_user, sign_in
from samskapa.auth.models import User
from samskapa.clock import now
from samskapa.errors import DomainError
from samskapa.flash import flash
from samskapa.forms import Form
from samskapa.http import redirect
from samskapa.i18n import gettext
from samskapa.limiter import Wait
from samskapa.security import client_address
from samskapa.templating import is_htmx, render
from school import service as school
from school.models import SchoolClass
from teams import service as teams
from teams.routes import apply_error, read_challenge



def class_url(event: Event, school_class: SchoolClass) -> str:
    return f"/events/{event.slug}/classes/{school_class.id}"


# --- teachers --------------------------------------------------------------------------------

async def class_guard(request: Request) -> tuple[User, Event, SchoolClass]:
    """The guard of every route of one class: signed in, the event visible, and the class
    theirs to see or manage (school.get_class decides)."""
    user, event, standing = await require_event(request)
    return user, event, await school.get_class(standing, request.path_params["class_id"])


async def class_list(request: Request) -> Response:
    user, event, standing = await require_event(request)
    classes = await school.classes_for(standing)
    return render(request, "school/classes.html", {"event": event, "classes": classes})


async def class_new(request: Request) -> Response:
    user, event, standing = await require_event(request)
    school.require_class_staff(standing)
    form = Form({}) if request.method == "GET" else await Form.from_request(request)
    if request.method == "POST":
        name = form.text("name", max_length=100)
        school_name = form.text("school", required=False, max_length=150)
        if not form.errors:
            try:
                school_class = await school.create_class(standing, name, school_name)
            except DomainError as exc:
                apply_error(form, exc)
            else:
                return redirect(request, class_url(event, school_class))
    return render(request, "school/class_new.html",
                  {"event": event, "form": form, "errors": form.messages()}, block="form",
                  status_code=422 if form.errors else 200)


async def _class_page(request: Request, event: Event, school_class: SchoolClass, *,
                      status_code: int = 200, team_form: Form | None = None,
                      place_error: tuple | None = None, notice: str | None = None,
                      new_code: tuple | None = None) -> Response:
    pupils, class_teams = await school.roster(event, school_class)
    paused = await school.paused_pupils(request.app.state.limiter, school_class,
                                        [row.pupil for row in pupils])
    team_form = team_form or Form({})
    context = {
        "event": event, "school_class": school_class, "pupils": pupils, "teams": class_teams,
        "paused": {pupil_id: Wait(wait) for pupil_id, wait in paused.items()},
        "challenges": await teams.published_challenges(event),
        "form": team_form, "errors": team_form.messages(),
        "place_error": place_error, "notice": notice, "new_code": new_code,
        "join_link": Markup('<a href="{0}">{0}</a>').format(
            request.app.state.settings.url(f"/pupil/join?code={school_class.code}")),
    }
    # A page with a fresh login code must not be kept by the browser or a proxy.
    headers = {"Cache-Control": "no-store"} if new_code else None
    return render(request, "school/class.html", context, block="roster",
                  status_code=status_code, headers=headers)


async def class_page(request: Request) -> Response:
    user, event, school_class = await class_guard(request)
    return await _class_page(request, event, school_class)


async def class_reissue(request: Request) -> Response:
    user, event, school_class = await class_guard(request)
    pupil, code = await school.reissue_code(school_class, request.path_params["pupil_id"])
    return await _class_page(request, event, school_class,
                             new_code=(pupil.id, pupil.nickname, school.format_login_code(code)))


async def class_unlock(request: Request) -> Response:
    user, event, school_class = await class_guard(request)
    await school.unlock_pupil(request.app.state.limiter, school_class,
                              request.path_params["pupil_id"])
    if is_htmx(request):
        return await _class_page(request, event, school_class)
    return redirect(request, class_url(event, school_class))


async def class_team_new(request: Request) -> Response:
    user, event, school_class = await class_guard(request)
    form = await Form.from_request(request)
    name = form.text("name", max_length=teams.TEAM_NAME_MAX)
    challenge_id = read_challenge(form)
    notice = None
    if not form.errors:
        try:
            await school.create_class_team(event, school_class, name, challenge_id, now())
        except DomainError as exc:
            notice = apply_error(form, exc)
        else:
            if is_htmx(request):
                return await _class_page(request, event, school_class)
            return redirect(request, class_url(event, school_class))
    return await _class_page(request, event, school_class, status_code=422, team_form=form,
                             notice=notice)


async def class_place(request: Request) -> Response:
    user, event, school_class = await class_guard(request)
    form = await Form.from_request(request)
    pupil_raw, team_raw = form.raw("pupil_id"), form.raw("team_id")
    try:
        # Empty means "in no team"; anything else must name one of the class's teams (a
        # malformed id names none, 0, and is refused, instead of taking the pupil out).
        team_id = (form.id("team_id") or 0) if team_raw else None
        await school.place_pupil(event, school_class, form.id("pupil_id"), team_id)
    except DomainError as exc:
        notice = apply_error(form, exc)
        message = notice or next(iter(form.messages().values()))
        # Shown in the pupil's row (or above the list when the pupil is not in it).
        return await _class_page(request, event, school_class, status_code=422,
                                 place_error=(pupil_raw, team_raw, message))
    if is_htmx(request):
        return await _class_page(request, event, school_class)
    return redirect(request, class_url(event, school_class))


async def class_delete(request: Request) -> Response:
    """GET asks for confirmation; POST deletes the class with its pupils' accounts."""
    user, event, school_class = await class_guard(request)
    if request.method == "POST":
        await school.delete_class(event, school_class)
        flash(request, gettext("The class %(name)s is deleted, with its pupils' accounts.",
                               name=school_class.name))
        return redirect(request, f"/events/{event.slug}/classes")
    return render(request, "school/class_delete.html", {
        "event": event, "school_class": school_class,
        "pupils": await school_class.pupils.all().count()})


async def _pupil_page(request: Request, event: Event, school_class: SchoolClass, pupil,
                      form: Form, status_code: int = 200) -> Response:
    return render(request, "school/pupil.html", {
        "event": event, "school_class": school_class, "pupil": pupil, "form": form,
        "errors": form.messages()}, block="form", status_code=status_code)


async def pupil_page(request: Request) -> Response:
    """A pupil of the class for its teacher: GET shows it, POST renames the pupil."""
    user, event, school_class = await class_guard(request)
    pupil = await school.class_pupil(school_class, request.path_params["pupil_id"])
    if request.method == "GET":
        return await _pupil_page(request, event, school_class, pupil,
                                 Form({"nickname": pupil.nickname}))
    form = await Form.from_request(request)
    nickname = form.text("nickname", max_length=100)
    if not form.errors:
        try:
            await school.rename_pupil(school_class, pupil, nickname)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            return redirect(request, class_url(event, school_class))
    return await _pupil_page(request, event, school_class, pupil, form, status_code=422)


async def pupil_remove(request: Request) -> Response:
    """GET asks for confirmation; POST deletes the pupil's account."""
    user, event, school_class = await class_guard(request)
    pupil = await school.class_pupil(school_class, request.path_params["pupil_id"])
    if request.method == "POST":
        await school.remove_pupil(event, pupil)
        flash(request, gettext("%(nickname)s is removed from the class, with their account.",
                               nickname=pupil.nickname))
        return redirect(request, class_url(event, school_class))
    return render(request, "school/pupil_remove.html",
                  {"event": event, "school_class": school_class, "pupil": pupil})


# --- pupils ----------------------------------------------------------------------------------

async def pupil_join(request: Request) -> Response:
    await current_user(request)  # public: anyone with a class code may join
    if request.method == "GET":
        form = Form({"class_code": request.query_params.get("code", "")})
        return render(request, "school/pupil_join.html", {"form": form, "errors": {}},
                      block="form")
    form = await Form.from_request(request)
    class_code = form.text("class_code", max_length=20)
    nickname = form.text("nickname", max_length=100)
    if not form.errors:
        try:
            user, code, school_class = await school.join_class(
                request.app.state.limiter, class_code, nickname, client_address(request))
        except DomainError as exc:
            apply_error(form, exc)
        else:
            await sign_in(request, user)
            return render(request, "school/pupil_join.html",
                          {"form": Form({}), "errors": {}, "pupil": user,
                           "event": school_class.event, "school_class": school_class,
                           "login_code": school.format_login_code(code)},
                          block="form", headers={"Cache-Control": "no-store"})
    return render(request, "school/pupil_join.html", {"form": form, "errors": form.messages()},
                  block="form", status_code=422)


async def pupil_login(request: Request) -> Response:
    await current_user(request)  # public: the pupils' sign-in
    if request.method == "GET":
        form = Form({"class_code": request.query_params.get("code", "")})
        return render(request, "school/pupil_login.html", {"form": form, "errors": {}},
                      block="form")
    form = await Form.from_request(request)
    class_code = form.text("class_code", max_length=20)
    nickname = form.text("nickname", max_length=100)
    login_code = form.text("login_code", max_length=20)
    if not form.errors:
        try:
            user, school_class = await school.pupil_login(
                request.app.state.limiter, class_code, nickname, login_code,
                client_address(request))
        except DomainError as exc:
            apply_error(form, exc)
        else:
            await sign_in(request, user)
            return redirect(request, await _pupil_home(school_class, user))
    form.values["login_code"] = ""  # a code is never echoed back
    return render(request, "school/pupil_login.html", {"form": form, "errors": form.messages()},
                  block="form", status_code=422)


async def _pupil_home(school_class: SchoolClass, user: User) -> str:
    event = await school_class.event
    member = await teams.membership(event, user)
    if member:
        return f"/events/{event.slug}/teams/{member.team_id}"
    return f"/events/{event.slug}/teams?class={school_class.id}"  # their own class's teams


routes = [
    Route("/events/{slug}/classes", class_list, name="class_list"),
    Route("/events/{slug}/classes/new", class_new, methods=["GET", "POST"], name="class_new"),
    Route("/events/{slug}/classes/{class_id:id}", class_page, name="class_page"),
    Route("/events/{slug}/classes/{class_id:id}/delete", class_delete, methods=["GET", "POST"],
          name="class_delete"),
    Route("/events/{slug}/classes/{class_id:id}/pupils/{pupil_id:id}", pupil_page,
          methods=["GET", "POST"], name="class_pupil"),
    Route("/events/{slug}/classes/{class_id:id}/pupils/{pupil_id:id}/remove", pupil_remove,
          methods=["GET", "POST"], name="class_pupil_remove"),
    Route("/events/{slug}/classes/{class_id:id}/pupils/{pupil_id:id}/code", class_reissue,
          methods=["POST"], name="class_reissue"),
    Route("/events/{slug}/classes/{class_id:id}/pupils/{pupil_id:id}/unlock", class_unlock,
          methods=["POST"], name="class_unlock"),
    Route("/events/{slug}/classes/{class_id:id}/teams", class_team_new, methods=["POST"],
          name="class_team_new"),
    Route("/events/{slug}/classes/{class_id:id}/place", class_place, methods=["POST"],
          name="class_place"),
    Route("/pupil/join", pupil_join, methods=["GET", "POST"], name="pupil_join"),
    Route("/pupil", pupil_login, methods=["GET", "POST"], name="pupil_login"),
]
