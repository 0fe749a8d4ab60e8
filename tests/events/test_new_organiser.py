"""What a new organiser trips over: the site admin lets municipal staff create events, past
dates are confirmed, the address comes from the title, the invite form preselects no role, the
registration confirmation is shown once with next steps, jury members in teams are flagged."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from events import service
from events.models import Event, EventRole, Role
from samskapa.auth.models import User
from teams.models import Team, TeamMember
from tests.events.helpers import make_event, make_user, signed_in
from tests.events.test_event_forms import event_form, local


async def grant_creating(admin_client, user: User, allowed: bool = True):
    return await admin_client.post_form(f"/admin/users/{user.id}/may-create-events",
                                        {"allowed": "1" if allowed else "0", "q": "kommun"},
                                        token_from="/admin/users")


# --- 1. the site admin lets an account create events ------------------------------------------

async def test_admin_grants_creating_events_and_the_user_organises_the_new_event(make_client):
    admin = await make_user("admin@example.se", admin=True)
    anna = await make_user("anna@kommun.se", name="Anna Andersson")
    a = await signed_in(make_client, admin)
    u = await signed_in(make_client, anna, "127.0.0.2")

    # Before: no menu entry, no form, no creating.
    assert 'href="/events/new"' not in (await u.get("/")).text
    assert (await u.get("/events/new")).status_code == 403
    r = await u.post_form("/events/new", event_form(), token_from="/")
    assert r.status_code == 403 and not await Event.exists(slug="hack-2027")

    # The admin finds her by email and grants it.
    page = await a.get("/admin/users?q=KOMMUN")
    assert page.status_code == 200 and "anna@kommun.se" in page.text
    # Not before she has proved the address is hers (anyone can register someone's address):
    # the page says so instead of offering the button, and the server refuses it anyway.
    assert "adressen inte bekräftad" in page.text
    assert "Kan få rätten när adressen är bekräftad" in page.text
    assert "Ge rätt att skapa evenemang" not in page.text
    r = await grant_creating(a, anna)
    assert r.status_code == 422 and "anna@kommun.se har inte bekräftat adressen" in r.text
    assert not (await User.get(id=anna.id)).may_create_events
    await User.filter(id=anna.id).update(email_verified_at=datetime.now(timezone.utc))
    assert "Ge rätt att skapa evenemang" in (await a.get("/admin/users?q=KOMMUN")).text
    r = await grant_creating(a, anna)
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/users?q=kommun")
    anna = await User.get(id=anna.id)
    assert anna.may_create_events and not anna.is_admin
    page = await a.get("/admin/users")
    assert "anna@kommun.se" in page.text and "Ta bort rätten att skapa evenemang" in page.text

    # She sees "New event", creates one and organises it, without being a site admin.
    assert 'href="/events/new"' in (await u.get("/")).text
    assert 'href="/admin/users"' not in (await u.get("/")).text
    assert (await u.get("/events/new")).status_code == 200
    r = await u.post_form("/events/new", event_form(), token_from="/events/new")
    assert r.status_code == 303 and r.headers["location"] == "/events/hack-2027"
    event = await Event.get(slug="hack-2027")
    assert await EventRole.exists(event=event, user=anna, role=Role.ORGANISER)
    assert (await u.get("/events/hack-2027/dashboard")).status_code == 200
    assert (await u.get("/admin/users")).status_code == 403  # still no site admin

    # Revoked: no more new events (the one she organises stays hers).
    await grant_creating(a, anna, allowed=False)
    assert (await u.get("/events/new")).status_code == 403
    r = await u.post_form("/events/new", event_form(slug="hack-2028"), token_from="/")
    assert r.status_code == 403 and not await Event.exists(slug="hack-2028")
    assert (await u.get("/events/hack-2027/edit")).status_code == 200


async def test_only_the_site_admin_grants_and_never_to_a_pupil(make_client):
    admin = await make_user("admin@example.se", admin=True)
    bo = await make_user("bo@kommun.se")
    pupil = await User.create(display_name="Creeper", is_pupil=True)
    b = await signed_in(make_client, bo)
    assert (await b.get("/admin/users?q=kommun")).status_code == 403
    a = await signed_in(make_client, admin, "127.0.0.2")
    r = await a.get("/admin/users?q=ko%00mmun")  # a NUL byte (PostgreSQL refuses it in text)
    assert r.status_code == 400 and "styrtecken" in r.text
    r = await a.get("/admin/users?q=kommun")
    assert r.status_code == 200 and "bo@kommun.se" in r.text
    r = await grant_creating(b, bo)
    assert r.status_code == 403 and not (await User.get(id=bo.id)).may_create_events
    for user_id in (pupil.id, 999999, 2**40):
        r = await a.post_form(f"/admin/users/{user_id}/may-create-events", {"allowed": "1"},
                              token_from="/admin/users")
        assert r.status_code == 404, user_id
    assert not (await User.get(id=pupil.id)).may_create_events


# --- 2. past dates are confirmed, the input kept ----------------------------------------------

def past_form(**overrides) -> dict:
    start = datetime.now(timezone.utc) - timedelta(days=40)
    return event_form(registration_opens=local(start - timedelta(days=30)),
                      registration_closes=local(start - timedelta(days=1)),
                      hacking_starts=local(start), submissions_close=local(start + timedelta(1)),
                      judging_closes=local(start + timedelta(days=3)),
                      results_published=local(start + timedelta(days=4)), **overrides)


async def test_past_dates_are_asked_about_and_created_once_confirmed(make_client):
    admin = await make_user("admin@example.se", admin=True)
    c = await signed_in(make_client, admin)
    form = past_form(title="Förra årets hack", venue="Stadshuset")
    r = await c.post_form("/events/new", form, htmx=True, token_from="/events/new")
    assert r.status_code == 422 and not await Event.exists(slug="hack-2027")
    assert "Några datum har redan passerat" in r.text
    assert 'href="#f-hacking_starts"' in r.text and 'name="confirm_past"' in r.text
    assert 'value="Förra årets hack"' in r.text and 'value="Stadshuset"' in r.text
    assert f'value="{form["hacking_starts"]}"' in r.text
    r = await c.post_form("/events/new", {**form, "confirm_past": "on"},
                          token_from="/events/new")
    assert r.status_code == 303 and await Event.exists(slug="hack-2027")


async def test_registration_opening_in_the_past_alone_is_not_asked_about(make_client):
    """Registration that opens "now" (a time already passed) is what organisers usually mean."""
    admin = await make_user("admin@example.se", admin=True)
    c = await signed_in(make_client, admin)
    yesterday = datetime.now(timezone.utc) - timedelta(days=1)
    r = await c.post_form("/events/new", event_form(registration_opens=local(yesterday)),
                          token_from="/events/new")
    assert r.status_code == 303 and await Event.exists(slug="hack-2027")


# --- 3. the address comes from the title ------------------------------------------------------

async def test_empty_address_is_made_from_the_title_and_kept_unique(make_client):
    admin = await make_user("admin@example.se", admin=True)
    await make_event("hack-for-sodertalje-2027")
    c = await signed_in(make_client, admin)
    for expected in ("hack-for-sodertalje-2027-2", "hack-for-sodertalje-2027-3"):
        r = await c.post_form("/events/new", event_form(title="Hack för Södertälje 2027",
                                                         slug=""), token_from="/events/new")
        assert r.status_code == 303 and r.headers["location"] == f"/events/{expected}"
    r = await c.post_form("/events/new", event_form(title="Åre, Älvsjö & Öland!", slug=""),
                          token_from="/events/new")
    assert r.headers["location"] == "/events/are-alvsjo-oland"
    # A typed address is kept as typed, and refused when taken (no silent suffix).
    r = await c.post_form("/events/new", event_form(title="X", slug="are-alvsjo-oland"),
                          token_from="/events/new")
    assert r.status_code == 422 and "Den adressen är redan upptagen." in r.text
    # /events/new is the form itself: an event there could never be opened (found walking).
    r = await c.post_form("/events/new", event_form(title="X", slug="new"),
                          token_from="/events/new")
    assert r.status_code == 422 and "Samskapa använder den adressen" in r.text
    r = await c.post_form("/events/new", event_form(title="New", slug=""),
                          token_from="/events/new")
    assert r.headers["location"] == "/events/new-2"
    # Editing: an emptied address is made from the (new) title again.
    r = await c.post_form("/events/are-alvsjo-oland/edit",
                          event_form(title="Hack i Järna", slug=""),
                          token_from="/events/are-alvsjo-oland/edit")
    assert r.status_code == 303 and r.headers["location"] == "/events/hack-i-jarna"


async def test_the_address_is_suggested_live_as_the_title_is_typed(make_client, client):
    admin = await make_user("admin@example.se", admin=True)
    await make_event("minecraft-hackathon")
    c = await signed_in(make_client, admin)
    form = await c.get("/events/new")
    assert 'hx-get="/events/new/address"' in form.text and 'id="slug-suggestion"' in form.text
    r = await c.get("/events/new/address", params={"title": "Minecraft-hackathon"},
                    headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<html" not in r.text
    assert "/events/minecraft-hackathon-2" in r.text
    assert (await client.get("/events/new/address?title=x")).status_code == 303  # sign in
    bo = await make_user("bo@example.se")
    b = await signed_in(make_client, bo, "127.0.0.2")
    assert (await b.get("/events/new/address?title=x")).status_code == 403


def test_slug_from_title_transliterates_swedish_letters():
    assert service.slug_from_title("Hack för Södertälje 2026") == "hack-for-sodertalje-2026"
    assert service.slug_from_title("  Ån, ängen & öarna  ") == "an-angen-oarna"
    assert service.slug_from_title("!!!") == service.SLUG_FALLBACK
    long = service.slug_from_title("Ett mycket långt namn " * 10)
    assert len(long) <= service.SLUG_MAX - 4 and not long.endswith("-")


# --- 4. the invite form preselects no role ----------------------------------------------------

async def test_invite_form_makes_the_organiser_choose_a_role(make_client):
    organiser = await make_user("org@example.se")
    await make_event("hack", organiser=organiser)
    o = await signed_in(make_client, organiser)
    page = await o.get("/events/hack/invite")
    selected = re.findall(r'<option value="([^"]*)" selected', page.text)
    assert selected == [""], selected
    r = await o.post_form("/events/hack/invite", {"email": "kim@example.se", "role": ""},
                          htmx=True, token_from="/events/hack/invite")
    assert r.status_code == 422 and 'value="kim@example.se"' in r.text
    assert 'id="f-role-error"' in r.text
    r = await o.post_form("/events/hack/invite", {"email": "kim@example.se", "role": "jury"},
                          htmx=True, token_from="/events/hack/invite")
    assert r.status_code == 200 and re.findall(r'<option value="([^"]*)" selected', r.text) == [""]


# --- 6. registering: one confirmation, then next steps ----------------------------------------

async def test_registration_confirms_once_with_next_steps(make_client):
    await make_event("hack")
    sara = await make_user("sara@example.se")
    c = await signed_in(make_client, sara)
    r = await c.post_form("/events/hack/register", {"skills": "Python"}, htmx=True,
                          token_from="/events/hack")
    assert r.status_code == 200
    assert r.text.count("anmäld som deltagare") == 1, r.text
    for link in ("/events/hack/teams/new", "/events/hack/join", "/events/hack/board",
                 "/events/hack/challenges"):
        assert f'href="{link}"' in r.text, link
    r = await c.post_form("/events/hack/register", {"skills": "Python, GIS"}, htmx=True,
                          token_from="/events/hack")
    assert "Sparat." in r.text and r.text.count("anmäld som deltagare") == 1
    # Without htmx: back to the page, the same one confirmation and the next steps.
    page = await c.get("/events/hack")
    section = page.text[page.text.index('id="registration"'):]
    assert section.count("anmäld som deltagare") == 1 and 'href="/events/hack/teams/new"' in section


# --- 5. a jury member in a team is flagged to the organiser -----------------------------------

async def test_jury_member_in_a_team_is_flagged_on_the_dashboard(make_client):
    organiser = await make_user("org@example.se")
    event = await make_event("hack", organiser=organiser)
    juror = await make_user("jury@example.se", name="Julia Jury")
    player = await make_user("p@example.se", name="Pelle Deltagare")
    await EventRole.create(event=event, user=juror, role=Role.JURY)
    o = await signed_in(make_client, organiser)
    assert "Jurymedlemmar i ett lag" not in (await o.get("/events/hack/dashboard")).text
    team = await Team.create(event=event, name="Rävarna", join_code="RAV234", member_count=2)
    await TeamMember.create(team=team, event=event, user=juror)
    await TeamMember.create(team=team, event=event, user=player)
    page = (await o.get("/events/hack/dashboard")).text
    flagged = page[page.index("Jurymedlemmar i ett lag"):page.index('id="deadline-heading"')]
    assert "Julia Jury" in flagged and f'/events/hack/teams/{team.id}' in flagged
    assert "Pelle Deltagare" not in flagged
