"""People's choice: one final vote per participant or per code, never for one's own team, only
while voting is open; codes derived from their row with the site's secret."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from judging import votes
from judging.models import Vote, VoteToken
from samskapa.errors import DomainError, Forbidden, ValidationError
from tests.events.helpers import make_user
from tests.judging.results_helpers import judged_event

SECRET = "test-secret"


def now():
    return datetime.now(timezone.utc)


async def open_voting(w):
    await votes.set_open(w.event, True)
    await w.settings.refresh_from_db()


async def test_a_participant_votes_once_never_for_their_own_team(clean_db):
    w = await judged_event()
    voter = w.members["Solrosen"][0]
    with pytest.raises(DomainError, match="closed"):
        await votes.vote_with_account(w.event, w.settings, voter, w.submissions["Bussen"].id)
    await open_voting(w)
    with pytest.raises(ValidationError) as refused:
        await votes.vote_with_account(w.event, w.settings, voter, w.submissions["Solrosen"].id)
    assert "own team" in refused.value.errors["submission"][0]
    await votes.vote_with_account(w.event, w.settings, voter, w.submissions["Bussen"].id)
    with pytest.raises(DomainError, match="already voted"):
        await votes.vote_with_account(w.event, w.settings, voter,
                                      w.submissions["Parkappen"].id)
    # A juror (not a participant) needs a code.
    with pytest.raises(Forbidden):
        await votes.vote_with_account(w.event, w.settings, w.jurors["fair"],
                                      w.submissions["Bussen"].id)
    assert await votes.totals(w.event) == {w.submissions["Bussen"].id: 1}


async def test_a_code_gives_one_vote(clean_db):
    w = await judged_event()
    await open_voting(w)
    token, = await votes.make_tokens(w.event, w.organiser, 1, None)
    code = votes.token_code(SECRET, token)
    assert code.startswith(f"{token.id}-") and len(code) == len(str(token.id)) + 10
    # Typed sloppily: lower case, without the dashes, with spaces.
    sloppy = " ".join(code.replace("-", "").lower())
    await votes.vote_with_code(w.event, w.settings, SECRET, sloppy,
                               w.submissions["Parkappen"].id, None, now())
    with pytest.raises(DomainError, match="already been used"):
        await votes.vote_with_code(w.event, w.settings, SECRET, code,
                                   w.submissions["Bussen"].id, None, now())
    assert await Vote.filter(event=w.event).count() == 1
    assert (await VoteToken.get(id=token.id)).used_at is not None


async def test_a_forged_or_foreign_code_is_refused(clean_db):
    w = await judged_event()
    other = await judged_event("annat-2025")
    await open_voting(w)
    token, = await votes.make_tokens(w.event, w.organiser, 1, None)
    foreign, = await votes.make_tokens(other.event, other.organiser, 1, None)
    code = votes.token_code(SECRET, token)
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    for attempt in (forged, votes.token_code("another-secret", token),
                    votes.token_code(SECRET, foreign), "12-ÅÄÖÅ-ÄÖÅÄ", "", "9" * 40):
        with pytest.raises(votes.UnknownVoteCode):
            await votes.vote_with_code(w.event, w.settings, SECRET, attempt,
                                       w.submissions["Bussen"].id, None, now())
    assert await Vote.all().count() == 0


async def test_a_signed_in_team_member_cannot_use_a_code_for_their_own_team(clean_db):
    w = await judged_event()
    await open_voting(w)
    token, = await votes.make_tokens(w.event, w.organiser, 1, None)
    with pytest.raises(ValidationError):
        await votes.vote_with_code(w.event, w.settings, SECRET, votes.token_code(SECRET, token),
                                   w.submissions["Solrosen"].id, w.members["Solrosen"][1], now())
    assert (await VoteToken.get(id=token.id)).used_at is None  # the code is still good


async def test_totals_are_hidden_while_voting_is_open():
    from judging.models import JudgingSettings
    is_open = JudgingSettings(peoples_choice_open=True)
    closed = JudgingSettings(peoples_choice_open=False)
    assert not votes.totals_visible(is_open, chair=True, public=True)
    assert votes.totals_visible(closed, chair=True, public=False)
    assert not votes.totals_visible(closed, chair=False, public=False)
    assert votes.totals_visible(closed, chair=False, public=True)


async def test_making_codes_is_bounded(clean_db):
    w = await judged_event()
    for count in (0, votes.MAX_TOKENS_AT_ONCE + 1):
        with pytest.raises(ValidationError):
            await votes.make_tokens(w.event, w.organiser, count, None)
    made = await votes.make_tokens(w.event, w.organiser, 3, None)
    assert [t.id for t in await votes.unused_tokens(w.event, None)] == [t.id for t in made]
    assert await votes.token_counts(w.event) == {None: (3, 0)}


async def test_an_account_vote_and_a_code_vote_never_both(clean_db):
    w = await judged_event()
    await open_voting(w)
    first, second = await votes.make_tokens(w.event, w.organiser, 2, None)
    voter, other = w.members["Solrosen"][0], w.members["Parkappen"][0]
    # Account first, then a code: refused, and the code stays unused.
    await votes.vote_with_account(w.event, w.settings, voter, w.submissions["Bussen"].id)
    with pytest.raises(DomainError, match="already voted"):
        await votes.vote_with_code(w.event, w.settings, SECRET, votes.token_code(SECRET, first),
                                   w.submissions["Bussen"].id, voter, now())
    assert (await VoteToken.get(id=first.id)).used_at is None
    # A code first (signed in), then the account: refused.
    await votes.vote_with_code(w.event, w.settings, SECRET, votes.token_code(SECRET, second),
                               w.submissions["Bussen"].id, other, now())
    with pytest.raises(DomainError, match="already voted"):
        await votes.vote_with_account(w.event, w.settings, other, w.submissions["Bussen"].id)
    # Nor a second code.
    with pytest.raises(DomainError, match="already voted"):
        await votes.vote_with_code(w.event, w.settings, SECRET, votes.token_code(SECRET, first),
                                   w.submissions["Solrosen"].id, other, now())
    assert await votes.totals(w.event) == {w.submissions["Bussen"].id: 2}


async def test_a_class_code_votes_for_another_class_and_codes_per_class_are_capped(clean_db):
    from school.models import Pupil, SchoolClass
    from teams.models import Team
    w = await judged_event()
    await open_voting(w)
    klass = await SchoolClass.create(event=w.event, name="6A", code="KLASS6A")
    await Team.filter(id=w.teams["Solrosen"].id).update(school_class_id=klass.id)
    for i in range(2):
        pupil = await make_user(f"elev{i}@skola.se", name=f"Elev {i}")
        await Pupil.create(user=pupil, school_class=klass, nickname=f"Elev {i}")
    limit = 2 + votes.CLASS_MARGIN
    with pytest.raises(ValidationError) as refused:
        await votes.make_tokens(w.event, w.organiser, limit + 1, klass)
    assert "one code per pupil" in refused.value.errors["count"][0]
    token, *_rest = await votes.make_tokens(w.event, w.organiser, limit, klass)
    with pytest.raises(ValidationError):
        await votes.make_tokens(w.event, w.organiser, 1, klass)
    code = votes.token_code(SECRET, token)
    with pytest.raises(ValidationError) as refused:
        await votes.vote_with_code(w.event, w.settings, SECRET, code,
                                   w.submissions["Solrosen"].id, None, now())
    assert "another class" in refused.value.errors["submission"][0]
    assert (await VoteToken.get(id=token.id)).used_at is None
    await votes.vote_with_code(w.event, w.settings, SECRET, code, w.submissions["Bussen"].id,
                               None, now())


async def test_a_teacher_signed_in_on_the_classroom_computer_casts_pupils_codes(clean_db):
    from events.models import EventRole, Role
    w = await judged_event()
    await open_voting(w)
    teacher = await make_user("larare@skola.se", name="Tove Lärare")
    await EventRole.create(event=w.event, user=teacher, role=Role.TEACHER)
    tokens = await votes.make_tokens(w.event, w.organiser, 3, None)
    for token, title in zip(tokens, ("Bussen", "Parkappen", "Bussen")):
        await votes.vote_with_code(w.event, w.settings, SECRET, votes.token_code(SECRET, token),
                                   w.submissions[title].id, teacher, now())
    # Three pupils' votes, none of them the teacher's: the teacher's own vote is not used up.
    assert await Vote.filter(event=w.event, voter_id=None).count() == 3
    assert await votes.own_vote(w.event, teacher) is None
    assert await votes.totals(w.event) == {w.submissions["Bussen"].id: 2,
                                           w.submissions["Parkappen"].id: 1}


async def test_codes_made_for_a_class_at_once_never_pass_its_cap(clean_db):
    import asyncio
    from school.models import Pupil, SchoolClass
    w = await judged_event()
    klass = await SchoolClass.create(event=w.event, name="6A", code="KLASS6A")
    for i in range(2):
        pupil = await make_user(f"elev{i}@skola.se", name=f"Elev {i}")
        await Pupil.create(user=pupil, school_class=klass, nickname=f"Elev {i}")
    # Connections open as on a running server (a new one takes longer than a request).
    await asyncio.gather(*(Pupil.filter(school_class=klass).count() for _ in range(5)))
    # The cap is 2 + 5 = 7: of five requests for 2 codes each, made at once, three fit.
    results = await asyncio.gather(
        *(votes.make_tokens(w.event, w.organiser, 2, klass) for _ in range(5)),
        return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["ValidationError"] * 2 + ["list"] * 3
    assert await VoteToken.filter(school_class=klass).count() == 6
