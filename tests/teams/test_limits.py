"""Limits in school events and teams, over HTTP: a classroom behind one school address is not one
attacker, a teacher lets a paused pupil in again, and class codes, join codes and pupil joins
cannot be used by the thousand."""
from __future__ import annotations

from datetime import timedelta

from samskapa.auth.models import User
from school.models import Pupil, SchoolClass
from teams.models import Team
from tests.school.test_school import LOGIN_CODE_RE, pupil_login, school_event, teacher_with_class
from tests.teams.conftest import PASSWORD, make_event
from tests.teams.test_teams import create_team, join

SCHOOL = "192.0.2.10"  # one address for the whole school (NAT)
WRONG_CODE = "Fel smeknamn eller inloggningskod"


async def join_class(make_client, code: str, nickname: str, ip: str = SCHOOL):
    client = await make_client(ip)
    r = await client.post_form("/pupil/join", {"class_code": code, "nickname": nickname})
    match = LOGIN_CODE_RE.search(r.text)
    return r, (match.group(1) if match else None)


async def test_a_classroom_behind_one_address_can_all_sign_in(make_client, signed_in):
    event = await school_event()
    _, teacher, school_class = await teacher_with_class(signed_in, event)
    codes = {}
    for i in range(30):  # each at home (where they joined, they are known: see below)
        r, codes[f"Elev {i:02d}"] = await join_class(make_client, school_class.code,
                                                     f"Elev {i:02d}", f"10.8.{i}.1")
        assert r.status_code == 200, r.text[-1000:]
    # At school: every pupil mistypes their code once, then gets it right.
    for nickname, code in codes.items():
        pupil = await make_client(SCHOOL)
        r = await pupil_login(pupil, school_class.code, nickname, "AAAA-AAAA")
        assert r.status_code == 422 and WRONG_CODE in r.text, nickname
        r = await pupil_login(pupil, school_class.code, nickname, code)
        assert r.status_code == 303, (nickname, r.text[-1000:])
    # ...and so does their teacher, from the same school address.
    teacher_here = await make_client(SCHOOL)
    r = await teacher_here.post_form("/login", {"email": teacher.email, "password": "fel"})
    assert r.status_code == 422 and "Fel e-postadress eller lösenord" in r.text
    await teacher_here.login(teacher.email, PASSWORD)


async def test_a_pupil_is_not_slowed_where_they_joined(make_client, signed_in):
    """Classmates' wrong codes from the school's address (over its budget) do not slow a pupil
    who joined from there."""
    event = await school_event()
    _, _, school_class = await teacher_with_class(signed_in, event)
    _, code = await join_class(make_client, school_class.code, "Blixten")
    prankster = await make_client(SCHOOL)
    for i in range(100):
        await pupil_login(prankster, school_class.code, f"Elev {i}", "AAAA-AAAA")
    r = await pupil_login(prankster, school_class.code, "Okänd", "AAAA-AAAA")
    assert "För många misslyckade inloggningsförsök" in r.text
    r = await pupil_login(await make_client(SCHOOL), school_class.code, "Blixten", code)
    assert r.status_code == 303


async def test_a_teacher_lets_a_paused_pupil_sign_in_again(make_client, signed_in):
    event = await school_event()
    teacher_client, _, school_class = await teacher_with_class(signed_in, event)
    _, code = await join_class(make_client, school_class.code, "Blixten")
    pupil = await Pupil.get(nickname="Blixten")
    class_url = f"/events/skola/classes/{school_class.id}"
    assert "Inloggningen är pausad" not in (await teacher_client.get(class_url)).text

    client = await make_client(SCHOOL)
    for _ in range(5):
        assert WRONG_CODE in (await pupil_login(client, school_class.code, "Blixten", "X")).text
    r = await pupil_login(client, school_class.code, "blixten", code)
    assert r.status_code == 422
    assert "För många misslyckade inloggningsförsök. Försök igen om 30 sekunder." in r.text

    page = await teacher_client.get(class_url)
    assert "Inloggningen är pausad i 30 sekunder efter felaktiga inloggningskoder." in page.text
    unlock = f"{class_url}/pupils/{pupil.id}/unlock"
    assert f'action="{unlock}"' in page.text
    r = await teacher_client.post_form(unlock, {}, htmx=True, token_from=class_url)
    assert r.status_code == 200 and "Inloggningen är pausad" not in r.text
    r = await pupil_login(client, school_class.code, "Blixten", code)
    assert r.status_code == 303


async def test_class_codes_cannot_be_guessed_by_trying(make_client, signed_in, clock):
    event = await school_event()
    _, _, school_class = await teacher_with_class(signed_in, event)
    guesser = await make_client("203.0.113.50")
    for i in range(50):
        r = await guesser.post_form("/pupil/join", {"class_code": f"QQQ{i:03d}",
                                                    "nickname": "Gissaren"})
        assert r.status_code == 422 and "Ingen klass har den klasskoden" in r.text, i
    r = await guesser.post_form("/pupil/join", {"class_code": school_class.code,
                                                "nickname": "Gissaren"})
    assert r.status_code == 422
    assert ("För många felaktiga klasskoder från det här nätverket. Försök igen om 30 sekunder."
            in r.text)
    assert not await Pupil.filter(nickname="Gissaren").exists()
    r, _ = await join_class(make_client, school_class.code, "Stjärnan")  # another network
    assert r.status_code == 200
    clock.advance(timedelta(seconds=30))
    r = await guesser.post_form("/pupil/join", {"class_code": school_class.code,
                                                "nickname": "Gissaren"})
    assert r.status_code == 200


async def test_pupil_joins_are_capped_per_class_and_per_address(make_client, signed_in, clock):
    event = await school_event()
    teacher_client, teacher, school_class = await teacher_with_class(signed_in, event)
    # Sixty pupils an hour into one class, from anywhere.
    for i in range(60):
        r, _ = await join_class(make_client, school_class.code, f"Elev {i:02d}", f"10.7.{i}.1")
        assert r.status_code == 200, i
    r, _ = await join_class(make_client, school_class.code, "En till", "10.7.99.1")
    assert r.status_code == 422
    assert "För många elever har gått med i klassen nyss. Fråga din lärare" in r.text
    assert 'value="En till"' in r.text  # nothing typed is lost

    # A hundred and fifty an hour from one address, whatever the class.
    codes = []
    for name in ("7A", "7B", "7C", "7D"):
        r = await teacher_client.post_form("/events/skola/classes/new", {"name": name})
        assert r.status_code == 303
        codes.append(r.headers["location"])
    classes = [await SchoolClass.get(id=int(url.rsplit("/", 1)[1])) for url in codes]
    for i in range(150):
        r, _ = await join_class(make_client, classes[i % 3].code, f"Skola {i:03d}")
        assert r.status_code == 200, i
    r, _ = await join_class(make_client, classes[3].code, "Sist")
    assert r.status_code == 422
    assert "För många elever har gått med från det här nätverket nyss" in r.text
    r, _ = await join_class(make_client, classes[3].code, "Sist", "198.51.100.3")
    assert r.status_code == 200
    clock.advance(timedelta(hours=1))
    r, _ = await join_class(make_client, school_class.code, "En till", "10.7.99.1")
    assert r.status_code == 200


async def test_join_codes_cannot_be_guessed_by_trying(signed_in, clock):
    await make_event()
    anna_client, _ = await signed_in("Anna")
    team = await create_team(anna_client)
    bo_client, bo = await signed_in("Bo", ip="203.0.113.60")
    for i in range(10):
        r = await join(bo_client, f"ZZZ{i:03d}")
        assert r.status_code == 422 and "Inget lag i det här evenemanget har den koden" in r.text
    r = await join(bo_client, team.join_code)
    assert r.status_code == 422
    assert "För många felaktiga lagkoder. Försök igen om 30 sekunder." in r.text
    assert (await Team.get(id=team.id)).member_count == 1
    # Another person elsewhere is not slowed by Bo's guesses.
    cecilia_client, _ = await signed_in("Cecilia", ip="198.51.100.61")
    assert (await join(cecilia_client, team.join_code)).status_code == 303
    clock.advance(timedelta(seconds=30))
    assert (await join(bo_client, team.join_code)).status_code == 303


async def test_join_codes_from_one_network_are_capped(signed_in):
    """Many accounts guessing from one address: fifty wrong codes an hour for all of them."""
    await make_event()
    anna_client, _ = await signed_in("Anna")
    team = await create_team(anna_client)
    for n in range(5):
        client, _ = await signed_in(f"Gissare{n}", ip="203.0.113.70")
        for i in range(10):
            r = await join(client, f"Z{n}Z{i:03d}")
            assert "Inget lag i det här evenemanget har den koden" in r.text, (n, i)
    client, _ = await signed_in("Gissare9", ip="203.0.113.70")
    r = await join(client, team.join_code)
    assert r.status_code == 422
    assert "För många felaktiga lagkoder från det här nätverket" in r.text
    assert await User.filter(display_name="Gissare9").exists()
