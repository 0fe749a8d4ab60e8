"""A team member submits the team's work, is told a javascript: link will not do, uploads a
picture and edits the submission; the history shows what changed; the pages fit a 390 px
phone."""
from __future__ import annotations

import io
import re

from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import (create_challenge, create_event, label, post_form,
                                    register_account, sv, unique)
from tests.browser.test_reflow import OVERFLOW_JS, PHONE


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (30, 140, 60)).save(buffer, "PNG")
    return buffer.getvalue()


def fits_a_phone(page) -> None:
    page.set_viewport_size(PHONE)
    page.reload()
    measured = page.evaluate(OVERFLOW_JS)
    assert measured["scroll"] <= measured["width"], (page.url, measured)
    page.set_viewport_size({"width": 1200, "height": 900})


def test_a_team_member_submits_uploads_and_edits(admin_page, new_page):
    slug = unique("inlamning")
    create_event(admin_page, slug, "Inlämningen " + slug.rsplit("-", 1)[-1])
    create_challenge(admin_page, slug, "Tryggare cykelvägar", "Var känns det otryggt?",
                     "Gatukontoret", [])

    sara = new_page()
    sara.goto("/register")
    register_account(sara, "Sara Lind", f"{slug}-sara@example.se", "sara-lösenord-1")
    post_form(sara, f"/events/{slug}/register", {"skills": "Kartor"})
    post_form(sara, f"/events/{slug}/teams/new", {"name": "Kartmakarna", "challenge": ""})

    sara.goto(f"/events/{slug}")
    sara.get_by_role("link", name=sv("Your team's submission")).first.click()
    expect(sara.get_by_role("heading", level=1)).to_have_text(sv("Submit your work"))
    sara.get_by_label(label("Title")).fill("Cykelkartan")
    sara.get_by_label(sv("Summary")).fill("Otrygga platser på en karta")
    sara.get_by_label(sv("Description")).fill("Vi samlar **platser**.\nRad två.")
    sara.get_by_label("Demo", exact=True).fill("javascript:alert(1)")
    sara.get_by_role("button", name=sv("Submit"), exact=True).click()
    expect(sara.locator("#f-demo_url-error")).to_have_text(
        sv("Enter a web address starting with https:// or http://."))
    expect(sara.get_by_label(label("Title"))).to_have_value("Cykelkartan")  # kept
    sara.get_by_label("Demo", exact=True).fill("https://cykelkartan.example.se")
    sara.get_by_role("button", name=sv("Submit"), exact=True).click()
    expect(sara.get_by_role("status").first).to_have_text(
        sv("Saved. This is version %(n)s of your submission.", n=1))

    sara.get_by_label(sv("Add a picture")).set_input_files(
        {"name": "bygget.png", "mimeType": "image/png", "buffer": png()})
    sara.locator("form.upload").first.get_by_role("button", name=sv("Upload")).click()
    expect(sara.get_by_role("status").first).to_have_text(sv("The file is added."))
    image = sara.locator("#files img")
    expect(image).to_have_count(1)
    # it loads (waited for: the thumbnail may still be on its way when the element appears)
    sara.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=image.element_handle())
    fits_a_phone(sara)

    sara.get_by_label(label("Title")).fill("Cykelkartan Södertälje")
    sara.get_by_label(sv("Description")).fill("Vi samlar **platser**.\nRad 2.")
    sara.get_by_role("button", name=sv("Save"), exact=True).click()
    # Version 2 was the picture; this save is version 3.
    expect(sara.get_by_role("status").first).to_have_text(
        sv("Saved. This is version %(n)s of your submission.", n=3))

    sara.get_by_role("link", name=sv("History")).click()
    history = sara.locator("#history")
    expect(history.get_by_role("heading", name=re.compile(r"^Version 3"))).to_be_visible()
    expect(history.locator(".diff-removed").first).to_contain_text("Rad två.")
    expect(history.locator(".diff-added").first).to_contain_text("Rad 2.")
    expect(history).to_contain_text(sv("Added: %(name)s", name="bygget.png"))
    fits_a_phone(sara)

    # How others see it: the project page (the organiser sees it before the gallery opens).
    admin_page.goto(f"/events/{slug}/submissions")
    expect(admin_page.locator("main table")).to_contain_text("Cykelkartan Södertälje")
    fits_a_phone(admin_page)
    admin_page.get_by_role("link", name="Cykelkartan Södertälje").click()
    expect(admin_page.get_by_role("heading", level=1)).to_have_text("Cykelkartan Södertälje")
    expect(admin_page.locator(".project-images img")).to_have_count(1)
    fits_a_phone(admin_page)
