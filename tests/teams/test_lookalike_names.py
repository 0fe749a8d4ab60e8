"""Lookalike names: invisible characters, text-direction controls and mixed alphabets in
nicknames, team names, display names and email addresses are normalised or refused with a
message, and nicknames (per class) and team names (per event) are unique whatever their case,
in the database itself."""
from __future__ import annotations

import asyncio

import pytest

from events.models import EventKind
from samskapa.auth.models import User
from school.models import Pupil
from teams.models import Team
from tests.school.test_school import LOGIN_CODE_RE, pupil_login, teacher_with_class
from tests.teams.conftest import PASSWORD, make_event

TAKEN = "Någon i klassen har redan det smeknamnet. Välj ett annat."
MIXED = "blandar bokstäver från olika alfabet"
DIRECTION = "Ta bort tecknen för textriktning"


async def class_of(signed_in):
    event = await make_event("skola", kind=EventKind.SCHOOL)
    _client, _teacher, school_class = await teacher_with_class(signed_in, event)
    return school_class


async def test_concurrent_joins_with_one_nickname_make_one_pupil(make_client, signed_in):
    school_class = await class_of(signed_in)
    nicknames = ["Skuggan", "skuggan", "SKUGGAN", "Skuggan\u200b", "Ｓｋｕｇｇａｎ"]
    clients = [await make_client(f"10.0.0.{i}") for i in range(len(nicknames))]
    responses = await asyncio.gather(*(
        c.post_form("/pupil/join", {"class_code": school_class.code, "nickname": n})
        for c, n in zip(clients, nicknames)))
    joined = [(c, r) for c, r in zip(clients, responses) if r.status_code == 200]
    assert len(joined) == 1, [r.status_code for r in responses]
    assert await Pupil.filter(school_class=school_class).count() == 1
    for r in responses:
        if r.status_code != 200:
            assert r.status_code == 422 and TAKEN in r.text
    # The one pupil signs in by the nickname in any case, and with invisible characters in it.
    login_code = LOGIN_CODE_RE.search(joined[0][1].text).group(1)
    pupil = await Pupil.get(school_class=school_class)
    assert pupil.nickname == "Skuggan" or pupil.nickname == "SKUGGAN" or \
        pupil.nickname == "skuggan"
    for typed in ("sKuGgAn", "Skug\u00adgan", "\ufeffSKUGGAN"):
        r = await pupil_login(await make_client("10.0.1.1"), school_class.code, typed,
                              login_code)
        assert r.status_code == 303, (typed, r.text[-1000:])


@pytest.mark.parametrize("nickname, message", [
    ("Skugg\u0430n", MIXED),             # a Cyrillic а among Latin letters
    ("Sku\u202eggan", DIRECTION),        # right-to-left override
    ("Sku\u2067ggan\u2069", DIRECTION),  # right-to-left isolate
])
async def test_lookalike_nicknames_are_refused(make_client, signed_in, nickname, message):
    school_class = await class_of(signed_in)
    client = await make_client()
    r = await client.post_form("/pupil/join", {"class_code": school_class.code,
                                               "nickname": nickname})
    assert r.status_code == 422 and message in r.text
    assert not await Pupil.exists()


async def test_nickname_in_another_alphabet_is_its_own(make_client, signed_in):
    school_class = await class_of(signed_in)
    for nickname in ("Skuggan", "Скугган"):  # Latin, then all Cyrillic: both fine
        r = await (await make_client()).post_form(
            "/pupil/join", {"class_code": school_class.code, "nickname": nickname})
        assert r.status_code == 200, r.text[-800:]
    assert await Pupil.filter(school_class=school_class).count() == 2


async def test_concurrent_team_names_make_one_team(signed_in):
    event = await make_event("hack")
    clients = [(await signed_in(f"Person{i}"))[0] for i in range(4)]
    names = ["Kodknäckarna", "kodknäckarna", "KODKNÄCKARNA", "Kod\u200bknäckarna"]
    responses = await asyncio.gather(*(
        c.post_form("/events/hack/teams/new", {"name": n}) for c, n in zip(clients, names)))
    assert sorted(r.status_code for r in responses) == [303, 422, 422, 422]
    assert await Team.filter(event=event).count() == 1
    for r in responses:
        if r.status_code == 422:
            assert "Det finns redan ett lag med det namnet i evenemanget." in r.text


async def test_team_names_are_normalised_or_refused(signed_in):
    await make_event("hack")
    client, _user = await signed_in("Anna")
    r = await client.post_form("/events/hack/teams/new", {"name": "Gr\u0435na"})  # Cyrillic е
    assert r.status_code == 422 and MIXED in r.text
    r = await client.post_form("/events/hack/teams/new", {"name": "Lag\u202e ett"})
    assert r.status_code == 422 and DIRECTION in r.text
    r = await client.post_form("/events/hack/teams/new",
                               {"name": " Gröna\u00ad  Lag\ufeff\u200d "})
    assert r.status_code == 303
    assert (await Team.get()).name == "Gröna Lag"


async def test_display_names_and_emails_are_normalised_or_refused(make_client):
    client = await make_client()
    r = await client.post_form("/register", {"display_name": "Anna\u202e Berg",
                                             "email": "anna@example.se", "password": PASSWORD})
    assert r.status_code == 422 and DIRECTION in r.text
    r = await client.post_form("/register", {"display_name": "Anna Berg",
                                             "email": "anna@ex\u0430mple.se",
                                             "password": PASSWORD})
    assert r.status_code == 422 and MIXED in r.text
    r = await client.post_form("/register", {"display_name": "\u200bAnna   Berg\u00ad",
                                             "email": "Anna\u200b@Example.se",
                                             "password": PASSWORD})
    assert r.status_code == 303, r.text[-800:]
    user = await User.get()
    assert (user.display_name, user.email) == ("Anna Berg", "anna@example.se")
    # The same address with an invisible character is the same account.
    other = await make_client()
    r = await other.post_form("/register", {"display_name": "Annan", "password": PASSWORD,
                                            "email": "anna@exam\u200bple.se"})
    assert r.status_code == 422 and "Det finns redan ett konto med den här e-postadressen" \
        in r.text
    r = await other.post_form("/login", {"email": "ANNA@example.se\u200b", "password": PASSWORD})
    assert r.status_code == 303


async def test_the_database_itself_holds_the_folded_uniqueness(signed_in):
    """Whatever path writes the row: the unique key column refuses a second Skuggan."""
    from tortoise.exceptions import IntegrityError

    school_class = await class_of(signed_in)
    users = [await User.create(display_name=n, is_pupil=True) for n in ("a", "b")]
    await Pupil.create(user=users[0], school_class=school_class, nickname="Skuggan")
    with pytest.raises(IntegrityError):
        await Pupil.create(user=users[1], school_class=school_class, nickname="SKUGGAN")
    event = await make_event("hack")
    await Team.create(event=event, name="Laget", join_code="AAAAAA")
    with pytest.raises(IntegrityError):
        await Team.create(event=event, name="LAGET\u200b", join_code="BBBBBB")
