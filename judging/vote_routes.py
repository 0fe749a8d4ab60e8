"""People's choice pages: the voting page, and the vote codes a teacher or an organiser makes
and prints (a sheet of slips, each with a QR code to the voting page).

Thin handlers: one guard line (events.policy), parse, call judging.votes, render.
"""
from __future__ import annotations

import segno
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events.models import Event
from school.models import SchoolClass
from teams.models import TeamMember
from events.policy import Permission, Standing, event_for, require_event
from judging import awards, event_settings, votes
from school import pupil_privacy
from samskapa.auth.guards import current_user
from samskapa.auth.models import User
from samskapa.clock import now
from samskapa.errors import DomainError, Forbidden, ValidationError
from samskapa.flash import flash
from samskapa.forms import Form, parse_id
from samskapa.http import redirect
from samskapa.i18n import N_, gettext
from samskapa.security import client_address
from samskapa.templating import is_htmx, render



async def _vote_page(request: Request, event: Event, standing: Standing, *,
                     form: Form | None = None, status_code: int = 200, voted=None,
                     problem: str | None = None) -> Response:
    user = standing.user
    settings = await event_settings.of(event)
    own_team = await TeamMember.filter(event_id=event.id, user_id=user.id).first() \
        .values_list("team_id", flat=True) if user else None
    candidates = sorted((s for s in await votes.candidates(event) if s.team_id != own_team),
                        key=lambda s: s.title.lower())
    form = form or Form({"code": request.query_params.get("code", "")[:40]})
    return render(request, "judging/vote_page.html", {
        "event": event, "open": settings.peoples_choice_open, "candidates": candidates,
        "teams": await awards.team_labels(event, await pupil_privacy.audience(standing),
                                          candidates),
        "own_vote": voted or await votes.own_vote(event, user),
        "may_vote_with_account": await votes.is_participant(event, user),
        "form": form, "errors": form.messages(), "problem": problem,
    }, status_code=status_code, block="vote")


async def vote_page(request: Request) -> Response:
    event, standing = await event_for(request.path_params["slug"], await current_user(request))
    if request.method == "GET":
        return await _vote_page(request, event, standing)
    user = standing.user
    form = await Form.from_request(request)
    code = form.text("code", required=False, max_length=40)
    submission_id = form.id("submission")
    settings = await event_settings.of(event)
    try:
        if code or user is None:
            if not code:
                raise ValidationError({"code": N_("Type the vote code you were given.")})
            vote = await votes.vote_with_code_counted(
                request.app.state.limiter, client_address(request), event, settings,
                request.app.state.settings.secret_key, code, submission_id, user, now())
        else:
            vote = await votes.vote_with_account(event, settings, user, submission_id)
    except ValidationError as exc:
        form.add(exc)
        return await _vote_page(request, event, standing, form=form, status_code=422)
    except DomainError as exc:
        if exc.field:
            form.error(exc.field, exc.message, **exc.params)
            return await _vote_page(request, event, standing, form=form,
                                    status_code=exc.status_code)
        return await _vote_page(request, event, standing, form=form,
                                status_code=exc.status_code, problem=exc.text())
    await vote.fetch_related("submission")
    if is_htmx(request):
        return await _vote_page(request, event, standing, form=Form({}), voted=vote)
    flash(request, gettext("Thank you! Your vote for %(title)s is counted.",
                           title=vote.submission.title))
    return redirect(request, f"/events/{event.slug}/vote")


# --- vote codes ---------------------------------------------------------------------------------

async def _code_classes(event: Event, user: User, standing: Standing) -> list[SchoolClass]:
    """The classes this person makes codes for: their own, or every class for organisers."""
    query = SchoolClass.filter(event_id=event.id).order_by("name")
    if not standing.may(Permission.MANAGE_JUDGING):
        query = query.filter(teacher_id=user.id)
    return await query


async def _chosen_class(event: Event, user: User, standing: Standing,
                        raw: str) -> SchoolClass | None:
    """A class of this person's (raw: its id), or None for codes with no class, which only
    organisers make."""
    if not raw:
        if not standing.may(Permission.MANAGE_JUDGING):
            raise Forbidden(N_("Choose one of your classes."))
        return None
    allowed = {c.id: c for c in await _code_classes(event, user, standing)}
    class_id = parse_id(raw)
    if class_id not in allowed:
        raise ValidationError({"school_class": N_("Choose one of your classes.")})
    return allowed[class_id]


async def _codes_page(request: Request, event: Event, user: User, standing: Standing, *,
                      form: Form | None = None, status_code: int = 200) -> Response:
    form = form or Form({"count": "30"})
    classes = await _code_classes(event, user, standing)
    options = [(str(c.id), c.name) for c in classes]
    if standing.may(Permission.MANAGE_JUDGING):
        options.append(("", gettext("No class (an open event's visitors)")))
    return render(request, "judging/vote_codes.html", {
        "event": event, "classes": classes, "class_options": options,
        "counts": await votes.token_counts(event),
        "open": (await event_settings.of(event)).peoples_choice_open,
        "form": form, "errors": form.messages()}, status_code=status_code)


async def vote_codes(request: Request) -> Response:
    user, event, standing = await require_event(request, Permission.TEACH)
    if request.method == "GET":
        return await _codes_page(request, event, user, standing)
    form = await Form.from_request(request)
    count = form.integer("count", minimum=1, maximum=votes.MAX_TOKENS_AT_ONCE)
    if not form.errors:
        try:
            school_class = await _chosen_class(event, user, standing,
                                               form.raw("school_class"))
            await votes.make_tokens(event, user, count, school_class)
        except ValidationError as exc:
            form.add(exc)
        else:
            flash(request, gettext("%(n)s vote codes made. Print them from the list below.",
                                   n=count))
            return redirect(request, f"/events/{event.slug}/vote-codes")
    return await _codes_page(request, event, user, standing, form=form, status_code=422)


async def print_codes(request: Request) -> Response:
    """A sheet of the class's unused codes to print and cut: each slip has the event, the code
    to type and a QR code that opens the voting page with the code filled in. Above it (not
    printed), the classes this person prints for; a teacher who came without a class (a
    bookmark, a typed address) chooses one there."""
    user, event, standing = await require_event(request, Permission.TEACH)
    manages = standing.may(Permission.MANAGE_JUDGING)
    raw = request.query_params.get("class", "")
    classes = await _code_classes(event, user, standing)
    context = {"event": event, "classes": classes, "may_manage": manages,
               "counts": await votes.token_counts(event), "school_class": None, "slips": None}
    if not raw and not manages:
        return render(request, "judging/vote_codes_print.html", context)
    try:
        school_class = await _chosen_class(event, user, standing, raw)
    except ValidationError as exc:
        raise DomainError(exc.errors["school_class"][0]) from None
    site = request.app.state.settings
    vote_path = request.app.url_path_for("peoples_choice", slug=event.slug)
    slips = []
    for token in await votes.unused_tokens(event, school_class):
        code = votes.token_code(site.secret_key, token)
        url = site.url(f"{vote_path}?code={code}")
        slips.append((code, segno.make(url, error="m").svg_data_uri(scale=4)))
    return render(request, "judging/vote_codes_print.html", {
        **context, "school_class": school_class, "slips": slips,
        "vote_url": site.url(vote_path)})


routes = [
    Route("/events/{slug}/vote", vote_page, methods=["GET", "POST"], name="peoples_choice"),
    Route("/events/{slug}/vote-codes", vote_codes, methods=["GET", "POST"], name="vote_codes"),
    Route("/events/{slug}/vote-codes/print", print_codes, name="vote_codes_print"),
]
