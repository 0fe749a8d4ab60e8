"""Drafts are invisible to everyone but their organisers and site admins (page, API, iCal, start
page); registration as a participant follows the clock."""
from __future__ import annotations

from events.models import Event, EventKind, EventRole, Role
from teams.models import Team, TeamMember
from tests.events.helpers import make_event, make_user, signed_in

DRAFT_PATHS = ["/events/utkast", "/api/events/utkast", "/events/utkast/calendar.ics",
               "/events/utkast/dashboard"]


async def test_drafts_are_404_for_anonymous_and_participants(make_client, client):
    organiser = await make_user("org@example.se")
    draft = await make_event("utkast", organiser=organiser, published=False, title="Hemligt")
    participant = await make_user("p@example.se")
    await EventRole.create(event=draft, user=participant, role=Role.PARTICIPANT)
    p = await signed_in(make_client, participant)
    for c in (client, p):
        for path in DRAFT_PATHS[:3]:
            r = await c.get(path)
            assert r.status_code == 404, path
            assert "Hemligt" not in r.text
        assert "Hemligt" not in (await c.get("/")).text
        assert (await c.get("/api/events")).json() == {"events": []}
    page = await client.get("/events/utkast")
    assert "Sidan hittades inte" in page.text  # the 404 page in Swedish
    api = await client.get("/api/events/utkast")
    assert api.headers["content-type"].startswith("application/json")
    assert api.json()["error"] == "not_found"


async def test_drafts_are_visible_to_organisers_and_admins(make_client):
    organiser = await make_user("org@example.se")
    admin = await make_user("admin@example.se", admin=True)
    await make_event("utkast", organiser=organiser, published=False, title="Hemligt")
    for i, user in enumerate((organiser, admin)):
        c = await signed_in(make_client, user, f"127.0.0.{i + 2}")
        for path in DRAFT_PATHS:
            r = await c.get(path)
            assert r.status_code == 200, (user.email, path)
        home = await c.get("/")
        assert "Hemligt" in home.text and "Utkast (syns bara" in home.text
        # The public list stays published-only even for organisers.
        assert (await c.get("/api/events")).json() == {"events": []}


async def test_home_lists_published_events_upcoming_first_with_phase(client):
    await make_event("forra-aret", title="Förra året", phase="results")
    await make_event("snart", title="Snart", phase="upcoming")
    await make_event("nu", title="Pågår", phase="hacking")
    text = (await client.get("/")).text
    assert text.index("Pågår") < text.index("Snart") < text.index("Förra året")
    assert "Hackande pågår" in text and "Kommande" in text and "Resultaten publiceras" in text


async def test_register_while_open_then_update_skills(make_client):
    await make_event("hack")
    user = await make_user("p@example.se")
    c = await signed_in(make_client, user)
    page = await c.get("/events/hack")
    assert "Anmäl dig som deltagare" in page.text and "Anmälan öppen" in page.text
    r = await c.post_form("/events/hack/register", {"skills": "Python, GIS",
                                                    "looking_for_team": "on"},
                          token_from="/events/hack")
    assert r.status_code == 303
    role = await EventRole.get(user=user, role=Role.PARTICIPANT)
    assert (role.skills, role.looking_for_team) == ("Python, GIS", True)
    page = await c.get("/events/hack")
    assert "Du är anmäld som deltagare." in page.text and 'value="Python, GIS"' in page.text
    assert "Ditt lag" not in page.text
    event = await Event.get(slug="hack")
    team = await Team.create(event=event, name="Pixlarna", join_code="PIX234", member_count=1)
    await TeamMember.create(team=team, event=event, user=user)
    page = await c.get("/events/hack")
    assert f'href="/events/hack/teams/{team.id}">Pixlarna</a>' in page.text
    r = await c.post_form("/events/hack/register", {"skills": "Design"}, htmx=True,
                          token_from="/events/hack")
    assert r.status_code == 200 and "<html" not in r.text and "Sparat." in r.text
    role = await EventRole.get(id=role.id)
    assert (role.skills, role.looking_for_team) == ("Design", False)
    assert await EventRole.filter(user=user).count() == 1


async def test_registration_closed_is_refused_on_the_server(make_client):
    await make_event("stangd", phase="closed")
    await make_event("kommande", phase="upcoming")
    user = await make_user("p@example.se")
    c = await signed_in(make_client, user)
    page = await c.get("/events/stangd")
    assert "Anmälan stängd" in page.text and "Anmäl dig som deltagare" not in page.text
    # A hand-made POST (no form on the page) is still refused, with the reason.
    r = await c.post_form("/events/stangd/register", {"skills": "Python"},
                          token_from="/events/stangd")
    assert r.status_code == 400
    assert "Anmälan till det här evenemanget är stängd." in r.text
    r = await c.post_form("/events/stangd/register", {"skills": "Python"}, htmx=True,
                          token_from="/events/stangd")
    assert r.status_code == 400 and "<html" not in r.text and "är stängd" in r.text
    r = await c.post_form("/events/kommande/register", {}, token_from="/events/kommande")
    assert r.status_code == 400 and "har inte öppnat än" in r.text
    assert not await EventRole.exists(user=user)


async def test_register_needs_sign_in_and_a_visible_event(make_client, client):
    organiser = await make_user("org@example.se")
    await make_event("hack")
    await make_event("utkast", organiser=organiser, published=False)
    token = await client.csrf()
    r = await client.post("/events/hack/register", data={"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    assert "Logga in för att anmäla dig" in (await client.get("/events/hack")).text
    user = await make_user("p@example.se")
    c = await signed_in(make_client, user)
    r = await c.post_form("/events/utkast/register", {}, token_from="/events/hack")
    assert r.status_code == 404
    r = await c.post_form("/events/hack/register", {"skills": "x" * 301},
                          token_from="/events/hack")
    assert r.status_code == 422 and "x" * 301 in r.text
    assert not await EventRole.exists(user=user)


async def test_language_switch_shows_english_and_english_dates(client):
    event = await make_event("hack", kind=EventKind.SCHOOL)
    sv = await client.get("/events/hack")
    assert "Anmälan öppnar" in sv.text and "Minecraft-evenemang för skolor" in sv.text
    from babel.dates import format_date
    from samskapa.i18n import TIMEZONE
    local = event.registration_opens.astimezone(TIMEZONE)
    assert format_date(local, "full", locale="sv") in sv.text
    r = await client.get("/lang", params={"to": "en", "next": "/events/hack"})
    assert r.status_code == 303 and r.headers["location"] == "/events/hack"
    en = await client.get("/events/hack")
    assert "Registration opens" in en.text and "School Minecraft event" in en.text
    assert format_date(local, "full", locale="en_SE") in en.text
    assert format_date(local, "full", locale="sv") not in en.text
    assert '<html lang="en">' in en.text
