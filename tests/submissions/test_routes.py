"""The submission pages as a team member uses them: submit, edit, the conflict view, the
deadline, history and restore; refusals in the visitor's language."""
from __future__ import annotations

import re

from submissions.models import Submission, SubmissionVersion
from tests.submissions.conftest import move_to


def url(w, tail: str = "") -> str:
    return f"/events/{w.event.slug}/teams/{w.team.id}/submission{tail}"


def version_of(html: str) -> str:
    return re.search(r'name="version" value="(\d*)"', html).group(1)


async def test_submit_then_edit(world, as_):
    w = world
    alice = await as_(w.alice)
    page = await alice.get(url(w))
    assert page.status_code == 200 and "Skicka in ert arbete" in page.text
    r = await alice.post_form(url(w), {"title": "Cykelkartan", "version": "",
                                       "description": "# Rubrik\n<script>x</script>"},
                              token_from=url(w))
    assert r.status_code == 303 and r.headers["location"] == url(w)
    page = await alice.get(url(w))
    assert "version 1 av er inlämning" in page.text  # the flash
    r = await alice.post_form(url(w), {"title": "Cykelkartan 2", "version": version_of(page.text)},
                              token_from=url(w))
    assert r.status_code == 303
    saved = await Submission.get(team_id=w.team.id)
    assert saved.title == "Cykelkartan 2" and saved.version == 2
    public = await alice.get(f"/events/{w.event.slug}/gallery/{saved.id}")
    assert public.status_code == 200 and "<script>x" not in public.text


async def test_two_members_saving_at_once_get_a_conflict_view_with_both(world, as_):
    w = world
    alice, bob = await as_(w.alice), await as_(w.bob)
    await alice.post_form(url(w), {"title": "Start", "version": ""}, token_from=url(w))
    alice_page, bob_page = await alice.get(url(w)), await bob.get(url(w))
    r = await alice.post_form(url(w), {"title": "Alices rubrik", "summary": "Alice skrev",
                                       "version": version_of(alice_page.text)},
                              token_from=url(w))
    assert r.status_code == 303
    r = await bob.post_form(url(w), {"title": "Bobs rubrik", "summary": "Bob skrev",
                                     "version": version_of(bob_page.text)}, token_from=url(w))
    assert r.status_code == 409
    assert "Någon annan i ert lag sparade" in r.text
    assert "Alices rubrik" in r.text and "Bobs rubrik" in r.text  # theirs and yours
    assert "Alice skrev" in r.text and "Bob skrev" in r.text
    assert version_of(r.text) == "2"  # the form now saves against their version
    saved = await Submission.get(team_id=w.team.id)
    assert saved.title == "Alices rubrik" and saved.version == 2
    # Bob saves again against the new version: accepted.
    r = await bob.post_form(url(w), {"title": "Bobs rubrik", "version": "2"}, token_from=url(w))
    assert r.status_code == 303


async def test_after_the_deadline_the_page_is_read_only_and_saves_are_refused(world, as_):
    w = world
    alice = await as_(w.alice)
    await alice.post_form(url(w), {"title": "Klar", "version": ""}, token_from=url(w))
    token = await alice.csrf(url(w))
    await move_to(w.event, "judging")
    page = await alice.get(url(w))
    assert "Inlämningen stängde" in page.text and 'id="submission-form"' not in page.text
    r = await alice.post(url(w), data={"title": "Sent", "version": "1", "csrf_token": token})
    assert r.status_code == 422 and "Inlämningen stängde" in r.text
    saved = await Submission.get(team_id=w.team.id)
    assert saved.title == "Klar" and saved.version == 1


async def test_a_non_member_cannot_edit(world, as_):
    w = world
    outsider = await as_(w.outsider)
    r = await outsider.post_form(url(w), {"title": "Kapat", "version": ""})
    assert r.status_code == 403 and "Bara lagets medlemmar" in r.text
    assert not await Submission.exists(team_id=w.team.id)
    assert (await outsider.get(url(w))).status_code == 404


async def test_javascript_links_are_refused_in_both_languages(world, as_):
    w = world
    alice = await as_(w.alice)
    r = await alice.post_form(url(w), {"title": "X", "version": "",
                                       "demo_url": "javascript:alert(1)"}, token_from=url(w))
    assert r.status_code == 422 and "Ange en webbadress som börjar med https://" in r.text
    assert 'value="javascript:alert(1)"' in r.text  # what was typed is kept
    alice.cookies.set("lang", "en")
    r = await alice.post_form(url(w), {"title": "X", "version": "",
                                       "video_url": "javascript:alert(1)"}, token_from=url(w))
    assert r.status_code == 422 and "Enter a web address starting with https://" in r.text
    assert not await Submission.exists(team_id=w.team.id)


async def test_history_and_restore_through_the_pages(world, as_):
    w = world
    alice = await as_(w.alice)
    await alice.post_form(url(w), {"title": "Ett", "description": "a\nb", "version": ""},
                          token_from=url(w))
    await alice.post_form(url(w), {"title": "Två", "description": "a\nc", "version": "1"},
                          token_from=url(w))
    page = await alice.get(url(w, "/history"))
    assert page.status_code == 200
    assert "Version 2" in page.text and "Version 1" in page.text
    assert '<span class="diff-removed">- b' in page.text
    assert '<span class="diff-added">+ c' in page.text
    r = await alice.post_form(url(w, "/restore"), {"number": "1", "version": "2"},
                              token_from=url(w))
    assert r.status_code == 303
    saved = await Submission.get(team_id=w.team.id)
    assert saved.title == "Ett" and saved.version == 3
    assert await SubmissionVersion.filter(submission_id=saved.id).count() == 3
    outsider = await as_(w.outsider)
    assert (await outsider.get(url(w, "/history"))).status_code == 404
