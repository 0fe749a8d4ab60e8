"""The organiser's dashboard: the figures, the next deadline, the people; and who may see it."""
from __future__ import annotations

from challenges.models import Challenge
from events.models import EventKind, EventRole, Role
from samskapa.auth.models import User
from school.models import Pupil, SchoolClass
from teams.models import Team, TeamMember
from tests.events.helpers import make_event, make_user, signed_in


def count(html: str, name: str) -> int:
    marker = f'data-count="{name}">'
    start = html.index(marker) + len(marker)
    return int(html[start:html.index("<", start)])


async def test_dashboard_counts_and_next_deadline(make_client):
    organiser = await make_user("org@example.se", name="Olga Organisatör")
    event = await make_event("hack", organiser=organiser)
    other = await make_event("annat")
    users = [await make_user(f"u{i}@example.se", name=f"Deltagare {i}") for i in range(5)]
    for u in users[:4]:
        await EventRole.create(event=event, user=u, role=Role.PARTICIPANT, skills="Python")
    a = await Team.create(event=event, name="Alfa", join_code="AAA222", member_count=2)
    b = await Team.create(event=event, name="Beta", join_code="BBB333", member_count=1)
    for team, u in ((a, users[0]), (a, users[1]), (b, users[2])):
        await TeamMember.create(team=team, event=event, user=u)
    other_team = await Team.create(event=other, name="Annat", join_code="CCC444", member_count=1)
    await TeamMember.create(team=other_team, event=other, user=users[4])
    await Challenge.create(event=event, slug="c1", title="Ett", published=True)
    await Challenge.create(event=event, slug="c2", title="Två", published=True)
    await Challenge.create(event=event, slug="c3", title="Tre", published=False)
    await Challenge.create(event=other, slug="c1", title="Annan", published=True)
    c = await signed_in(make_client, organiser)
    r = await c.get("/events/hack/dashboard")
    assert r.status_code == 200
    assert [count(r.text, n) for n in ("teams", "members", "participants",
                                       "challenges_published", "challenges_draft")] == \
        [2, 3, 4, 2, 1]
    assert 'data-count="classes"' not in r.text  # not a school event
    assert "Nästa tidsgräns" in r.text and "Anmälan stänger" in r.text
    assert "Olga Organisatör" in r.text and "Deltagare 3" in r.text and "Arrangör" in r.text
    assert "Deltagare 4" not in r.text


async def test_school_dashboard_counts_classes_and_pupils(make_client):
    admin = await make_user("admin@example.se", admin=True)
    teacher = await make_user("larare@example.se")
    event = await make_event("skola", kind=EventKind.SCHOOL)
    await EventRole.create(event=event, user=teacher, role=Role.TEACHER)
    klass = await SchoolClass.create(event=event, name="5B", teacher=teacher, code="KLASS5B")
    await SchoolClass.create(event=event, name="5C", teacher=teacher, code="KLASS5C")
    for nick in ("Creeper", "Steve"):
        pupil = await User.create(display_name=nick, is_pupil=True)
        await Pupil.create(user=pupil, school_class=klass, nickname=nick)
    c = await signed_in(make_client, admin)
    r = await c.get("/events/skola/dashboard")
    assert r.status_code == 200
    assert count(r.text, "classes") == 2 and count(r.text, "pupils") == 2
    assert "Lärare" in r.text


async def test_dashboard_is_for_organisers_only(make_client, client):
    organiser = await make_user("org@example.se")
    event = await make_event("hack", organiser=organiser)
    await make_event("utkast", organiser=organiser, published=False)
    participant = await make_user("p@example.se")
    await EventRole.create(event=event, user=participant, role=Role.PARTICIPANT)
    owner = await make_user("owner@example.se")
    await EventRole.create(event=event, user=owner, role=Role.CHALLENGE_OWNER)
    for i, user in enumerate((participant, owner)):
        c = await signed_in(make_client, user, f"127.0.0.{i + 2}")
        r = await c.get("/events/hack/dashboard")
        assert r.status_code == 403 and "Bara evenemangets arrangörer" in r.text
        assert (await c.get("/events/utkast/dashboard")).status_code == 404
        assert "/dashboard" not in (await c.get("/events/hack")).text
    r = await client.get("/events/hack/dashboard")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/events/hack/dashboard"
    other_organiser = await make_user("annan@example.se")
    await EventRole.create(event=await make_event("annat"), user=other_organiser,
                           role=Role.ORGANISER)
    c = await signed_in(make_client, other_organiser, "127.0.0.9")
    assert (await c.get("/events/hack/dashboard")).status_code == 403
