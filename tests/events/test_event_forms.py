"""Creating, editing and publishing events: who may, and what bad input gets back."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from events import service
from events.models import Event, EventRole, Role
from samskapa.errors import ValidationError
from samskapa.i18n import TIMEZONE
from teams.models import Team
from tests.events.helpers import make_event, make_user, signed_in


def local(value: datetime) -> str:
    return value.astimezone(TIMEZONE).strftime("%Y-%m-%dT%H:%M")


def event_form(**overrides) -> dict:
    start = datetime(2027, 3, 1, 9, 0, tzinfo=TIMEZONE)
    data = {
        "title": "Hack for Södertälje 2027", "slug": "hack-2027",
        "summary": "24 timmar", "description": "Vi **bygger** tillsammans.",
        "venue": "Södertälje Science Park", "kind": "hackathon", "max_team_size": "5",
        "registration_opens": local(start - timedelta(days=30)),
        "registration_closes": local(start - timedelta(days=1)),
        "hacking_starts": local(start),
        "submissions_close": local(start + timedelta(hours=24)),
        "judging_closes": local(start + timedelta(days=3)),
        "results_published": local(start + timedelta(days=4)),
    }
    data.update(overrides)
    return data


async def test_admin_creates_a_draft_and_becomes_organiser(make_client):
    admin = await make_user("admin@example.se", admin=True)
    c = await signed_in(make_client, admin)
    r = await c.post_form("/events/new", event_form(), token_from="/events/new")
    assert r.status_code == 303 and r.headers["location"] == "/events/hack-2027"
    event = await Event.get(slug="hack-2027")
    assert not event.published
    # Times typed in Swedish local time (CET in March) are stored as the same instant.
    assert event.hacking_starts == datetime(2027, 3, 1, 8, 0, tzinfo=timezone.utc)
    assert await EventRole.exists(event=event, user=admin, role=Role.ORGANISER)
    page = await c.get("/events/hack-2027")
    assert "<strong>bygger</strong>" in page.text and "Utkast" in page.text


async def test_only_site_admins_create_events(make_client, client):
    r = await client.get("/events/new")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    user = await make_user("bo@example.se")
    c = await signed_in(make_client, user)
    r = await c.get("/events/new")
    assert r.status_code == 403
    r = await c.post_form("/events/new", event_form(), token_from="/")
    assert r.status_code == 403 and not await Event.exists(slug="hack-2027")


async def test_schedule_out_of_order_keeps_input_and_marks_fields(make_client):
    admin = await make_user("admin@example.se", admin=True)
    c = await signed_in(make_client, admin)
    bad = event_form(registration_closes=event_form()["registration_opens"][:8] + "01T00:00",
                     results_published=event_form()["hacking_starts"], title="Mitt hack")
    r = await c.post_form("/events/new", bad, htmx=True, token_from="/events/new")
    assert r.status_code == 422
    assert "<html" not in r.text  # only the form block for htmx
    assert "Anmälan kan inte stänga innan den öppnar." in r.text
    assert "Resultaten kan inte publiceras innan bedömningen avslutas." in r.text
    assert 'value="Mitt hack"' in r.text and 'id="f-registration_closes-error"' in r.text
    assert not await Event.exists(slug="hack-2027")


async def test_missing_and_malformed_fields(make_client):
    admin = await make_user("admin@example.se", admin=True)
    c = await signed_in(make_client, admin)
    r = await c.post_form("/events/new", event_form(title="", slug="Hack 2027!",
                                                     hacking_starts="igår", max_team_size="0"),
                          token_from="/events/new")
    assert r.status_code == 422 and "<html" in r.text  # the whole page without htmx
    assert "Fältet måste fyllas i." in r.text
    assert "Använd små bokstäver a–z" in r.text and 'value="Hack 2027!"' in r.text
    assert 'id="f-hacking_starts-error"' in r.text and 'id="f-max_team_size-error"' in r.text


async def test_duplicate_slug_is_refused_with_a_specific_message(make_client):
    admin = await make_user("admin@example.se", admin=True)
    await make_event("hack-2027")
    c = await signed_in(make_client, admin)
    r = await c.post_form("/events/new", event_form(), htmx=True, token_from="/events/new")
    assert r.status_code == 422 and "Den adressen är redan upptagen." in r.text
    assert await Event.filter(slug="hack-2027").count() == 1


async def test_duplicate_slug_race_becomes_the_same_message(clean_db, monkeypatch):
    """Two admins creating the same address at once: the database's unique constraint decides,
    and the loser gets the field message rather than an error page."""
    admin = await make_user("admin@example.se", admin=True)
    await make_event("hack-2027")

    async def checked_before_the_other_insert(data, event):
        return None  # the check ran while the address was still free

    monkeypatch.setattr(service, "_check", checked_before_the_other_insert)
    form = event_form()
    data = service.EventData(
        title="X", slug="hack-2027", summary="", description="", venue="",
        kind=service.EventKind.HACKATHON, max_team_size=5,
        **{k: datetime.fromisoformat(form[k]).replace(tzinfo=TIMEZONE)
           for k in ("registration_opens", "registration_closes", "hacking_starts",
                     "submissions_close", "judging_closes", "results_published")})
    with pytest.raises(ValidationError) as caught:
        await service.create_event(data, admin, datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert caught.value.errors == {"slug": ("That address is already taken.", {})}
    assert await Event.filter(slug="hack-2027").count() == 1
    assert not await EventRole.exists(user=admin)  # the transaction left nothing behind


async def test_organiser_edits_and_renames(make_client):
    organiser = await make_user("org@example.se")
    event = await make_event("gammal", organiser=organiser)
    c = await signed_in(make_client, organiser)
    page = await c.get("/events/gammal/edit")
    assert page.status_code == 200 and 'value="gammal"' in page.text
    assert 'type="datetime-local"' in page.text
    assert f'value="{local(event.hacking_starts)}"' in page.text
    form = event_form(slug="ny-adress", title="Nytt namn")
    r = await c.post_form("/events/gammal/edit", form, token_from="/events/gammal/edit")
    assert r.status_code == 303 and r.headers["location"] == "/events/ny-adress"
    event = await Event.get(id=event.id)
    assert (event.slug, event.title) == ("ny-adress", "Nytt namn")
    assert (await c.get("/events/gammal")).status_code == 404


async def test_edit_to_a_taken_slug_and_too_small_teams(make_client):
    organiser = await make_user("org@example.se")
    event = await make_event("ett", organiser=organiser)
    await make_event("tva")
    await Team.create(event=event, name="Lag", join_code="ABC234", member_count=4)
    c = await signed_in(make_client, organiser)
    r = await c.post_form("/events/ett/edit", event_form(slug="tva", max_team_size="3"),
                          htmx=True, token_from="/events/ett/edit")
    assert r.status_code == 422 and "Den adressen är redan upptagen." in r.text
    assert "Ett lag har redan 4 medlemmar" in r.text
    assert (await Event.get(id=event.id)).slug == "ett"


async def test_others_cannot_edit(make_client, client):
    organiser = await make_user("org@example.se")
    await make_event("oppet", organiser=organiser)
    await make_event("utkast", organiser=organiser, published=False)
    stranger = await make_user("stranger@example.se")
    c = await signed_in(make_client, stranger)
    assert (await c.get("/events/oppet/edit")).status_code == 403
    r = await c.post_form("/events/oppet/edit", event_form(title="Kapat"), token_from="/")
    assert r.status_code == 403 and "Bara evenemangets arrangörer" in r.text
    assert (await c.get("/events/utkast/edit")).status_code == 404
    assert (await c.get("/events/finns-inte/edit")).status_code == 404
    assert (await client.get("/events/oppet/edit")).status_code == 303
    assert (await Event.get(slug="oppet")).title != "Kapat"


async def test_publish_and_unpublish_permissions(make_client, client):
    organiser = await make_user("org@example.se")
    event = await make_event("utkast", organiser=organiser, published=False)
    stranger = await make_user("stranger@example.se")
    s = await signed_in(make_client, stranger)
    assert (await s.post_form("/events/utkast/publish", token_from="/")).status_code == 404
    o = await signed_in(make_client, organiser, "127.0.0.2")
    r = await o.post_form("/events/utkast/publish", token_from="/events/utkast")
    assert r.status_code == 303 and (await Event.get(id=event.id)).published
    # Now visible, but still not the stranger's to change.
    assert (await s.post_form("/events/utkast/unpublish", token_from="/")).status_code == 403
    assert (await Event.get(id=event.id)).published
    r = await o.post_form("/events/utkast/unpublish", htmx=True, token_from="/events/utkast")
    assert r.status_code == 204 and r.headers["HX-Redirect"] == "/events/utkast"
    assert not (await Event.get(id=event.id)).published
    token = await client.csrf()
    r = await client.post("/events/utkast/publish", data={"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
