"""The files-per-submission limit holds when uploads finish at the same time: the count that
decides is taken inside the transaction that adds the file, not before the upload is read."""
from __future__ import annotations

import asyncio
import io

import pytest

from samskapa.errors import ValidationError
from submissions import files, service
from submissions.models import FileKind, SubmissionFile
from submissions.service import SubmissionData
from tests.submissions.conftest import png_bytes, utcnow


async def test_a_parallel_upload_cannot_pass_the_limit(world, tmp_path, monkeypatch):
    w = world
    submission = await service.save(w.event, w.team, w.alice, SubmissionData("Cykelkartan"),
                                    None, utcnow())
    for i in range(files.MAX_FILES - 1):
        await SubmissionFile.create(submission=submission, kind=FileKind.ATTACHMENT,
                                    original_name=f"{i}.txt", stored_name=f"s{i}.txt",
                                    content_type="text/plain", size=1)
    real_process = files._process

    def process_while_a_teammate_uploads(*args):
        # Bob's upload is stored while Alice's is being read: the last free place is taken.
        asyncio.run_coroutine_threadsafe(
            SubmissionFile.create(submission=submission, kind=FileKind.ATTACHMENT,
                                  original_name="bob.txt", stored_name="bob.txt",
                                  content_type="text/plain", size=1), loop).result()
        return real_process(*args)

    loop = asyncio.get_running_loop()
    monkeypatch.setattr(files, "_process", process_while_a_teammate_uploads)
    with pytest.raises(ValidationError) as refused:
        await files.add_file(w.event, w.team, w.alice, FileKind.IMAGE,
                             io.BytesIO(png_bytes()), "karta.png", tmp_path, 100_000, utcnow())
    assert refused.value.errors["file"] == (files.TOO_MANY_FILES, {"n": files.MAX_FILES})
    assert await SubmissionFile.filter(submission_id=submission.id).count() == files.MAX_FILES
    assert [p.name for p in tmp_path.iterdir()] == []  # the stored upload is removed again
