"""Walk: the jury chair decides an award with a motivation and approves the results of a judged
event; the public then finds the results page, in Swedish and in English."""
from __future__ import annotations

import subprocess
import sys

from playwright.sync_api import expect

from tests.browser.conftest import ROOT, label, sign_in, sv, unique
from tests.events.helpers import PASSWORD

# A judged event (tests/judging/results_helpers.py), whose announced results time has passed,
# made in the server's database by a process of its own: these tests never open Tortoise here.
SEED = """
import asyncio, sys
from datetime import timedelta
from samskapa import db
from samskapa.settings import Settings
from tests.judging.results_helpers import judged_event

async def main(slug):
    await db.init_db(Settings.from_env().database_url)
    try:
        await judged_event(slug, results_in=-timedelta(hours=1))
    finally:
        await db.close_db()

asyncio.run(main(sys.argv[1]))
"""


def seed_judged_event(server, slug: str) -> None:
    result = subprocess.run([sys.executable, "-c", SEED, slug], env=server.env, cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]


def test_the_chair_publishes_and_the_public_sees_the_results(server, new_page, shot):
    slug = unique("resultat")
    seed_judged_event(server, slug)
    chair = new_page()
    sign_in(chair, f"arrangor@{slug}.se", PASSWORD)

    # The ranking: the method used, the scores in order, the jurors' leniency.
    chair.goto(f"/events/{slug}/judging/ranking")
    expect(chair.get_by_role("heading", level=1)).to_have_text(sv("Ranking"))
    rows = chair.locator("table.ranking tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("Solrosen")
    expect(chair.get_by_role("rowheader", name="Juror Lenient")).to_be_visible()

    # An award with its motivation, then the approval.
    chair.get_by_role("link", name=sv("Awards and approval")).first.click()
    chair.get_by_label(label("Kind of award")).select_option(value="overall")
    chair.get_by_label(label("Name of the award")).fill("Årets bidrag")
    chair.get_by_label(sv("Awarded project")).select_option(label="Solrosen (Lag Å)")
    chair.get_by_label(sv("Motivation")).fill("Ett **genomarbetat** bidrag om grönska.")
    chair.get_by_role("button", name=sv("Save the award")).click()
    expect(chair.locator(".award h3")).to_contain_text("Årets bidrag")
    chair.get_by_role("button", name=sv("Approve the results")).click()
    expect(chair.locator("[data-status=public]")).to_be_visible()
    shot(chair, "awards-approved")

    # The public, in Swedish: the award, its motivation as Markdown, the team.
    visitor = new_page()
    visitor.goto(f"/events/{slug}/results")
    expect(visitor.get_by_role("heading", level=1)).to_contain_text(sv("Results"))
    award = visitor.locator(".award")
    expect(award.get_by_role("heading")).to_have_text("Årets bidrag")
    expect(award.locator("strong", has_text="genomarbetat")).to_be_visible()
    expect(award).to_contain_text("Solrosen")
    expect(award).to_contain_text(sv("Overall winner"))
    shot(visitor, "results-sv")
    # ... and in English, by the language switch.
    visitor.get_by_role("list", name=sv("Language")).get_by_role("link", name="English").click()
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Results")
    expect(visitor.locator(".award")).to_contain_text("Overall winner")
    expect(visitor.locator(".award")).to_contain_text("by Lag Å")
