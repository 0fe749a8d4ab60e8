"""The public gallery: closed until the organiser's phase, htmx filtering by challenge (and a
plain GET without JavaScript), each project's page; pupils never named in public."""
from __future__ import annotations

from events.models import EventKind
from school.models import Pupil, SchoolClass
from submissions import service
from submissions.models import Submission
from submissions.service import SubmissionData
from tests.submissions.conftest import build_world, move_to, utcnow


async def _two_projects(w):
    mine = await service.save(w.event, w.team, w.alice,
                              SubmissionData("Cykelkartan", summary="Säkra vägar"), None,
                              utcnow())
    other = await service.save(w.event, w.other_team, w.outsider,
                               SubmissionData("Parkeringen"), None, utcnow())
    return mine, other


async def test_the_gallery_is_closed_until_its_phase(world, make_client, as_):
    w = world
    mine, _ = await _two_projects(w)
    anonymous = await make_client()
    page = await anonymous.get(f"/events/{w.event.slug}/gallery")
    assert page.status_code == 200 and "Galleriet öppnar" in page.text
    assert "Cykelkartan" not in page.text
    assert (await anonymous.get(f"/events/{w.event.slug}/gallery/{mine.id}")).status_code == 404
    organiser = await as_(w.organiser)
    page = await organiser.get(f"/events/{w.event.slug}/gallery")
    assert "Cykelkartan" in page.text and "Som arrangör ser du det redan" in page.text
    r = await organiser.post_form(f"/events/{w.event.slug}/gallery/settings",
                                  {"opens_at_phase": "hacking"}, token_from="/")
    assert r.status_code == 303
    page = await anonymous.get(f"/events/{w.event.slug}/gallery")
    assert "Cykelkartan" in page.text and "Parkeringen" in page.text
    assert (await anonymous.get(f"/events/{w.event.slug}/gallery/{mine.id}")).status_code == 200


async def test_filtering_by_challenge_with_and_without_htmx(world, make_client):
    w = world
    await _two_projects(w)
    await move_to(w.event, "results")
    anonymous = await make_client()
    plain = await anonymous.get(f"/events/{w.event.slug}/gallery?challenge=cykel")
    assert "<html" in plain.text and "Cykelkartan" in plain.text
    assert "Parkeringen" not in plain.text
    fragment = await anonymous.get(f"/events/{w.event.slug}/gallery?challenge=cykel",
                                   headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and 'id="projects"' in fragment.text
    assert "Cykelkartan" in fragment.text and "1 projekt" in fragment.text


async def test_hidden_and_ineligible_projects_stay_out_of_the_gallery(world, make_client,
                                                                       as_):
    w = world
    mine, other = await _two_projects(w)
    organiser = await as_(w.organiser)
    token = await organiser.csrf(f"/events/{w.event.slug}/submissions")
    base = f"/events/{w.event.slug}/submissions"
    r = await organiser.post(f"{base}/{mine.id}/hidden", data={"hidden": "on",
                                                              "csrf_token": token})
    assert r.status_code == 303
    r = await organiser.post(f"{base}/{other.id}/eligibility",
                             data={"eligibility": "ineligible", "reason": "",
                                   "csrf_token": token})
    assert r.status_code == 422 and "Skriv varför inlämningen inte godkänns" in r.text
    r = await organiser.post(f"{base}/{other.id}/eligibility",
                             data={"eligibility": "ineligible", "reason": "Fel lag",
                                   "csrf_token": token})
    assert r.status_code == 303
    listing = await organiser.get(base)
    assert "Cykelkartan" in listing.text and "Parkeringen" in listing.text
    only_hidden = await organiser.get(base + "?hidden=yes")
    assert "Cykelkartan" in only_hidden.text and "Parkeringen" not in only_hidden.text
    await move_to(w.event, "results")
    anonymous = await make_client()
    page = await anonymous.get(f"/events/{w.event.slug}/gallery")
    assert "Cykelkartan" not in page.text and "Parkeringen" not in page.text
    assert (await anonymous.get(f"/events/{w.event.slug}/gallery/{other.id}")).status_code == 404
    # The team sees why.
    outsider = await as_(w.outsider)
    page = await outsider.get(f"/events/{w.event.slug}/teams/{w.other_team.id}/submission")
    assert "Arrangörerna har inte godkänt inlämningen" in page.text and "Fel lag" in page.text
    assert (await Submission.get(id=mine.id)).hidden


async def test_a_pupils_project_names_no_pupil_and_its_team_only_to_the_class(clean_db, make_client, as_):
    w = await build_world("skola", EventKind.SCHOOL)
    klass = await SchoolClass.create(event=w.event, name="5B", code="KLASS5BB")
    for user, nick in ((w.alice, "Creeper"), (w.bob, "Enderman")):
        user.is_pupil, user.display_name = True, nick
        await user.save()
        await Pupil.create(user=user, school_class=klass, nickname=nick)
    w.team.school_class = klass
    await w.team.save()
    submission = await service.save(w.event, w.team, w.alice,
                                    SubmissionData("Slottet", plot="B7", location_x=10,
                                                   location_y=70, location_z=-5),
                                    None, utcnow())
    await move_to(w.event, "results")
    anonymous = await make_client()
    for path in (f"/events/{w.event.slug}/gallery",
                 f"/events/{w.event.slug}/gallery/{submission.id}"):
        page = await anonymous.get(path)
        # The project is public; the team's name is what pupils typed, so it stays in class.
        assert page.status_code == 200 and "Slottet" in page.text and "Alfa" not in page.text
        assert "Creeper" not in page.text and "Enderman" not in page.text
    page = await anonymous.get(f"/events/{w.event.slug}/gallery/{submission.id}")
    assert "B7" in page.text and "X 10, Y 70, Z -5" in page.text
    # Even the organiser's view of the public page names no pupil.
    organiser = await as_(w.organiser)
    page = await organiser.get(f"/events/{w.event.slug}/gallery/{submission.id}")
    assert "Creeper" not in page.text and "Alfa" in page.text


async def test_a_hackathon_project_names_its_members(world, make_client):
    w = world
    mine, _ = await _two_projects(w)
    await move_to(w.event, "results")
    page = await (await make_client()).get(f"/events/{w.event.slug}/gallery/{mine.id}")
    assert w.alice.display_name in page.text and w.bob.display_name in page.text
