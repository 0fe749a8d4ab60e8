"""A submission's files: images and attachments, stored under generated names in the data dir
(never under the web root, never under the uploader's name) and handed out by a route that
checks who is asking.

The upload itself arrives as a file Starlette's multipart parser has already spooled to a
temporary file (samskapa/security.py streams the body with a per-route limit, it is never held
in memory); here it is copied into the uploads folder in chunks, recognised from its content
(submissions/images.py, submissions/sniff.py) and recorded as a new version of the submission.
"""
from __future__ import annotations

import os
import secrets
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from starlette.concurrency import run_in_threadpool
from tortoise.transactions import in_transaction

from events.models import Event
from samskapa.auth.models import User
from samskapa.errors import NotFound, ValidationError
from samskapa.i18n import N_, format_megabytes
from submissions import service
from submissions.images import NotAnImage, store_image
from submissions.models import MAX_FILES, FileKind, Submission, SubmissionFile
from submissions.sniff import NotAccepted, sniff_attachment
from teams.models import Team

CHUNK = 1024 * 1024
NAME_MAX = 255
TOO_LARGE = N_("The file is larger than %(mb)s MB. Make it smaller and try again.")
SAVE_FIRST = N_("Save your submission (at least its title) before adding files.")
TOO_MANY_FILES = N_("A submission can have at most %(n)s files. Remove one first.")
EMPTY_FILE = N_("The file is empty.")
CHOOSE_FILE = N_("Choose a file to upload.")




def _new_name() -> str:
    return secrets.token_hex(16)


def _copy(source: BinaryIO, target: Path, limit: int) -> int:
    """Copies in chunks; returns the size, or -1 when it passed `limit` (target removed)."""
    size = 0
    source.seek(0)
    with open(target, "xb") as out:
        while chunk := source.read(CHUNK):
            size += len(chunk)
            if size > limit:
                break
            out.write(chunk)
    if size > limit:
        target.unlink(missing_ok=True)
        return -1
    return size


def _clean_name(name: str) -> str:
    """The uploader's file name, for display and for Content-Disposition only."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "file"
    return name[-NAME_MAX:]


async def _target_submission(event: Event, team: Team, user: User, now: datetime) -> Submission:
    service.check_open(event, now)
    await service.require_member(team, user)
    submission = await service.team_submission(team)
    if submission is None:
        raise ValidationError({"file": SAVE_FIRST})
    await _check_room(submission.id)  # early, before the upload is read
    return submission


async def _check_room(submission_id: int, conn=None) -> None:
    if await SubmissionFile.filter(submission_id=submission_id, detached=False) \
            .using_db(conn).count() >= MAX_FILES:
        raise ValidationError({"file": (TOO_MANY_FILES, {"n": MAX_FILES})})


def _process(kind: FileKind, upload: BinaryIO, filename: str, folder: Path,
             limit: int) -> dict:
    """Blocking part (run in a thread): copy, recognise, store. Returns SubmissionFile fields."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = _new_name()
    raw = folder / f"{stem}.upload"
    size = _copy(upload, raw, limit)
    try:
        if size < 0:
            raise ValidationError({"file": (TOO_LARGE, {"mb": format_megabytes(limit)})})
        if size == 0:
            raise ValidationError({"file": EMPTY_FILE})
        if kind == FileKind.IMAGE:
            thumbnail = f"{stem}.thumb.jpg"
            try:
                image = store_image(raw, folder, stem, folder / thumbnail)
            except NotAnImage as exc:
                raise ValidationError({"file": (exc.message, exc.params)}) from None
            stored = f"{stem}{image.extension}"
            return dict(stored_name=stored, content_type=image.content_type,
                        size=(folder / stored).stat().st_size, width=image.width,
                        height=image.height, thumbnail_name=thumbnail)
        with open(raw, "rb") as f:
            head = f.read(4096)
        try:
            attachment = sniff_attachment(filename, head)
        except NotAccepted as exc:
            raise ValidationError({"file": (exc.message, exc.params)}) from None
        stored = f"{stem}{attachment.extension}"
        os.replace(raw, folder / stored)
        return dict(stored_name=stored, content_type=attachment.content_type, size=size)
    finally:
        raw.unlink(missing_ok=True)


async def add_file(event: Event, team: Team, user: User, kind: FileKind, upload: BinaryIO | None,
                   filename: str, uploads_dir: Path, limit: int,
                   now: datetime) -> SubmissionFile:
    """Adds an image or attachment to the team's submission as a new version."""
    submission = await _target_submission(event, team, user, now)
    if upload is None or not filename:
        raise ValidationError({"file": CHOOSE_FILE})
    fields = await run_in_threadpool(_process, kind, upload, filename, uploads_dir, limit)
    try:
        async with in_transaction() as conn:
            # Again under the submission's row lock: parallel uploads count one after another.
            await Submission.filter(id=submission.id).using_db(conn).select_for_update().first()
            await _check_room(submission.id, conn)
            row = await SubmissionFile.create(submission_id=submission.id, kind=kind,
                                              original_name=_clean_name(filename),
                                              uploaded_by_id=user.id, using_db=conn, **fields)
            await service.bump_version(submission.id, user, conn)
    except BaseException:
        for name in (fields["stored_name"], fields.get("thumbnail_name")):
            if name:
                (uploads_dir / name).unlink(missing_ok=True)
        raise
    return row


async def remove_file(event: Event, team: Team, user: User, file_id: int,
                      now: datetime) -> None:
    """Detaches a file (a new version without it). It stays on disk: an older version names it
    and a restore brings it back."""
    service.check_open(event, now)
    await service.require_member(team, user)
    submission = await service.team_submission(team)
    row = submission and await SubmissionFile.get_or_none(
        id=file_id, submission_id=submission.id, detached=False)
    if not row:
        raise NotFound(N_("We could not find that file."))
    async with in_transaction() as conn:
        await SubmissionFile.filter(id=row.id).using_db(conn).update(detached=True)
        await service.bump_version(submission.id, user, conn)


async def file_for(event: Event, file_id: int, standing, now: datetime) -> SubmissionFile:
    """A file for a visitor who may see its submission: the public only the current files of a
    submission in the open gallery; the team and the organisers also files of older versions."""
    row = await SubmissionFile.filter(id=file_id, submission__event_id=event.id) \
        .prefetch_related("submission").first()
    if row is None or not await service.may_see(row.submission, standing, now):
        raise NotFound(N_("We could not find that file."))
    if row.detached and not (await service.is_member(await row.submission.team, standing.user)
                             or standing.is_organiser):
        raise NotFound(N_("We could not find that file."))
    return row
