"""Uploads: recognised from content, size-limited per route while streaming, stored under
generated names outside the web root, served with safe headers only to those allowed."""
from __future__ import annotations

import dataclasses
import io
import re
import tracemalloc
import zipfile

import httpx
import pytest
from PIL import Image

from samskapa.app import create_app
from submissions.models import SubmissionFile, SubmissionVersion
from tests.conftest import Client
from tests.submissions.conftest import PASSWORD, jpeg_with_gps, move_to, png_bytes

MB = 1024 * 1024


def url(w, tail: str = "") -> str:
    return f"/events/{w.event.slug}/teams/{w.team.id}/submission{tail}"


async def submitted(client, w) -> None:
    r = await client.post_form(url(w), {"title": "Bygget", "version": ""}, token_from=url(w))
    assert r.status_code == 303


async def upload(client, w, kind: str, name: str, content: bytes, *, token: str | None = None,
                 content_type: str = "application/octet-stream") -> httpx.Response:
    token = token if token is not None else await client.csrf(url(w))
    return await client.post(url(w, f"/{kind}"), data={"csrf_token": token},
                             files={"file": (name, content, content_type)})


@pytest.fixture
async def alice(world, as_):
    client = await as_(world.alice)
    await submitted(client, world)
    return client


async def test_an_image_loses_its_gps_and_camera_data(world, alice, settings):
    w = world
    r = await upload(alice, w, "images", "IMG_0001.jpg", jpeg_with_gps(), content_type="image/jpeg")
    assert r.status_code == 303, r.text[-2000:]
    row = await SubmissionFile.get(submission__team_id=w.team.id)
    assert row.kind == "image" and row.content_type == "image/jpeg"
    assert row.original_name == "IMG_0001.jpg" and "IMG" not in row.stored_name
    stored = settings.uploads_dir / row.stored_name
    assert stored.is_file() and not str(stored).startswith(str(settings.data_dir / "static"))
    served = await alice.get(f"/events/{w.event.slug}/files/{row.id}")
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-disposition"].startswith("inline;")
    image = Image.open(io.BytesIO(served.content))
    assert not image.getexif() and "exif" not in image.info
    assert b"Pupil's phone" not in served.content and b"GPS" not in served.content
    assert (image.width, image.height) == (60, 80)  # turned upright by its orientation tag
    thumb = await alice.get(f"/events/{w.event.slug}/files/{row.id}/thumbnail")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert not Image.open(io.BytesIO(thumb.content)).getexif()


@pytest.mark.parametrize("name,content,message", [
    ("bild.png", b"<html><script>alert(1)</script></html>", "Det här är ingen bild"),
    ("bild.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>',
     "Det här är ingen bild"),
    ("bild.jpg", b"MZ\x90\x00" + b"\0" * 200, "Det här är ingen bild"),
    ("bild.png", b"", "Filen är tom"),
])
async def test_what_is_not_an_image_is_refused(world, alice, name, content, message):
    r = await upload(alice, world, "images", name, content, content_type="image/png")
    assert r.status_code == 422 and message in r.text
    assert not await SubmissionFile.exists()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("level.dat", b"\0" * 100)
    return buffer.getvalue()


@pytest.mark.parametrize("name,content,content_type", [
    ("värld.mcworld", zip_bytes(), "application/zip"),
    ("slott.schem", b"\x1f\x8b\x08\x00" + b"\0" * 50, "application/gzip"),
    ("rapport.pdf", b"%PDF-1.7\n" + b"x" * 50, "application/pdf"),
])
async def test_attachments_are_served_as_downloads(world, alice, name, content, content_type):
    r = await upload(alice, world, "attachments", name, content, content_type="text/html")
    assert r.status_code == 303, r.text[-1500:]
    row = await SubmissionFile.get()
    assert row.kind == "attachment" and row.content_type == content_type
    served = await alice.get(f"/events/{world.event.slug}/files/{row.id}")
    assert served.status_code == 200 and served.content == content
    assert served.headers["content-type"].startswith(content_type)
    assert served.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''" in served.headers["content-disposition"]
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in served.headers["content-security-policy"]


@pytest.mark.parametrize("name,content,message", [
    ("spel.exe", b"MZ\x90\x00" + b"\0" * 100, "ser ut som ett program"),
    ("värld.mcworld", b"\x7fELF" + b"\0" * 100, "ser ut som ett program"),
    ("sida.zip", b"<!DOCTYPE html><html>", "ser ut som ett program eller en webbsida"),
    ("bild.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "webbsida"),
    ("värld.mcworld", b"just text", "stämmer inte med vad namnet säger (.mcworld)"),
    ("anteckning.txt", b"hej", "Vi tar emot filer av typerna"),
])
async def test_wrong_attachments_are_refused(world, alice, name, content, message):
    r = await upload(alice, world, "attachments", name, content)
    assert r.status_code == 422 and message in r.text
    assert not await SubmissionFile.exists()


async def test_a_refusal_is_in_english_for_an_english_visitor(world, alice):
    alice.cookies.set("lang", "en")
    r = await upload(alice, world, "attachments", "x.exe", b"MZ" + b"\0" * 10)
    assert r.status_code == 422 and "looks like a program or a web page" in r.text


async def test_who_may_fetch_a_file(world, alice, as_, make_client):
    w = world
    await upload(alice, w, "images", "a.png", png_bytes())
    row = await SubmissionFile.get()
    path = f"/events/{w.event.slug}/files/{row.id}"
    outsider = await as_(w.outsider)
    anonymous = await make_client()
    assert (await outsider.get(path)).status_code == 404
    assert (await anonymous.get(path)).status_code == 404
    for user in (w.organiser, w.juror, w.bob):
        assert (await (await as_(user)).get(path)).status_code == 200
    await move_to(w.event, "results")  # the gallery opens
    assert (await anonymous.get(path)).status_code == 200
    assert (await anonymous.get(f"/events/other/files/{row.id}")).status_code == 404


async def test_a_removed_file_is_kept_for_the_team_and_back_with_a_restore(world, alice,
                                                                          make_client):
    w = world
    await upload(alice, w, "images", "a.png", png_bytes())
    row = await SubmissionFile.get()
    r = await alice.post_form(url(w, f"/files/{row.id}/remove"), token_from=url(w))
    assert r.status_code == 303
    assert (await SubmissionFile.get(id=row.id)).detached
    # version 1 (text), 2 (image added), 3 (removed): restore 2 brings it back.
    assert (await alice.get(f"/events/{w.event.slug}/files/{row.id}")).status_code == 200
    r = await alice.post_form(url(w, "/restore"), {"number": "2", "version": "3"},
                              token_from=url(w))
    assert r.status_code == 303
    assert not (await SubmissionFile.get(id=row.id)).detached


async def test_a_restore_keeps_the_files_added_after_that_version_and_says_so(world, alice):
    w = world
    # Version 1 (text), 2 (a.png added), 3 (b.png added).
    for name in ("a.png", "b.png"):
        assert (await upload(alice, w, "images", name, png_bytes())).status_code == 303
    a, b = await SubmissionFile.all().order_by("id")
    history = (await alice.get(url(w, "/history"))).text
    kept = re.findall(r"<p class=\"hint\" data-kept>([^<]*)</p>", history)
    # Beside the buttons of version 2 and version 1 (newest first), in Swedish.
    assert [("b.png" in k, "a.png" in k) for k in kept] == [(True, False), (True, True)]
    assert all(k.startswith("Filer som lagts till sedan dess finns kvar") for k in kept)
    r = await alice.post_form(url(w, "/restore"), {"number": "2", "version": "3"},
                              token_from=url(w))
    assert r.status_code == 303
    assert not (await SubmissionFile.get(id=a.id)).detached
    assert not (await SubmissionFile.get(id=b.id)).detached
    latest = await SubmissionVersion.filter(submission__team_id=w.team.id).order_by("-number") \
        .first()
    assert (latest.number, sorted(latest.file_ids)) == (4, [a.id, b.id])


async def test_files_need_a_submission_a_member_and_an_open_deadline(world, as_):
    w = world
    alice = await as_(w.alice)
    r = await upload(alice, w, "images", "a.png", png_bytes())
    assert r.status_code == 422 and "Spara inlämningen" in r.text
    await submitted(alice, w)
    outsider = await as_(w.outsider)
    r = await upload(outsider, w, "images", "a.png", png_bytes(), token=await outsider.csrf("/"))
    assert r.status_code == 403
    await move_to(w.event, "judging")
    r = await upload(alice, w, "images", "a.png", png_bytes())
    assert r.status_code == 422 and "Inlämningen stängde" in r.text
    assert not await SubmissionFile.exists()


async def test_the_csrf_token_is_checked_without_reading_the_upload(world, alice):
    w = world
    r = await upload(alice, w, "images", "a.png", png_bytes(), token="fel")
    assert r.status_code == 403
    # The header alone is enough (htmx sends it).
    token = await alice.csrf(url(w))
    r = await alice.post(url(w, "/images"), headers={"X-CSRF-Token": token},
                         files={"file": ("a.png", png_bytes(), "image/png")})
    assert r.status_code == 303
    # A token after 64 KiB of file is not looked for: the form puts it first.
    boundary = "b0undary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.zip"'
            f'\r\n\r\n').encode() + b"PK\x03\x04" + b"\0" * 70_000 + (
        f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        f'{token}\r\n--{boundary}--\r\n').encode()
    r = await alice.post(url(w, "/attachments"), content=body,
                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 403
    assert await SubmissionFile.all().count() == 1


@pytest.fixture
def small_app(settings):
    return create_app(dataclasses.replace(settings, max_image_bytes=100_000,
                                          max_attachment_bytes=300_000), manage_db=False)


async def test_too_large_is_413_with_the_limit_in_the_users_language(world, small_app):
    w = world
    transport = httpx.ASGITransport(app=small_app, client=("127.0.0.1", 50000))
    async with Client(transport=transport, base_url="http://testserver") as client:
        await client.login(w.alice.email, PASSWORD)
        await submitted(client, w)
        big = Image.frombytes("RGB", (400, 400), bytes(range(256)) * 1875)
        buffer = io.BytesIO()
        big.save(buffer, "PNG", compress_level=0)
        assert len(buffer.getvalue()) > 100_000
        # Declared too large (Content-Length), as a browser without JavaScript sends it:
        # refused before the file is read, on the submission's page with the limit beside
        # the upload field, in the visitor's language.
        form_action = f'action="{url(w, "/images")}"'
        r = await upload(client, w, "images", "stor.png", buffer.getvalue())
        assert r.status_code == 413 and form_action in r.text
        assert 'id="f-image-error"' in r.text
        assert "Filen är större än 0,1 MB. Gör den mindre och försök igen." in r.text
        client.cookies.set("lang", "en")
        r = await upload(client, w, "images", "big.png", buffer.getvalue())
        assert r.status_code == 413 and form_action in r.text
        assert "The file is larger than 0.1 MB. Make it smaller and try again." in r.text
        client.cookies.delete("lang")
        r = await upload(client, w, "images", "stor.png", buffer.getvalue(), token="forged")
        assert r.status_code == 403  # the page comes only with the form's own token
        # Streamed without a length: refused when the count passes the limit, on the form.
        token = await client.csrf(url(w))

        async def chunks():
            yield (f'--xyz\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
                   f'{token}\r\n--xyz\r\nContent-Disposition: form-data; name="file"; '
                   f'filename="stor.png"\r\n\r\n').encode()
            for _ in range(30):
                yield b"\x89PNG" + b"\0" * 10_000
            yield b"\r\n--xyz--\r\n"

        r = await client.post(url(w, "/images"), content=chunks(),
                              headers={"Content-Type": "multipart/form-data; boundary=xyz"})
        assert r.status_code == 413
        assert "Filen är större än 0,1 MB. Gör den mindre och försök igen." in r.text
        # An attachment of the same size is within its own route's limit.
        r = await upload(client, w, "attachments", "x.zip", b"PK\x03\x04" + b"\0" * 200_000)
        assert r.status_code == 303
        r = await upload(client, w, "attachments", "x.zip", b"PK\x03\x04" + b"\0" * 400_000)
        assert r.status_code == 413
        # Any other route keeps the global limit (200 kB in the tests).
        r = await client.post_form(url(w), {"title": "x" * 300_000, "version": "1"},
                                   token_from=url(w))
        assert r.status_code == 413
    assert await SubmissionFile.all().count() == 1
    assert not [p for p in small_app.state.settings.uploads_dir.glob("*.upload")]


async def test_a_50_mb_world_streams_without_being_held_in_memory(world, alice):
    """Memory is measured with tracemalloc around the request: a body held in memory would
    show as a peak of at least 50 MB; streamed, it stays a few megabytes (chunks and the
    spooled file's 1 MB buffer)."""
    w = world
    token = await alice.csrf(url(w))
    boundary = "samskapa-test-boundary"
    size = 50 * MB

    async def body():
        yield (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
               f'{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
               f'filename="stor.mcworld"\r\nContent-Type: application/octet-stream\r\n\r\n'
               ).encode()
        yield b"PK\x03\x04"
        sent = 4
        while sent < size:
            chunk = b"\0" * min(256 * 1024, size - sent)
            sent += len(chunk)
            yield chunk
        yield f"\r\n--{boundary}--\r\n".encode()

    tracemalloc.start()
    try:
        r = await alice.post(url(w, "/attachments"), content=body(),
                             headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"peak traced memory during a 50 MB upload: {peak / MB:.1f} MB")
    assert r.status_code == 303, r.text[-1000:]
    row = await SubmissionFile.get()
    assert row.size == size
    assert peak < 20 * MB


def test_the_upload_limits_come_from_the_environment(tmp_path):
    from samskapa.settings import Settings
    base = {"SAMSKAPA_DATA_DIR": str(tmp_path), "SECRET_KEY": "x"}
    defaults = Settings.from_env(base)
    assert (defaults.max_image_bytes, defaults.max_attachment_bytes) == (10 * MB, 200 * MB)
    chosen = Settings.from_env({**base, "SAMSKAPA_MAX_IMAGE_MB": "2",
                                "SAMSKAPA_MAX_ATTACHMENT_MB": "0.5"})
    assert (chosen.max_image_bytes, chosen.max_attachment_bytes) == (2 * MB, MB // 2)
    assert chosen.uploads_dir == tmp_path.resolve() / "uploads"
