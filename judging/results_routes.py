"""Results pages: the chair's ranking, awards and their approval, the public results page, each
team's feedback and people's choice voting. The organisers' settings for how results are made
are on the judging overview (judging/routes.py, judging/event_settings.py).

Thin handlers: one guard line (events.policy), parse, call the service, render the page or
(htmx) the named block of the same template.
"""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from school import pupil_privacy
from events.models import Event
from teams.models import TeamMember
from events.policy import Permission, event_for, require_event
from judging import (awards, event_settings, export_routes, feedback, ranking, vote_routes,
                     votes)
from judging.models import AwardKind, Method, METHOD_LABELS
from samskapa.auth.guards import current_user
from samskapa.clock import now
from samskapa.errors import DomainError, ValidationError
from samskapa.forms import Form, parse_id
from samskapa.http import redirect
from samskapa.i18n import gettext
from samskapa.templating import render
from challenges.models import Challenge
from submissions.models import Submission


def _slug(request: Request) -> str:
    return request.path_params["slug"]


def project_url(request: Request, event: Event, submission: Submission) -> str:
    """The submission's public page in the gallery."""
    return str(request.app.url_path_for("project", slug=event.slug,
                                        submission_id=submission.id))


# --- the ranking ---------------------------------------------------------------------------------

async def ranking_page(request: Request) -> Response:
    user, event, standing = await require_event(request, Permission.CHAIR_JURY)
    settings = await event_settings.of(event)
    raw_method = request.query_params.get("method", "")
    method = Method(raw_method) if raw_method in {m.value for m in Method} else None
    challenges = await Challenge.filter(event_id=event.id).order_by("title")
    challenge_id = parse_id(request.query_params.get("challenge", ""))
    if challenge_id not in {c.id for c in challenges}:
        challenge_id = None  # all challenges
    shown = votes.totals_visible(settings, chair=True, public=False)
    view = await ranking.ranking(event, settings, method=method, challenge_id=challenge_id,
                                 votes=await votes.totals(event) if shown else None)
    return render(request, "judging/ranking_page.html", {
        "event": event, "settings": settings, "view": view, "challenges": challenges,
        "challenge_id": challenge_id, "method_labels": METHOD_LABELS,
        "methods": event_settings.method_options(),
        "may_manage": standing.may(Permission.MANAGE_JUDGING),
        "votes_cast": await votes.votes_cast(event)})


async def peoples_choice_switch(request: Request) -> Response:
    user, event, _standing = await require_event(request, Permission.MANAGE_JUDGING)
    form = await Form.from_request(request)
    await votes.set_open(event, form.checkbox("open"))
    return redirect(request, f"/events/{event.slug}/judging/ranking#peoples-choice")


# --- awards, approval ---------------------------------------------------------------------------

def _kind_options() -> list[tuple[str, str]]:
    return [(k.value, gettext(label)) for k, label in awards.AWARD_KIND_LABELS.items()]


def _read_award(form: Form) -> awards.AwardData | None:
    kind = form.choice("kind", [k.value for k in AwardKind])
    name = form.text("name", max_length=awards.NAME_MAX)
    motivation = form.text("motivation", required=False, max_length=awards.MOTIVATION_MAX)
    position = form.integer("position", minimum=0, maximum=1000, default=0)
    challenge_id = form.id("challenge")
    if challenge_id is None and form.raw("challenge"):
        form.error("challenge", "Choose one of the options.")
    submission_id = form.id("submission")
    if submission_id is None and form.raw("submission"):
        form.error("submission", "Choose one of the options.")
    if form.errors:
        return None
    return awards.AwardData(AwardKind(kind), name, challenge_id, submission_id, motivation,
                            position or 0)


def _award_form(award) -> Form:
    return Form({"kind": award.kind.value if hasattr(award.kind, "value") else award.kind,
                 "name": award.name, "motivation": award.motivation,
                 "position": str(award.position),
                 "challenge": str(award.challenge_id or ""),
                 "submission": str(award.submission_id or "")})


async def _awards_page(request: Request, event: Event, *, form: Form | None = None,
                       status_code: int = 200, problem: str | None = None,
                       editing=None, unfinished: awards.UnfinishedJudging | None = None
                       ) -> Response:
    settings = await event_settings.of(event)
    moment = now()
    form = form or Form({"kind": AwardKind.OVERALL.value, "position": "0"})
    template = "judging/awards_edit.html" if editing else "judging/awards_page.html"
    submissions = await votes.candidates(event)
    return render(request, template, {
        "event": event, "settings": settings, "awards": await awards.awards_of(event),
        "kinds": _kind_options(), "kind_labels": awards.AWARD_KIND_LABELS,
        "challenges": [("", gettext("None"))] + [
            (str(c.id), c.title) for c in await Challenge.filter(event_id=event.id)
            .order_by("title")],
        "submissions": [("", gettext("None"))] + [
            (str(s.id), f"{s.title} ({s.team.name})")
            for s in sorted(submissions, key=lambda s: s.title.lower())],
        "release": awards.release_time(settings, event),
        "public": awards.results_public(settings, event, moment),
        "award": editing, "form": form, "errors": form.messages(), "problem": problem,
        "unfinished": unfinished,
    }, status_code=status_code)


async def awards_page(request: Request) -> Response:
    user, event, _standing = await require_event(request, Permission.CHAIR_JURY)
    if request.method == "GET":
        return await _awards_page(request, event)
    form = await Form.from_request(request)
    data = _read_award(form)
    if data is not None:
        try:
            await awards.add_award(event, user, data, now())
        except ValidationError as exc:
            form.add(exc)
        except DomainError as exc:
            return await _awards_page(request, event, form=form, status_code=exc.status_code,
                                      problem=exc.text())
        else:
            return redirect(request, f"/events/{event.slug}/judging/awards")
    return await _awards_page(request, event, form=form, status_code=422)


async def edit_award(request: Request) -> Response:
    user, event, _standing = await require_event(request, Permission.CHAIR_JURY)
    award = await awards.award_in(event, request.path_params["award_id"])
    if request.method == "GET":
        return await _awards_page(request, event, form=_award_form(award), editing=award)
    form = await Form.from_request(request)
    data = _read_award(form)
    if data is not None:
        try:
            await awards.update_award(event, award, user, data, now())
        except ValidationError as exc:
            form.add(exc)
        except DomainError as exc:
            return await _awards_page(request, event, form=form, status_code=exc.status_code,
                                      problem=exc.text(), editing=award)
        else:
            return redirect(request, f"/events/{event.slug}/judging/awards")
    return await _awards_page(request, event, form=form, status_code=422, editing=award)


async def delete_award(request: Request) -> Response:
    user, event, _standing = await require_event(request, Permission.CHAIR_JURY)
    award = await awards.award_in(event, request.path_params["award_id"])
    try:
        await awards.delete_award(event, award, now())
    except DomainError as exc:
        return await _awards_page(request, event, status_code=exc.status_code,
                                  problem=exc.text())
    return redirect(request, f"/events/{event.slug}/judging/awards")


async def approve(request: Request) -> Response:
    user, event, _standing = await require_event(request, Permission.CHAIR_JURY)
    form = await Form.from_request(request)
    try:
        await awards.approve(event, user, now(), confirmed=form.checkbox("confirm"))
    except awards.ConfirmApproval as exc:
        return await _awards_page(request, event, status_code=exc.status_code,
                                  problem=exc.text(), unfinished=exc.unfinished)
    except DomainError as exc:
        return await _awards_page(request, event, status_code=exc.status_code,
                                  problem=exc.text())
    return redirect(request, f"/events/{event.slug}/judging/awards")


async def withdraw(request: Request) -> Response:
    user, event, _standing = await require_event(request, Permission.CHAIR_JURY)
    try:
        await awards.withdraw_approval(event, now())
    except DomainError as exc:
        return await _awards_page(request, event, status_code=exc.status_code,
                                  problem=exc.text())
    return redirect(request, f"/events/{event.slug}/judging/awards")


# --- the public results page and each team's feedback -------------------------------------------

async def results_page(request: Request) -> Response:
    user = await current_user(request)
    event, standing = await event_for(_slug(request), user)
    settings = await event_settings.of(event)
    public = awards.results_public(settings, event, now())
    context = {"event": event, "public": public, "release": awards.release_time(settings, event),
               "kind_labels": awards.AWARD_KIND_LABELS, "awards": [], "view": None}
    if public:
        given = await awards.public_awards(event)
        context["awards"] = [(a, project_url(request, event, a.submission) if a.submission
                              else None) for a in given]
        shown = [a.submission for a in given if a.submission]
        if settings.public_ranking:
            context["view"] = await ranking.ranking(event, settings,
                                                    votes=await votes.totals(event))
            shown += [row.submission for row in context["view"].rows]
        context["teams"] = await awards.team_labels(
            event, await pupil_privacy.audience(standing), shown)
        context["my_team"] = await TeamMember.filter(event_id=event.id, user_id=user.id) \
            .exists() if user else False
    return render(request, "judging/results_page.html", context)


async def team_feedback(request: Request) -> Response:
    user, event, _standing = await require_event(request)
    settings = await event_settings.of(event)
    public = awards.results_public(settings, event, now())
    found = await feedback.for_member(event, user, settings) if public else None
    return render(request, "judging/results_feedback.html", {
        "event": event, "public": public, "found": found,
        "release": awards.release_time(settings, event)})


# The results side of judging: these pages, then voting and the exports.
routes = [
    Route("/events/{slug}/judging/ranking", ranking_page, name="judging_ranking"),
    Route("/events/{slug}/judging/peoples-choice", peoples_choice_switch, methods=["POST"],
          name="judging_peoples_choice"),
    Route("/events/{slug}/judging/awards", awards_page, methods=["GET", "POST"],
          name="judging_awards"),
    Route("/events/{slug}/judging/awards/{award_id:id}", edit_award, methods=["GET", "POST"],
          name="judging_award_edit"),
    Route("/events/{slug}/judging/awards/{award_id:id}/delete", delete_award, methods=["POST"],
          name="judging_award_delete"),
    Route("/events/{slug}/judging/approve", approve, methods=["POST"], name="judging_approve"),
    Route("/events/{slug}/judging/withdraw", withdraw, methods=["POST"],
          name="judging_withdraw"),
    Route("/events/{slug}/results", results_page, name="event_results"),
    Route("/events/{slug}/results/feedback", team_feedback, name="team_feedback"),
    *vote_routes.routes,
    *export_routes.routes,
]
