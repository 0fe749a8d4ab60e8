"""Team pages: create, join with a code, leave, hand over leadership, the board.

Thin handlers: one guard line, parse, call teams.service, render the page or (htmx) the named
block of the same template.
"""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events.models import Event
from events.policy import Permission, Standing, event_for, require_event
from samskapa.auth.guards import current_user
from samskapa.clock import now
from samskapa.errors import DomainError, ValidationError
from samskapa.forms import Form
from samskapa.http import redirect
from samskapa.security import client_address
from samskapa.templating import is_htmx, render
from school import pupil_privacy
from school import service as school
from teams import service as teams
from teams.models import Team



def team_url(event: Event, team: Team) -> str:
    return f"/events/{event.slug}/teams/{team.id}"


def read_challenge(form: Form) -> int | None:
    challenge_id = form.id("challenge")
    if challenge_id is None and form.raw("challenge"):
        form.error("challenge", "Choose one of the event's published challenges.")
    return challenge_id


def apply_error(form: Form, exc: DomainError) -> str | None:
    """Field errors go beside their fields; a rule that concerns the whole form comes back as
    a notice shown above it."""
    if isinstance(exc, ValidationError):
        form.add(exc)
        return None
    if exc.field:
        form.error(exc.field, exc.message, **exc.params)
        return None
    return exc.text()


async def team_list(request: Request) -> Response:
    user = await current_user(request)
    event, standing = await event_for(request.path_params["slug"], user)
    viewer = await pupil_privacy.audience(standing)
    school_class = await school.listed_class(event, request.query_params.get("class"),
                                             viewer.sees_class)
    all_views = await (school.class_team_views(event, school_class) if school_class
                       else teams.team_views(event))
    views, hidden = await pupil_privacy.visible_team_views(all_views, viewer)
    context = {
        "event": event,
        "school_class": school_class,
        "views": views,
        "hidden": hidden,
        "mine": await teams.membership(event, user),
        "registration_open": event.registration_open(now()),
    }
    return render(request, "teams/list.html", context, block="teams")


async def _new_form(request: Request, standing: Standing, form: Form, status_code: int = 200,
                    notice: str | None = None) -> Response:
    event = standing.event
    context = {"event": event, "form": form, "errors": form.messages(), "notice": notice,
               # A juror who joins a team competes in what they judge: warned (and the
               # organisers see it on the dashboard).
               "jury_warning": standing.may(Permission.SCORE),
               "challenges": await teams.published_challenges(event),
               "registration_open": event.registration_open(now())}
    return render(request, "teams/new.html", context, block="form", status_code=status_code)


async def team_new(request: Request) -> Response:
    user, event, standing = await require_event(request)
    if request.method == "GET":
        return await _new_form(request, standing, Form({
            "challenge": request.query_params.get("challenge", "")}))
    form = await Form.from_request(request)
    name = form.text("name", max_length=teams.TEAM_NAME_MAX)
    challenge_id = read_challenge(form)
    looking_for = form.text("looking_for", required=False, max_length=teams.LOOKING_FOR_MAX)
    notice = None
    if not form.errors:
        try:
            team = await teams.create_team(event, user, name, challenge_id, now(),
                                           looking_for=looking_for)
        except DomainError as exc:
            notice = apply_error(form, exc)
        else:
            return redirect(request, team_url(event, team))
    return await _new_form(request, standing, form, 422, notice)


async def _team_page(request: Request, standing: Standing, team: Team, *,
                     block: str = "members", status_code: int = 200, form: Form | None = None,
                     notice: str | None = None) -> Response:
    event, user = standing.event, standing.user
    views, hidden = await pupil_privacy.visible_team_views(
        [await teams.team_view(event, team)], await pupil_privacy.audience(standing))
    if not views:  # a pupils' team of a class this visitor may not see: counts only
        return render(request, "teams/hidden.html", {
            "event": event, "hidden": hidden, "mine": await teams.membership(event, user)})
    view = views[0]
    member_ids = {m.id for m in view.members}
    is_member = user is not None and user.id in member_ids
    # The join code is for the team's members, and for the teacher of a class's team (who
    # may hand it to the pupils instead of placing them).
    class_teacher = team.school_class_id is not None and await school.teaches_class_id(
        event, team.school_class_id, user)
    form = form or Form({"challenge": str(team.challenge_id or ""),
                         "looking_for": team.looking_for})
    context = {
        "event": event, "team": team, "view": view, "is_member": is_member,
        "is_leader": is_member and team.leader_id == user.id,
        "show_code": is_member or class_teacher,
        "mine": await teams.membership(event, user),
        "challenges": await teams.published_challenges(event),
        "form": form, "errors": form.messages(), "notice": notice,
        "registration_open": event.registration_open(now()),
    }
    return render(request, "teams/team.html", context, block=block, status_code=status_code)


async def team_page(request: Request) -> Response:
    user = await current_user(request)
    event, standing = await event_for(request.path_params["slug"], user)
    team = await teams.get_team(event, request.path_params["team_id"])
    return await _team_page(request, standing, team)


async def team_leave(request: Request) -> Response:
    user, event, standing = await require_event(request)
    team = await teams.get_team(event, request.path_params["team_id"])
    still_there = await teams.leave_team(event, team, user)
    if not still_there:
        return redirect(request, f"/events/{event.slug}/teams")
    if is_htmx(request):
        return await _team_page(request, standing, await teams.get_team(event, team.id))
    return redirect(request, team_url(event, team))


async def team_leader(request: Request) -> Response:
    user, event, standing = await require_event(request)
    team = await teams.get_team(event, request.path_params["team_id"])
    form = await Form.from_request(request)
    try:
        await teams.hand_over(event, team, user, form.id("user_id"))
    except ValidationError as exc:
        form.add(exc)
        return await _team_page(request, standing, team, status_code=422,
                                notice=form.messages().get("user_id"))
    if is_htmx(request):
        return await _team_page(request, standing, await teams.get_team(event, team.id))
    return redirect(request, team_url(event, team))


async def team_edit(request: Request) -> Response:
    user, event, standing = await require_event(request)
    team = await teams.get_team(event, request.path_params["team_id"])
    await teams.require_leader(team, user)
    form = await Form.from_request(request)
    challenge_id = read_challenge(form)
    looking_for = form.text("looking_for", required=False, max_length=teams.LOOKING_FOR_MAX)
    if not form.errors:
        try:
            await teams.update_team(event, team, user, challenge_id, looking_for)
        except ValidationError as exc:
            form.add(exc)
        else:  # the challenge shows at the top of the page too: load the page afresh
            return redirect(request, team_url(event, team))
    return await _team_page(request, standing, team, block="settings", status_code=422,
                            form=form)


async def _join_form(request: Request, standing: Standing, form: Form, status_code: int = 200,
                     notice: str | None = None) -> Response:
    event = standing.event
    context = {"event": event, "form": form, "errors": form.messages(), "notice": notice,
               "jury_warning": standing.may(Permission.SCORE),
               "mine": await teams.membership(event, standing.user),
               "registration_open": event.registration_open(now())}
    return render(request, "teams/join.html", context, block="form", status_code=status_code)


async def team_join(request: Request) -> Response:
    user, event, standing = await require_event(request)
    if request.method == "GET":
        return await _join_form(request, standing, Form({
            "code": request.query_params.get("code", "")}))
    form = await Form.from_request(request)
    code = form.text("code", max_length=20)
    notice = None
    if not form.errors:
        try:
            team = await teams.join_team_counted(request.app.state.limiter, event, user, code,
                                                 now(), client_address(request))
        except DomainError as exc:
            notice = apply_error(form, exc)
        else:
            return redirect(request, team_url(event, team))
    return await _join_form(request, standing, form, 422, notice)


async def team_board(request: Request) -> Response:
    user = await current_user(request)
    event, standing = await event_for(request.path_params["slug"], user)
    looking, open_teams = await teams.board(event)
    viewer = await pupil_privacy.audience(standing)
    looking, hidden_people = await pupil_privacy.visible_looking(looking, viewer)
    open_teams, hidden = await pupil_privacy.visible_team_views(open_teams, viewer)
    context = {"event": event, "looking": looking, "open_teams": open_teams,
               "hidden": hidden, "hidden_people": hidden_people,
               "mine": await teams.membership(event, user),
               "registration_open": event.registration_open(now())}
    return render(request, "teams/board.html", context, block="board")


routes = [
    Route("/events/{slug}/teams", team_list, name="team_list"),
    Route("/events/{slug}/teams/new", team_new, methods=["GET", "POST"], name="team_new"),
    Route("/events/{slug}/teams/{team_id:id}", team_page, name="team_page"),
    Route("/events/{slug}/teams/{team_id:id}/leave", team_leave, methods=["POST"],
          name="team_leave"),
    Route("/events/{slug}/teams/{team_id:id}/leader", team_leader, methods=["POST"],
          name="team_leader"),
    Route("/events/{slug}/teams/{team_id:id}/edit", team_edit, methods=["POST"],
          name="team_edit"),
    Route("/events/{slug}/join", team_join, methods=["GET", "POST"], name="team_join"),
    Route("/events/{slug}/board", team_board, name="team_board"),
]
