"""Organisers manage the themes of their event."""
from __future__ import annotations

from challenges.models import Challenge, Theme
from tests.challenges.conftest import add_challenge

URL = "/events/hack/themes"


async def test_organiser_adds_a_theme_with_derived_slug(world, as_user):
    organiser = await as_user(world.organiser)
    page = await organiser.get(URL)
    assert page.status_code == 200 and "Miljömässig hållbarhet" in page.text
    r = await organiser.post_form(URL, {"name_sv": "Trygghet & Öppenhet",
                                        "name_en": "Safety and openness"})
    assert r.status_code == 303 and r.headers["location"] == URL
    theme = await Theme.get(event_id=world.event.id, slug="trygghet-oppenhet")
    assert theme.name_en == "Safety and openness"
    # htmx gets the themes block back, with the new theme and a fresh form.
    r = await organiser.post_form(URL, {"name_sv": "Kultur", "name_en": "Culture"}, htmx=True)
    assert r.status_code == 200 and "<html" not in r.text
    assert "Temat Kultur har lagts till." in r.text and 'id="themes"' in r.text
    assert 'name="name_sv" type="text"\n        value=""' in r.text
    # The new theme is offered in the challenge list's filter.
    listing = await organiser.get("/events/hack/challenges")
    assert '<option value="kultur" >Kultur</option>' in listing.text


async def test_bad_theme_input_is_kept(world, as_user):
    organiser = await as_user(world.organiser)
    r = await organiser.post_form(URL, {"name_sv": "Mobilitet", "name_en": "Mobility again"},
                                  htmx=True)
    assert r.status_code == 422
    assert "Evenemanget har redan ett tema med det här namnet." in r.text
    assert 'value="Mobility again"' in r.text
    r = await organiser.post_form(URL, {"name_sv": "", "name_en": "Only English"}, htmx=True)
    assert r.status_code == 422 and "Fältet måste fyllas i." in r.text
    assert 'value="Only English"' in r.text
    r = await organiser.post_form(URL, {"name_sv": "!!!", "name_en": "x"})
    assert r.status_code == 422 and "Använd minst en bokstav eller siffra i namnet." in r.text
    assert await Theme.filter(event_id=world.event.id).count() == 3


async def test_only_organisers_manage_themes(world, as_user, client):
    r = await client.get(URL)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    for user in (world.owner, world.participant):
        c = await as_user(user)
        r = await c.get(URL)
        assert r.status_code == 403
        assert (await c.post_form(URL, {"name_sv": "X", "name_en": "X"})).status_code == 403
        assert (await c.post_form(URL + "/miljo/delete", {})).status_code == 403
    for user in (world.owner, world.participant):
        r = await (await as_user(user)).get(URL)
        assert "Bara evenemangets arrangörer kan hantera dess teman." in r.text
    admin = await as_user(world.admin)
    assert (await admin.get(URL)).status_code == 200
    assert await Theme.filter(event_id=world.event.id).count() == 3


async def test_delete_unused_theme_and_detach_used_one(world, as_user):
    used = await add_challenge(world.event, "Cykel", themes=["mobilitet", "miljo"])
    organiser = await as_user(world.organiser)
    page = await organiser.get(URL)
    assert "Ta bort från 1 utmaning och radera" in page.text
    r = await organiser.post_form(URL + "/stadskarna/delete", {})
    assert r.status_code == 303
    # A used theme without detach is refused with a specific message, nothing lost.
    r = await organiser.post_form(URL + "/mobilitet/delete", {}, htmx=True)
    assert r.status_code == 422
    assert "Temat används fortfarande av 1 av evenemangets utmaningar." in r.text
    assert await Theme.exists(event_id=world.event.id, slug="mobilitet")
    r = await organiser.post_form(URL + "/mobilitet/delete", {"detach": "1"}, htmx=True)
    assert r.status_code == 200 and "Mobilitet" not in r.text
    challenge = await Challenge.get(id=used.id).prefetch_related("themes")
    assert [t.slug for t in challenge.themes] == ["miljo"]
    assert (await organiser.post_form(URL + "/finns-inte/delete", {})).status_code == 404
