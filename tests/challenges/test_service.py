"""Pure helpers and service rules."""
from __future__ import annotations

import pytest

from challenges import service
from challenges.models import Challenge, is_web_url
from challenges.service import ChallengeInput, slugify
from tests.challenges.conftest import add_challenge


@pytest.mark.parametrize("text, slug", [
    ("Smartare parkering", "smartare-parkering"),
    ("Grönare Älvsjö & Åsö!", "gronare-alvsjo-aso"),
    ("  --Café  Noël--  ", "cafe-noel"),
    ("ÅÄÖ åäö", "aao-aao"),
    ("!!!", ""),
    ("a" * 100, "a" * 80),
])
def test_slugify(text, slug):
    assert slugify(text) == slug


@pytest.mark.parametrize("url, ok", [
    ("https://data.sodertalje.se/x.csv", True),
    ("http://example.se", True),
    ("ftp://example.se/x", False),
    ("javascript:alert(1)", False),
    ("https://", False),
    ("data.sodertalje.se/x.csv", False),
    ("https://exa mple.se", False),
])
def test_dataset_urls(url, ok):
    assert is_web_url(url) is ok


async def test_search_text_follows_every_save(world):
    c = await add_challenge(world.event, "ÅTERBRUK", summary="Mindre Avfall",
                            organisation="Östra Förvaltningen")
    assert (await Challenge.get(id=c.id)).search_text == \
        "aterbruk mindre avfall ostra forvaltningen"
    await service.save_challenge(world.event, ChallengeInput(
        title="Cirkulär Ekonomi", slug=c.slug, organisation_name="Kommunstyrelsen"),
        challenge=c)
    assert (await Challenge.get(id=c.id)).search_text == "cirkular ekonomi kommunstyrelsen"


async def test_list_is_in_swedish_alphabetical_order_on_every_database(world, client):
    for title in ["Öppna data", "Ängsmark", "Zebralinjer", "avfall", "Åsa", "Café", "Cykel"]:
        await add_challenge(world.event, title)
    r = await client.get("/events/hack/challenges")
    order = ["avfall", "Café", "Cykel", "Zebralinjer", "Åsa", "Ängsmark", "Öppna data"]
    positions = [r.text.index(f">{t}</a></h2>") for t in order]
    assert positions == sorted(positions)
    api = (await client.get("/api/events/hack/challenges")).json()
    assert [c["title"] for c in api["challenges"]] == order
