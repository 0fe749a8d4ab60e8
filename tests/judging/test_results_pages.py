"""The results pages over HTTP: the chair's ranking and settings, awards and approval, the
public results page (in Swedish and English), each team's feedback, voting and vote codes,
and the exports."""
from __future__ import annotations

import re
from datetime import timedelta

from events.models import EventKind, EventRole, Role
from school.models import SchoolClass
from judging.models import (Assignment, AssignmentStatus, Award, Conflict, JudgingSettings,
                            Method, Score, Vote, VoteToken)
from samskapa.i18n import TIMEZONE
from judging import votes as votes_service
from submissions.models import Submission
from tests.events.helpers import make_user, signed_in
from tests.judging.results_helpers import judged_event


async def test_the_chair_sees_the_ranking_jurors_and_teams_do_not(make_client, clock):
    w = await judged_event()
    chair = await make_user("ordforande@hack-2025.se", name="Ordförande")
    await EventRole.create(event=w.event, user=chair, role=Role.JURY_CHAIR)
    page = await (await signed_in(make_client, chair)).get("/events/hack-2025/judging/ranking")
    assert page.status_code == 200
    text = page.text
    assert "Kalibrerat för generösa och stränga" in text and "Juror Lenient" in text
    order = [text.index(t) for t in ("Solrosen", "Cykelbanan", "Parkappen", "Bussen")]
    assert order == sorted(order)
    assert "#judging-settings" not in text  # the method is the organisers' choice
    # Scores with a decimal comma in Swedish, a point in English.
    assert re.findall(r"data-score>([^<]*)<", text) and all(
        re.fullmatch(r"[0-9]+,[0-9]", s) for s in re.findall(r"data-score>([^<]*)<", text))
    english = (await (await signed_in(make_client, chair)).get(
        "/events/hack-2025/judging/ranking", headers={"Accept-Language": "en"})).text
    assert re.findall(r"data-score>([^<]*)<", english) and all(
        re.fullmatch(r"[0-9]+\.[0-9]", s) for s in re.findall(r"data-score>([^<]*)<", english))
    for who in (w.jurors["fair"], w.members["Solrosen"][0]):
        r = await (await signed_in(make_client, who)).get("/events/hack-2025/judging/ranking")
        assert r.status_code == 403
    r = await (await make_client()).get("/events/hack-2025/judging/ranking")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


async def test_the_organiser_sets_judging_in_one_form_and_bad_input_comes_back(make_client,
                                                                               clock):
    w = await judged_event()
    organiser = await signed_in(make_client, w.organiser)
    ranking_page = (await organiser.get("/events/hack-2025/judging/ranking")).text
    assert 'href="/events/hack-2025/judging#judging-settings"' in ranking_page
    r = await organiser.post_form("/events/hack-2025/judging", {
        "method": "zscore", "reviews_per_submission": "4", "tie_break": "narrower_interval",
        "public_vote_percent": "20", "public_ranking": "on"},
        token_from="/events/hack-2025/judging")
    assert r.status_code == 303
    settings = await JudgingSettings.get(event=w.event)
    assert (settings.method, settings.reviews_per_submission, settings.tie_break,
            settings.public_vote_percent) == (Method.ZSCORE, 4, "narrower_interval", 20)
    assert settings.public_ranking and not settings.show_scores_to_teams
    page = (await organiser.get("/events/hack-2025/judging")).text
    assert 'value="narrower_interval" selected' in page
    assert 'name="public_ranking" type="checkbox" checked' in page
    r = await organiser.post_form("/events/hack-2025/judging", {
        "method": "dice", "reviews_per_submission": "4", "tie_break": "more_reviews",
        "public_vote_percent": "120"}, token_from="/events/hack-2025/judging")
    assert r.status_code == 422
    assert "Välj ett av alternativen" in r.text and "Ange ett tal från 0 till 100" in r.text
    assert (await JudgingSettings.get(event=w.event)).method == Method.ZSCORE


async def test_awards_approval_and_the_public_page_at_the_release_time(make_client, clock):
    w = await judged_event(results_in=timedelta(hours=2))
    organiser = await signed_in(make_client, w.organiser)
    public = await make_client()
    r = await organiser.post_form("/events/hack-2025/judging/awards", {
        "kind": "overall", "name": "Årets bidrag", "submission": str(w.submissions["Solrosen"].id),
        "motivation": "Ett **genomarbetat** bidrag.", "position": "0"},
        token_from="/events/hack-2025/judging/awards")
    assert r.status_code == 303, r.text[-600:]
    r = await organiser.post_form("/events/hack-2025/judging/approve", {},
                                  token_from="/events/hack-2025/judging/awards")
    assert r.status_code == 303
    page = (await organiser.get("/events/hack-2025/judging/awards")).text
    assert 'data-status="approved"' in page
    # Approved, but announced for two hours from now: the public waits.
    r = await public.get("/events/hack-2025/results")
    assert r.status_code == 200 and 'data-results="pending"' in r.text
    assert "Årets bidrag" not in r.text
    clock.advance(timedelta(hours=2, minutes=1))
    r = await public.get("/events/hack-2025/results")
    assert "Årets bidrag" in r.text and "<strong>genomarbetat</strong>" in r.text
    assert "Solrosen" in r.text and "Lag Å" in r.text
    r = await public.get("/events/hack-2025/results", headers={"Accept-Language": "en"})
    assert "Results" in r.text and "Overall winner" in r.text
    # Published: the chair can no longer change anything.
    award = await Award.get(event=w.event)
    r = await organiser.post_form(f"/events/hack-2025/judging/awards/{award.id}/delete", {},
                                  token_from="/events/hack-2025/judging/awards")
    assert r.status_code == 400 and "kan inte längre ändras" in r.text
    assert await Award.filter(event=w.event).count() == 1


async def test_approving_while_judging_is_unfinished_asks_for_confirmation(make_client, clock):
    w = await judged_event(results_in=timedelta(days=2))  # judging closes in a day
    await Assignment.filter(event=w.event, juror=w.jurors["strict"],
                            submission=w.submissions["Bussen"]).update(
        status=AssignmentStatus.PENDING)
    await Assignment.filter(event=w.event, juror=w.jurors["strict"],
                            submission=w.submissions["Solrosen"]).update(
        status=AssignmentStatus.SKIPPED)
    await Award.create(event=w.event, kind="overall", name="Årets bidrag",
                       submission=w.submissions["Solrosen"])
    organiser = await signed_in(make_client, w.organiser)
    r = await organiser.post_form("/events/hack-2025/judging/approve", {},
                                  token_from="/events/hack-2025/judging/awards")
    assert r.status_code == 422
    closes = w.event.judging_closes.astimezone(TIMEZONE)
    assert "Bedömningar som inte är klara: 1 av 12." in r.text
    assert "Överhoppade bedömningar: 1." in r.text   # a skipped one is finished, but said (QA)
    assert f"Bedömningen stänger {closes.day} " in r.text and f"{closes:%H:%M}" in r.text
    assert 'name="confirm"' in r.text
    assert (await JudgingSettings.get(event=w.event)).results_approved_at is None
    r = await organiser.post_form("/events/hack-2025/judging/approve", {"confirm": "on"},
                                  token_from="/events/hack-2025/judging/awards")
    assert r.status_code == 303
    assert (await JudgingSettings.get(event=w.event)).results_approved_at is not None


async def test_a_school_event_s_results_name_no_pupil(make_client, clock):
    w = await judged_event(results_in=-timedelta(hours=1), kind=EventKind.SCHOOL)
    klass = await SchoolClass.create(event=w.event, name="6A", school="Demoskolan",
                                     code="KLASS6AA")
    team = w.teams["Solrosen"]
    team.school_class = klass
    await team.save()
    await Award.create(event=w.event, kind="overall", name="Bästa bygget",
                       submission=w.submissions["Solrosen"], motivation="Snyggt!")
    await JudgingSettings.filter(event=w.event).update(
        results_approved_at=w.event.results_published, public_ranking=True)
    text = (await (await make_client()).get("/events/hack-2025/results")).text
    assert "Bästa bygget" in text and "Solrosen" in text and "6A" in text
    for member in w.members["Solrosen"]:
        assert member.display_name not in text
    assert "Lag Å" not in text  # pupils' own team name: only for their class (pupil_privacy)
    # The same on the voting page.
    await votes_service.set_open(w.event, True)
    text = (await (await make_client()).get("/events/hack-2025/vote")).text
    assert "Solrosen" in text and "6A, Demoskolan" in text and "Lag Å" not in text


async def test_a_team_sees_its_feedback_never_the_private_note_or_the_juror(make_client, clock):
    w = await judged_event(results_in=-timedelta(hours=1))
    member = await signed_in(make_client, w.members["Solrosen"][0])
    r = await member.get("/events/hack-2025/results/feedback")
    assert "när resultaten publiceras" in r.text and "Bra jobbat" not in r.text
    await JudgingSettings.filter(event=w.event).update(
        results_approved_at=w.event.results_published)
    text = (await member.get("/events/hack-2025/results/feedback")).text
    assert text.count("Bra jobbat, Solrosen!") == 3
    assert "Hemligt" not in text and "Juror" not in text and "Idé" not in text
    await JudgingSettings.filter(event=w.event).update(show_scores_to_teams=True)
    text = (await member.get("/events/hack-2025/results/feedback")).text
    assert "Idé" in text and "4,7 / 5" in text  # (5 + 4 + 5) / 3, with a decimal comma
    english = await member.get("/events/hack-2025/results/feedback",
                               headers={"Accept-Language": "en"})
    assert "4.7 / 5" in english.text


async def test_team_feedback_counts_only_the_reviews_the_ranking_counts(make_client, clock):
    w = await judged_event(results_in=-timedelta(hours=1))
    await JudgingSettings.filter(event=w.event).update(
        results_approved_at=w.event.results_published, show_scores_to_teams=True)
    draft_juror = await make_user("utkast@hack-2025.se", name="Juror Utkast")
    await EventRole.create(event=w.event, user=draft_juror, role=Role.JURY)
    draft = await Assignment.create(event=w.event, juror=draft_juror,
                                    submission=w.submissions["Solrosen"], feedback="Utkast!")
    await Score.create(assignment=draft, criterion=w.criteria[0], value=1)
    await Conflict.create(event=w.event, juror=w.jurors["lenient"], team=w.teams["Solrosen"],
                          kind="family")
    member = await signed_in(make_client, w.members["Solrosen"][0])
    text = (await member.get("/events/hack-2025/results/feedback")).text
    assert "Utkast!" not in text and text.count("Bra jobbat, Solrosen!") == 2
    assert "4,5 / 5" in text  # fair 5 and strict 4: no draft, no conflict


async def test_voting_with_an_account_and_with_codes(make_client, clock, settings):
    w = await judged_event()
    voter = await signed_in(make_client, w.members["Solrosen"][0])
    r = await voter.post_form("/events/hack-2025/vote",
                              {"submission": str(w.submissions["Bussen"].id)},
                              token_from="/events/hack-2025/vote")
    assert r.status_code == 400 and "Röstningen" in r.text and "stängd" in r.text
    await votes_service.set_open(w.event, True)
    page = (await voter.get("/events/hack-2025/vote")).text
    assert f'value="{w.submissions["Solrosen"].id}"' not in page  # not one's own team
    assert f'value="{w.submissions["Bussen"].id}"' in page and "slutgiltig" in page
    r = await voter.post_form("/events/hack-2025/vote",
                              {"submission": str(w.submissions["Solrosen"].id)},
                              token_from="/events/hack-2025/vote")
    assert r.status_code == 422 and "ditt eget lag" in r.text
    r = await voter.post_form("/events/hack-2025/vote",
                              {"submission": str(w.submissions["Bussen"].id)},
                              token_from="/events/hack-2025/vote")
    assert r.status_code == 303
    assert "Du har röstat på Bussen" in (await voter.get("/events/hack-2025/vote")).text
    # A pupil with a printed code, anonymous; the same code again is refused.
    token, = await votes_service.make_tokens(w.event, w.organiser, 1, None)
    code = votes_service.token_code(settings.secret_key, token)
    pupil = await make_client()
    page = (await pupil.get(f"/events/hack-2025/vote?code={code}")).text
    assert f'value="{code}"' in page
    r = await pupil.post_form("/events/hack-2025/vote", {
        "code": code, "submission": str(w.submissions["Parkappen"].id)},
        token_from="/events/hack-2025/vote")
    assert r.status_code == 303
    r = await (await make_client()).post_form("/events/hack-2025/vote", {
        "code": code, "submission": str(w.submissions["Bussen"].id)},
        token_from="/events/hack-2025/vote", htmx=True)
    assert r.status_code == 400 and "redan använts" in r.text
    assert await Vote.filter(event=w.event).count() == 2


async def test_a_teacher_prints_codes_for_their_own_class(make_client, clock, settings):
    w = await judged_event(kind=EventKind.SCHOOL)
    teacher = await make_user("larare@hack-2025.se", name="Tove Lärare")
    other = await make_user("annan@hack-2025.se", name="Annan Lärare")
    for person in (teacher, other):
        await EventRole.create(event=w.event, user=person, role=Role.TEACHER)
    own = await SchoolClass.create(event=w.event, name="6A", teacher=teacher, code="KLASS6AA")
    theirs = await SchoolClass.create(event=w.event, name="6B", teacher=other, code="KLASS6BB")
    client = await signed_in(make_client, teacher)
    r = await client.post_form("/events/hack-2025/vote-codes",
                               {"school_class": str(own.id), "count": "3"},
                               token_from="/events/hack-2025/vote-codes")
    assert r.status_code == 303
    r = await client.post_form("/events/hack-2025/vote-codes",
                               {"school_class": str(theirs.id), "count": "3"},
                               token_from="/events/hack-2025/vote-codes")
    assert r.status_code == 422 and "Välj en av dina klasser" in r.text
    assert await VoteToken.filter(event=w.event).count() == 3
    sheet = (await client.get(f"/events/hack-2025/vote-codes/print?class={own.id}")).text
    codes = re.findall(r'data-code="([^"]+)"', sheet)
    assert len(codes) == 3 and sheet.count('src="data:image/svg+xml') == 3
    assert (await client.get(f"/events/hack-2025/vote-codes/print?class={theirs.id}")
            ).status_code in (400, 403)
    # Without ?class= (a bookmark, a typed address): a choice of the teacher's own classes.
    picker = await client.get("/events/hack-2025/vote-codes/print")
    assert picker.status_code == 200
    assert f'vote-codes/print?class={own.id}"' in picker.text and "3 oanvända koder" in picker.text
    assert f"class={theirs.id}" not in picker.text and "data-code" not in picker.text
    # A class of the teacher's with no unused codes is named, not a link to an empty sheet (QA)
    empty = await SchoolClass.create(event=w.event, name="6C", teacher=teacher, code="KLASS6CC")
    picker = (await client.get("/events/hack-2025/vote-codes/print")).text
    assert "6C" in picker and f"class={empty.id}" not in picker


async def test_exports_for_the_chair_only(make_client, clock):
    w = await judged_event()
    organiser = await signed_in(make_client, w.organiser)
    r = await organiser.get("/events/hack-2025/judging/exports/scores.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "Juror Fair" in r.text
    r = await organiser.get("/events/hack-2025/judging/protocol.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    r = await organiser.get("/events/hack-2025/judging/protocol")
    assert r.status_code == 200 and "Juryprotokoll" in r.text
    juror = await signed_in(make_client, w.jurors["fair"])
    for url in ("/events/hack-2025/judging/exports/scores.csv",
                "/events/hack-2025/judging/diplomas.pdf"):
        assert (await juror.get(url)).status_code == 403


async def test_the_public_page_links_winners_and_leaves_out_later_ruled_out_ones(make_client,
                                                                                 clock):
    w = await judged_event(results_in=timedelta(hours=-1))
    for name, title in (("Årets bidrag", "Solrosen"), ("Hederspris", "Bussen")):
        await Award.create(event=w.event, kind="overall", name=name,
                           submission=w.submissions[title], motivation=f"Om {title}.")
    await JudgingSettings.filter(event=w.event).update(
        results_approved_at=clock() - timedelta(days=1), results_approved_by=w.organiser)
    public = await make_client()
    text = (await public.get("/events/hack-2025/results")).text
    assert f'href="/events/hack-2025/gallery/{w.submissions["Solrosen"].id}"' in text
    assert "Hederspris" in text
    # After the approval the organisers hide one and rule another out: the public no longer
    # sees their awards.
    await Submission.filter(id=w.submissions["Bussen"].id).update(
        hidden=True)
    text = (await public.get("/events/hack-2025/results")).text
    assert "Hederspris" not in text and "Om Bussen" not in text and "Årets bidrag" in text
    await Submission.filter(id=w.submissions["Solrosen"].id).update(
        eligibility="ineligible")
    text = (await public.get("/events/hack-2025/results")).text
    assert "Årets bidrag" not in text
