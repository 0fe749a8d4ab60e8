"""Jurors see the submission's images and attachments on their review page, through jury routes
(a juror who came by a jury link may open /events/{slug}/jury only); nobody else gets them there."""
from __future__ import annotations

from judging.models import Assignment
from samskapa.auth.models import User
from submissions.models import FileKind, SubmissionFile
from tests.events.helpers import signed_in
from tests.judging.jury_world import build, join_team
from tests.submissions.conftest import png_bytes


async def _files(w, settings):
    folder = settings.uploads_dir
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bild.png").write_bytes(png_bytes())
    (folder / "bild.thumb.jpg").write_bytes(b"\xff\xd8thumb")
    (folder / "world.mcworld").write_bytes(b"PK\x03\x04world")
    image = await SubmissionFile.create(
        submission=w.subs[0], kind=FileKind.IMAGE, original_name="Karta.png",
        stored_name="bild.png", content_type="image/png", size=100, width=64, height=48,
        thumbnail_name="bild.thumb.jpg")
    world = await SubmissionFile.create(
        submission=w.subs[0], kind=FileKind.ATTACHMENT, original_name="Vår värld.mcworld",
        stored_name="world.mcworld", content_type="application/zip", size=9)
    return image, world


async def test_a_jury_link_juror_opens_the_files_of_their_review(make_client, mailbox,
                                                                  settings, clock):
    w = await build()
    image, world = await _files(w, settings)
    organiser = await signed_in(make_client, w.organiser, "127.0.0.9")
    r = await organiser.post("/events/hack/judging/jury/link", data={
        "link_email": "domare@example.se", "display_name": "Dagny Domare",
        "csrf_token": await organiser.csrf("/events/hack/judging/jury")})
    assert r.status_code == 303
    juror = await User.get(email="domare@example.se")
    mine = await Assignment.create(event=w.event, juror=juror, submission=w.subs[0])
    link = mailbox.last_link("domare@example.se", "/jury-link/")
    visitor = await make_client("127.0.0.5")
    r = await visitor.post(link, data={"csrf_token": await visitor.csrf(link)})
    assert r.status_code == 303

    base = f"/events/hack/jury/reviews/{mine.id}/files"
    page = await visitor.get(f"/events/hack/jury/reviews/{mine.id}")
    assert page.status_code == 200
    assert f'src="{base}/{image.id}/thumbnail"' in page.text
    assert f'href="{base}/{world.id}"' in page.text and "Vår värld.mcworld" in page.text
    # The public file route is outside the jury link's scope.
    assert (await visitor.get(f"/events/hack/files/{world.id}")).status_code == 303

    r = await visitor.get(f"{base}/{world.id}")
    assert r.status_code == 200 and r.content == b"PK\x03\x04world"
    assert r.headers["content-disposition"].startswith("attachment;")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in r.headers["content-security-policy"]
    r = await visitor.get(f"{base}/{image.id}")
    assert r.status_code == 200 and r.headers["content-disposition"].startswith("inline;")
    r = await visitor.get(f"{base}/{image.id}/thumbnail")
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    assert (await visitor.get(f"{base}/{world.id}/thumbnail")).status_code == 404

    # A file of another submission through this review: not found.
    other = await SubmissionFile.create(
        submission=w.subs[1], kind=FileKind.ATTACHMENT, original_name="x.zip",
        stored_name="x.zip", content_type="application/zip", size=1)
    assert (await visitor.get(f"{base}/{other.id}")).status_code == 404
    # A removed (detached) file is no longer the team's work.
    await SubmissionFile.filter(id=world.id).update(detached=True)
    assert (await visitor.get(f"{base}/{world.id}")).status_code == 404


async def test_other_jurors_and_conflicted_jurors_cannot(make_client, settings):
    w = await build()
    image, world = await _files(w, settings)
    owner, other, conflicted = w.jurors
    mine = await Assignment.create(event=w.event, juror=owner, submission=w.subs[0])
    theirs = await Assignment.create(event=w.event, juror=conflicted, submission=w.subs[0])
    await join_team(w, conflicted, w.teams[0])

    stranger = await signed_in(make_client, other, "127.0.0.7")
    assert (await stranger.get(
        f"/events/hack/jury/reviews/{mine.id}/files/{world.id}")).status_code == 404
    member = await signed_in(make_client, conflicted, "127.0.0.8")
    page = await member.get(f"/events/hack/jury/reviews/{theirs.id}")
    assert page.status_code == 200 and "Vår värld.mcworld" not in page.text
    assert (await member.get(
        f"/events/hack/jury/reviews/{theirs.id}/files/{world.id}")).status_code == 404
    owner_client = await signed_in(make_client, owner, "127.0.0.6")
    assert (await owner_client.get(
        f"/events/hack/jury/reviews/{mine.id}/files/{world.id}")).status_code == 200
