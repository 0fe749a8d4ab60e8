"""The public challenge list: filter by theme and text, htmx fragments, URL kept, drafts hidden,
and a query count that does not grow with the number of challenges."""
from __future__ import annotations

import re
from contextlib import contextmanager

from tortoise import Tortoise

from events.models import Role
from tests.challenges.conftest import add_challenge, make_event, make_user

HX = {"HX-Request": "true"}


def titles(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/events/hack/challenges/[^"]+">([^<]+)</a></h2>', html)


async def seed(world):
    await add_challenge(world.event, "Smartare parkering", themes=["mobilitet"],
                        summary="Hitta en ledig plats i centrum", datasets=2)
    await add_challenge(world.event, "Grönare Älvsjö", themes=["miljo", "stadskarna"],
                        organisation="Miljöförvaltningen", summary="Fler träd")
    await add_challenge(world.event, "Cykelvägar", themes=["mobilitet", "miljo"],
                        organisation="Trafikkontoret", summary="Säkra skolvägar")
    await add_challenge(world.event, "Hemligt utkast", themes=["mobilitet"], published=False,
                        owner=world.owner)


async def test_list_shows_published_cards(world, client):
    await seed(world)
    r = await client.get("/events/hack/challenges")
    assert r.status_code == 200
    assert titles(r.text) == ["Cykelvägar", "Grönare Älvsjö", "Smartare parkering"]
    assert "Hemligt utkast" not in r.text
    assert "3 utmaningar" in r.text
    assert "Miljöförvaltningen" in r.text and "Säkra skolvägar" in r.text
    assert '<a class="tag" href="/events/hack/challenges?theme=miljo">Miljömässig hållbarhet</a>' \
        in r.text
    assert "2 datamängder" in r.text and "0 datamängder" in r.text
    assert "<html" in r.text


async def test_filter_by_theme(world, client):
    await seed(world)
    r = await client.get("/events/hack/challenges", params={"theme": "miljo"})
    assert titles(r.text) == ["Cykelvägar", "Grönare Älvsjö"]
    assert "2 utmaningar" in r.text
    r = await client.get("/events/hack/challenges", params={"theme": "stadskarna"})
    assert titles(r.text) == ["Grönare Älvsjö"] and "1 utmaning" in r.text
    # A challenge with two themes keeps both tags when filtered by one of them.
    assert "Attraktiv och hållbar stadskärna" in r.text and "Miljömässig hållbarhet" in r.text


async def test_filter_by_text_is_case_insensitive_with_swedish_letters(world, client):
    await seed(world)
    for q in ["älvsjö", "ÄLVSJÖ", "Älvsjö", "  grönare   älvsjö "]:
        r = await client.get("/events/hack/challenges", params={"q": q})
        assert titles(r.text) == ["Grönare Älvsjö"], q
    # Summary and organisation name are searched too.
    r = await client.get("/events/hack/challenges", params={"q": "LEDIG PLATS"})
    assert titles(r.text) == ["Smartare parkering"]
    r = await client.get("/events/hack/challenges", params={"q": "trafikkontoret"})
    assert titles(r.text) == ["Cykelvägar"]
    # LIKE wildcards are plain characters.
    r = await client.get("/events/hack/challenges", params={"q": "%"})
    assert titles(r.text) == []


async def test_theme_and_text_together_and_no_match_message(world, client):
    await seed(world)
    r = await client.get("/events/hack/challenges", params={"theme": "mobilitet", "q": "skol"})
    assert titles(r.text) == ["Cykelvägar"]
    r = await client.get("/events/hack/challenges", params={"theme": "stadskarna", "q": "skol"})
    assert titles(r.text) == []
    assert "0 utmaningar" in r.text
    assert "Inga utmaningar matchar din filtrering." in r.text


async def test_full_page_keeps_filter_values_in_the_form(world, client):
    await seed(world)
    r = await client.get("/events/hack/challenges?theme=miljo&q=gr%C3%B6n")
    assert r.status_code == 200 and "<html" in r.text
    assert '<input id="filter-q" name="q" type="search" value="grön"' in r.text
    assert '<option value="miljo" selected>' in r.text
    assert '<option value="mobilitet" >' in r.text
    assert titles(r.text) == ["Grönare Älvsjö"]


async def test_htmx_request_returns_only_the_results_block(world, client):
    await seed(world)
    r = await client.get("/events/hack/challenges", params={"q": "älvsjö"}, headers=HX)
    assert r.status_code == 200
    assert "<html" not in r.text and "<form" not in r.text and "<header" not in r.text
    assert 'id="challenge-count"' in r.text and titles(r.text) == ["Grönare Älvsjö"]
    assert "HX-Request" in r.headers["vary"]


async def test_history_restore_and_boosted_requests_get_the_full_page(world, client):
    await seed(world)
    r = await client.get("/events/hack/challenges?theme=miljo",
                         headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in r.text and '<option value="miljo" selected>' in r.text


async def test_filter_form_works_without_js_and_pushes_url_with_htmx(world, client):
    r = await client.get("/events/hack/challenges")
    form = re.search(r'<form class="challenge-filter"[^>]*>', r.text).group(0)
    assert 'method="get"' in form and 'action="/events/hack/challenges"' in form
    assert 'hx-get="/events/hack/challenges"' in form
    assert 'hx-push-url="true"' in form
    # Back asks the server for the page (the form's values come from the URL) rather than a
    # snapshot that lost what was typed.
    assert 'hx-history="false"' in form
    assert 'hx-sync="this:queue last"' in form
    assert 'hx-target="#challenge-results"' in form
    assert "input changed delay:300ms from:input[name=q]" in form and "change" in form
    assert '<button type="submit">Filtrera</button>' in r.text
    # The target is outside the block, so a fragment swaps into a stable element.
    assert '<section id="challenge-results"' in r.text


async def test_organiser_sees_drafts_owner_sees_own_participant_not(world, as_user):
    await seed(world)
    await add_challenge(world.event, "Annans utkast", published=False, owner=world.other_owner)
    organiser = await as_user(world.organiser)
    r = await organiser.get("/events/hack/challenges")
    assert "Hemligt utkast" in r.text and "Annans utkast" in r.text and "Utkast" in r.text
    owner = await as_user(world.owner)
    r = await owner.get("/events/hack/challenges")
    assert "Hemligt utkast" in r.text and "Annans utkast" not in r.text
    participant = await as_user(world.participant)
    r = await participant.get("/events/hack/challenges")
    assert "Hemligt utkast" not in r.text and "Annans utkast" not in r.text
    assert "Ny utmaning" not in r.text


async def test_draft_and_unknown_events_are_404(world, client, as_user):
    draft = await make_event("utkast", published=False)
    r = await client.get("/events/utkast/challenges")
    assert r.status_code == 404
    assert "Det evenemanget finns inte, eller så är det inte publicerat än." in r.text
    assert (await client.get("/events/finns-inte/challenges")).status_code == 404
    participant = await make_user("p2@example.se", event=draft, role=Role.PARTICIPANT)
    assert (await (await as_user(participant)).get("/events/utkast/challenges")).status_code == 404
    organiser = await make_user("o2@example.se", event=draft, role=Role.ORGANISER)
    assert (await (await as_user(organiser)).get("/events/utkast/challenges")).status_code == 200
    assert (await (await as_user(world.admin)).get("/events/utkast/challenges")).status_code == 200


async def test_english_theme_names(world, client):
    await seed(world)
    client.cookies.set("lang", "en")
    r = await client.get("/events/hack/challenges")
    assert "Environmental sustainability" in r.text and "3 challenges" in r.text


@contextmanager
def count_queries():
    """Counts the SQL statements sent on the default connection."""
    conn = Tortoise.get_connection("default")
    seen: list[str] = []
    names = ("execute_query", "execute_query_dict", "execute_insert", "execute_many",
             "execute_script")
    for name in names:
        original = getattr(conn, name)

        async def counting(*args, _original=original, **kwargs):
            seen.append(str(args[0]) if args else "")
            return await _original(*args, **kwargs)
        setattr(conn, name, counting)
    try:
        yield seen
    finally:
        for name in names:
            delattr(conn, name)


async def test_list_query_count_does_not_grow(world, client, as_user):
    await add_challenge(world.event, "Första", themes=["miljo"], datasets=1)
    with count_queries() as few:
        r = await client.get("/events/hack/challenges?theme=miljo&q=f")
    assert titles(r.text) == ["Första"]
    for i in range(25):
        await add_challenge(world.event, f"Utmaning {i:02d}", themes=["miljo", "mobilitet"],
                            datasets=3, organisation=f"Förvaltning {i}")
    with count_queries() as many:
        r = await client.get("/events/hack/challenges")
    assert len(titles(r.text)) == 26
    assert len(many) == len(few)
    # The event, its themes (for the filter) and the challenges: the cards need no more.
    assert len(many) <= 3, many
    organiser = await as_user(world.organiser)
    with count_queries() as signed_in:
        r = await organiser.get("/events/hack/challenges", headers=HX)
    assert len(titles(r.text)) == 26
    assert len(signed_in) <= 5  # + the session's user and their roles in the event
