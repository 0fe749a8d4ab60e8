"""A jury member is warned before joining or creating a team; pupils land on their own class's
teams after joining or signing in, not on every class's."""
from __future__ import annotations

from events.models import EventKind, Role
from school.models import SchoolClass
from teams.models import Team
from tests.school.test_school import pupil_joins, pupil_login, teacher_with_class
from tests.teams.conftest import grant, make_event

JURY_WARNING = "Du är jurymedlem i det här evenemanget"


async def test_jury_member_is_warned_on_the_team_forms(signed_in):
    event = await make_event("hack")
    juror, juror_user = await signed_in("Julia")
    await grant(event, juror_user, Role.JURY)
    other, _ = await signed_in("Pelle", ip="127.0.0.2")
    for path in ("/events/hack/teams/new", "/events/hack/join"):
        assert JURY_WARNING in (await juror.get(path)).text, path
        assert JURY_WARNING not in (await other.get(path)).text, path
    # Still there when the form comes back with an error (htmx).
    r = await juror.post_form("/events/hack/join", {"code": "FEL999"}, htmx=True,
                              token_from="/events/hack/join")
    assert r.status_code == 422 and JURY_WARNING in r.text


async def test_pupils_land_on_their_own_class_teams(make_client, signed_in):
    event = await make_event("skola", kind=EventKind.SCHOOL)
    _, _, mine = await teacher_with_class(signed_in, event, "Tina", "6B")
    other_teacher, other_user = await signed_in("Olle", ip="127.0.0.3")
    await grant(event, other_user, Role.TEACHER)
    other = await SchoolClass.create(event=event, name="7A", teacher=other_user, code="SJUAAA")
    await Team.create(event=event, name="Sexorna", join_code="SEX234", school_class=mine)
    await Team.create(event=event, name="Sjuorna", join_code="SJU234", school_class=other)

    client, login_code, r = await pupil_joins(make_client, mine.code, "Blixten")
    landing = f"/events/skola/teams?class={mine.id}"
    assert f'href="{landing}"' in r.text
    page = await client.get(landing)
    assert page.status_code == 200 and "Lag i klass 6B" in page.text
    assert "Sexorna" in page.text and "Sjuorna" not in page.text

    r = await pupil_login(await make_client(), mine.code, "Blixten", login_code)
    assert r.status_code == 303 and r.headers["location"] == landing

    # Another event's class, or an id that is no id, is not a class of this listing.
    for bad in (str(other.id + 1000), "abc", "²", str(2**63)):
        assert (await client.get(f"/events/skola/teams?class={bad}")).status_code == 404, bad
