"""The JSON read API: published challenges of published events only."""
from __future__ import annotations

from tests.challenges.conftest import add_challenge, make_event


async def test_list_shape_and_filters(world, client):
    await add_challenge(world.event, "Grönare Älvsjö", themes=["miljo"], datasets=1,
                        summary="Fler träd", organisation="Miljöförvaltningen")
    await add_challenge(world.event, "Parkering", themes=["mobilitet"])
    await add_challenge(world.event, "Utkast", published=False)
    r = await client.get("/api/events/hack/challenges")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.headers["access-control-allow-origin"] == "*"  # open data: any site may read it
    body = r.json()
    assert body["count"] == 2 and body["event"]["slug"] == "hack"
    first = body["challenges"][0]
    assert first == {
        "slug": "gronare-alvsjo", "title": "Grönare Älvsjö", "summary": "Fler träd",
        "description": "", "expected_outcome": "", "organisation": "Miljöförvaltningen",
        "themes": [{"slug": "miljo", "name_sv": "Miljömässig hållbarhet",
                    "name_en": "Environmental sustainability"}],
        "datasets": [{"title": "Data 0", "url": "https://example.se/0.csv", "licence": "CC0",
                      "format": "CSV"}],
        "contact": {"name": "", "email": ""},
        "url": "http://testserver/events/hack/challenges/gronare-alvsjo",
    }
    assert [c["slug"] for c in body["challenges"]] == ["gronare-alvsjo", "parkering"]
    r = await client.get("/api/events/hack/challenges", params={"theme": "mobilitet"})
    assert [c["slug"] for c in r.json()["challenges"]] == ["parkering"]
    r = await client.get("/api/events/hack/challenges", params={"q": "ÄLVSJÖ"})
    assert [c["slug"] for c in r.json()["challenges"]] == ["gronare-alvsjo"]


async def test_single_challenge_and_404s(world, client, as_user):
    await add_challenge(world.event, "Parkering", themes=["mobilitet", "miljo"])
    await add_challenge(world.event, "Utkast", published=False, owner=world.owner)
    r = await client.get("/api/events/hack/challenges/parkering")
    assert r.status_code == 200 and r.json()["title"] == "Parkering"
    assert [t["slug"] for t in r.json()["themes"]] == ["miljo", "mobilitet"]
    for path in ["/api/events/hack/challenges/utkast", "/api/events/hack/challenges/nej",
                 "/api/events/nej/challenges"]:
        r = await client.get(path)
        assert r.status_code == 404 and r.json()["error"] == "not_found", path
    # A draft stays hidden in the API even from its owner and organisers.
    organiser = await as_user(world.organiser)
    assert (await organiser.get("/api/events/hack/challenges/utkast")).status_code == 404
    await make_event("dold", published=False)
    r = await client.get("/api/events/dold/challenges")
    assert r.status_code == 404
    assert r.json()["message"] == "Det finns inget evenemang på den här adressen."
