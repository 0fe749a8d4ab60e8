"""Walk: a jury member scores with autosave. The organiser writes the rubric and assigns the
reviews; the juror scores each criterion as they go, a save fails (the request is cut, then the
browser goes offline) and is sent again without anything lost; the organiser reads the audit
log."""
from __future__ import annotations

import re
import subprocess
import sys

from playwright.sync_api import expect

from tests.browser.conftest import (ROOT, create_event, post_form, register_account, sv,
                                    unique)

PASSWORD = "domar-lösen-1"


def _seed(server, slug: str, email: str, teams: int) -> None:
    result = subprocess.run([sys.executable, "-m", "tests.browser.judging_seed", slug, email,
                             str(teams)], env=server.env, cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_juror_scores_with_autosave_and_nothing_is_lost(admin_page, new_page, server, shot):
    slug = unique("bedomning")
    create_event(admin_page, slug, "Bedömningen " + slug.rsplit("-", 1)[-1])
    email = f"{slug}-domare@example.se"
    juror = new_page(network_errors=True)
    juror.goto("/register")
    register_account(juror, "Dagny Domare", email, PASSWORD)
    _seed(server, slug, email, teams=2)

    # The organiser writes the rubric and assigns the reviews.
    post_form(admin_page, f"/events/{slug}/judging/rubric",
              {"name": "Idé", "description": "Hur ny är idén?", "weight": "2", "scale_min": "1",
               "scale_max": "5", "levels": "Saknas\n\n\n\nLysande"})
    post_form(admin_page, f"/events/{slug}/judging/rubric",
              {"name": "Genomförande", "weight": "1", "scale_min": "0", "scale_max": "10",
               "levels": ""})
    post_form(admin_page, f"/events/{slug}/judging", {
        "method": "calibrated", "reviews_per_submission": "1", "tie_break": "more_reviews",
        "public_vote_percent": "0"})
    post_form(admin_page, f"/events/{slug}/judging/assignments/run", {})

    juror.goto(f"/events/{slug}/jury")
    expect(juror.get_by_role("heading", level=1)).to_contain_text(sv("Your jury queue"))
    expect(juror.locator("[data-progress]")).to_contain_text(
        sv("%(done)s of %(total)s reviews done, %(skipped)s skipped.", done=0, total=2,
           skipped=0))
    juror.get_by_role("link", name="Projekt 1").click()
    expect(juror.get_by_role("heading", level=1)).to_have_text("Projekt 1")

    def criterion(name: str):
        return juror.locator("fieldset.criterion", has=juror.locator("legend", has_text=name))

    idea, craft = criterion("Idé"), criterion("Genomförande")
    saved = re.compile("^" + re.escape(sv("Saved %(time)s", time="")))

    # Each criterion is saved as soon as it is chosen.
    idea.locator("input[value='4']").check()
    expect(idea.locator(".save-status .text")).to_have_text(saved)

    # The next save's request is cut (a dropped school network): the field says so and offers
    # to send it again; the retry saves it.
    def cut(route):
        if route.request.method == "POST":
            route.abort()
        else:
            route.continue_()

    juror.route("**/jury/reviews/*", cut)
    craft.locator("input[value='7']").check()
    expect(craft.locator(".save-status .text")).to_have_text(
        sv("Not saved: the connection failed."))
    retry = craft.get_by_role("button", name=sv("Retry"))
    expect(retry).to_be_visible()
    shot(juror, "not-saved")
    juror.unroute("**/jury/reviews/*")
    retry.click()
    expect(craft.locator(".save-status .text")).to_have_text(saved)
    expect(retry).to_be_hidden()

    # Offline while writing the feedback: sent again by itself when the browser is back online.
    juror.context.set_offline(True)
    feedback = juror.get_by_label(sv("Feedback for the team"))
    feedback.fill("Tydlig karta, bra idé!")
    juror.get_by_label(sv("Private note for the jury")).focus()  # leaving the field: change
    status = juror.locator("#status-feedback .text")
    expect(status).to_have_text(sv("Not saved: the connection failed."))
    juror.context.set_offline(False)
    juror.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_have_text(saved)
    juror.get_by_role("group", name=sv("How sure are you of your scores?")).get_by_label(
        sv("High")).check()
    expect(juror.locator("#status-confidence .text")).to_have_text(saved)

    # Nothing lost: a fresh load shows every value.
    juror.reload()
    expect(idea.locator("input[value='4']")).to_be_checked()
    expect(craft.locator("input[value='7']")).to_be_checked()
    expect(juror.get_by_label(sv("Feedback for the team"))).to_have_value(
        "Tydlig karta, bra idé!")
    expect(juror.get_by_role("group", name=sv("How sure are you of your scores?"))
           .get_by_label(sv("High"))).to_be_checked()
    juror.get_by_role("button", name=sv("Finish the review")).click()
    juror.wait_for_url(f"**/events/{slug}/jury")
    expect(juror.locator("[data-progress]")).to_contain_text(
        sv("%(done)s of %(total)s reviews done, %(skipped)s skipped.", done=1, total=2,
           skipped=0))

    # The organiser's audit log has each change once, with who made it.
    admin_page.goto(f"/events/{slug}/judging/audit")
    rows = admin_page.locator("table.audit tbody tr")
    # Two scores, the feedback, the confidence and "done": the retried 7 and the feedback sent
    # again after going offline are each there once.
    expect(rows).to_have_count(5)
    expect(rows.filter(has_text="Genomförande")).to_have_count(1)
    expect(rows.filter(has_text="Tydlig karta, bra idé!")).to_have_count(1)
    expect(rows.filter(has_text="Dagny Domare").first).to_be_visible()
