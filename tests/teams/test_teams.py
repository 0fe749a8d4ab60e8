"""Teams in an event: list, create, join with a code, leave, hand over, settings, the board."""
from __future__ import annotations

import pytest

from events.models import EventKind, EventRole, Role
from samskapa.auth.models import User
from samskapa.auth.passwords import UNAMBIGUOUS_ALPHABET
from school.models import Pupil, SchoolClass
from teams import service as teams
from teams.models import Team, TeamMember
from tests.teams.conftest import grant, make_challenge, make_event, make_user, utcnow


async def create_team(client, name="Lag Ett", slug="hack", **fields):
    r = await client.post_form(f"/events/{slug}/teams/new", {"name": name, **fields})
    assert r.status_code == 303, r.text[-2000:]
    return await Team.get(name=name, event__slug=slug)


async def join(client, code, slug="hack", htmx=False):
    return await client.post_form(f"/events/{slug}/join", {"code": code}, htmx=htmx)


async def member_names(team: Team) -> list[str]:
    rows = await TeamMember.filter(team_id=team.id).order_by("joined_at", "id") \
        .prefetch_related("user")
    return [m.user.display_name for m in rows]


# --- list, create, team page -----------------------------------------------------------------

async def test_create_team_makes_leader_member_and_participant(client, signed_in):
    event = await make_event()
    challenge = await make_challenge(event)
    anna_client, anna = await signed_in("Anna")
    form = await anna_client.get("/events/hack/teams/new")
    assert form.status_code == 200 and 'name="name"' in form.text
    assert f'<option value="{challenge.id}"' in form.text
    team = await create_team(anna_client, challenge=str(challenge.id), looking_for="En kodare")
    assert team.leader_id == anna.id and team.member_count == 1
    assert team.challenge_id == challenge.id and team.looking_for == "En kodare"
    assert len(team.join_code) == 6 and set(team.join_code) <= set(UNAMBIGUOUS_ALPHABET)
    assert await member_names(team) == ["Anna"]
    assert await EventRole.filter(event=event, user=anna, role=Role.PARTICIPANT).exists()

    page = await anna_client.get(f"/events/hack/teams/{team.id}")
    assert page.status_code == 200
    assert team.join_code in page.text and "Lämna laget" in page.text
    assert "Grönare stadskärna" in page.text and "lagledare" in page.text

    # Neither a visitor nor another signed-in user sees the code.
    anon = await client.get(f"/events/hack/teams/{team.id}")
    assert anon.status_code == 200 and "Anna" in anon.text and team.join_code not in anon.text
    bo_client, _ = await signed_in("Bo")
    other = await bo_client.get(f"/events/hack/teams/{team.id}")
    assert team.join_code not in other.text and "Lämna laget" not in other.text
    organiser_client, organiser = await signed_in("Orvar")
    await grant(event, organiser, Role.ORGANISER)
    page = await organiser_client.get(f"/events/hack/teams/{team.id}")
    assert page.status_code == 200 and team.join_code not in page.text

    listing = await client.get("/events/hack/teams")
    assert listing.status_code == 200
    assert "Lag Ett" in listing.text and "Grönare stadskärna" in listing.text
    assert "Anna" in listing.text and team.join_code not in listing.text
    assert "anna@example.se" not in listing.text


async def test_new_team_requires_sign_in(client):
    await make_event()
    r = await client.get("/events/hack/teams/new")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    r = await client.post_form("/events/hack/teams/new", {"name": "X"})
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert not await Team.exists()


async def test_duplicate_team_name_is_refused_with_input_kept(signed_in):
    await make_event()
    anna_client, _ = await signed_in("Anna")
    await create_team(anna_client, "Solrosorna")
    bo_client, _ = await signed_in("Bo")
    r = await bo_client.post_form("/events/hack/teams/new",
                                  {"name": "solrosorna", "looking_for": "Någon som ritar"},
                                  htmx=True)
    assert r.status_code == 422
    assert "<html" not in r.text  # the form block only
    assert "Det finns redan ett lag med det namnet" in r.text
    assert 'value="solrosorna"' in r.text and 'value="Någon som ritar"' in r.text
    assert 'aria-describedby="f-name-error"' in r.text
    # Without htmx: the whole page, still 422.
    r = await bo_client.post_form("/events/hack/teams/new", {"name": "Solrosorna"})
    assert r.status_code == 422 and "<html" in r.text
    # The same name in another event is fine.
    await make_event("annat")
    await create_team(bo_client, "Solrosorna", slug="annat")
    assert await Team.filter(name="Solrosorna").count() == 2


async def test_new_team_bad_inputs(signed_in):
    event = await make_event()
    other_event = await make_event("annat")
    draft = await make_challenge(event, "Utkast", published=False)
    foreign = await make_challenge(other_event, "Annan")
    anna_client, _ = await signed_in("Anna")
    for challenge in (str(draft.id), str(foreign.id), "abc"):
        r = await anna_client.post_form("/events/hack/teams/new",
                                        {"name": "Lag", "challenge": challenge}, htmx=True)
        assert r.status_code == 422
        assert "Välj en av evenemangets publicerade utmaningar" in r.text
    r = await anna_client.post_form("/events/hack/teams/new", {"name": ""}, htmx=True)
    assert r.status_code == 422 and "Fältet måste fyllas i" in r.text
    r = await anna_client.post_form("/events/hack/teams/new", {"name": "x" * 101}, htmx=True)
    assert r.status_code == 422 and "Högst 100 tecken" in r.text
    assert not await Team.exists()


async def test_one_team_per_person_when_creating(signed_in):
    await make_event()
    anna_client, _ = await signed_in("Anna")
    await create_team(anna_client, "Första")
    r = await anna_client.post_form("/events/hack/teams/new", {"name": "Andra"}, htmx=True)
    assert r.status_code == 422
    assert "Du är redan med i ett lag i det här evenemanget" in r.text
    assert await Team.filter(name="Andra").count() == 0


@pytest.mark.parametrize("phase, message", [
    ("hacking", "Anmälan till det här evenemanget har stängt"),
    ("upcoming", "Anmälan till det här evenemanget har inte öppnat än"),
])
async def test_no_teams_outside_registration(signed_in, phase, message):
    await make_event(phase=phase)
    anna_client, _ = await signed_in("Anna")
    r = await anna_client.post_form("/events/hack/teams/new", {"name": "Sent"}, htmx=True)
    assert r.status_code == 422 and message in r.text
    assert not await Team.exists()


async def test_unknown_event_draft_event_and_unknown_team_are_404(client, signed_in):
    r = await client.get("/events/finns-inte/teams")
    assert r.status_code == 404 and "Det evenemanget finns inte" in r.text
    event = await make_event("utkast", published=False)
    for path in ("/events/utkast/teams", "/events/utkast/board"):
        assert (await client.get(path)).status_code == 404
    outsider_client, _ = await signed_in("Olle")
    assert (await outsider_client.get("/events/utkast/join")).status_code == 404
    organiser_client, organiser = await signed_in("Orvar")
    await grant(event, organiser, Role.ORGANISER)
    assert (await organiser_client.get("/events/utkast/teams")).status_code == 200
    admin_client, _ = await signed_in("Ada", admin=True)
    assert (await admin_client.get("/events/utkast/teams")).status_code == 200

    await make_event()
    await make_event("annat")
    anna_client, _ = await signed_in("Anna")
    team = await create_team(anna_client, slug="annat")
    # A team is only found under its own event.
    assert (await client.get(f"/events/hack/teams/{team.id}")).status_code == 404
    assert (await client.get("/events/hack/teams/99999")).status_code == 404
    r = await anna_client.post_form(f"/events/hack/teams/{team.id}/leave")
    assert r.status_code == 404
    assert await TeamMember.filter(team=team).count() == 1


# --- joining ---------------------------------------------------------------------------------

async def test_join_with_code_normalised(signed_in):
    await make_event()
    anna_client, _ = await signed_in("Anna")
    team = await create_team(anna_client)
    bo_client, bo = await signed_in("Bo")
    form = await bo_client.get(f"/events/hack/join?code={team.join_code}")
    assert form.status_code == 200 and f'value="{team.join_code}"' in form.text
    messy = f" {team.join_code[:3].lower()}-{team.join_code[3:].lower()} "
    r = await join(bo_client, messy)
    assert r.status_code == 303 and r.headers["location"] == f"/events/hack/teams/{team.id}"
    await team.refresh_from_db()
    assert team.member_count == 2 and await member_names(team) == ["Anna", "Bo"]
    assert await EventRole.filter(user=bo, role=Role.PARTICIPANT).exists()
    page = await bo_client.get(r.headers["location"])
    assert team.join_code in page.text  # members see the code


async def test_join_htmx_success_redirects_with_header(signed_in):
    await make_event()
    anna_client, _ = await signed_in("Anna")
    team = await create_team(anna_client)
    bo_client, _ = await signed_in("Bo")
    r = await join(bo_client, team.join_code, htmx=True)
    assert r.status_code == 204 and r.headers["HX-Redirect"] == f"/events/hack/teams/{team.id}"


async def test_join_errors_are_specific(signed_in):
    await make_event(max_team_size=2)
    anna_client, _ = await signed_in("Anna")
    team = await create_team(anna_client)
    bo_client, _ = await signed_in("Bo")

    r = await join(bo_client, "ZZZZZZ", htmx=True)
    assert r.status_code == 422 and "<html" not in r.text
    assert "Inget lag i det här evenemanget har den koden" in r.text
    assert 'id="f-code-error"' in r.text and 'value="ZZZZZZ"' in r.text

    r = await join(bo_client, "", htmx=True)
    assert r.status_code == 422 and "Fältet måste fyllas i" in r.text

    # The creator is already in a team.
    r = await join(anna_client, team.join_code, htmx=True)
    assert r.status_code == 422 and "Du är redan med i ett lag i det här evenemanget" in r.text

    assert (await join(bo_client, team.join_code)).status_code == 303
    cecilia_client, cecilia = await signed_in("Cecilia")
    r = await join(cecilia_client, team.join_code, htmx=True)
    assert r.status_code == 422 and "Laget är fullt" in r.text
    await team.refresh_from_db()
    assert team.member_count == 2 == await TeamMember.filter(team=team).count()
    assert not await TeamMember.filter(user=cecilia).exists()


async def test_join_code_of_another_event_does_not_work(signed_in):
    await make_event()
    await make_event("annat")
    anna_client, _ = await signed_in("Anna")
    team = await create_team(anna_client, slug="annat")
    bo_client, _ = await signed_in("Bo")
    r = await join(bo_client, team.join_code, htmx=True)
    assert r.status_code == 422 and "Inget lag i det här evenemanget har den koden" in r.text


async def test_join_after_registration_closes(signed_in):
    event = await make_event()
    anna_client, _ = await signed_in("Anna")
    team = await create_team(anna_client)
    event.registration_closes = utcnow()
    await event.save()
    bo_client, bo = await signed_in("Bo")
    page = await bo_client.get("/events/hack/join")
    assert "Anmälan är stängd" in page.text
    r = await join(bo_client, team.join_code, htmx=True)
    assert r.status_code == 422 and "Anmälan till det här evenemanget har stängt" in r.text
    assert not await TeamMember.filter(user=bo).exists()


# --- leave, hand over, settings --------------------------------------------------------------

async def test_leave_rules(signed_in):
    await make_event(max_team_size=4)
    anna_client, anna = await signed_in("Anna")
    team = await create_team(anna_client)
    bo_client, bo = await signed_in("Bo")
    cecilia_client, cecilia = await signed_in("Cecilia")
    await join(bo_client, team.join_code)
    await join(cecilia_client, team.join_code)

    # A member leaves (htmx): the members block comes back.
    r = await cecilia_client.post_form(f"/events/hack/teams/{team.id}/leave", htmx=True)
    assert r.status_code == 200 and "<html" not in r.text and 'id="team-members"' in r.text
    assert "Cecilia" not in r.text and team.join_code not in r.text
    await team.refresh_from_db()
    assert team.member_count == 2 and team.leader_id == anna.id

    # The leader leaves: the longest-standing member leads.
    r = await anna_client.post_form(f"/events/hack/teams/{team.id}/leave")
    assert r.status_code == 303 and r.headers["location"] == f"/events/hack/teams/{team.id}"
    await team.refresh_from_db()
    assert team.member_count == 1 and team.leader_id == bo.id

    # Leaving twice is not allowed (no longer a member).
    r = await anna_client.post_form(f"/events/hack/teams/{team.id}/leave")
    assert r.status_code == 403

    # The last member leaves: the team is gone.
    r = await bo_client.post_form(f"/events/hack/teams/{team.id}/leave", htmx=True)
    assert r.status_code == 204 and r.headers["HX-Redirect"] == "/events/hack/teams"
    assert not await Team.filter(id=team.id).exists()
    assert not await TeamMember.exists()
    # Anna can start again.
    await create_team(anna_client, "Nystart")


async def test_leader_leaving_hands_to_longest_standing_member(signed_in):
    await make_event(max_team_size=5)
    anna_client, _ = await signed_in("Anna")
    team = await create_team(anna_client)
    clients = {}
    for name in ("Bo", "Cecilia", "David"):
        clients[name], _ = await signed_in(name)
        await join(clients[name], team.join_code)
    # Bo joined first but leaves and comes back: now David has been in longer.
    await clients["Bo"].post_form(f"/events/hack/teams/{team.id}/leave")
    await join(clients["Bo"], team.join_code)
    await anna_client.post_form(f"/events/hack/teams/{team.id}/leave")
    await team.refresh_from_db()
    cecilia = await User.get(display_name="Cecilia")
    assert team.leader_id == cecilia.id
    assert team.member_count == 3 == await TeamMember.filter(team=team).count()


async def test_hand_over_leadership(signed_in):
    await make_event()
    anna_client, anna = await signed_in("Anna")
    team = await create_team(anna_client)
    bo_client, bo = await signed_in("Bo")
    await join(bo_client, team.join_code)
    page = await anna_client.get(f"/events/hack/teams/{team.id}")
    assert 'name="user_id"' in page.text and f'<option value="{bo.id}">Bo</option>' in page.text

    # Bo is a member, not the leader.
    r = await bo_client.post_form(f"/events/hack/teams/{team.id}/leader", {"user_id": str(bo.id)})
    assert r.status_code == 403 and "Bara lagledaren kan göra det här" in r.text

    # Not to someone outside the team.
    outsider = await make_user("Olle")
    r = await anna_client.post_form(f"/events/hack/teams/{team.id}/leader",
                                    {"user_id": str(outsider.id)}, htmx=True)
    assert r.status_code == 422 and "Välj en medlem i laget" in r.text
    await team.refresh_from_db()
    assert team.leader_id == anna.id

    r = await anna_client.post_form(f"/events/hack/teams/{team.id}/leader",
                                    {"user_id": str(bo.id)}, htmx=True)
    assert r.status_code == 200 and 'id="team-members"' in r.text and "<html" not in r.text
    await team.refresh_from_db()
    assert team.leader_id == bo.id
    r = await anna_client.post_form(f"/events/hack/teams/{team.id}/leader",
                                    {"user_id": str(anna.id)})
    assert r.status_code == 403
    r = await bo_client.post_form(f"/events/hack/teams/{team.id}/leader",
                                  {"user_id": str(anna.id)})
    assert r.status_code == 303
    await team.refresh_from_db()
    assert team.leader_id == anna.id


async def test_team_settings_leader_only(signed_in):
    event = await make_event()
    first = await make_challenge(event, "Mobilitet")
    second = await make_challenge(event, "Hållbarhet")
    hidden = await make_challenge(event, "Dold", published=False)
    anna_client, _ = await signed_in("Anna")
    team = await create_team(anna_client, challenge=str(first.id))
    bo_client, _ = await signed_in("Bo")
    await join(bo_client, team.join_code)

    r = await anna_client.post_form(f"/events/hack/teams/{team.id}/edit",
                                    {"challenge": str(second.id), "looking_for": "En GIS-nörd"},
                                    htmx=True)
    assert r.status_code == 204 and r.headers["HX-Redirect"] == f"/events/hack/teams/{team.id}"
    await team.refresh_from_db()
    assert team.challenge_id == second.id and team.looking_for == "En GIS-nörd"

    r = await anna_client.post_form(f"/events/hack/teams/{team.id}/edit",
                                    {"challenge": str(hidden.id), "looking_for": "Kvar"},
                                    htmx=True)
    assert r.status_code == 422 and "Välj en av evenemangets publicerade utmaningar" in r.text
    assert 'value="Kvar"' in r.text and 'id="team-settings"' in r.text and "<html" not in r.text
    r = await anna_client.post_form(f"/events/hack/teams/{team.id}/edit",
                                    {"challenge": "", "looking_for": "x" * 301}, htmx=True)
    assert r.status_code == 422 and "Högst 300 tecken" in r.text

    r = await bo_client.post_form(f"/events/hack/teams/{team.id}/edit",
                                  {"challenge": "", "looking_for": "Kapat"})
    assert r.status_code == 403
    # Without htmx the leader is sent back to the team page; "no challenge" clears it.
    r = await anna_client.post_form(f"/events/hack/teams/{team.id}/edit",
                                    {"challenge": "", "looking_for": ""})
    assert r.status_code == 303
    await team.refresh_from_db()
    assert team.challenge_id is None and team.looking_for == ""


# --- another team's member can never change a team -------------------------------------------

async def test_another_teams_member_gets_403_everywhere(signed_in):
    event = await make_event()
    challenge = await make_challenge(event)
    anna_client, anna = await signed_in("Anna")
    team = await create_team(anna_client, "Anna-laget")
    bo_client, bo = await signed_in("Bo")
    await join(bo_client, team.join_code)
    eve_client, eve = await signed_in("Eve")
    await create_team(eve_client, "Eve-laget")

    attempts = [
        ("leave", {}),
        ("leader", {"user_id": str(eve.id)}),
        ("leader", {"user_id": str(bo.id)}),
        ("edit", {"challenge": str(challenge.id), "looking_for": "Kapat"}),
    ]
    for action, data in attempts:
        for htmx in (False, True):
            r = await eve_client.post_form(f"/events/hack/teams/{team.id}/{action}", data,
                                           htmx=htmx)
            assert r.status_code == 403, (action, htmx)
    await team.refresh_from_db()
    assert team.leader_id == anna.id and team.challenge_id is None and team.looking_for == ""
    assert await member_names(team) == ["Anna", "Bo"] and team.member_count == 2


@pytest.mark.parametrize("actor, leave, leader, edit", [
    # actor: expected status for leave / hand over / edit on Anna's team
    ("anonymous", 303, 303, 303),   # sent to sign in
    ("outsider", 403, 403, 403),
    ("other_team_leader", 403, 403, 403),
    ("organiser", 403, 403, 403),   # organisers do not run other people's teams
    ("admin", 403, 403, 403),
    ("member", 303, 403, 403),
    ("leader", 303, 303, 303),
])
async def test_authorisation_table(client, signed_in, actor, leave, leader, edit):
    event = await make_event()
    anna_client, anna = await signed_in("Anna")
    team = await create_team(anna_client, "Anna-laget")
    bo_client, bo = await signed_in("Bo")
    await join(bo_client, team.join_code)
    if actor == "anonymous":
        actor_client = client
    elif actor == "leader":
        actor_client = anna_client
    elif actor == "member":
        actor_client = bo_client
    else:
        actor_client, user = await signed_in("Aktör", admin=actor == "admin")
        if actor == "organiser":
            await grant(event, user, Role.ORGANISER)
        if actor == "other_team_leader":
            await create_team(actor_client, "Andra laget")
    base = f"/events/hack/teams/{team.id}"
    r = await actor_client.post_form(f"{base}/edit", {"challenge": "", "looking_for": "Ny"})
    assert r.status_code == edit
    r = await actor_client.post_form(f"{base}/leader", {"user_id": str(bo.id if actor != "member"
                                                                         else anna.id)})
    assert r.status_code == leader
    r = await actor_client.post_form(f"{base}/leave")
    assert r.status_code == leave
    if r.status_code == 303 and actor != "anonymous":
        assert r.headers["location"] == base


# --- the board -------------------------------------------------------------------------------

async def test_board_shows_people_and_teams_with_free_seats(client, signed_in):
    event = await make_event(max_team_size=2)
    anna_client, anna = await signed_in("Anna")
    open_team = await create_team(anna_client, "Öppna laget", looking_for="En designer")
    bo_client, bo = await signed_in("Bo")
    full_team = await create_team(bo_client, "Fulla laget")
    cecilia_client, cecilia = await signed_in("Cecilia")
    await join(cecilia_client, full_team.join_code)
    dora = await make_user("Dora")
    await grant(event, dora, Role.PARTICIPANT, skills="Python, kartor", looking_for_team=True)
    erik = await make_user("Erik")
    await grant(event, erik, Role.PARTICIPANT, skills="Ritar", looking_for_team=False)
    # Cecilia said she was looking but is now in a team: not on the board.
    await EventRole.filter(user=cecilia).update(looking_for_team=True, skills="Hemligt")

    r = await client.get("/events/hack/board")
    assert r.status_code == 200
    assert "Dora" in r.text and "Python, kartor" in r.text
    assert "Erik" not in r.text and "Hemligt" not in r.text
    assert "Öppna laget" in r.text and "En designer" in r.text and "1 ledig plats" in r.text
    assert "Fulla laget" not in r.text
    assert "@example.se" not in r.text
    assert open_team.id


async def test_english_ui(client, signed_in):
    await make_event()
    client.cookies.set("lang", "en")
    r = await client.get("/events/hack/teams")
    assert "Teams in Event hack" in r.text and "No teams yet." in r.text


async def test_team_lists_show_pupils_by_nickname_only(client, signed_in):
    event = await make_event("skola", kind=EventKind.SCHOOL)
    teacher_client, teacher = await signed_in("Lärare")
    school_class = await SchoolClass.create(event=event, name="6B", teacher=teacher, code="ABCDEF")
    pupil_user = await User.create(email=None, display_name="Blixten", is_pupil=True)
    await Pupil.create(user=pupil_user, school_class=school_class, nickname="Blixten")
    team = await teams.create_team(event, None, "Klasslaget", None, utcnow(),
                                   school_class=school_class, staff=True)
    await teams.add_member(event, team, pupil_user)
    for path in ("/events/skola/teams", f"/events/skola/teams/{team.id}"):
        main = (await teacher_client.get(path)).text.split("<main", 1)[1]
        assert "Blixten" in main and "Lärare" not in main and "@" not in main
        # Not public at all (tests/school/test_pupil_privacy.py tries every kind of visitor).
        assert "Blixten" not in (await client.get(path)).text
