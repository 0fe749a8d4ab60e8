"""Walks 2 and 3: a participant creates an account from the event page, registers for the event,
creates a team and sees its join code; a second participant signs up and joins with that code;
the team page shows both."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import (create_challenge, create_event, label, register_account, sv,
                                    unique)


def test_participants_form_a_team_with_a_join_code(admin_page, new_page, shot):
    slug = unique("lagbygge")
    title = "Lagbygget " + slug.rsplit("-", 1)[-1]
    create_event(admin_page, slug, title, max_team_size=3)
    create_challenge(admin_page, slug, "Smartare parkering i centrum",
                     "Var finns lediga platser?", "Gatukontoret", [])

    # Walk 2: Sara finds the event, creates an account from it and registers.
    sara = new_page()
    sara.goto(f"/events/{slug}")
    registration = sara.locator("#registration")
    expect(registration.get_by_role("heading", name=sv("Take part"))).to_be_visible()
    registration.get_by_role("link", name=sv("Create account")).click()
    register_account(sara, "Sara Lind", f"{slug}-sara@example.se", "sara-lösenord-1")
    sara.wait_for_url(f"**/events/{slug}")
    registration = sara.locator("#registration")
    registration.get_by_label(sv("What can you do?")).fill("Python, kartor")
    registration.get_by_label(sv("I am looking for a team")).check()
    registration.get_by_role("button", name=sv("Register as participant")).click()
    # (The page still shows the welcome from creating the account above it.)
    expect(registration.get_by_role("status")).to_have_text(
        sv("You are registered as a participant."))
    # Once, with the next steps beside it.
    expect(registration.get_by_text(sv("You are registered as a participant."))).to_have_count(1)
    expect(registration.get_by_role("link", name=sv("See the challenges"))).to_be_visible()

    sara.get_by_role("navigation", name=sv("Event")).get_by_role(
        "link", name=sv("Teams"), exact=True).click()
    sara.get_by_role("link", name=sv("Create a team")).click()
    sara.get_by_label(label("Team name")).fill("Parkpiloterna")
    sara.get_by_label(label("Challenge")).select_option(label="Smartare parkering i centrum")
    sara.get_by_role("button", name=sv("Create team")).click()
    sara.wait_for_url(re.compile(rf"/events/{slug}/teams/\d+$"))
    team_url = sara.url
    expect(sara.get_by_role("heading", level=1)).to_have_text("Parkpiloterna")
    expect(sara.get_by_role("link", name="Smartare parkering i centrum")).to_be_visible()
    code_box = sara.locator(".join-code")
    expect(code_box).to_contain_text(sv("Join code"))
    code = code_box.locator("code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{6}", code), code

    # Walk 3: Ahmed signs up, tries a wrong code, then joins with Sara's.
    ahmed = new_page()
    ahmed.goto("/")
    ahmed.get_by_role("navigation", name=sv("Main")).get_by_role(
        "link", name=sv("Create account")).click()
    register_account(ahmed, "Ahmed Yusuf", f"{slug}-ahmed@example.se", "ahmed-lösenord-1")
    ahmed.goto("/")
    ahmed.get_by_role("link", name=title).click()
    ahmed.get_by_role("navigation", name=sv("Event")).get_by_role(
        "link", name=sv("Teams"), exact=True).click()
    expect(ahmed.get_by_role("link", name="Parkpiloterna")).to_be_visible()
    ahmed.get_by_role("link", name=sv("Join with a code")).click()
    code_field = ahmed.get_by_label(label("Join code"))
    code_field.fill("ZZZZ22")
    ahmed.get_by_role("button", name=sv("Join team")).click()
    expect(ahmed.locator("#f-code-error, .error").first).to_contain_text(
        sv("No team in this event has that join code. Check the code and try again."))
    expect(code_field).to_have_value("ZZZZ22")  # the input is kept
    code_field.fill(code.lower()[:3] + " " + code.lower()[3:])  # as typed from a note
    ahmed.get_by_role("button", name=sv("Join team")).click()
    ahmed.wait_for_url(team_url)

    members = ahmed.locator("#team-members ul.members")
    expect(members.get_by_role("listitem")).to_have_count(2)
    expect(members).to_contain_text("Sara Lind")
    expect(members).to_contain_text("Ahmed Yusuf")
    expect(members.get_by_role("listitem").filter(has_text="Sara Lind")).to_contain_text(
        sv("leader"))
    expect(ahmed.locator("#members-heading")).to_have_text(f"{sv('Members')} (2/3)")
    expect(ahmed.locator(".join-code code")).to_have_text(code)  # members see the code

    sara.reload()
    expect(sara.locator("#team-members ul.members")).to_contain_text("Ahmed Yusuf")
    shot(sara, "team-page")

    # A visitor sees the team and its members, not the code.
    visitor = new_page()
    visitor.goto(team_url)
    expect(visitor.locator("#team-members ul.members")).to_contain_text("Ahmed Yusuf")
    expect(visitor.locator(".join-code")).to_have_count(0)
    assert code not in visitor.content()
    shot(visitor, "team-page-visitor")
