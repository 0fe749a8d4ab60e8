"""Racing for seats: the team size holds and member_count stays true, on SQLite and PostgreSQL
(run the suite with DATABASE_URL=postgres://... for the latter)."""
from __future__ import annotations

import asyncio

from events import policy
from events.models import EventKind, Role
from samskapa.errors import DomainError
from samskapa.limiter import Limiter
from school import service as school
from school.models import Pupil
from teams import service as teams
from teams.models import Team, TeamMember
from tests.teams.conftest import PASSWORD, grant, make_event, make_user, utcnow


async def assert_count_is_true(team: Team) -> int:
    await team.refresh_from_db()
    real = await TeamMember.filter(team_id=team.id).count()
    assert team.member_count == real
    return real


async def test_two_users_race_for_the_last_seat(clean_db):
    event = await make_event(max_team_size=2)
    anna = await make_user("Anna")
    team = await teams.create_team(event, anna, "Lag", None, utcnow())
    bo, cecilia = await make_user("Bo"), await make_user("Cecilia")
    results = await asyncio.gather(
        teams.join_team(event, bo, team.join_code, utcnow()),
        teams.join_team(event, cecilia, team.join_code, utcnow()),
        return_exceptions=True)
    joined = [r for r in results if isinstance(r, Team)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(joined) == 1 and len(refused) == 1, results
    assert refused[0].message == "This team is full."
    assert await assert_count_is_true(team) == 2


async def test_many_racers_few_seats(clean_db):
    event = await make_event(max_team_size=4)
    team = await teams.create_team(event, await make_user("Anna"), "Lag", None, utcnow())
    racers = [await make_user(f"Racer{i}") for i in range(12)]
    results = await asyncio.gather(
        *(teams.join_team(event, u, team.join_code, utcnow()) for u in racers),
        return_exceptions=True)
    assert sum(isinstance(r, Team) for r in results) == 3
    assert all(isinstance(r, (Team, DomainError)) for r in results), results
    assert await assert_count_is_true(team) == 4


async def test_one_person_racing_into_two_teams_gets_one(clean_db):
    event = await make_event(max_team_size=3)
    first = await teams.create_team(event, await make_user("Anna"), "Ett", None, utcnow())
    second = await teams.create_team(event, await make_user("Bo"), "Två", None, utcnow())
    cecilia = await make_user("Cecilia")
    results = await asyncio.gather(
        teams.join_team(event, cecilia, first.join_code, utcnow()),
        teams.join_team(event, cecilia, second.join_code, utcnow()),
        return_exceptions=True)
    assert sum(isinstance(r, Team) for r in results) == 1, results
    refused = [r for r in results if isinstance(r, DomainError)]
    assert refused[0].message == "You are already in a team in this event."
    assert await TeamMember.filter(user=cecilia).count() == 1
    # The refused join gave its seat back (rolled back with the failed membership).
    assert await assert_count_is_true(first) + await assert_count_is_true(second) == 3


async def test_racing_over_http(make_client):
    event = await make_event(max_team_size=2)
    anna = await make_user("Anna")
    team = await teams.create_team(event, anna, "Lag", None, utcnow())
    clients = []
    for name in ("Bo", "Cecilia", "David"):
        user = await make_user(name)
        client = await make_client()
        await client.login(user.email, PASSWORD)
        clients.append(client)
    responses = await asyncio.gather(*(
        c.post_form("/events/hack/join", {"code": team.join_code}, htmx=True) for c in clients))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [204, 422, 422]
    assert all("Laget är fullt" in r.text for r in responses if r.status_code == 422)
    assert await assert_count_is_true(team) == 2


async def test_leaving_and_joining_at_once_keeps_the_count(clean_db):
    event = await make_event(max_team_size=3)
    anna = await make_user("Anna")
    team = await teams.create_team(event, anna, "Lag", None, utcnow())
    bo = await make_user("Bo")
    await teams.join_team(event, bo, team.join_code, utcnow())
    newcomers = [await make_user(f"Ny{i}") for i in range(3)]
    results = await asyncio.gather(
        teams.leave_team(event, team, bo),
        *(teams.join_team(event, u, team.join_code, utcnow()) for u in newcomers),
        return_exceptions=True)
    assert all(not isinstance(r, Exception) or isinstance(r, DomainError) for r in results)
    real = await assert_count_is_true(team)
    assert real <= 3


async def test_teacher_moves_pupils_into_the_last_seat_at_once(signed_in):
    """Four pupils moved at once into a team with one free seat: one gets it, the other three
    stay in the team they were in (before, they were taken out first and ended in none)."""
    event = await make_event("skola", kind=EventKind.SCHOOL, max_team_size=2)
    client, teacher = await signed_in("Tina")
    await grant(event, teacher, Role.TEACHER)
    klass = await school.create_class(await policy.standing(event, teacher), "6B", "")
    pupils = []
    for i in range(5):
        user, _code, _class = await school.join_class(Limiter("test"), klass.code, f"Elev{i}",
                                                      f"10.0.0.{i}")
        pupils.append(await Pupil.get(user_id=user.id))
    target = await school.create_class_team(event, klass, "Mål", None, utcnow())
    await school.place_pupil(event, klass, pupils[0].id, target.id)
    starts = {}
    for i, pupil in enumerate(pupils[1:]):
        starts[pupil.user_id] = await school.create_class_team(event, klass, f"Start{i}", None,
                                                               utcnow())
        await school.place_pupil(event, klass, pupil.id, starts[pupil.user_id].id)

    responses = await asyncio.gather(*(
        client.post_form(f"/events/skola/classes/{klass.id}/place",
                         {"pupil_id": str(p.id), "team_id": str(target.id)})
        for p in pupils[1:]))
    assert sorted(r.status_code for r in responses) == [303, 422, 422, 422]
    assert all("Laget är fullt" in r.text for r in responses if r.status_code == 422)
    assert await assert_count_is_true(target) == 2
    for pupil in pupils[1:]:
        member = await TeamMember.get_or_none(event_id=event.id, user_id=pupil.user_id)
        assert member is not None, "a pupil who lost the race ended in no team"
        if member.team_id != target.id:
            assert member.team_id == starts[pupil.user_id].id
        await assert_count_is_true(starts[pupil.user_id])


async def test_lowering_the_team_size_while_people_join(signed_in):
    """An organiser lowers the team size from 4 to 2 while three people join a team of 2:
    either the lowering wins (the joins are refused: the team is full) or a join does (the
    lowering is refused), never a team above the event's size."""
    from events.routes import _form_from_event

    for round_ in range(3):
        event = await make_event(f"hack{round_}", max_team_size=4)
        organiser, organiser_user = await signed_in(f"Org{round_}")
        await grant(event, organiser_user, Role.ORGANISER)
        team = await teams.create_team(event, await make_user(f"Anna{round_}"), "Lag", None,
                                       utcnow())
        await teams.join_team(event, await make_user(f"Bo{round_}"), team.join_code, utcnow())
        joiners = [(await signed_in(f"Ny{round_}x{i}"))[0] for i in range(3)]
        form = {k: v for k, v in _form_from_event(event).data.items()}
        results = await asyncio.gather(
            organiser.post_form(f"/events/{event.slug}/edit", {**form, "max_team_size": "2"}),
            *(c.post_form(f"/events/{event.slug}/join", {"code": team.join_code})
              for c in joiners))
        lowered, joins = results[0], results[1:]
        await event.refresh_from_db()
        real = await assert_count_is_true(team)
        assert real <= event.max_team_size, (real, event.max_team_size)
        if lowered.status_code == 303:
            assert event.max_team_size == 2 and real == 2
            assert all(r.status_code == 422 for r in joins)
        else:
            assert lowered.status_code == 422 and event.max_team_size == 4
            assert "Ett lag har redan" in lowered.text, lowered.text[-2000:]
            assert real > 2
