"""Free-text search of the challenge list, as a visitor types it: case and diacritics do not
matter on any database; on PostgreSQL, Swedish word forms match too."""
from __future__ import annotations

import pytest
from tortoise import Tortoise

from challenges.models import fold
from challenges.service import swedish_tsquery
from tests.challenges.conftest import add_challenge
from tests.challenges.test_list import titles


def on_postgres() -> bool:
    return Tortoise.get_connection("default").capabilities.dialect == "postgres"


async def seed(world):
    await add_challenge(world.event, "Tryggare Södertälje", summary="Belysning i parker",
                        organisation="Kommunstyrelsen")
    await add_challenge(world.event, "Fler cyklar", summary="Lånecyklar vid stationen",
                        organisation="Trafikkontoret")
    await add_challenge(world.event, "Säkra cykelbanor", summary="Vinterväghållning",
                        organisation="Gatuenheten")
    await add_challenge(world.event, "Encyklopedi för skolan", summary="Öppna läromedel",
                        organisation="Utbildningsförvaltningen")


def test_fold():
    assert fold("SÖDERTÄLJE") == fold("Södertälje") == fold("sodertalje") == "sodertalje"
    assert fold("Ærø Łódź Straße café") == "aero lodz strasse cafe"


def test_swedish_tsquery_keeps_only_safe_words():
    assert swedish_tsquery("cykel") == "(cykel:* | cykl:*)"
    assert swedish_tsquery("fler cyklar") == "(fler:*) & (cyklar:*)"
    assert swedish_tsquery("x'); drop table challenges; --") == (
        "(x:*) & (drop:*) & (table:*) & (challenges:*)")
    assert swedish_tsquery("приют") == ""


@pytest.mark.parametrize("q", ["sodertalje", "SÖDERTÄLJE", "Sodertälje", "södertalje",
                               "  tryggare   SODERTALJE "])
async def test_diacritics_and_case_are_folded(world, client, q):
    await seed(world)
    r = await client.get("/events/hack/challenges", params={"q": q})
    assert titles(r.text) == ["Tryggare Södertälje"], q


async def test_the_folded_search_still_finds_parts_of_words(world, client):
    await seed(world)
    r = await client.get("/events/hack/challenges", params={"q": "TALJE"})
    assert titles(r.text) == ["Tryggare Södertälje"]
    r = await client.get("/events/hack/challenges", params={"q": "lanecykl"})
    assert titles(r.text) == ["Fler cyklar"]
    r = await client.get("/events/hack/challenges", params={"q": "vintervaghallning"})
    assert titles(r.text) == ["Säkra cykelbanor"]


async def test_word_forms_on_postgresql(world, client):
    if not on_postgres():
        pytest.skip("Swedish text search is PostgreSQL's; SQLite searches folded substrings")
    await seed(world)
    # 'cykel' finds the plural (cyklar) and the compound (cykelbanor), not 'encyklopedi'.
    r = await client.get("/events/hack/challenges", params={"q": "cykel"})
    assert titles(r.text) == ["Fler cyklar", "Säkra cykelbanor"]
    r = await client.get("/events/hack/challenges", params={"q": "CYKLARNA"})
    assert titles(r.text) == ["Fler cyklar"]
    r = await client.get("/events/hack/challenges", params={"q": "parken"})  # parker
    assert titles(r.text) == ["Tryggare Södertälje"]
    r = await client.get("/events/hack/challenges", params={"q": "cykel station"})
    assert titles(r.text) == ["Fler cyklar"]
    r = await client.get("/events/hack/challenges", params={"q": "x'); drop table x; --"})
    assert r.status_code == 200 and titles(r.text) == []


MIGRATION_SCRIPT = """
import asyncio, json, sys
from tortoise import Tortoise
from tortoise.migrations.api import migrate
from samskapa.db import tortoise_config
config = tortoise_config(sys.argv[1])

async def main():
    await migrate(config=config, target="models.0001_initial")
    conn = Tortoise.get_connection("default")
    await conn.execute_script(
        "INSERT INTO organisations (name, website) VALUES ('Östra Förvaltningen', '');"
        "INSERT INTO events (slug, title, summary, description, venue, kind, published,"
        " max_team_size, registration_opens, registration_closes, hacking_starts,"
        " submissions_close, judging_closes, results_published, created_at) VALUES"
        " ('e', 'E', '', '', '', 'hackathon', true, 5, '2026-01-01', '2026-01-01', '2026-01-01',"
        " '2026-01-01', '2026-01-01', '2026-01-01', '2026-01-01');"
        "INSERT INTO challenges (event_id, slug, title, summary, description, expected_outcome,"
        " organisation_id, contact_name, contact_email, published, search_text, created_at)"
        " VALUES (1, 'c', 'Tryggare SÖDERTÄLJE', 'Fler träd', '', '', 1, '', '', true,"
        " 'tryggare södertälje fler träd östra förvaltningen', '2026-01-01')")
    await Tortoise.close_connections()
    await migrate(config=config)
    conn = Tortoise.get_connection("default")
    rows = await conn.execute_query_dict("SELECT search_text FROM challenges")
    print(json.dumps([r["search_text"] for r in rows]))
    await Tortoise.close_connections()

asyncio.run(main())
"""


def test_migration_folds_the_search_text_of_existing_challenges(tmp_path):
    import json
    import subprocess
    import sys

    from tests.conftest import fresh_database
    from tests.test_migrations_and_demo import ROOT

    with fresh_database(tmp_path) as url:
        result = subprocess.run([sys.executable, "-c", MIGRATION_SCRIPT, url], cwd=ROOT,
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.splitlines()[-1]) == [
        "tryggare sodertalje fler trad ostra forvaltningen"]
