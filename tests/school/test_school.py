"""School mode: classes with codes, pupils joining with a nickname and a login code shown once,
pupil sign-in (rate limited), teachers reissuing codes and placing pupils in teams."""
from __future__ import annotations

import re

import pytest

from events.models import EventKind, EventRole, Role
from samskapa.auth.models import User
from samskapa.auth.passwords import UNAMBIGUOUS_ALPHABET
from school.models import Pupil, SchoolClass
from teams.models import Team, TeamMember
from tests.teams.conftest import grant, make_challenge, make_event

LOGIN_CODE_RE = re.compile(r'<code id="login-code">([A-Z0-9-]+)</code>')
NEW_CODE_RE = re.compile(r"<strong><code>([A-Z0-9]{4}-[A-Z0-9]{4})</code></strong>")


async def school_event(**kw):
    return await make_event("skola", kind=EventKind.SCHOOL, **kw)


async def teacher_with_class(signed_in, event, name="Tina", class_name="6B"):
    client, teacher = await signed_in(name)
    await grant(event, teacher, Role.TEACHER)
    r = await client.post_form("/events/skola/classes/new",
                               {"name": class_name, "school": "Wendelsbergs skola"})
    assert r.status_code == 303, r.text[-1500:]
    school_class = await SchoolClass.get(name=class_name, teacher=teacher)
    assert r.headers["location"] == f"/events/skola/classes/{school_class.id}"
    return client, teacher, school_class


async def pupil_joins(make_client, code, nickname):
    client = await make_client()
    r = await client.post_form("/pupil/join", {"class_code": code, "nickname": nickname})
    assert r.status_code == 200, r.text[-1500:]
    match = LOGIN_CODE_RE.search(r.text)
    assert match, r.text[-1500:]
    return client, match.group(1), r


async def pupil_login(client, code, nickname, login_code, htmx=False):
    return await client.post_form("/pupil", {"class_code": code, "nickname": nickname,
                                             "login_code": login_code}, htmx=htmx)


# --- classes ---------------------------------------------------------------------------------

async def test_teacher_creates_class_and_gets_code(signed_in):
    event = await school_event()
    client, teacher, school_class = await teacher_with_class(signed_in, event)
    assert len(school_class.code) == 6 and set(school_class.code) <= set(UNAMBIGUOUS_ALPHABET)
    assert school_class.event_id == event.id and school_class.school == "Wendelsbergs skola"
    page = await client.get(f"/events/skola/classes/{school_class.id}")
    assert page.status_code == 200 and school_class.code in page.text
    assert "Inga elever har gått med än" in page.text
    assert f"/pupil/join?code={school_class.code}</a>" in page.text
    listing = await client.get("/events/skola/classes")
    assert listing.status_code == 200 and "6B" in listing.text and school_class.code in listing.text


async def test_class_form_errors(signed_in):
    event = await school_event()
    client, teacher, _ = await teacher_with_class(signed_in, event)
    r = await client.post_form("/events/skola/classes/new", {"name": "", "school": "Skolan"},
                               htmx=True)
    assert r.status_code == 422 and "<html" not in r.text
    assert "Fältet måste fyllas i" in r.text and 'value="Skolan"' in r.text
    r = await client.post_form("/events/skola/classes/new",
                               {"name": "6b", "school": "Wendelsbergs skola"}, htmx=True)
    assert r.status_code == 422 and "Du har redan en klass med det namnet" in r.text
    assert await SchoolClass.filter(teacher=teacher).count() == 1


@pytest.mark.parametrize("role, expected", [
    (None, 403), (Role.PARTICIPANT, 403), (Role.JURY, 403),
    (Role.TEACHER, 200), (Role.ORGANISER, 200), ("admin", 200),
])
async def test_who_may_create_classes(signed_in, role, expected):
    event = await school_event()
    client, user = await signed_in("Person", admin=role == "admin")
    if isinstance(role, Role):
        await grant(event, user, role)
    assert (await client.get("/events/skola/classes/new")).status_code == expected
    r = await client.post_form("/events/skola/classes/new", {"name": "7A"})
    assert r.status_code == (303 if expected == 200 else 403)
    if expected == 403:
        assert "Bara evenemangets lärare och arrangörer kan hantera klasser" in r.text
    assert await SchoolClass.filter(name="7A").exists() == (expected == 200)


async def test_no_classes_in_a_hackathon_and_anonymous_goes_to_login(client, signed_in):
    event = await make_event()
    teacher_client, teacher = await signed_in("Tina")
    await grant(event, teacher, Role.TEACHER)
    assert (await teacher_client.get("/events/hack/classes/new")).status_code == 404
    assert (await teacher_client.get("/events/hack/classes")).status_code == 404
    await school_event()
    r = await client.get("/events/skola/classes/new")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


async def test_class_page_access(client, signed_in, make_client):
    event = await school_event()
    _, _, school_class = await teacher_with_class(signed_in, event)
    other_teacher_client, _, other_class = await teacher_with_class(
        signed_in, event, name="Ture", class_name="6C")
    url = f"/events/skola/classes/{school_class.id}"
    r = await other_teacher_client.get(url)
    assert r.status_code == 403 and "Bara klassens lärare" in r.text
    # Another teacher sees only their own classes in the list.
    listing = await other_teacher_client.get("/events/skola/classes")
    assert "6C" in listing.text and school_class.code not in listing.text
    organiser_client, organiser = await signed_in("Olga")
    await grant(event, organiser, Role.ORGANISER)
    assert (await organiser_client.get(url)).status_code == 200
    listing = await organiser_client.get("/events/skola/classes")
    assert "6B" in listing.text and "6C" in listing.text
    pupil_client, _, _ = await pupil_joins(make_client, school_class.code, "Blixten")
    assert (await pupil_client.get(url)).status_code == 403
    assert (await client.get(url)).status_code == 303
    assert (await organiser_client.get(f"/events/skola/classes/{other_class.id + 100}")) \
        .status_code == 404


# --- pupils ----------------------------------------------------------------------------------

async def test_pupil_joins_and_sees_code_once_then_signs_in_again(make_client, signed_in):
    event = await school_event()
    teacher_client, _, school_class = await teacher_with_class(signed_in, event)
    form = await (await make_client()).get(f"/pupil/join?code={school_class.code}")
    assert form.status_code == 200 and f'value="{school_class.code}"' in form.text
    assert 'name="nickname"' in form.text and 'name="email"' not in form.text

    pupil_client, login_code, r = await pupil_joins(make_client, school_class.code.lower(),
                                                    " Blixten ")
    assert "Skriv ner den nu" in r.text and r.headers["cache-control"] == "no-store"
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", login_code)
    user = await User.get(display_name="Blixten")
    assert user.is_pupil and user.email is None and user.password_hash
    assert login_code.replace("-", "") not in user.password_hash
    pupil = await Pupil.get(user=user)
    assert pupil.nickname == "Blixten" and pupil.school_class_id == school_class.id
    assert await EventRole.filter(user=user, event=event, role=Role.PARTICIPANT).exists()
    # Signed in as the pupil (nickname in the navigation).
    home = await pupil_client.get("/events/skola/teams")
    assert '<span class="who">Blixten</span>' in home.text
    # The code is never shown again: not to the pupil, not to the teacher.
    assert login_code not in home.text
    assert login_code not in (await pupil_client.get("/pupil/join")).text
    class_page = await teacher_client.get(f"/events/skola/classes/{school_class.id}")
    assert "Blixten" in class_page.text and login_code not in class_page.text

    # Later, on another computer: class code + nickname + login code.
    other = await make_client()
    r = await pupil_login(other, school_class.code, "blixten", login_code.lower())
    assert r.status_code == 303 and r.headers["location"] == \
        f"/events/skola/teams?class={school_class.id}"
    page = await other.get("/events/skola/teams")
    assert '<span class="who">Blixten</span>' in page.text


async def test_pupil_join_htmx_shows_code_in_the_block(make_client, signed_in):
    event = await school_event()
    _, _, school_class = await teacher_with_class(signed_in, event)
    client = await make_client()
    r = await client.post_form("/pupil/join", {"class_code": school_class.code,
                                               "nickname": "Stjärnan"}, htmx=True)
    assert r.status_code == 200 and "<html" not in r.text and LOGIN_CODE_RE.search(r.text)
    assert 'id="pupil-join"' in r.text


@pytest.mark.parametrize("class_code, nickname, field, message", [
    ("QQQQQQ", "Blixten", "class_code", "Ingen klass har den klasskoden"),
    ("", "Blixten", "class_code", "Fältet måste fyllas i"),
    (None, "B", "nickname", "Ett smeknamn har 2 till 30 tecken"),
    (None, "x" * 31, "nickname", "Ett smeknamn har 2 till 30 tecken"),
    (None, "anna@example.se", "nickname", "Använd bara bokstäver"),
    (None, "ÅSA", "nickname", "Någon i klassen har redan det smeknamnet"),
    (None, " åsa ", "nickname", "Någon i klassen har redan det smeknamnet"),
])
async def test_pupil_join_bad_input(make_client, signed_in, class_code, nickname, field,
                                    message):
    event = await school_event()
    _, _, school_class = await teacher_with_class(signed_in, event)
    await pupil_joins(make_client, school_class.code, "Åsa")
    client = await make_client()
    code = school_class.code if class_code is None else class_code
    r = await client.post_form("/pupil/join", {"class_code": code, "nickname": nickname},
                               htmx=True)
    assert r.status_code == 422 and message in r.text
    assert f'id="f-{field}-error"' in r.text
    assert f'value="{nickname.strip()}"' in r.text  # input kept
    assert await Pupil.all().count() == 1


async def test_same_nickname_in_another_class_is_fine(make_client, signed_in):
    event = await school_event()
    _, _, class_b = await teacher_with_class(signed_in, event)
    _, _, class_c = await teacher_with_class(signed_in, event, name="Ture", class_name="6C")
    await pupil_joins(make_client, class_b.code, "Blixten")
    await pupil_joins(make_client, class_c.code, "Blixten")
    assert await Pupil.filter(nickname="Blixten").count() == 2


async def test_pupil_login_errors_and_rate_limit(make_client, signed_in):
    event = await school_event()
    _, _, school_class = await teacher_with_class(signed_in, event)
    _, login_code, _ = await pupil_joins(make_client, school_class.code, "Blixten")
    client = await make_client("10.1.1.1")
    page = await client.get("/pupil")
    assert page.status_code == 200 and 'name="login_code"' in page.text

    r = await pupil_login(client, "QQQQQQ", "Blixten", login_code, htmx=True)
    assert r.status_code == 422 and "Ingen klass har den klasskoden" in r.text
    assert 'id="f-class_code-error"' in r.text and "<html" not in r.text
    r = await pupil_login(client, school_class.code, "Okänd", login_code, htmx=True)
    assert r.status_code == 422 and "Fel smeknamn eller inloggningskod" in r.text
    r = await pupil_login(client, school_class.code, "Blixten", "AAAA-AAAA", htmx=True)
    assert r.status_code == 422 and "Fel smeknamn eller inloggningskod" in r.text
    assert 'value="Blixten"' in r.text and "AAAA-AAAA" not in r.text  # code not echoed

    for _ in range(4):
        await pupil_login(client, school_class.code, "Blixten", "AAAA-AAAA")
    # Five failures for this pupil: even the right code is refused for a while...
    r = await pupil_login(client, school_class.code, "Blixten", login_code)
    assert r.status_code == 422 and "För många misslyckade inloggningsförsök" in r.text
    # ...from any computer (the limit is per pupil, not only per address).
    elsewhere = await make_client("10.1.1.2")
    r = await pupil_login(elsewhere, school_class.code, "Blixten", login_code)
    assert r.status_code == 422


async def test_pupil_login_rate_limited_per_ip(make_client, signed_in):
    event = await school_event()
    _, _, school_class = await teacher_with_class(signed_in, event)
    _, login_code, _ = await pupil_joins(make_client, school_class.code, "Blixten")
    client = await make_client("10.2.2.2")
    for i in range(50):
        await pupil_login(client, "QQQQQQ", f"Gissning{i}", "AAAA-AAAA")
    r = await pupil_login(client, school_class.code, "Blixten", login_code)
    assert r.status_code == 422
    assert "För många felaktiga klasskoder från det här nätverket. Försök igen om" in r.text
    r = await pupil_login(await make_client("10.2.2.3"), school_class.code, "Blixten",
                          login_code)
    assert r.status_code == 303


async def test_teacher_reissues_code_and_old_one_stops_working(make_client, signed_in):
    event = await school_event()
    teacher_client, _, school_class = await teacher_with_class(signed_in, event)
    _, old_code, _ = await pupil_joins(make_client, school_class.code, "Blixten")
    pupil = await Pupil.get(nickname="Blixten")
    url = f"/events/skola/classes/{school_class.id}/pupils/{pupil.id}/code"
    r = await teacher_client.post_form(url, htmx=True)
    assert r.status_code == 200 and "<html" not in r.text and 'id="roster"' in r.text
    assert "Ny inloggningskod för Blixten" in r.text and "visas bara en gång" in r.text
    assert r.headers["cache-control"] == "no-store"
    new_code = NEW_CODE_RE.search(r.text).group(1)
    assert new_code != old_code
    # Shown once: the class page does not show it again.
    page = await teacher_client.get(f"/events/skola/classes/{school_class.id}")
    assert new_code not in page.text

    r = await pupil_login(await make_client(), school_class.code, "Blixten", old_code)
    assert r.status_code == 422 and "Fel smeknamn eller inloggningskod" in r.text
    r = await pupil_login(await make_client(), school_class.code, "Blixten", new_code)
    assert r.status_code == 303

    # Without htmx: the whole class page with the new code.
    r = await teacher_client.post_form(url)
    assert r.status_code == 200 and "<html" in r.text and NEW_CODE_RE.search(r.text)


async def test_reissue_only_by_the_class_teacher(make_client, signed_in):
    event = await school_event()
    _, _, school_class = await teacher_with_class(signed_in, event)
    other_client, _, other_class = await teacher_with_class(signed_in, event, name="Ture",
                                                            class_name="6C")
    pupil_client, code, _ = await pupil_joins(make_client, school_class.code, "Blixten")
    pupil = await Pupil.get(nickname="Blixten")
    before = (await User.get(id=pupil.user_id)).password_hash
    r = await other_client.post_form(
        f"/events/skola/classes/{school_class.id}/pupils/{pupil.id}/code")
    assert r.status_code == 403
    # Through the other teacher's own class: the pupil is not in it.
    r = await other_client.post_form(
        f"/events/skola/classes/{other_class.id}/pupils/{pupil.id}/code")
    assert r.status_code == 404
    r = await pupil_client.post_form(
        f"/events/skola/classes/{school_class.id}/pupils/{pupil.id}/code")
    assert r.status_code == 403
    assert (await User.get(id=pupil.user_id)).password_hash == before


# --- teams for a class -----------------------------------------------------------------------

async def test_teacher_creates_teams_and_places_pupils(make_client, signed_in, client):
    event = await school_event(max_team_size=2)
    challenge = await make_challenge(event, "Bygg en hållbar stad")
    teacher_client, teacher, school_class = await teacher_with_class(signed_in, event)
    for nickname in ("Blixten", "Stjärnan", "Åskan"):
        await pupil_joins(make_client, school_class.code, nickname)
    pupils = {p.nickname: p for p in await Pupil.all()}
    base = f"/events/skola/classes/{school_class.id}"

    r = await teacher_client.post_form(f"{base}/teams", {"name": "Gruvarbetarna",
                                                         "challenge": str(challenge.id)},
                                       htmx=True)
    assert r.status_code == 200 and "Gruvarbetarna" in r.text and "<html" not in r.text
    r = await teacher_client.post_form(f"{base}/teams", {"name": "Byggarna"})
    assert r.status_code == 303
    miners = await Team.get(name="Gruvarbetarna")
    builders = await Team.get(name="Byggarna")
    assert miners.school_class_id == school_class.id and miners.member_count == 0
    assert miners.leader_id is None and miners.challenge_id == challenge.id
    assert not await TeamMember.filter(user=teacher).exists()

    r = await teacher_client.post_form(f"{base}/teams", {"name": "byggarna"}, htmx=True)
    assert r.status_code == 422 and "Det finns redan ett lag med det namnet" in r.text
    assert 'value="byggarna"' in r.text

    async def place(nickname, team, htmx=False):
        return await teacher_client.post_form(f"{base}/place", {
            "pupil_id": str(pupils[nickname].id), "team_id": str(team.id) if team else ""},
            htmx=htmx)

    r = await place("Blixten", miners, htmx=True)
    assert r.status_code == 200 and 'id="roster"' in r.text
    assert (await place("Stjärnan", miners)).status_code == 303
    r = await place("Åskan", miners, htmx=True)
    assert r.status_code == 422 and "Laget är fullt" in r.text
    # The message sits in Åskan's row, tied to the team select, with the choice kept.
    row = r.text.split(f'id="pupil-{pupils["Åskan"].id}"', 1)[1].split("</tr>", 1)[0]
    assert f'id="place-error-{pupils["Åskan"].id}"' in row and "Laget är fullt" in row
    assert f'<option value="{miners.id}" selected' in row
    await miners.refresh_from_db()
    assert miners.member_count == 2 == await TeamMember.filter(team=miners).count()
    # The first pupil placed leads the team.
    assert miners.leader_id == pupils["Blixten"].user_id

    # Moving a pupil: out of one team, into another (one team per pupil per event).
    assert (await place("Blixten", builders)).status_code == 303
    await miners.refresh_from_db()
    await builders.refresh_from_db()
    assert miners.member_count == 1 and builders.member_count == 1
    assert miners.leader_id == pupils["Stjärnan"].user_id
    assert await TeamMember.filter(user_id=pupils["Blixten"].user_id).count() == 1
    # Out of all teams.
    assert (await place("Blixten", None)).status_code == 303
    # The class team stays, empty and leaderless, for the teacher to fill again.
    await builders.refresh_from_db()
    assert builders.member_count == 0 and builders.leader_id is None
    assert (await place("Åskan", builders)).status_code == 303
    await builders.refresh_from_db()
    assert builders.member_count == 1 and builders.leader_id == pupils["Åskan"].user_id

    # The class teacher sees the join code of the class's teams; other visitors do not.
    page = await teacher_client.get(f"/events/skola/teams/{miners.id}")
    assert miners.join_code in page.text
    assert miners.join_code not in (await client.get(f"/events/skola/teams/{miners.id}")).text

    # The class's teacher sees the pupils by nickname only; the public sees counts only.
    listing = await teacher_client.get("/events/skola/teams")
    assert "Stjärnan" in listing.text and "Gruvarbetarna" in listing.text
    assert "@" not in listing.text.split("<main", 1)[1]
    listing = await client.get("/events/skola/teams")
    assert "Stjärnan" not in listing.text and "Gruvarbetarna" not in listing.text
    assert "Inte med här: 2 lag med 2 elever." in listing.text


async def test_placing_is_limited_to_the_class(make_client, signed_in):
    event = await school_event()
    teacher_client, _, school_class = await teacher_with_class(signed_in, event)
    other_client, _, other_class = await teacher_with_class(signed_in, event, name="Ture",
                                                            class_name="6C")
    await pupil_joins(make_client, school_class.code, "Blixten")
    await pupil_joins(make_client, other_class.code, "Främling")
    mine = await Pupil.get(nickname="Blixten")
    stranger = await Pupil.get(nickname="Främling")
    await teacher_client.post_form(f"/events/skola/classes/{school_class.id}/teams",
                                   {"name": "Vårt lag"})
    await other_client.post_form(f"/events/skola/classes/{other_class.id}/teams",
                                 {"name": "Deras lag"})
    ours, theirs = await Team.get(name="Vårt lag"), await Team.get(name="Deras lag")
    base = f"/events/skola/classes/{school_class.id}"
    r = await teacher_client.post_form(f"{base}/place", {"pupil_id": str(stranger.id),
                                                         "team_id": str(ours.id)}, htmx=True)
    assert r.status_code == 422 and "Välj en elev i klassen" in r.text
    r = await teacher_client.post_form(f"{base}/place", {"pupil_id": str(mine.id),
                                                         "team_id": str(theirs.id)}, htmx=True)
    assert r.status_code == 422 and "Välj ett av klassens lag" in r.text
    # The other teacher cannot act on this class at all.
    r = await other_client.post_form(f"{base}/place", {"pupil_id": str(mine.id),
                                                       "team_id": str(ours.id)})
    assert r.status_code == 403
    r = await other_client.post_form(f"{base}/teams", {"name": "Inkräktare"})
    assert r.status_code == 403
    assert not await TeamMember.exists()
    assert not await Team.filter(name="Inkräktare").exists()


async def test_pupil_can_join_a_team_with_its_code(make_client, signed_in):
    event = await school_event()
    _, _, school_class = await teacher_with_class(signed_in, event)
    leader_client, _, _ = await pupil_joins(make_client, school_class.code, "Blixten")
    r = await leader_client.post_form("/events/skola/teams/new", {"name": "Blixtarna"})
    assert r.status_code == 303
    team = await Team.get(name="Blixtarna")
    friend_client, friend_code, _ = await pupil_joins(make_client, school_class.code,
                                                      "Stjärnan")
    r = await friend_client.post_form("/events/skola/join", {"code": team.join_code})
    assert r.status_code == 303
    page = await friend_client.get(f"/events/skola/teams/{team.id}")
    assert "Blixten" in page.text and "Stjärnan" in page.text and team.join_code in page.text
    # Signing in again leads the pupil to their team.
    r = await pupil_login(await make_client(), school_class.code, "Stjärnan", friend_code)
    assert r.status_code == 303 and r.headers["location"] == f"/events/skola/teams/{team.id}"


async def test_pupil_accounts_stay_in_their_class_event(make_client, signed_in):
    event = await school_event()
    _, _, school_class = await teacher_with_class(signed_in, event)
    pupil_client, _, _ = await pupil_joins(make_client, school_class.code, "Blixten")
    await make_event()  # an open hackathon
    adult_client, _ = await signed_in("Anna")
    r = await adult_client.post_form("/events/hack/teams/new", {"name": "Vuxna"})
    team = await Team.get(name="Vuxna")
    r = await pupil_client.post_form("/events/hack/join", {"code": team.join_code}, htmx=True)
    assert r.status_code == 422 and "Elevkonton deltar bara i den egna klassens evenemang" in r.text
    r = await pupil_client.post_form("/events/hack/teams/new", {"name": "Elevlag"}, htmx=True)
    assert r.status_code == 422 and "Elevkonton deltar bara i den egna klassens evenemang" in r.text
    assert await TeamMember.filter(team=team).count() == 1
    assert not await Team.filter(name="Elevlag").exists()


ALLOWED = {"new": 303, "page": 200, "team": 303, "place": 303, "code": 200}
DENIED = {"new": 403, "page": 403, "team": 403, "place": 403, "code": 403}


@pytest.mark.parametrize("actor, expected", [
    ("anonymous", dict.fromkeys(ALLOWED, 303)),  # sent to sign in
    ("outsider", DENIED),
    ("participant", DENIED),
    ("pupil", DENIED),
    ("other_teacher", {**DENIED, "new": 303}),  # may make a class of their own, not touch this
    ("class_teacher", ALLOWED),
    ("organiser", ALLOWED),
    ("admin", ALLOWED),
])
async def test_school_authorisation_table(client, make_client, signed_in, actor, expected):
    event = await school_event()
    teacher_client, _, school_class = await teacher_with_class(signed_in, event)
    pupil_client, _, _ = await pupil_joins(make_client, school_class.code, "Blixten")
    pupil = await Pupil.get(nickname="Blixten")
    await teacher_client.post_form(f"/events/skola/classes/{school_class.id}/teams",
                                   {"name": "Lag A"})
    team = await Team.get(name="Lag A")
    if actor == "anonymous":
        actor_client = client
    elif actor == "class_teacher":
        actor_client = teacher_client
    elif actor == "pupil":
        actor_client = pupil_client
    else:
        actor_client, user = await signed_in("Aktör", admin=actor == "admin")
        role = {"participant": Role.PARTICIPANT, "other_teacher": Role.TEACHER,
                "organiser": Role.ORGANISER}.get(actor)
        if role:
            await grant(event, user, role)
    base = f"/events/skola/classes/{school_class.id}"
    before = (await User.get(id=pupil.user_id)).password_hash
    got = {
        "page": (await actor_client.get(base)).status_code,
        "new": (await actor_client.post_form("/events/skola/classes/new",
                                             {"name": "Ny klass"})).status_code,
        "team": (await actor_client.post_form(f"{base}/teams", {"name": "Lag B"})).status_code,
        "place": (await actor_client.post_form(f"{base}/place", {
            "pupil_id": str(pupil.id), "team_id": str(team.id)})).status_code,
        "code": (await actor_client.post_form(f"{base}/pupils/{pupil.id}/code")).status_code,
    }
    assert got == expected
    changed = expected["place"] != 303 or actor == "anonymous"
    assert await Team.filter(name="Lag B").exists() == (not changed)
    assert await TeamMember.filter(team=team).exists() == (not changed)
    assert ((await User.get(id=pupil.user_id)).password_hash == before) == changed
