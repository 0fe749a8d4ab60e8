"""Walks: the organiser prints the vote codes and the jury protocol, a pupil votes with a code
from the sheet, and a juror judges in pairs. One judged event (tests/judging/results_helpers.py,
still in its judging phase) seeded once for the module on the package's one server."""
from __future__ import annotations

import re
import subprocess
import sys
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ROOT, post_form, sign_in, sv, unique
from tests.events.helpers import PASSWORD

SEED = """
import asyncio, sys
from datetime import timedelta
from samskapa import db
from samskapa.settings import Settings
from tests.judging.results_helpers import judged_event

async def main(slug):
    await db.init_db(Settings.from_env().database_url)
    try:
        await judged_event(slug, results_in=timedelta(days=2))  # judging closes in a day
    finally:
        await db.close_db()

asyncio.run(main(sys.argv[1]))
"""


@pytest.fixture(scope="module")
def slug(server) -> str:
    slug = unique("publik")
    result = subprocess.run([sys.executable, "-c", SEED, slug], env=server.env, cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return slug


def test_codes_are_printed_and_a_pupil_votes_with_one(server, new_page, slug, shot):
    organiser = new_page()
    sign_in(organiser, f"arrangor@{slug}.se", PASSWORD)
    post_form(organiser, f"/events/{slug}/judging/peoples-choice", {"open": "on"})
    post_form(organiser, f"/events/{slug}/vote-codes", {"school_class": "", "count": "2"})

    # The sheet: a slip per code, each with a QR code the browser has drawn.
    organiser.goto(f"/events/{slug}/vote-codes/print")
    slips = organiser.locator(".vote-slip")
    expect(slips).to_have_count(2)
    qr = organiser.locator(".vote-slip img[src^='data:image/svg+xml']")
    expect(qr).to_have_count(2)
    assert qr.evaluate_all("images => images.every(i => i.complete && i.naturalWidth > 0)")
    code = slips.first.locator("[data-code]").get_attribute("data-code")
    shot(organiser, "vote-codes")

    # The jury protocol, as printed for the records.
    organiser.goto(f"/events/{slug}/judging/protocol")
    expect(organiser.get_by_role("heading", level=1)).to_have_text(sv("Jury protocol"))
    expect(organiser.locator("body")).to_contain_text("Juror Strict")
    expect(organiser.locator("body")).to_contain_text("Idé")

    # A pupil follows the slip's QR code: the voting page with the code filled in.
    pupil = new_page()
    pupil.goto(f"/events/{slug}/vote?code={code}")
    expect(pupil.get_by_label(re.compile("^" + re.escape(sv("Vote code"))))).to_have_value(code)
    pupil.get_by_role("radio", name=re.compile("^Bussen")).check()
    pupil.get_by_role("button", name=sv("Cast my vote")).click()
    expect(pupil.locator("[data-voted]")).to_have_text(
        sv("You have voted for %(title)s. A vote is final.", title="Bussen"))
    # The next pupil at the same computer goes on with their own code.
    pupil.get_by_role("link", name=sv("Vote with another code")).click()
    expect(pupil.get_by_role("button", name=sv("Cast my vote"))).to_be_visible()


def test_a_juror_picks_the_better_of_two_and_the_next_pair_comes(server, new_page, slug):
    organiser = new_page()
    sign_in(organiser, f"arrangor@{slug}.se", PASSWORD)
    post_form(organiser, f"/events/{slug}/judging", {
        "method": "pairwise", "reviews_per_submission": "3", "tie_break": "more_reviews",
        "public_vote_percent": "0"})
    juror = new_page()
    sign_in(juror, f"fair@{slug}.se", PASSWORD)
    juror.goto(f"/events/{slug}/jury/compare")
    first = juror.locator("#pair-current").inner_text()
    juror.get_by_role("button", name=sv("Next submission")).click()

    before, now = juror.locator("#pair-previous"), juror.locator("#pair-current")
    expect(before).to_have_text(f"{sv('Before')}: {first}")
    second = now.inner_text().split(": ", 1)[1]
    assert second != first
    juror.get_by_role("button", name=sv("Now is better: %(title)s", title=second)).click()

    # The one picked is now "before", beside a submission the juror has not seen.
    expect(before).to_have_text(f"{sv('Before')}: {second}")
    third = now.inner_text().split(": ", 1)[1]
    assert third not in (first, second)
    assert urlparse(juror.url).path == f"/events/{slug}/jury/compare"
