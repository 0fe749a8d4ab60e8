"""Pupils are children: in a school event their nicknames and what they typed (team names,
"looking for" texts, skills) reach only their own class, their teacher and the event's
organisers and jury. Tried black-box over HTTP on every page and API of the event, as every
kind of visitor."""
from __future__ import annotations

import re

import pytest
from starlette.routing import Route

from events.models import EventKind, EventRole, Role
from judging.models import Award, AwardKind
from samskapa.auth.models import User
from school.models import Pupil, SchoolClass
from teams.models import Team, TeamMember
from tests.school.test_school import pupil_joins, teacher_with_class
from submissions.models import Submission, SubmissionFile
from tests.submissions.conftest import png_bytes
from tests.teams.conftest import grant, make_challenge, make_event

# What pupils of class 6A typed: none of it may reach a visitor outside their class.
SECRETS_6A = ["Kubkungen", "Kubkungarna", "Söker en redstone-expert", "Ensamvargen",
              "Kan bygga slott", "Redstoneslottet"]
# Pupils of class 6B, seen by their own class.
SECRETS_6B = ["Blå Räven", "Rävgänget"]


async def school_world(signed_in, make_client):
    """A school event with two classes; pupils of 6A made a team, wrote what they look for,
    and one of them is on the board with skills; 6B has a team of its own."""
    event = await make_event("skola", kind=EventKind.SCHOOL, max_team_size=4)
    challenge = await make_challenge(event, "Framtidens Södertälje")
    teacher_a, _, class_a = await teacher_with_class(signed_in, event, "Tina", "6A")
    teacher_b, _, class_b = await teacher_with_class(signed_in, event, "Ture", "6B")
    kub, _, _ = await pupil_joins(make_client, class_a.code, "Kubkungen")
    r = await kub.post_form("/events/skola/teams/new", {
        "name": "Kubkungarna", "challenge": str(challenge.id),
        "looking_for": "Söker en redstone-expert"})
    assert r.status_code == 303, r.text[-800:]
    mate, _, _ = await pupil_joins(make_client, class_a.code, "Diamanten")
    team_a = await Team.get(name="Kubkungarna")
    assert (await mate.post_form("/events/skola/join", {"code": team_a.join_code})
            ).status_code == 303
    lone, _, _ = await pupil_joins(make_client, class_a.code, "Ensamvargen")
    r = await lone.post_form("/events/skola/register",
                             {"skills": "Kan bygga slott", "looking_for_team": "on"})
    assert r.status_code in (200, 303), r.text[-800:]
    fox, _, _ = await pupil_joins(make_client, class_b.code, "Blå Räven")
    assert (await fox.post_form("/events/skola/teams/new", {"name": "Rävgänget"})
            ).status_code == 303

    async def adult(name, event_role=None, on=event):
        client, user = await signed_in(name)
        if event_role:
            await grant(on, user, event_role)
        return client

    hack = await make_event("hack")
    visitors = {
        "anonymous": await make_client(),
        "other_event_participant": await adult("Hacker", Role.PARTICIPANT, hack),
        "adult_participant_here": await adult("Förälder", Role.PARTICIPANT),
        "challenge_owner_here": await adult("Ägare", Role.CHALLENGE_OWNER),
        "other_class_teacher": teacher_b,
        "other_class_pupil": fox,
        "organiser": await adult("Olga", Role.ORGANISER),
        "jury": await adult("Juryn", Role.JURY),
        "site_admin": (await signed_in("Admin", admin=True))[0],
        "class_teacher": teacher_a,
        "class_mate": mate,
    }
    # Their submission, with a picture (the gallery is not open: it opens with the results).
    submission_url = f"/events/skola/teams/{team_a.id}/submission"
    assert (await kub.post_form(submission_url, {"title": "Redstoneslottet", "version": ""},
                                token_from=submission_url)).status_code == 303
    r = await kub.post(submission_url + "/images", data={"csrf_token": await kub.csrf(
        submission_url)}, files={"file": ("slott.png", png_bytes(), "image/png")})
    assert r.status_code == 303, r.text[-800:]
    submission = await Submission.get(team_id=team_a.id)
    # ... with an award (results pages; tests/judging covers the published ones).
    award = await Award.create(event=event, kind=AwardKind.OVERALL, name="Bästa bygget",
                               submission=submission)
    ids = {"slug": "skola", "team_id": team_a.id, "class_id": class_a.id, "cslug": challenge.slug,
           "pupil_id": (await Pupil.get(nickname="Kubkungen")).id, "tslug": "tema",
           "submission_id": submission.id,
           "file_id": (await SubmissionFile.get(submission_id=submission.id)).id,
           # the jury's pages (judging): ids nobody here has, walked for what they leak
           "assignment_id": 1, "criterion_id": 1, "award_id": award.id}
    return event, visitors, ids, team_a


def every_page(app, ids) -> list[str]:
    """Every GET route of the app that is about one event (pages, fragments' pages, the API,
    the calendar), filled in for the school event; plus the start page and the event list API."""
    urls = ["/", "/api/events"]
    for route in app.routes:
        if isinstance(route, Route) and "GET" in (route.methods or set()) \
                and "{slug}" in route.path:
            urls.append(re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(ids[m.group(1)]),
                               route.path))
    return urls


OUTSIDERS = ["anonymous", "other_event_participant", "adult_participant_here",
             "challenge_owner_here", "other_class_teacher", "other_class_pupil"]
INSIDERS = ["organiser", "jury", "site_admin", "class_teacher", "class_mate"]


async def test_outsiders_see_no_pupil_anywhere(app, signed_in, make_client):
    _event, visitors, ids, _team = await school_world(signed_in, make_client)
    pages = every_page(app, ids)
    assert {"/events/skola/teams", "/events/skola/board", "/api/events/skola",
            f"/events/skola/teams/{ids['team_id']}", "/events/skola/calendar.ics"} <= set(pages)
    for who in OUTSIDERS:
        client = visitors[who]
        for url in pages:
            for headers in ({}, {"HX-Request": "true"}, {}):  # the last one from the page cache
                r = await client.get(url, headers=headers)
                leaked = [s for s in SECRETS_6A if s in r.text]
                assert not leaked, f"{who} GET {url} {headers}: {leaked}"
                if who != "other_class_pupil" and who != "other_class_teacher":
                    assert "Blå Räven" not in r.text, (who, url)


async def test_outsiders_see_counts_instead(signed_in, make_client):
    _event, visitors, ids, team = await school_world(signed_in, make_client)
    anonymous = visitors["anonymous"]
    r = await anonymous.get("/events/skola/teams")
    assert r.status_code == 200 and "2 lag" in r.text
    assert "Inte med här: 2 lag med 3 elever." in r.text and 'href="/pupil"' in r.text
    r = await anonymous.get(f"/events/skola/teams/{team.id}")
    assert r.status_code == 200 and "Ett elevlag" in r.text and team.join_code not in r.text
    r = await anonymous.get("/events/skola/board")
    assert "1 elev som söker lag visas bara för sin egen klass" in r.text
    # Another class's teacher and pupil see their own class, and only counts of this one.
    r = await visitors["other_class_pupil"].get("/events/skola/teams")
    assert "Rävgänget" in r.text and "Blå Räven" in r.text
    assert "Inte med här: 1 lag med 2 elever." in r.text and 'href="/pupil"' not in r.text
    r = await visitors["other_class_teacher"].get("/events/skola/teams")
    assert "Rävgänget" in r.text and "Blå Räven" in r.text and "Kubkungen" not in r.text


@pytest.mark.parametrize("who", INSIDERS)
async def test_class_teacher_class_organisers_and_jury_see_the_pupils(signed_in, make_client,
                                                                      who):
    _event, visitors, ids, team = await school_world(signed_in, make_client)
    client = visitors[who]
    r = await client.get("/events/skola/teams")
    assert "Kubkungen" in r.text and "Kubkungarna" in r.text and "Diamanten" in r.text
    r = await client.get(f"/events/skola/teams/{team.id}")
    assert "Kubkungen" in r.text and "Söker en redstone-expert" in r.text
    r = await client.get("/events/skola/board")
    assert "Ensamvargen" in r.text and "Kan bygga slott" in r.text
    # The other class is the organisers' and jury's business, not 6A's.
    assert ("Blå Räven" in (await client.get("/events/skola/teams")).text) == (
        who in ("organiser", "jury", "site_admin"))


async def test_a_teammate_of_another_class_is_counted_not_named(signed_in, make_client):
    """A team made before teams belonged to classes may hold pupils of two classes: each
    visitor sees the pupils of their own class (and teammates see each other)."""
    event = await make_event("skola", kind=EventKind.SCHOOL, max_team_size=4)
    teacher_a, _, class_a = await teacher_with_class(signed_in, event, "Tina", "6A")
    teacher_b, _, class_b = await teacher_with_class(signed_in, event, "Ture", "6B")
    kub, _, _ = await pupil_joins(make_client, class_a.code, "Kubkungen")
    fox, _, _ = await pupil_joins(make_client, class_b.code, "Blå Räven")
    team = await Team.create(event=event, name="Blandat", join_code="BLAND2", member_count=2)
    for nickname in ("Kubkungen", "Blå Räven"):
        pupil = await Pupil.get(nickname=nickname)
        await TeamMember.create(team=team, event=event, user_id=pupil.user_id)
    page = (await teacher_a.get(f"/events/skola/teams/{team.id}")).text
    assert "Kubkungen" in page and "Blå Räven" not in page and "1 elev i en annan klass" in page
    assert "(2/4)" in page
    page = (await teacher_b.get(f"/events/skola/teams/{team.id}")).text
    assert "Blå Räven" in page and "Kubkungen" not in page
    page = (await kub.get(f"/events/skola/teams/{team.id}")).text
    assert "Blå Räven" in page and "Kubkungen" in page


async def test_open_hackathons_stay_public(client, signed_in):
    await make_event()
    anna_client, _ = await signed_in("Anna")
    await anna_client.post_form("/events/hack/teams/new", {"name": "Öppna laget"})
    r = await client.get("/events/hack/teams")
    assert "Öppna laget" in r.text and "Anna" in r.text


# --- adults never join pupils' teams ----------------------------------------------------------

@pytest.mark.parametrize("role", [None, Role.PARTICIPANT, Role.TEACHER, Role.ORGANISER, Role.JURY,
                                  "admin", "other_event"])
async def test_adults_cannot_join_or_make_pupils_teams(signed_in, make_client, role):
    event = await make_event("skola", kind=EventKind.SCHOOL)
    _, _, school_class = await teacher_with_class(signed_in, event)
    kub, _, _ = await pupil_joins(make_client, school_class.code, "Kubkungen")
    assert (await kub.post_form("/events/skola/teams/new", {"name": "Kubkungarna"})
            ).status_code == 303
    team = await Team.get(name="Kubkungarna")
    adult, user = await signed_in("Vuxen", admin=role == "admin")
    if role == "other_event":
        await grant(await make_event("hack"), user, Role.PARTICIPANT)
    elif role not in (None, "admin"):
        await grant(event, user, role)
    r = await adult.post_form("/events/skola/join", {"code": team.join_code}, htmx=True)
    assert r.status_code == 422
    assert "I ett skolevenemang är det bara elever som är med i lag" in r.text
    r = await adult.post_form("/events/skola/join", {"code": team.join_code})
    assert r.status_code == 422 and "vuxna kan inte skapa eller gå med i dem" in r.text
    r = await adult.post_form("/events/skola/teams/new", {"name": "Vuxenlaget"}, htmx=True)
    assert r.status_code == 422 and "vuxna kan inte skapa eller gå med i dem" in r.text
    await team.refresh_from_db()
    assert team.member_count == 1 == await TeamMember.filter(team=team).count()
    assert not await TeamMember.filter(user=user).exists()
    assert not await Team.filter(name="Vuxenlaget").exists()


async def test_pupils_teams_belong_to_their_class(signed_in, make_client):
    event = await make_event("skola", kind=EventKind.SCHOOL)
    teacher, _, class_a = await teacher_with_class(signed_in, event, "Tina", "6A")
    _, _, class_b = await teacher_with_class(signed_in, event, "Ture", "6B")
    kub, _, _ = await pupil_joins(make_client, class_a.code, "Kubkungen")
    await kub.post_form("/events/skola/teams/new", {"name": "Kubkungarna"})
    team = await Team.get(name="Kubkungarna")
    assert team.school_class_id == class_a.id
    # The class's teacher sees it among the class's teams.
    assert "Kubkungarna" in (await teacher.get(f"/events/skola/classes/{class_a.id}")).text
    fox, _, _ = await pupil_joins(make_client, class_b.code, "Blå Räven")
    r = await fox.post_form("/events/skola/join", {"code": team.join_code}, htmx=True)
    assert r.status_code == 422 and "Laget hör till en annan klass" in r.text
    assert await TeamMember.filter(team=team).count() == 1


# --- nicknames that look like real names ------------------------------------------------------

@pytest.mark.parametrize("nickname", ["Anna Svensson", "erik johansson", "Mohammed Ali",
                                      "Anna-Karin Berg", "Elsa.Lindqvist", "Liam Andersson 6A"])
async def test_real_name_like_nicknames_are_refused(signed_in, make_client, nickname):
    event = await make_event("skola", kind=EventKind.SCHOOL)
    _, _, school_class = await teacher_with_class(signed_in, event)
    client = await make_client()
    r = await client.post_form("/pupil/join", {"class_code": school_class.code,
                                               "nickname": nickname})
    assert r.status_code == 422
    assert "Det ser ut som ett riktigt namn" in r.text and "hitta på ett smeknamn" in r.text
    assert f'value="{nickname}"' in r.text  # nothing lost: the pupil edits what they typed
    assert not await Pupil.exists()


@pytest.mark.parametrize("nickname", ["Kubkungen", "Blå Räven", "Anna", "Creeper 3000",
                                      "Kalle_99", "Super Stina"])
async def test_made_up_nicknames_are_fine(signed_in, make_client, nickname):
    event = await make_event("skola", kind=EventKind.SCHOOL)
    _, _, school_class = await teacher_with_class(signed_in, event)
    await pupil_joins(make_client, school_class.code, nickname)
    assert await Pupil.get(nickname=nickname)


async def test_join_form_says_no_real_name_is_needed(client):
    r = await client.get("/pupil/join")
    assert "Du behöver inget riktigt namn: hitta på ett" in r.text


# --- teachers rename and remove pupils and delete classes -------------------------------------

async def test_teacher_renames_a_pupil(signed_in, make_client):
    event = await make_event("skola", kind=EventKind.SCHOOL)
    teacher, _, school_class = await teacher_with_class(signed_in, event)
    _, code, _ = await pupil_joins(make_client, school_class.code, "Kubkungen")
    await pupil_joins(make_client, school_class.code, "Diamanten")
    pupil = await Pupil.get(nickname="Kubkungen")
    url = f"/events/skola/classes/{school_class.id}/pupils/{pupil.id}"
    assert url in (await teacher.get(f"/events/skola/classes/{school_class.id}")).text
    page = await teacher.get(url)
    assert page.status_code == 200 and 'value="Kubkungen"' in page.text
    assert f'action="{url}"' in page.text and f'hx-post="{url}"' in page.text
    assert "aldrig elevens riktiga namn" in page.text  # said to the teacher, not the pupil
    for bad, message in (("Lisa Nilsson", "Det ser ut som ett riktigt namn"),
                         ("diamanten", "Någon i klassen har redan det smeknamnet"),
                         ("", "Fältet måste fyllas i")):
        r = await teacher.post_form(url, {"nickname": bad}, htmx=True)
        assert r.status_code == 422 and message in r.text, bad
    r = await teacher.post_form(url, {"nickname": "Guldgrävaren"})
    assert r.status_code == 303 and r.headers["location"] == (
        f"/events/skola/classes/{school_class.id}")
    await pupil.refresh_from_db()
    await pupil.fetch_related("user")
    assert pupil.nickname == "Guldgrävaren" == pupil.user.display_name
    # The pupil signs in with the new nickname; the old one is gone.
    r = await (await make_client()).post_form("/pupil", {
        "class_code": school_class.code, "nickname": "Guldgrävaren", "login_code": code})
    assert r.status_code == 303
    r = await (await make_client()).post_form("/pupil", {
        "class_code": school_class.code, "nickname": "Kubkungen", "login_code": code})
    assert r.status_code == 422


async def test_teacher_removes_a_pupil_after_confirming(signed_in, make_client):
    event = await make_event("skola", kind=EventKind.SCHOOL, max_team_size=3)
    teacher, _, school_class = await teacher_with_class(signed_in, event)
    kub, _, _ = await pupil_joins(make_client, school_class.code, "Kubkungen")
    mate, _, _ = await pupil_joins(make_client, school_class.code, "Diamanten")
    await kub.post_form("/events/skola/teams/new", {"name": "Kubkungarna"})
    team = await Team.get(name="Kubkungarna")
    await mate.post_form("/events/skola/join", {"code": team.join_code})
    pupil = await Pupil.get(nickname="Kubkungen")
    url = f"/events/skola/classes/{school_class.id}/pupils/{pupil.id}/remove"
    page = await teacher.get(url)  # the confirmation step
    assert page.status_code == 200 and "Ta bort Kubkungen från klassen?" in page.text
    assert f'action="{url}"' in page.text and await Pupil.exists(id=pupil.id)
    r = await teacher.post_form(url)
    assert r.status_code == 303 and r.headers["location"] == (
        f"/events/skola/classes/{school_class.id}")
    said = (await teacher.get(r.headers["location"])).text
    assert "Kubkungen är borttagen ur klassen, med sitt konto." in said
    assert not await Pupil.exists(id=pupil.id)
    assert not await TeamMember.filter(user_id=pupil.user_id).exists()
    assert not await EventRole.filter(user_id=pupil.user_id).exists()
    assert not await User.exists(id=pupil.user_id)
    await team.refresh_from_db()
    mate_pupil = await Pupil.get(nickname="Diamanten")
    assert team.member_count == 1 == await TeamMember.filter(team=team).count()
    assert team.leader_id == mate_pupil.user_id
    # The removed pupil's browser is signed out; the team page shows the one left.
    r = await kub.get(f"/events/skola/teams/{team.id}")
    assert "Kubkungen" not in r.text and "Logga ut" not in r.text
    # ...and stays so when the next account is made (ids are not reused).
    await pupil_joins(make_client, school_class.code, "Nykomlingen")
    assert "Logga ut" not in (await kub.get("/events/skola/teams")).text
    page = await teacher.get(f"/events/skola/teams/{team.id}")
    assert "Diamanten" in page.text and "Kubkungen" not in page.text and "(1/3)" in page.text
    r = await teacher.post_form(url)
    assert r.status_code == 404


async def test_teacher_deletes_a_class_with_its_pupils(signed_in, make_client):
    event = await make_event("skola", kind=EventKind.SCHOOL)
    teacher, _, class_a = await teacher_with_class(signed_in, event, "Tina", "6A")
    _, _, class_b = await teacher_with_class(signed_in, event, "Ture", "6B")
    for nickname in ("Kubkungen", "Diamanten"):
        await pupil_joins(make_client, class_a.code, nickname)
    fox, _, _ = await pupil_joins(make_client, class_b.code, "Blå Räven")
    await fox.post_form("/events/skola/teams/new", {"name": "Rävgänget"})
    await teacher.post_form(f"/events/skola/classes/{class_a.id}/teams", {"name": "6A-laget"})
    class_team = await Team.get(name="6A-laget")
    for pupil in await Pupil.filter(school_class=class_a):
        await teacher.post_form(f"/events/skola/classes/{class_a.id}/place",
                                {"pupil_id": str(pupil.id), "team_id": str(class_team.id)})
    user_ids = [p.user_id for p in await Pupil.filter(school_class=class_a)]
    url = f"/events/skola/classes/{class_a.id}/delete"
    assert url in (await teacher.get(f"/events/skola/classes/{class_a.id}")).text
    page = await teacher.get(url)
    assert page.status_code == 200 and "Ta bort klassen 6A?" in page.text
    assert "Kontona för klassens 2 elever raderas också" in page.text
    r = await teacher.post_form(url)
    assert r.status_code == 303 and r.headers["location"] == "/events/skola/classes"
    assert "är raderad, med elevernas konton." in (await teacher.get("/events/skola/classes")).text
    assert not await SchoolClass.exists(id=class_a.id)
    assert not await User.filter(id__in=user_ids).exists()
    assert not await Team.exists(id=class_team.id)
    # The other class is untouched.
    foxes = await Team.get(name="Rävgänget")
    assert foxes.member_count == 1 == await TeamMember.filter(team=foxes).count()
    assert await Pupil.exists(nickname="Blå Räven")


@pytest.mark.parametrize("actor", ["anonymous", "other_teacher", "pupil", "participant",
                                   "jury"])
async def test_only_the_class_teacher_and_organisers_manage_pupils(signed_in, make_client,
                                                                   actor):
    event = await make_event("skola", kind=EventKind.SCHOOL)
    _, _, school_class = await teacher_with_class(signed_in, event)
    pupil_client, _, _ = await pupil_joins(make_client, school_class.code, "Kubkungen")
    pupil = await Pupil.get(nickname="Kubkungen")
    if actor == "anonymous":
        client = await make_client()
    elif actor == "pupil":
        client = pupil_client
    else:
        client, user = await signed_in("Aktör")
        await grant(event, user, {"other_teacher": Role.TEACHER, "participant": Role.PARTICIPANT,
                                  "jury": Role.JURY}[actor])
    base = f"/events/skola/classes/{school_class.id}"
    expected = 303 if actor == "anonymous" else 403  # sent to sign in, or refused
    for url, data in ((f"{base}/pupils/{pupil.id}", {"nickname": "Inkräktaren"}),
                      (f"{base}/pupils/{pupil.id}/remove", {}), (f"{base}/delete", {})):
        r = await client.get(url)
        assert r.status_code == expected, (url, r.status_code)
        r = await client.post_form(url, data)
        assert r.status_code == expected, (url, r.status_code)
        if expected == 303:
            assert r.headers["location"].startswith("/login")
    await pupil.refresh_from_db()
    assert pupil.nickname == "Kubkungen" and await SchoolClass.exists(id=school_class.id)


async def test_organiser_may_manage_any_class(signed_in, make_client):
    event = await make_event("skola", kind=EventKind.SCHOOL)
    _, _, school_class = await teacher_with_class(signed_in, event)
    await pupil_joins(make_client, school_class.code, "Kubkungen")
    pupil = await Pupil.get(nickname="Kubkungen")
    organiser, user = await signed_in("Olga")
    await grant(event, user, Role.ORGANISER)
    base = f"/events/skola/classes/{school_class.id}"
    r = await organiser.post_form(f"{base}/pupils/{pupil.id}", {"nickname": "Guldet"})
    assert r.status_code == 303 and (await Pupil.get(id=pupil.id)).nickname == "Guldet"
    assert (await organiser.post_form(f"{base}/delete")).status_code == 303
    assert not await Pupil.exists() and not await SchoolClass.exists()


async def test_a_class_name_is_not_listed_to_outsiders(signed_in, make_client):
    """`?class=<id>` on the team list named the class to anyone (found in review)."""
    event = await make_event("skola", kind=EventKind.SCHOOL)
    teacher, _, school_class = await teacher_with_class(signed_in, event)
    url = f"/events/skola/teams?class={school_class.id}"
    anonymous = await make_client("10.1.1.1")
    r = await anonymous.get(url)
    assert r.status_code == 404 and school_class.name not in r.text
    r = await teacher.get(url)
    assert r.status_code == 200 and school_class.name in r.text
