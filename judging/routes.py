"""Judging pages for the jury and for the organisers who run it.

Jurors (Permission.SCORE): their queue, the scoring page (htmx autosave per field, a plain
save button without JavaScript), done / undo / skip, declared conflicts and pairwise
comparisons. Organisers (Permission.MANAGE_JUDGING): settings, rubric, jury, assignment and the
audit log. Every handler starts with its guard (`event_for`).
"""
from __future__ import annotations

import re
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from challenges.models import Challenge
from events import invitations
from events.models import Role
from teams.models import Team
from events.policy import Permission, require_event
from judging import assignments, conflicts, event_settings, jury, pairwise, review, rubric
from judging.models import CONFIDENCE_LABELS, CONFLICT_LABELS, AssignmentStatus, Method
from samskapa import clock
from samskapa.auth.guards import sign_in
from samskapa.auth.scope import SCOPE_KEY
from samskapa.errors import DomainError, NotFound, ValidationError
from samskapa.flash import flash
from samskapa.forms import Form, parse_id
from samskapa.http import form_page, redirect
from samskapa.i18n import N_, format_number, gettext
from samskapa.templating import is_htmx, render
from submissions.models import SubmissionFile
from submissions.routes import file_response

CRITERION_FIELD = re.compile(r"^criterion_([0-9]{1,10})$")
WEIGHT_RE = re.compile(r"^[0-9]{1,3}(?:[.,][0-9]{1,2})?$")


# --- the juror's queue and reviews --------------------------------------------------------------

async def queue(request: Request) -> Response:
    user, event, standing = await require_event(request, Permission.SCORE)
    settings = await event_settings.of(event)
    reviews = await review.queue(event, user)
    return render(request, "judging/queue.html", {
        "event": event, "reviews": reviews, "settings": settings, "Method": Method,
        "done": sum(r.assignment.status == AssignmentStatus.DONE for r in reviews),
        "skipped": sum(r.assignment.status == AssignmentStatus.SKIPPED for r in reviews),
        "closed": clock.now() >= event.judging_closes, "Status": AssignmentStatus,
        "jury_only": bool(request.session.get(SCOPE_KEY))})


def _changes(form: Form) -> review.Changes:
    values: dict[int, int | None] = {}
    for name in form.data.keys():
        match = CRITERION_FIELD.match(name)
        if match:
            cid = parse_id(match.group(1))
            raw = form.raw(name)
            form.values[name] = raw
            if cid is None:
                form.error(name, "Choose one of the options.")
                continue
            values[cid] = int(raw) if re.fullmatch(r"-?[0-9]{1,6}", raw) else None
    sent = {name: form.raw(name) if name in form.data else None
            for name in ("confidence", "feedback", "private_note")}
    for name, value in sent.items():
        if value is not None:
            form.values[name] = value
    return review.Changes(values, **sent)


async def _review_page(request, event, item: review.Review, *, form: Form | None = None,
                       status_code: int = 200, problem: str | None = None,
                       block: str | None = None, **extra) -> Response:
    form = form or Form({})
    a = item.assignment
    return render(request, "judging/review.html", {
        "event": event, "item": item, "form": form, "errors": form.messages(),
        "files": [] if item.conflicted else await _current_files(a.submission_id),
        "confidence_labels": CONFIDENCE_LABELS, "Status": AssignmentStatus,
        "closed": clock.now() >= event.judging_closes, "problem": problem,
        "value_of": lambda name, saved: form.values.get(name, saved),
        "saved_confidence": a.confidence.value if hasattr(a.confidence, "value") else a.confidence,
        **extra}, status_code=status_code, block=block)


async def _current_files(submission_id: int) -> list[SubmissionFile]:
    return await SubmissionFile.filter(submission_id=submission_id, detached=False).order_by("id")


async def review_file(request: Request) -> Response:
    """A file of the submission under review. A juror who came by a jury link may open only
    /events/{slug}/jury (samskapa/auth/scope.py), so the files are served here, for the juror's
    own, unconflicted review only."""
    user, event, _standing = await require_event(request, Permission.SCORE)
    assignment = await review.own_review(event, user, request.path_params["assignment_id"])
    row = await SubmissionFile.get_or_none(id=request.path_params["file_id"],
                                           submission_id=assignment.submission_id,
                                           detached=False)
    if row is None or assignment.conflicted:
        raise NotFound(N_("We could not find that file."))
    return file_response(request, row)


async def review_page(request: Request) -> Response:
    user, event, standing = await require_event(request, Permission.SCORE)
    assignment = await review.own_review(event, user, request.path_params["assignment_id"])
    if request.method == "GET":
        return await _review_page(request, event, await review.load(assignment))
    form = await Form.from_request(request)
    changes = _changes(form)
    names = [n for n in form.values if n != "csrf_token"]
    if not form.errors:
        try:
            await review.save(event, user, assignment, changes, clock.now())
        except ValidationError as exc:
            form.add(exc)
        except DomainError as exc:
            if is_htmx(request):
                return render(request, "judging/review.html", {
                    "names": names, "problem": exc.text(), "errors": {}},
                    block="save_status", status_code=exc.status_code)
            return await _review_page(request, event, await review.load(assignment), form=form,
                                      status_code=exc.status_code, problem=exc.text())
    if is_htmx(request):  # only the saved field's status line
        errors = form.messages()
        return render(request, "judging/review.html", {
            "names": names, "errors": errors, "problem": None, "saved_at": clock.now()},
            block="save_status", status_code=422 if errors else 200)
    if form.errors:
        return await _review_page(request, event, await review.load(assignment), form=form,
                                  status_code=422)
    flash(request, gettext("Saved."))
    return redirect(request, f"/events/{event.slug}/jury/reviews/{assignment.id}")


def _status_action(action):
    async def handler(request: Request) -> Response:
        user, event, _standing = await require_event(request, Permission.SCORE)
        assignment = await review.own_review(event, user, request.path_params["assignment_id"])
        form = await Form.from_request(request)
        try:
            message = await action(event, user, assignment, form)
        except ValidationError as exc:
            form.add(exc)
            return await _review_page(request, event, await review.load(assignment), form=form,
                                      status_code=422)
        except DomainError as exc:
            return await _review_page(request, event, await review.load(assignment), form=form,
                                      status_code=exc.status_code, problem=exc.text())
        flash(request, gettext(message))
        if assignment.status == AssignmentStatus.PENDING:
            return redirect(request, f"/events/{event.slug}/jury/reviews/{assignment.id}")
        return redirect(request, f"/events/{event.slug}/jury")
    return handler


async def _finish(event, user, assignment, form):
    await review.finish(event, user, assignment, clock.now())
    return N_("Review finished. Thank you!")


async def _reopen(event, user, assignment, form):
    await review.reopen(event, user, assignment, clock.now())
    return N_("The review is open again.")


async def _skip(event, user, assignment, form):
    reason = form.text("skip_reason", required=False, max_length=review.SKIP_REASON_MAX)
    form.raise_if_invalid()
    await review.skip(event, user, assignment, reason, clock.now())
    return N_("Skipped. The organisers will see your reason.")


finish = _status_action(_finish)
reopen = _status_action(_reopen)
skip = _status_action(_skip)


# --- the juror's declared conflicts -------------------------------------------------------------

def _conflict_kinds() -> list[tuple[str, str]]:
    return [("", gettext("Choose")),
            *((k.value, gettext(CONFLICT_LABELS[k])) for k in conflicts.DECLARABLE)]


async def juror_conflicts(request: Request) -> Response:
    user, event, _standing = await require_event(request, Permission.SCORE)
    form = Form({})
    status = 200
    if request.method == "POST":
        form = await Form.from_request(request)
        team_id = form.id("team_id")
        kind = form.raw("kind")
        form.values["kind"] = kind
        note = form.text("note", required=False, max_length=300)
        if not form.errors:
            try:
                await conflicts.declare(event, user, team_id, kind, note)
            except ValidationError as exc:
                form.add(exc)
            else:
                flash(request, gettext("Conflict declared. You will not review that team."))
                return redirect(request, f"/events/{event.slug}/jury/conflicts")
        status = 422
    teams = await Team.filter(event_id=event.id).order_by("name")
    return form_page(request, "judging/conflicts.html", form, status, event=event,
                     declared=await conflicts.declared_by(event, user),
                     teams=[("", gettext("Choose a team")), *((str(t.id), t.name) for t in teams)],
                     kinds=_conflict_kinds(), labels=CONFLICT_LABELS)


async def withdraw_conflict(request: Request) -> Response:
    user, event, _standing = await require_event(request, Permission.SCORE)
    await conflicts.withdraw(event, user, request.path_params["conflict_id"])
    return redirect(request, f"/events/{event.slug}/jury/conflicts")


# --- pairwise comparisons -----------------------------------------------------------------------

async def compare(request: Request) -> Response:
    user, event, _standing = await require_event(request, Permission.SCORE)
    now = clock.now()
    problem, status = None, 200
    if request.method == "POST":
        form = await Form.from_request(request)
        choice = form.raw("choice")
        try:
            await pairwise.decide(event, user, choice, form.id("shown"), now)
        except DomainError as exc:
            problem, status = exc.text(), exc.status_code
        else:
            return redirect(request, f"/events/{event.slug}/jury/compare")
    try:
        pair = await pairwise.next_pair(event, user, now)
    except DomainError as exc:
        pair, problem, status = None, exc.text(), exc.status_code
    return render(request, "judging/compare.html", {
        "event": event, "pair": pair, "problem": problem,
        "closed": now >= event.judging_closes}, status_code=status)


# --- the jury link ------------------------------------------------------------------------------

async def jury_link(request: Request) -> Response:
    """GET shows a button, POST signs in: a mail scanner that follows links must not use up the
    link (or sign itself in)."""
    token = request.path_params["token"]
    now = clock.now()
    try:
        found = await jury.find_link(token, now)
    except DomainError as exc:
        return render(request, "judging/jury_link.html", {"problem": exc.text()},
                      status_code=exc.status_code)
    if request.method == "GET":
        return render(request, "judging/jury_link.html", {"link": found, "token": token})
    try:
        used = await jury.use_link(token, now)
    except DomainError as exc:
        return render(request, "judging/jury_link.html", {"problem": exc.text()},
                      status_code=exc.status_code)
    await sign_in(request, used.juror)
    request.session[SCOPE_KEY] = f"/events/{used.event.slug}/jury"
    return redirect(request, f"/events/{used.event.slug}/jury")


# --- organisers: settings -----------------------------------------------------------------------

def _settings_form(settings) -> Form:
    return Form({"method": Method(settings.method).value,
                 "reviews_per_submission": str(settings.reviews_per_submission),
                 "tie_break": settings.tie_break,
                 "public_vote_percent": str(settings.public_vote_percent),
                 "show_scores_to_teams": "on" if settings.show_scores_to_teams else "",
                 "public_ranking": "on" if settings.public_ranking else ""})


def _read_settings(form: Form) -> event_settings.Choices | None:
    method = form.choice("method", [m.value for m in Method])
    k = form.integer("reviews_per_submission", minimum=1, maximum=event_settings.MAX_REVIEWS)
    tie_break = form.choice("tie_break", [key for key, _label in
                                          event_settings.tie_break_options()])
    percent = form.integer("public_vote_percent", minimum=0,
                           maximum=event_settings.MAX_PUBLIC_VOTE_PERCENT)
    scores_shown, ranking_public = (form.checkbox("show_scores_to_teams"),
                                    form.checkbox("public_ranking"))
    if form.errors:
        return None
    return event_settings.Choices(Method(method), k, tie_break, percent, scores_shown,
                                  ranking_public)


async def overview(request: Request) -> Response:
    """Progress, and the one form for how the event is judged and how results are made."""
    user, event, _standing = await require_event(request, Permission.MANAGE_JUDGING)
    status = 200
    if request.method == "POST":
        form = await Form.from_request(request)
        choices = _read_settings(form)
        if choices is not None:
            try:
                await event_settings.update(event, choices)
            except ValidationError as exc:
                form.add(exc)
            else:
                flash(request, gettext("Saved."))
                return redirect(request, f"/events/{event.slug}/judging")
        status = 422
    else:
        form = _settings_form(await event_settings.of(event))
    return form_page(request, "judging/overview.html", form, status, event=event,
                     methods=event_settings.method_options(),
                     tie_breaks=event_settings.tie_break_options(),
                     progress=await assignments.progress(event))


# --- organisers: the rubric ---------------------------------------------------------------------

async def _challenge(event, slug: str | None) -> Challenge | None:
    if not slug:
        return None
    found = await Challenge.get_or_none(event_id=event.id, slug=slug[:100])
    if found is None:
        raise ValidationError({"challenge": "Choose one of the options."})
    return found


def _read_criterion(form: Form) -> rubric.CriterionData | None:
    name = form.text("name", max_length=120)
    description = form.text("description", required=False, max_length=2000)
    raw_weight = form.raw("weight") or "1"
    form.values["weight"] = raw_weight
    weight = None
    if not WEIGHT_RE.match(raw_weight) or float(raw_weight.replace(",", ".")) <= 0:
        form.error("weight", "Enter a number above 0, such as 1 or 1.5.")
    else:
        weight = float(raw_weight.replace(",", "."))
    low = form.integer("scale_min", minimum=0, maximum=10)
    high = form.integer("scale_max", minimum=1, maximum=20)
    levels_text = form.text("levels", required=False, max_length=5000)
    if form.errors:
        return None
    data = rubric.CriterionData(name, description, weight, low, high)
    for field_name, message in data.errors().items():
        form.error(field_name, message)
    lines = [line.strip() for line in levels_text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    steps = high - low + 1
    if len(lines) > steps:
        form.error("levels", "The scale has %(n)s steps: describe at most one per line.",
                   n=steps)
    if form.errors:
        return None
    data.levels = {str(low + i): text[:300] for i, text in enumerate(lines) if text}
    return data


def _criterion_form(criterion) -> Form:
    lines = [criterion.levels.get(str(step), "")
             for step in range(criterion.scale_min, criterion.scale_max + 1)]
    while lines and not lines[-1]:
        lines.pop()
    return Form({"name": criterion.name, "description": criterion.description,
                 "weight": format_number(criterion.weight, 2, trim=True), "scale_min": str(criterion.scale_min),
                 "scale_max": str(criterion.scale_max), "levels": "\n".join(lines)})


async def _rubric_context(event, challenge) -> dict:
    current = await rubric.rubric_for(event, challenge)
    return {"event": event, "rubric": current, "challenge": challenge,
            "criteria": await rubric.criteria_of(current),
            "challenges": await Challenge.filter(event_id=event.id).order_by("title"),
            "rubrics": await rubric.rubrics_of(event)}


async def rubric_page(request: Request) -> Response:
    user, event, _standing = await require_event(request, Permission.MANAGE_JUDGING)
    if request.method == "GET":
        challenge = await _challenge(event, request.query_params.get("challenge"))
        return form_page(request, "judging/rubric.html",
                         Form({"scale_min": "1", "scale_max": "5", "weight": "1"}),
                         **await _rubric_context(event, challenge))
    form = await Form.from_request(request)
    challenge = await _challenge(event, form.raw("challenge"))
    context = await _rubric_context(event, challenge)
    data = _read_criterion(form)
    effect = None
    if data is not None:
        try:
            await rubric.add_criterion(context["rubric"], data, user, clock.now(),
                                       confirmed=form.checkbox("confirm"))
        except rubric.ConfirmationNeeded as exc:
            effect = exc.effect
        except ValidationError as exc:
            form.add(exc)
        except DomainError as exc:
            form.error("name", exc.message, **exc.params)
        else:
            suffix = f"?challenge={quote(challenge.slug)}" if challenge else ""
            return redirect(request, f"/events/{event.slug}/judging/rubric{suffix}")
    return form_page(request, "judging/rubric.html", form, 422, effect=effect, **context)


async def criterion_page(request: Request) -> Response:
    user, event, _standing = await require_event(request, Permission.MANAGE_JUDGING)
    criterion = await rubric.criterion_in(event, request.path_params["criterion_id"])
    back = "/events/{}/judging/rubric{}".format(
        event.slug, f"?challenge={quote((await criterion.rubric.challenge).slug)}"
        if criterion.rubric.challenge_id else "")
    context = {"event": event, "criterion": criterion, "locked": criterion.rubric.locked_at,
               "back": back}
    if request.method == "GET":
        return form_page(request, "judging/criterion.html", _criterion_form(criterion),
                         **context)
    form = await Form.from_request(request)
    data = _read_criterion(form)
    effect = None
    if data is not None:
        try:
            await rubric.update_criterion(criterion, data, user, clock.now(),
                                          confirmed=form.checkbox("confirm"))
        except rubric.ConfirmationNeeded as exc:
            effect = exc.effect
        except ValidationError as exc:
            form.add(exc)
        else:
            flash(request, gettext("Saved."))
            return redirect(request, back)
    return form_page(request, "judging/criterion.html", form, 422, effect=effect, **context)


async def delete_criterion(request: Request) -> Response:
    user, event, _standing = await require_event(request, Permission.MANAGE_JUDGING)
    criterion = await rubric.criterion_in(event, request.path_params["criterion_id"])
    form = await Form.from_request(request)
    try:
        await rubric.delete_criterion(criterion, user, clock.now(),
                                      confirmed=form.checkbox("confirm"))
    except rubric.ConfirmationNeeded as exc:
        return form_page(request, "judging/criterion.html",
                         _criterion_form(criterion), 422, event=event, criterion=criterion,
                         locked=criterion.rubric.locked_at, effect=exc.effect, deleting=True,
                         back=f"/events/{event.slug}/judging/rubric")
    flash(request, gettext("Criterion removed."))
    return redirect(request, f"/events/{event.slug}/judging/rubric")


# --- organisers: the jury -----------------------------------------------------------------------

async def _jury_page(request, event, *, invite_form=None, link_form=None, status_code=200,
                     sent=None):
    invite_form = invite_form or Form({})
    link_form = link_form or Form({})
    return render(request, "judging/jury.html", {
        "event": event, "jurors": await jury.jurors(event),
        "overview": await conflicts.overview(event), "labels": CONFLICT_LABELS,
        "invite_form": invite_form, "invite_errors": invite_form.messages(),
        "link_form": link_form, "link_errors": link_form.messages(), "sent": sent,
        "pending": [i for i in await invitations.pending(event, clock.now())
                    if i.role == Role.JURY]}, status_code=status_code)


async def jury_page(request: Request) -> Response:
    user, event, _standing = await require_event(request, Permission.MANAGE_JUDGING)
    return await _jury_page(request, event, sent=request.query_params.get("sent", "")[:254])


async def invite_juror(request: Request) -> Response:
    user, event, _standing = await require_event(request, Permission.MANAGE_JUDGING)
    form = await Form.from_request(request)
    email = form.email("email")
    if not form.errors:
        try:
            await invitations.invite(request.app.state.settings, event, user, email, Role.JURY,
                                     clock.now())
        except ValidationError as exc:
            form.add(exc)
        else:
            return redirect(request, f"/events/{event.slug}/judging/jury?sent={quote(email)}")
    return await _jury_page(request, event, invite_form=form, status_code=422)


async def send_jury_link(request: Request) -> Response:
    user, event, _standing = await require_event(request, Permission.MANAGE_JUDGING)
    form = await Form.from_request(request)
    email = form.email("link_email")
    name = form.text("display_name", required=False, max_length=100)
    if not form.errors:
        try:
            await jury.send_link(request.app.state.settings, event, user, email, name,
                                 clock.now())
        except ValidationError as exc:
            for field, (message, params) in exc.errors.items():
                form.error("link_email" if field == "email" else field, message, **params)
        else:
            return redirect(request, f"/events/{event.slug}/judging/jury?sent={quote(email)}")
    return await _jury_page(request, event, link_form=form, status_code=422)


# --- organisers: assignment ---------------------------------------------------------------------

async def _assignments_page(request, event, *, form: Form | None = None, problem=None,
                            status_code=200):
    form = form or Form({})
    progress = await assignments.progress(event)
    jurors = [u for u, _row in progress.jurors]
    return render(request, "judging/assignments.html", {
        "event": event, "progress": progress, "form": form, "errors": form.messages(),
        "problem": problem, "Status": AssignmentStatus,
        "juror_options": [("", gettext("Choose a jury member")),
                          *((str(u.id), u.display_name) for u in jurors)],
        "submission_options": [("", gettext("Choose a submission")),
                               *((str(s.id), s.title) for s, _row in progress.submissions)],
    }, status_code=status_code)


async def _assignment_refused(request, event, exc: DomainError) -> Response:
    """The assignments page again, saying why a change to one review was refused."""
    problem = (" ".join(exc.texts().values()) if isinstance(exc, ValidationError)
               else exc.text())
    return await _assignments_page(request, event, problem=problem,
                                   status_code=exc.status_code)


async def assignments_page(request: Request) -> Response:
    user, event, _standing = await require_event(request, Permission.MANAGE_JUDGING)
    return await _assignments_page(request, event)


async def run_assignment(request: Request) -> Response:
    user, event, _standing = await require_event(request, Permission.MANAGE_JUDGING)
    try:
        added = await assignments.run(event, user)
    except DomainError as exc:
        return await _assignments_page(request, event, problem=exc.text(), status_code=422)
    flash(request, gettext("%(n)s reviews assigned.", n=added))
    return redirect(request, f"/events/{event.slug}/judging/assignments")


async def add_assignment(request: Request) -> Response:
    user, event, _standing = await require_event(request, Permission.MANAGE_JUDGING)
    form = await Form.from_request(request)
    try:
        await assignments.add(event, user, form.id("juror_id"), form.id("submission_id"))
    except ValidationError as exc:
        form.add(exc)
        return await _assignments_page(request, event, form=form, status_code=422)
    flash(request, gettext("Review added."))
    return redirect(request, f"/events/{event.slug}/judging/assignments")


async def move_assignment(request: Request) -> Response:
    user, event, _standing = await require_event(request, Permission.MANAGE_JUDGING)
    found = await assignments.in_event(event, request.path_params["assignment_id"])
    form = await Form.from_request(request)
    try:
        await assignments.move(event, user, found, form.id("juror_id"))
    except DomainError as exc:
        return await _assignment_refused(request, event, exc)
    flash(request, gettext("Review moved."))
    return redirect(request, f"/events/{event.slug}/judging/assignments")


async def remove_assignment(request: Request) -> Response:
    user, event, _standing = await require_event(request, Permission.MANAGE_JUDGING)
    found = await assignments.in_event(event, request.path_params["assignment_id"])
    try:
        await assignments.remove(event, user, found)
    except DomainError as exc:
        return await _assignment_refused(request, event, exc)
    flash(request, gettext("Review removed."))
    return redirect(request, f"/events/{event.slug}/judging/assignments")


# --- organisers: the audit log ------------------------------------------------------------------

async def audit(request: Request) -> Response:
    user, event, _standing = await require_event(request, Permission.MANAGE_JUDGING)
    criteria = {f"criterion:{c.id}": c.name for c in await rubric.Criterion.filter(
        rubric__event_id=event.id)}
    return render(request, "judging/audit.html", {
        "event": event, "changes": await review.audit_log(event), "criteria": criteria,
        "labels": review.AUDIT_LABELS, "value_labels": AUDIT_VALUE_LABELS})


# Stored values the audit log shows in the reader's language (statuses and confidences).
AUDIT_VALUE_LABELS = {AssignmentStatus.PENDING.value: N_("Not started"),
                      AssignmentStatus.DONE.value: N_("Done"),
                      AssignmentStatus.SKIPPED.value: N_("Skipped"),
                      **{c.value: label for c, label in CONFIDENCE_LABELS.items()}}


J = "/events/{slug}/jury"
O = "/events/{slug}/judging"
routes = [
    Route(J, queue, name="jury_queue"),
    Route(J + "/reviews/{assignment_id:id}", review_page, methods=["GET", "POST"],
          name="jury_review"),
    Route(J + "/reviews/{assignment_id:id}/files/{file_id:id}", review_file,
          name="jury_file"),
    Route(J + "/reviews/{assignment_id:id}/files/{file_id:id}/thumbnail", review_file,
          name="jury_file_thumbnail"),
    Route(J + "/reviews/{assignment_id:id}/done", finish, methods=["POST"]),
    Route(J + "/reviews/{assignment_id:id}/reopen", reopen, methods=["POST"]),
    Route(J + "/reviews/{assignment_id:id}/skip", skip, methods=["POST"]),
    Route(J + "/conflicts", juror_conflicts, methods=["GET", "POST"], name="jury_conflicts"),
    Route(J + "/conflicts/{conflict_id:id}/withdraw", withdraw_conflict, methods=["POST"]),
    Route(J + "/compare", compare, methods=["GET", "POST"], name="jury_compare"),
    Route("/jury-link/{token}", jury_link, methods=["GET", "POST"], name="jury_link"),
    Route(O, overview, methods=["GET", "POST"], name="judging"),
    Route(O + "/rubric", rubric_page, methods=["GET", "POST"], name="judging_rubric"),
    Route(O + "/criteria/{criterion_id:id}", criterion_page, methods=["GET", "POST"]),
    Route(O + "/criteria/{criterion_id:id}/delete", delete_criterion, methods=["POST"]),
    Route(O + "/jury", jury_page, name="judging_jury"),
    Route(O + "/jury/invite", invite_juror, methods=["POST"]),
    Route(O + "/jury/link", send_jury_link, methods=["POST"]),
    Route(O + "/assignments", assignments_page, name="judging_assignments"),
    Route(O + "/assignments/run", run_assignment, methods=["POST"]),
    Route(O + "/assignments/add", add_assignment, methods=["POST"]),
    Route(O + "/assignments/{assignment_id:id}/move", move_assignment, methods=["POST"]),
    Route(O + "/assignments/{assignment_id:id}/remove", remove_assignment, methods=["POST"]),
    Route(O + "/audit", audit, name="judging_audit"),
]
