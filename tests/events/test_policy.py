"""events.policy: the one table of who may do what in an event, and the guard every package uses.

The table is written out here by hand from the contract between packages, so a change to the
policy must change this test too."""
from __future__ import annotations

import pytest

from events import policy
from events.models import Event, EventRole, Invitation, Role
from events.policy import Permission as P
from events.policy import Standing
from samskapa.auth.models import User
from samskapa.auth.passwords import token_hash
from samskapa.errors import Forbidden, NotFound
from tests.events.helpers import make_event, make_user, signed_in

ALL = set(P)
# role -> the permissions it grants (in a published event; drafts below)
EXPECTED = {
    Role.ORGANISER: ALL - {P.SCORE},
    Role.CHALLENGE_OWNER: {P.SEE_EVENT, P.SEE_DRAFTS, P.ADD_CHALLENGE},
    Role.JURY: {P.SEE_EVENT, P.SEE_PUPILS, P.SCORE},
    Role.JURY_CHAIR: {P.SEE_EVENT, P.SEE_PUPILS, P.SCORE, P.CHAIR_JURY},
    Role.TEACHER: {P.SEE_EVENT, P.SEE_PUPILS, P.TEACH},
    Role.PARTICIPANT: {P.SEE_EVENT},
}


def test_every_role_is_in_the_table():
    assert set(EXPECTED) == set(Role) == set(policy.GRANTS)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("permission", list(P), ids=lambda p: p.value)
@pytest.mark.parametrize("published", [True, False], ids=["published", "draft"])
def test_role_by_permission(role, permission, published):
    event = Event(slug="e", published=published)
    standing = Standing(event, User(id=1, is_admin=False), frozenset({role}))
    expected = permission in EXPECTED[role]
    if permission == P.SEE_EVENT and not published:
        expected = P.SEE_DRAFTS in EXPECTED[role]  # a draft is for those who see drafts only
    assert standing.may(permission) is expected


@pytest.mark.parametrize("published", [True, False])
def test_anonymous_and_site_admins(published):
    event = Event(slug="e", published=published)
    anonymous = Standing(event, None)
    assert {p for p in P if anonymous.may(p)} == ({P.SEE_EVENT} if published else set())
    admin = Standing(event, User(id=1, is_admin=True))
    assert {p for p in P if admin.may(p)} == ALL - {P.SCORE}
    assert admin.is_organiser and not anonymous.is_organiser


def test_roles_add_up():
    """An organiser who is also on the jury scores; a teacher who owns a challenge adds one."""
    event = Event(slug="e", published=True)
    both = Standing(event, User(id=1), frozenset({Role.ORGANISER, Role.JURY}))
    assert both.may(P.SCORE) and both.may(P.MANAGE_JUDGING)
    teacher_owner = Standing(event, User(id=1), frozenset({Role.TEACHER, Role.CHALLENGE_OWNER}))
    assert teacher_owner.may(P.ADD_CHALLENGE) and teacher_owner.may(P.TEACH)
    assert not teacher_owner.may(P.MANAGE_CHALLENGES)


def test_require_says_who_may():
    standing = Standing(Event(slug="e", published=True), User(id=1),
                        frozenset({Role.PARTICIPANT}))
    with pytest.raises(Forbidden) as refused:
        standing.require(P.MANAGE_EVENT)
    assert refused.value.message == "Only the event's organisers can do this."
    with pytest.raises(Forbidden) as refused:
        standing.require(P.SCORE, "Only the jury scores.")
    assert refused.value.message == "Only the jury scores."
    with pytest.raises(Forbidden) as refused:
        standing.require(P.CHAIR_JURY)
    assert refused.value.message == policy.NOT_ALLOWED


async def test_event_for_is_404_when_unseen_and_403_when_not_allowed(clean_db):
    organiser = await make_user("org@example.se")
    participant = await make_user("p@example.se")
    draft = await make_event("utkast", organiser=organiser, published=False)
    await make_event("oppet")
    await EventRole.create(event=draft, user=participant, role=Role.PARTICIPANT)
    with pytest.raises(NotFound):
        await policy.event_for("finns-inte", organiser)
    with pytest.raises(NotFound):  # a draft does not exist for a participant
        await policy.event_for("utkast", participant, P.MANAGE_EVENT)
    with pytest.raises(NotFound):
        await policy.event_for("utkast", None)
    with pytest.raises(Forbidden):  # a published event they may see, but not run
        await policy.event_for("oppet", participant, P.MANAGE_EVENT)
    event, standing = await policy.event_for("utkast", organiser, P.MANAGE_EVENT)
    assert event.id == draft.id and standing.roles == {Role.ORGANISER}


async def test_challenge_owners_see_their_draft_event_everywhere(make_client, client):
    """Challenge owners prepare their challenges before the event is published, so they see the
    draft event wherever its organisers do (the event page, its challenges, its teams, the
    start page), though they do not run it. Before the policy, the challenge pages let them in
    and the event page said 404."""
    organiser = await make_user("org@example.se")
    owner = await make_user("owner@example.se")
    draft = await make_event("utkast", organiser=organiser, published=False, title="Hemligt")
    await EventRole.create(event=draft, user=owner, role=Role.CHALLENGE_OWNER)
    c = await signed_in(make_client, owner)
    for path in ["/events/utkast", "/events/utkast/challenges", "/events/utkast/teams",
                 "/events/utkast/calendar.ics", "/api/events/utkast"]:
        assert (await c.get(path)).status_code == 200, path
    assert "Hemligt" in (await c.get("/")).text
    assert (await c.get("/events/utkast/challenges/new")).status_code == 200
    for path in ["/events/utkast/dashboard", "/events/utkast/edit", "/events/utkast/invite"]:
        assert (await c.get(path)).status_code == 403, path
    for path in ["/events/utkast", "/events/utkast/challenges", "/events/utkast/teams"]:
        assert (await client.get(path)).status_code == 404, path


async def test_an_invited_challenge_owner_is_sent_on_to_the_draft(make_client, mailbox):
    """Accepting an invitation to a draft: whoever the role lets see drafts is given the link."""
    organiser = await make_user("org@example.se")
    owner = await make_user("owner@example.se")
    draft = await make_event("utkast", organiser=organiser, published=False)
    await Invitation.create(event=draft, email=owner.email, role=Role.CHALLENGE_OWNER,
                            token_hash=token_hash("tok3n"), invited_by=organiser,
                            expires_at=draft.results_published)
    c = await signed_in(make_client, owner)
    r = await c.post_form("/invitations/tok3n", token_from="/invitations/tok3n")
    assert r.status_code == 200
    assert 'href="/events/utkast"' in r.text
