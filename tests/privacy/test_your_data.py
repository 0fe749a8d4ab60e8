"""/account/data: any signed-in user (adult or pupil) downloads everything held about them as
JSON and deletes their account; deletion keeps teams, challenges and invitations, without them,
and ends their sessions everywhere."""
from __future__ import annotations

import json
from datetime import timedelta

from challenges.models import Challenge
from events.models import EventKind, EventRole, Invitation, Role
from samskapa.auth.models import User
from samskapa.auth.passwords import token_hash
from samskapa.mail import OutboxMessage
from school.models import Pupil, SchoolClass
from teams.models import Team, TeamMember
from tests.privacy.conftest import (PASSWORD, grant, join_pupil, make_class, make_event,
                                    make_user, pupil_client, put_in_team, signed_in, utcnow)


async def _hackathon_world():
    """Anna leads team Alfa (with Bo), owns a challenge, invited someone, was invited, got mail."""
    event = await make_event("hack", results_published=utcnow() + timedelta(days=30),
                             kind=EventKind.HACKATHON)
    anna, bo, org = (await make_user("Anna"), await make_user("Bo"), await make_user("Org"))
    await grant(event, anna, Role.PARTICIPANT, skills="Python, kartor", looking_for_team=True)
    await grant(event, anna, Role.CHALLENGE_OWNER)
    await grant(event, bo, Role.PARTICIPANT)
    await grant(event, org, Role.ORGANISER)
    alfa = await Team.create(event=event, name="Alfa", join_code="ALFA22")
    await put_in_team(alfa, anna, bo, leader=anna)
    challenge = await Challenge.create(event=event, slug="cykel", title="Cykelvägar",
                                       published=True, owner=anna, contact_name="Anna",
                                       contact_email="anna@example.se")
    sent = await Invitation.create(event=event, email="ny@example.se", role=Role.JURY,
                                   token_hash=token_hash("a"), invited_by=anna,
                                   expires_at=utcnow() + timedelta(days=14))
    await Invitation.create(event=event, email="anna@example.se", role=Role.CHALLENGE_OWNER,
                            token_hash=token_hash("b"), invited_by=org,
                            expires_at=utcnow() + timedelta(days=14))
    await OutboxMessage.create(to="anna@example.se", subject="Välkommen", body="Hej Anna")
    await OutboxMessage.create(to="bo@example.se", subject="Till Bo", body="Hej Bo")
    return event, anna, bo, alfa, challenge, sent


async def test_your_data_page_needs_sign_in_and_is_linked_in_the_header(make_client):
    anonymous = await make_client()
    r = await anonymous.get("/account/data")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    r = await anonymous.get("/account/data/download")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    client = await signed_in(make_client, await make_user("Anna"))
    home = (await client.get("/")).text
    assert 'href="/account/data"' in home.split("</header>")[0]
    page = await client.get("/account/data")
    assert page.status_code == 200
    assert 'href="/account/data/download"' in page.text
    assert 'action="/account/data/delete"' in page.text and 'type="password"' in page.text


async def test_an_adult_downloads_all_their_data_and_nobody_elses(make_client):
    _event, anna, _bo, _alfa, _challenge, _sent = await _hackathon_world()
    client = await signed_in(make_client, anna)
    r = await client.get("/account/data/download")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert "attachment" in r.headers["content-disposition"]
    assert r.headers["cache-control"] == "no-store"
    data = r.json()
    assert data["account"]["email"] == "anna@example.se"
    assert data["account"]["display_name"] == "Anna" and data["pupil"] is None
    roles = {(x["event"], x["role"]) for x in data["event_roles"]}
    assert roles == {("hack", "participant"), ("hack", "challenge_owner")}
    assert any(x["skills"] == "Python, kartor" and x["looking_for_team"]
               for x in data["event_roles"])
    assert data["team_memberships"] == [
        {"event": "hack", "team": "Alfa", "is_leader": True,
         "joined_at": data["team_memberships"][0]["joined_at"]}]
    assert data["challenges_owned"][0]["title"] == "Cykelvägar"
    assert [x["email"] for x in data["invitations_sent"]] == ["ny@example.se"]
    assert [x["role"] for x in data["invitations_received"]] == ["challenge_owner"]
    assert [m["subject"] for m in data["mails"]] == ["Välkommen"]
    text = r.text
    assert anna.password_hash not in text and "argon2id$" not in text
    assert "bo@example.se" not in text and "Hej Bo" not in text


async def test_a_pupil_downloads_their_data_without_their_login_code(make_client):
    event = await make_event("skola", results_published=utcnow() + timedelta(days=30))
    klass = await make_class(event, await make_user("Larare"))
    pupil, code = await join_pupil(klass, "Kubkungen")
    client = await pupil_client(make_client, klass, "Kubkungen", code)
    page = await client.get("/account/data")
    assert page.status_code == 200 and 'name="confirmation"' in page.text
    assert 'type="password"' not in page.text  # a pupil confirms with their nickname
    data = (await client.get("/account/data/download")).json()
    assert data["account"]["is_pupil"] and data["account"]["email"] is None
    assert data["pupil"]["nickname"] == "Kubkungen" and data["pupil"]["class"] == "5B"
    assert data["event_roles"] == [{**data["event_roles"][0], "event": "skola",
                                    "role": "participant"}]
    raw = json.dumps(data)
    assert code not in raw and pupil.password_hash not in raw


async def test_an_adult_deletes_their_account_and_what_must_stay_stays(make_client):
    event, anna, bo, alfa, challenge, sent = await _hackathon_world()
    school_event = await make_event("skola", results_published=utcnow() + timedelta(days=30))
    klass = await make_class(school_event, anna)
    browser, phone = (await signed_in(make_client, anna), await signed_in(make_client, anna))

    r = await browser.post_form("/account/data/delete", {"confirmation": "fel-losenord"},
                                token_from="/account/data")
    assert r.status_code == 422 and "Fel lösenord" in r.text
    assert await User.exists(id=anna.id)

    r = await browser.post_form("/account/data/delete", {"confirmation": PASSWORD},
                                token_from="/account/data")
    assert r.status_code == 303 and r.headers["location"] == "/account/deleted"
    assert not await User.exists(id=anna.id)
    # Sessions end everywhere: this browser and the other one are anonymous now.
    for client in (browser, phone):
        r = await client.get("/account/data")
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert "Anna" not in (await phone.get("/")).text.split("</header>")[0]
    again = await make_client()
    r = await again.post_form("/login", {"email": "anna@example.se", "password": PASSWORD})
    assert r.status_code == 422

    # The team stays, one member fewer, led by Bo now.
    alfa = await Team.get(id=alfa.id)
    assert alfa.member_count == 1 == await TeamMember.filter(team_id=alfa.id).count()
    assert alfa.leader_id == bo.id
    # Her challenge stays without her (and without her as its contact).
    challenge = await Challenge.get(id=challenge.id)
    assert challenge.owner_id is None and challenge.contact_email == ""
    assert challenge.title == "Cykelvägar"
    # The invitation she sent stays, without her; the one to her address goes.
    sent = await Invitation.get(id=sent.id)
    assert sent.invited_by_id is None and sent.email == "ny@example.se"
    assert not await Invitation.filter(email="anna@example.se").exists()
    # Her class stays for the event's organisers; her roles and mail go.
    assert (await SchoolClass.get(id=klass.id)).teacher_id is None
    assert not await EventRole.filter(user_id=anna.id).exists()
    assert await OutboxMessage.filter(to="anna@example.se").count() == 0
    assert await OutboxMessage.filter(to="bo@example.se").count() == 1
    assert await User.exists(id=bo.id)


async def test_a_team_whose_only_member_leaves_stays_empty_without_a_leader(make_client):
    event = await make_event("hack", results_published=utcnow() + timedelta(days=30),
                             kind=EventKind.HACKATHON)
    solo = await make_user("Solo")
    team = await Team.create(event=event, name="Ensam", join_code="SOLO22")
    await put_in_team(team, solo)
    client = await signed_in(make_client, solo)
    r = await client.post_form("/account/data/delete", {"confirmation": PASSWORD},
                               token_from="/account/data")
    assert r.status_code == 303
    team = await Team.get(id=team.id)
    assert team.name == "Ensam" and team.member_count == 0 and team.leader_id is None


async def test_a_pupil_deletes_their_account_by_typing_their_nickname(make_client):
    event = await make_event("skola", results_published=utcnow() + timedelta(days=30))
    klass = await make_class(event, await make_user("Larare"))
    pupil, code = await join_pupil(klass, "Kubkungen")
    mate, _ = await join_pupil(klass, "Creeper")
    team = await Team.create(event=event, name="Byggarna", join_code="BYGG22",
                             school_class=klass)
    await put_in_team(team, pupil, mate, leader=pupil)
    client = await pupil_client(make_client, klass, "Kubkungen", code)

    r = await client.post_form("/account/data/delete", {"confirmation": "Creeper"},
                               token_from="/account/data")
    assert r.status_code == 422 and await User.exists(id=pupil.id)
    r = await client.post_form("/account/data/delete", {"confirmation": "kubkungen"},
                               token_from="/account/data")
    assert r.status_code == 303
    assert not await User.exists(id=pupil.id)
    assert not await Pupil.filter(user_id=pupil.id).exists()
    team = await Team.get(id=team.id)
    assert team.member_count == 1 and team.leader_id == mate.id
    assert (await client.get("/account/data")).status_code == 303


async def test_the_only_site_admin_cannot_delete_their_account(make_client):
    admin = await make_user("Admin", admin=True)
    client = await signed_in(make_client, admin)
    r = await client.post_form("/account/data/delete", {"confirmation": PASSWORD},
                               token_from="/account/data")
    assert r.status_code == 422 and "enda administratör" in r.text
    assert await User.exists(id=admin.id)
    await make_user("Admin2", admin=True)
    r = await client.post_form("/account/data/delete", {"confirmation": PASSWORD},
                               token_from="/account/data")
    assert r.status_code == 303 and not await User.exists(id=admin.id)
