"""Submission pages: a team's submission (edit, history, restore, files), the files themselves,
the organisers' list and the public gallery.

Thin handlers: one guard line, parse, call submissions.service / submissions.files, render the
page or (htmx) the named block of the same template.
"""
from __future__ import annotations

from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from challenges.models import Challenge
from events.models import PHASE_LABELS, Event
from events.policy import Permission, event_for, require_event
from samskapa.auth.guards import current_user, require_user
from samskapa.auth.models import User
from samskapa.clock import now
from samskapa.http import redirect
from samskapa.errors import DomainError, NotFound, ValidationError
from samskapa.flash import flash
from samskapa.forms import Form
from samskapa.i18n import N_, format_datetime, format_megabytes, gettext
from samskapa.security import BodyTooLarge, streamed_upload
from samskapa.templating import render
from school.pupil_privacy import audience
from submissions import files, service
from submissions.diff import changes
from submissions.models import (ELIGIBILITY_LABELS, Eligibility, FileKind, Submission,
                                SubmissionFile)
from submissions.service import Conflict, SubmissionData
from submissions.sniff import ALLOWED_EXTENSIONS
from teams.models import Team, TeamMember

FIELD_LIMITS = {"title": service.TITLE_MAX, "summary": service.SUMMARY_MAX,
                "description": service.DESCRIPTION_MAX, "repository_url": service.URL_MAX,
                "demo_url": service.URL_MAX, "video_url": service.URL_MAX,
                "plot": service.PLOT_MAX}
COORDINATES = {"location_x": (-service.COORDINATE_MAX, service.COORDINATE_MAX),
               "location_y": (service.Y_MIN, service.Y_MAX),
               "location_z": (-service.COORDINATE_MAX, service.COORDINATE_MAX)}


def submission_url(event: Event, team: Team) -> str:
    return f"/events/{event.slug}/teams/{team.id}/submission"


def _form_of(submission: Submission | None) -> Form:
    if submission is None:
        return Form({})
    data = SubmissionData.of(submission).snapshot()
    return Form({k: "" if v is None else str(v) for k, v in data.items()}
                | {"version": str(submission.version)})


def _read(form: Form) -> tuple[SubmissionData, int | None]:
    values = {name: form.text(name, required=name == "title", max_length=limit)
              for name, limit in FIELD_LIMITS.items()}
    for name, (low, high) in COORDINATES.items():
        values[name] = form.integer(name, minimum=low, maximum=high) if form.raw(name) else None
    return SubmissionData(**values), form.id("version")


async def _page(request: Request, event: Event, team: Team, user: User | None, *,
                form: Form | None = None, status_code: int = 200, notice: str | None = None,
                conflict: Conflict | None = None, file_errors: dict | None = None) -> Response:
    submission = await service.team_submission(team)
    member = await service.is_member(team, user)
    is_open = service.is_open(event, now())
    form = form or _form_of(submission)
    if submission is None and file_errors:  # no files section to show it in
        notice = " ".join(file_errors.values())
    context = {
        "event": event, "team": team, "submission": submission, "member": member,
        "editable": member and is_open, "is_open": is_open,
        "closed_message": gettext(service.SUBMISSIONS_CLOSED,
                                  when=format_datetime(event.submissions_close)),
        "form": form, "errors": form.messages(), "notice": notice,
        "file_errors": file_errors or {},
        "files": await service.files_of(submission) if submission else [],
        "max_image_mb": format_megabytes(request.app.state.settings.max_image_bytes),
        "max_attachment_mb": format_megabytes(request.app.state.settings.max_attachment_bytes),
        "attachment_types": ", ".join(ALLOWED_EXTENSIONS), "labels": FIELD_LABELS,
    }
    if conflict is not None:
        yours, _version = _read(Form(form.data))
        context["conflict"] = conflict
        context["theirs"] = conflict.theirs
        context["differences"] = changes(SubmissionData.of(conflict.theirs).snapshot(),
                                         yours.snapshot())
        form.values["version"] = str(conflict.theirs.version)
    return render(request, "submissions/edit.html", context, block="submission",
                  status_code=status_code)


async def _team(request: Request, user: User | None):
    event, standing = await event_for(request.path_params["slug"], user)
    return event, standing, await service.get_team(event, request.path_params["team_id"])


async def submission_page(request: Request) -> Response:
    user = await current_user(request)
    event, standing, team = await _team(request, user)
    if request.method == "GET":
        if not await service.is_member(team, user):
            submission = await service.team_submission(team)
            if submission is None or not await service.may_see(submission, standing, now()):
                raise NotFound(service.NOT_FOUND)
            return redirect(request, f"/events/{event.slug}/gallery/{submission.id}")
        return await _page(request, event, team, user)
    user = await require_user(request)
    form = await Form.from_request(request)
    data, based_on = _read(form)
    if form.errors:
        return await _page(request, event, team, user, form=form, status_code=422)
    try:
        saved = await service.save(event, team, user, data, based_on, now())
    except Conflict as exc:
        return await _page(request, event, team, user, form=form, status_code=409,
                           conflict=exc, notice=exc.text())
    except ValidationError as exc:
        form.add(exc)
        return await _page(request, event, team, user, form=form, status_code=422)
    except DomainError as exc:
        if exc.status_code in (403, 404):
            raise
        return await _page(request, event, team, user, form=form, status_code=422,
                           notice=exc.text())
    flash(request, gettext("Saved. This is version %(n)s of your submission.", n=saved.version))
    return redirect(request, submission_url(event, team))


async def history_page(request: Request) -> Response:
    user = await current_user(request)
    event, standing, team = await _team(request, user)
    submission = await service.team_submission(team)
    if submission is None or not (await service.is_member(team, user)
                                  or standing.may(Permission.MANAGE_SUBMISSIONS)):
        raise NotFound(service.NOT_FOUND)
    context = {"event": event, "team": team, "submission": submission,
               "entries": await service.history(submission),
               "may_restore": await service.is_member(team, user)
               and service.is_open(event, now()),
               "labels": FIELD_LABELS}
    return render(request, "submissions/history.html", context, block="history")


async def restore(request: Request) -> Response:
    user = await require_user(request)
    event, _standing, team = await _team(request, user)
    form = await Form.from_request(request)
    number, based_on = form.id("number"), form.id("version")
    if number is None:
        raise NotFound(service.NOT_FOUND)
    try:
        saved = await service.restore(event, team, user, number, based_on, now())
    except Conflict as exc:
        flash(request, exc.text())
        return redirect(request, submission_url(event, team) + "/history")
    except DomainError as exc:
        if exc.status_code in (403, 404):
            raise
        return await _page(request, event, team, user, status_code=422, notice=exc.text())
    flash(request, gettext("Version %(old)s is restored as version %(n)s.", old=number,
                           n=saved.version))
    return redirect(request, submission_url(event, team))


async def _upload(request: Request, kind: FileKind, limit: int) -> Response:
    user = await require_user(request)
    event, _standing, team = await _team(request, user)
    too_large = {"file": gettext(files.TOO_LARGE, mb=format_megabytes(limit))}
    try:
        form = await request.form(max_files=1, max_fields=5, max_part_size=64 * 1024)
    except BodyTooLarge:
        return await _page(request, event, team, user, status_code=413, file_errors={
            kind.value: too_large["file"]})
    upload = form.get("file")
    try:
        await files.add_file(event, team, user, kind,
                             upload.file if isinstance(upload, UploadFile) else None,
                             upload.filename or "" if isinstance(upload, UploadFile) else "",
                             request.app.state.settings.uploads_dir, limit, now())
    except ValidationError as exc:
        status = 413 if exc.errors.get("file", ("",))[0] == files.TOO_LARGE else 422
        return await _page(request, event, team, user, status_code=status,
                           file_errors={kind.value: exc.texts()["file"]})
    except DomainError as exc:
        if exc.status_code in (403, 404):
            raise
        return await _page(request, event, team, user, status_code=422,
                           file_errors={kind.value: exc.text()})
    finally:
        await form.close()
    flash(request, gettext("The file is added."))
    return redirect(request, submission_url(event, team) + "#files")


@streamed_upload("max_image_bytes")
async def upload_image(request: Request) -> Response:
    return await _upload(request, FileKind.IMAGE, request.app.state.settings.max_image_bytes)


@streamed_upload("max_attachment_bytes")
async def upload_attachment(request: Request) -> Response:
    return await _upload(request, FileKind.ATTACHMENT,
                         request.app.state.settings.max_attachment_bytes)


async def remove_file(request: Request) -> Response:
    user = await require_user(request)
    event, _standing, team = await _team(request, user)
    try:
        await files.remove_file(event, team, user, request.path_params["file_id"], now())
    except DomainError as exc:
        if exc.status_code in (403, 404):
            raise
        return await _page(request, event, team, user, status_code=422, notice=exc.text())
    flash(request, gettext("The file is removed. An older version still has it, if you want "
                           "it back."))
    return redirect(request, submission_url(event, team) + "#files")


def _download_name(name: str) -> str:
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "").replace("?", "_")
    return f"filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


async def serve_file(request: Request) -> Response:
    user = await current_user(request)
    event, standing = await event_for(request.path_params["slug"], user)
    row = await files.file_for(event, request.path_params["file_id"], standing, now())
    return file_response(request, row)


def file_response(request: Request, row: SubmissionFile) -> Response:
    """The stored file (or its thumbnail, for a path ending in /thumbnail) with the headers that
    keep it from ever acting as a page; shared with the jury's route (judging/routes.py)."""
    thumbnail = request.url.path.endswith("/thumbnail")
    if thumbnail and not row.thumbnail_name:
        raise NotFound(service.NOT_FOUND)
    name = row.thumbnail_name if thumbnail else row.stored_name
    path = request.app.state.settings.uploads_dir / name
    if not path.is_file():
        raise NotFound(service.NOT_FOUND)
    inline = row.kind == FileKind.IMAGE
    disposition = "inline" if inline else "attachment"
    return FileResponse(path, media_type="image/jpeg" if thumbnail else row.content_type,
                        headers={
                            "Content-Disposition": f"{disposition}; {_download_name(row.original_name)}",
                            "X-Content-Type-Options": "nosniff",
                            # A file is never a page: nothing in it may run or load anything.
                            "Content-Security-Policy": "default-src 'none'; sandbox",
                            "Cache-Control": "private, max-age=300",
                        })


# --- organisers -------------------------------------------------------------------------------

async def organiser_list(request: Request) -> Response:
    user, event, _standing = await require_event(request, Permission.MANAGE_SUBMISSIONS)
    return await _list_page(request, event)


async def _list_page(request: Request, event: Event, status_code: int = 200,
                     notice: str | None = None) -> Response:
    query = request.query_params
    hidden = {"yes": True, "no": False}.get(query.get("hidden", ""))
    challenge_id = Form({"c": query.get("challenge", "")}).id("c")
    rows, counts = await service.organiser_list(event, challenge_id=challenge_id,
                                                eligibility=query.get("eligibility") or None,
                                                hidden=hidden)
    settings = await service.gallery_settings(event)
    context = {"event": event, "rows": rows, "counts": counts,
               "eligibility_labels": ELIGIBILITY_LABELS, "Eligibility": Eligibility,
               "challenges": await _event_challenges(event),
               "filters": {"challenge": query.get("challenge", ""),
                           "eligibility": query.get("eligibility", ""),
                           "hidden": query.get("hidden", "")},
               "gallery_phase": settings.opens_at_phase,
               "gallery_open": service.gallery_open(event, settings, now()),
               "gallery_phases": [(p.value, PHASE_LABELS[p]) for p in service.GALLERY_PHASES],
               "notice": notice}
    return render(request, "submissions/list.html", context, block="submissions",
                  status_code=status_code)


async def _event_challenges(event: Event):
    return await Challenge.filter(event_id=event.id).order_by("title")


async def set_eligibility(request: Request) -> Response:
    user, event, _standing = await require_event(request, Permission.MANAGE_SUBMISSIONS)
    submission = await service.event_submission(event, request.path_params["submission_id"])
    form = await Form.from_request(request)
    try:
        await service.set_eligibility(submission, form.raw("eligibility"), form.raw("reason"))
    except ValidationError as exc:
        return await _list_page(request, event, 422, " ".join(exc.texts().values()))
    return redirect(request, f"/events/{event.slug}/submissions")


async def set_hidden(request: Request) -> Response:
    user, event, _standing = await require_event(request, Permission.MANAGE_SUBMISSIONS)
    submission = await service.event_submission(event, request.path_params["submission_id"])
    form = await Form.from_request(request)
    await service.set_hidden(submission, form.checkbox("hidden"))
    return redirect(request, f"/events/{event.slug}/submissions")


async def gallery_settings(request: Request) -> Response:
    user, event, _standing = await require_event(request, Permission.MANAGE_SUBMISSIONS)
    form = await Form.from_request(request)
    try:
        await service.set_gallery_phase(event, form.raw("opens_at_phase"))
    except ValidationError as exc:
        return await _list_page(request, event, 422, " ".join(exc.texts().values()))
    flash(request, gettext("The gallery setting is saved."))
    return redirect(request, f"/events/{event.slug}/submissions")


# --- the public gallery -----------------------------------------------------------------------

async def gallery(request: Request) -> Response:
    user = await current_user(request)
    event, standing = await event_for(request.path_params["slug"], user)
    settings = await service.gallery_settings(event)
    is_open = service.gallery_open(event, settings, now())
    staff = standing.may(Permission.MANAGE_SUBMISSIONS)
    challenge = request.query_params.get("challenge", "")
    projects = await service.gallery(event, challenge or None) if is_open or staff else []
    context = {"event": event, "projects": projects, "is_open": is_open, "staff": staff,
               "opens_label": PHASE_LABELS.get(service.Phase(settings.opens_at_phase)),
               "challenges": await service.gallery_challenges(event) if is_open or staff else [],
               "challenge": challenge,
               "covers": await _covers(projects),
               "teams_shown": await _teams_shown(standing, [p.team for p in projects])}
    return render(request, "submissions/gallery.html", context, block="projects")


async def _teams_shown(standing, teams: list[Team]) -> set[int]:
    """The ids of the teams whose names this visitor may read: a pupils' team name is what
    pupils typed, so outside their class it is left out (school/pupil_privacy.py)."""
    viewer = await audience(standing)
    return {t.id for t in teams if t.school_class_id is None or viewer.sees_class(t.school_class_id)}


async def _covers(projects: list[Submission]) -> dict[int, int]:
    """submission id -> its first image's id (the card's picture)."""
    rows = await SubmissionFile.filter(submission_id__in=[p.id for p in projects],
                                       kind=FileKind.IMAGE, detached=False) \
        .order_by("id").values_list("submission_id", "id")
    covers: dict[int, int] = {}
    for submission_id, file_id in rows:
        covers.setdefault(submission_id, file_id)
    return covers


async def project_page(request: Request) -> Response:
    user = await current_user(request)
    event, standing = await event_for(request.path_params["slug"], user)
    submission = await service.visible_submission(event, request.path_params["submission_id"],
                                                  standing, now())
    team = await submission.team
    # Pupils are never named in public: a school event's project shows its team's name only.
    members = [] if event.is_school else await _member_names(team)
    context = {"event": event, "submission": submission, "team": team, "members": members,
               "team_shown": bool(await _teams_shown(standing, [team])),
               "files": await service.files_of(submission),
               "member": await service.is_member(team, user),
               "staff": standing.may(Permission.MANAGE_SUBMISSIONS),
               "eligibility_labels": ELIGIBILITY_LABELS}
    return render(request, "submissions/project.html", context)


async def _member_names(team: Team) -> list[str]:
    rows = await TeamMember.filter(team_id=team.id).order_by("joined_at", "id") \
        .prefetch_related("user")
    return [row.user.public_name for row in rows]


FIELD_LABELS = {
    "title": N_("Title"), "summary": N_("Summary"), "description": N_("Description"),
    "repository_url": N_("Source code"), "demo_url": N_("Demo"), "video_url": N_("Video"),
    "plot": N_("Plot in the world"), "location_x": "X", "location_y": "Y", "location_z": "Z",
}

TEAM = "/events/{slug}/teams/{team_id:id}/submission"
routes = [
    Route(TEAM, submission_page, methods=["GET", "POST"], name="submission"),
    Route(TEAM + "/history", history_page, name="submission_history"),
    Route(TEAM + "/restore", restore, methods=["POST"], name="submission_restore"),
    Route(TEAM + "/images", upload_image, methods=["POST"], name="submission_image"),
    Route(TEAM + "/attachments", upload_attachment, methods=["POST"],
          name="submission_attachment"),
    Route(TEAM + "/files/{file_id:id}/remove", remove_file, methods=["POST"],
          name="submission_file_remove"),
    Route("/events/{slug}/files/{file_id:id}", serve_file, name="submission_file"),
    Route("/events/{slug}/files/{file_id:id}/thumbnail", serve_file,
          name="submission_thumbnail"),
    Route("/events/{slug}/submissions", organiser_list, name="submission_list"),
    Route("/events/{slug}/submissions/{submission_id:id}/eligibility", set_eligibility,
          methods=["POST"], name="submission_eligibility"),
    Route("/events/{slug}/submissions/{submission_id:id}/hidden", set_hidden,
          methods=["POST"], name="submission_hidden"),
    Route("/events/{slug}/gallery", gallery, name="gallery"),
    Route("/events/{slug}/gallery/settings", gallery_settings, methods=["POST"],
          name="gallery_settings"),
    Route("/events/{slug}/gallery/{submission_id:id}", project_page, name="project"),
]
