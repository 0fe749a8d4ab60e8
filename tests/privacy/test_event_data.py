"""An organiser deletes an event's personal data once it has ended (results published), after
a confirmation step: pupils' accounts, registrations and skills, team memberships and
invitations go; the event, its challenges, classes and teams stay, pupil-chosen names
anonymised."""
from __future__ import annotations

from datetime import timedelta

from challenges.models import Challenge
from events.models import EventRole, Invitation, Role
from samskapa.auth.models import User
from samskapa.auth.passwords import token_hash
from samskapa.names import name_key
from school.models import Pupil, SchoolClass
from teams.models import Team, TeamMember
from tests.privacy.conftest import (grant, join_pupil, make_class, make_event, make_user,
                                    put_in_team, signed_in, utcnow)


async def _school_world(results_published):
    event = await make_event("skola", results_published=results_published)
    organiser, teacher, adult = (await make_user("Org"), await make_user("Larare"),
                                 await make_user("Vuxen"))
    await grant(event, organiser, Role.ORGANISER)
    await grant(event, adult, Role.PARTICIPANT, skills="Bygga", looking_for_team=True)
    klass = await make_class(event, teacher)
    p1, _ = await join_pupil(klass, "Kubkungen")
    p2, _ = await join_pupil(klass, "Creeper")
    p3, _ = await join_pupil(klass, "Steve")
    # Pupils named one team themselves (in their class, as the app makes it); the teacher
    # made the others for the class.
    own = await Team.create(event=event, name="Kalle och Lisas lag", join_code="EGET22",
                            looking_for="En som kan rita", school_class=klass)
    await put_in_team(own, p1, p2)
    given = await Team.create(event=event, name="Gruppen", join_code="GRUP22",
                              school_class=klass)
    await put_in_team(given, p3, adult)
    await Team.create(event=event, name="Lag 1", join_code="LAG122", school_class=klass)
    challenge = await Challenge.create(event=event, slug="park", title="Parken",
                                       published=True)
    await Invitation.create(event=event, email="jury@example.se", role=Role.JURY,
                            token_hash=token_hash("x"), invited_by=organiser,
                            expires_at=utcnow() + timedelta(days=1))
    return event, organiser, teacher, adult, klass, (p1, p2, p3), own, given, challenge


async def test_refused_before_the_event_has_ended(make_client):
    event, organiser, *_ = await _school_world(utcnow() + timedelta(days=2))
    client = await signed_in(make_client, organiser)
    page = await client.get("/events/skola/personal-data")
    assert page.status_code == 200 and 'data-count="pupils">3<' in page.text
    assert 'action="/events/skola/personal-data"' not in page.text  # no button yet
    r = await client.post_form("/events/skola/personal-data", {"confirm": "on"},
                               token_from="/events/skola/personal-data")
    assert r.status_code == 422 and "först när det är slut" in r.text
    assert await Pupil.all().count() == 3 and await TeamMember.all().count() == 4


async def test_only_the_events_organisers_may(make_client):
    event, _organiser, teacher, adult, *_ = await _school_world(utcnow() - timedelta(days=1))
    for user in (teacher, adult):
        client = await signed_in(make_client, user)
        assert (await client.get("/events/skola/personal-data")).status_code == 403
        r = await client.post_form("/events/skola/personal-data", {"confirm": "on"})
        assert r.status_code == 403
    anonymous = await make_client()
    r = await anonymous.get("/events/skola/personal-data")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert await Pupil.all().count() == 3


async def test_after_the_results_the_organiser_confirms_and_personal_data_goes(make_client):
    (event, organiser, teacher, adult, klass, pupils, own, given,
     challenge) = await _school_world(utcnow() - timedelta(days=1))
    client = await signed_in(make_client, organiser)
    page = await client.get("/events/skola/personal-data")
    assert 'action="/events/skola/personal-data"' in page.text

    # The confirmation step: without the box ticked nothing happens.
    r = await client.post_form("/events/skola/personal-data", {},
                               token_from="/events/skola/personal-data")
    assert r.status_code == 422 and "Kryssa i rutan" in r.text
    assert await Pupil.all().count() == 3

    r = await client.post_form("/events/skola/personal-data", {"confirm": "on"},
                               token_from="/events/skola/personal-data")
    assert r.status_code == 200 and "3 elevkonton" in r.text
    # Pupils' accounts, registrations, team places and invitations are gone...
    assert not await User.filter(id__in=[p.id for p in pupils]).exists()
    assert await Pupil.all().count() == 0
    assert not await EventRole.filter(event_id=event.id, role=Role.PARTICIPANT).exists()
    assert await TeamMember.filter(event_id=event.id).count() == 0
    assert not await Invitation.filter(event_id=event.id).exists()
    # ...the event, its challenge, class and teams stay, with consistent counts...
    assert await Challenge.exists(id=challenge.id)
    assert await SchoolClass.exists(id=klass.id)
    # Every team name is anonymised (which ones the pupils chose is not recorded), with its
    # folded key: "Kalle och Lisas lag" is nowhere in the database any more.
    names = set(await Team.filter(event_id=event.id).values_list("name", flat=True))
    assert names == {"Lag 1", "Lag 2", "Lag 3"}
    for team in await Team.filter(event_id=event.id):
        assert team.member_count == 0 and team.leader_id is None and team.looking_for == ""
        assert team.name_key == name_key(team.name)
    # ...and the adults keep their accounts, staff their roles.
    assert await User.exists(id=adult.id)
    assert await EventRole.exists(event_id=event.id, user_id=organiser.id, role=Role.ORGANISER)
    assert await EventRole.exists(event_id=event.id, user_id=teacher.id, role=Role.TEACHER)
    page = await client.get("/events/skola/personal-data")
    assert 'data-count="pupils">0<' in page.text and "Det finns inget kvar" in page.text


async def test_the_dashboard_links_to_it(make_client):
    _event, organiser, *_ = await _school_world(utcnow() - timedelta(days=1))
    client = await signed_in(make_client, organiser)
    assert 'href="/events/skola/personal-data"' in (await client.get(
        "/events/skola/dashboard")).text
