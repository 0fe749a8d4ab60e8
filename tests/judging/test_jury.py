"""The jury: invitations, the single-use jury link and the session it opens (this event's jury
pages and nothing else), declared conflicts and what the organiser sees."""
from __future__ import annotations

from datetime import timedelta

from events.models import EventRole, Invitation, Role
from judging.models import Assignment, Conflict, JuryLink
from samskapa.auth.models import User
from tests.events.helpers import signed_in
from tests.judging.jury_world import build, join_team


async def _send_link(make_client, w, email="domare@example.se", name="Dagny Domare"):
    organiser = await signed_in(make_client, w.organiser, "127.0.0.9")
    token = await organiser.csrf("/events/hack/judging/jury")
    r = await organiser.post("/events/hack/judging/jury/link",
                             data={"link_email": email, "display_name": name,
                                   "csrf_token": token})
    return organiser, r


async def test_a_jury_link_signs_in_once_to_the_jury_pages_only(make_client, mailbox,
                                                                 clock):
    w = await build()
    await build("annat")
    organiser, r = await _send_link(make_client, w)
    assert r.status_code == 303
    juror = await User.get(email="domare@example.se")
    assert juror.password_hash is None and juror.display_name == "Dagny Domare"
    assert await EventRole.exists(event_id=w.event.id, user_id=juror.id, role=Role.JURY)
    review = await Assignment.create(event=w.event, juror=juror, submission=w.subs[0])
    link = mailbox.last_link("domare@example.se", "/jury-link/")
    token_in_link = link.rsplit("/", 1)[1]
    assert not await JuryLink.filter(token_hash=token_in_link).exists()  # only the hash stored
    visitor = await make_client("127.0.0.5")
    page = await visitor.get(link)  # a mail scanner's GET uses nothing up
    assert page.status_code == 200 and "Dagny Domare" in page.text
    csrf = await visitor.csrf(link)
    r = await visitor.post(link, data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/events/hack/jury"
    queue = await visitor.get("/events/hack/jury")
    assert queue.status_code == 200 and "Project 0" in queue.text
    review_page = await visitor.get(f"/events/hack/jury/reviews/{review.id}")
    assert review_page.status_code == 200
    # Anything else sends them back to their queue, or is refused.
    for path in ("/", "/account", "/events/hack", "/events/hack/dashboard",
                 "/events/annat/jury", "/events/hack/judging", "/account/data"):
        r = await visitor.get(path)
        assert (r.status_code, r.headers.get("location")) == (303, "/events/hack/jury"), path
    csrf = await visitor.csrf("/events/hack/jury")
    for path in ("/account/password", "/events/hack/register", "/account/data/delete",
                 "/events/hack/teams/new"):
        r = await visitor.post(path, data={"csrf_token": csrf})
        assert r.status_code == 403, path
    assert not await EventRole.exists(event_id=w.event.id, user_id=juror.id,
                                      role=Role.PARTICIPANT)
    # Used up: a second use is refused, even from another browser.
    again = await make_client("127.0.0.6")
    r = await again.post(link, data={"csrf_token": await again.csrf("/login")})
    assert r.status_code in (400, 403)
    assert "redan använts" in (await again.get(link)).text
    # Signing out ends the scoped session.
    r = await visitor.post("/logout", data={"csrf_token": csrf})
    assert (await visitor.get("/events/hack/jury")).status_code == 303  # to /login


async def test_an_expired_or_unknown_link_is_refused(make_client, mailbox, clock):
    w = await build()
    await _send_link(make_client, w)
    link = mailbox.last_link("domare@example.se", "/jury-link/")
    clock.advance(timedelta(days=8))
    visitor = await make_client("127.0.0.5")
    r = await visitor.get(link)
    assert r.status_code == 400 and "gått ut" in r.text
    r = await visitor.get("/jury-link/finns-inte")
    assert r.status_code == 404


async def test_bad_link_requests(make_client, clock):
    w = await build()
    admin = await User.create(email="admin@example.se", display_name="Admin", is_admin=True)
    organiser, r = await _send_link(make_client, w, email="inte-en-adress")
    assert r.status_code == 422 and "giltig e-postadress" in r.text
    _, r = await _send_link(make_client, w, email="ny@example.se", name="")
    assert r.status_code == 422 and not await User.exists(email="ny@example.se")
    _, r = await _send_link(make_client, w, email=admin.email)
    assert r.status_code == 422 and not await JuryLink.exists(juror_id=admin.id)
    # Only organisers send links.
    juror = await signed_in(make_client, w.jurors[0], "127.0.0.3")
    r = await juror.post("/events/hack/judging/jury/link",
                         data={"link_email": "x@example.se", "display_name": "X",
                               "csrf_token": await juror.csrf("/events/hack/jury")})
    assert r.status_code == 403


async def test_an_invitation_reuses_the_event_invitations(make_client, mailbox):
    w = await build()
    organiser = await signed_in(make_client, w.organiser)
    token = await organiser.csrf("/events/hack/judging/jury")
    r = await organiser.post("/events/hack/judging/jury/invite",
                             data={"email": "expert@example.se", "csrf_token": token})
    assert r.status_code == 303
    assert await Invitation.exists(email="expert@example.se", role=Role.JURY)
    assert mailbox.last_link("expert@example.se", "/invitations/")


async def test_conflicts_declared_found_and_flagged(make_client):
    w = await build()
    juror, other = w.jurors[0], w.jurors[1]
    await join_team(w, other, w.teams[2])
    client = await signed_in(make_client, juror)
    token = await client.csrf("/events/hack/jury/conflicts")
    r = await client.post("/events/hack/jury/conflicts",
                          data={"team_id": str(w.teams[1].id), "kind": "school", "note": "",
                                "csrf_token": token})
    assert r.status_code == 303
    for bad in ({"team_id": "999999", "kind": "school"}, {"team_id": str(w.teams[1].id),
                                                          "kind": "school"},
                {"team_id": str(w.teams[3].id), "kind": "team_member"},
                {"team_id": str(w.teams[3].id), "kind": "other", "note": ""},
                {"team_id": "1e309", "kind": "family"}):
        r = await client.post("/events/hack/jury/conflicts", data={**bad, "csrf_token": token})
        assert r.status_code == 422, bad
    assert await Conflict.filter(juror_id=juror.id).count() == 1
    organiser = await signed_in(make_client, w.organiser, "127.0.0.2")
    page = await organiser.get("/events/hack/judging/jury")
    assert "Samma skola" in page.text and "Team 1" in page.text
    assert "Jurymedlemmar som själva deltar" in page.text and "i laget Team 2" in page.text
    # A juror sees only their own side: not the organiser's jury page.
    assert (await client.get("/events/hack/judging/jury")).status_code == 403
    # Withdrawing is one's own.
    mine = await Conflict.get(juror_id=juror.id)
    theirs = await Conflict.create(event=w.event, juror=other, team=w.teams[0], kind="family")
    r = await client.post(f"/events/hack/jury/conflicts/{theirs.id}/withdraw",
                          data={"csrf_token": token})
    assert r.status_code == 404 and await Conflict.exists(id=theirs.id)
    r = await client.post(f"/events/hack/jury/conflicts/{mine.id}/withdraw",
                          data={"csrf_token": token})
    assert r.status_code == 303 and not await Conflict.exists(id=mine.id)


async def test_people_without_the_jury_role_have_no_queue(make_client):
    w = await build()
    participant = await User.create(email="p@example.se", display_name="P",
                                    password_hash=w.organiser.password_hash)
    client = await signed_in(make_client, participant)
    assert (await client.get("/events/hack/jury")).status_code == 403
    anonymous = await make_client("127.0.0.8")
    r = await anonymous.get("/events/hack/jury")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


async def test_a_juror_finds_their_queue_and_an_organiser_the_judging(make_client):
    w = await build()
    juror = await signed_in(make_client, w.jurors[0])
    page = await juror.get("/events/hack")
    assert 'href="/events/hack/jury">Din jurykö</a>' in page.text
    assert 'href="/events/hack/judging"' not in page.text
    organiser = await signed_in(make_client, w.organiser, "127.0.0.2")
    page = await organiser.get("/events/hack")
    assert 'href="/events/hack/jury"' not in page.text
    dashboard = await organiser.get("/events/hack/dashboard")
    assert 'href="/events/hack/judging">Bedömning</a>' in dashboard.text
