"""Invitations by email: invite, open the mailed link, sign in, accept."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from events.models import EventKind, EventRole, Invitation, Role
from samskapa.mail import OutboxMessage
from tests.events.helpers import PASSWORD, make_event, make_user, signed_in


async def invite(client, slug: str, email: str, role: str):
    return await client.post_form(f"/events/{slug}/invite", {"email": email, "role": role},
                                  token_from=f"/events/{slug}/invite")


async def test_invitation_round_trip(make_client, mailbox):
    organiser = await make_user("org@example.se", name="Olga")
    event = await make_event("hack", organiser=organiser)
    o = await signed_in(make_client, organiser)
    r = await invite(o, "hack", "Kim@Example.se", "challenge_owner")
    assert r.status_code == 303 and r.headers["location"].startswith("/events/hack/invite?sent=")
    page = await o.get(r.headers["location"])
    assert "Inbjudan skickad till kim@example.se." in page.text
    message = await OutboxMessage.get(to="kim@example.se")
    assert message.subject == "Inbjudan till Hack for Södertälje"
    assert "Olga har bjudit in dig till Hack for Södertälje som utmaningsägare" in message.body
    link = mailbox.last_link("kim@example.se", "/invitations/")
    invitation = await Invitation.get(email="kim@example.se")
    assert link.rsplit("/", 1)[1] not in invitation.token_hash  # only the hash is stored
    assert timedelta(days=13) < invitation.expires_at - datetime.now(timezone.utc) \
        <= timedelta(days=14)

    # A visitor opens the link signed out: told what it is and sent to sign in, then back.
    visitor = await make_client("127.0.0.5")
    page = await visitor.get(link)
    assert page.status_code == 200
    assert "Du är inbjuden till Hack for Södertälje som utmaningsägare." in page.text
    assert f'href="/login?next={link}"' in page.text
    assert f'href="/register?next={link}"' in page.text
    # They have no account yet: they create one and come straight back to the invitation.
    r = await visitor.post_form(f"/register?next={link}",
                                {"display_name": "Kim", "email": "kim@example.se",
                                 "password": PASSWORD, "next": link},
                                token_from=f"/register?next={link}")
    assert r.status_code == 303 and r.headers["location"] == link
    page = await visitor.get(link)
    assert "Tacka ja till inbjudan" in page.text
    r = await visitor.post_form(link, token_from=link)
    assert r.status_code == 200 and "Välkommen! Din roll i" in r.text and ": utmaningsägare." in r.text
    kim = await EventRole.get(event=event, role=Role.CHALLENGE_OWNER).prefetch_related("user")
    assert kim.user.email == "kim@example.se"
    assert (await Invitation.get(id=invitation.id)).accepted_at is not None

    # The same link again: already used.
    again = await visitor.get(link)
    assert again.status_code == 400 and "Den här inbjudan har redan använts." in again.text
    r = await visitor.post_form(link, token_from="/events/hack")
    assert r.status_code == 400 and "redan använts" in r.text
    assert await EventRole.filter(event=event, role=Role.CHALLENGE_OWNER).count() == 1


async def test_existing_account_signs_in_and_becomes_organiser_of_a_draft(make_client, mailbox):
    organiser = await make_user("org@example.se")
    event = await make_event("utkast", organiser=organiser, published=False)
    await make_user("co@example.se")
    o = await signed_in(make_client, organiser)
    assert (await invite(o, "utkast", "co@example.se", "organiser")).status_code == 303
    link = mailbox.last_link("co@example.se", "/invitations/")
    c = await make_client("127.0.0.6")
    r = await c.post_form(f"/login?next={link}", {"email": "co@example.se",
                                                  "password": PASSWORD, "next": link})
    assert r.status_code == 303 and r.headers["location"] == link
    r = await c.post_form(link, token_from=link)
    assert r.status_code == 200 and "Gå till evenemanget" in r.text
    assert (await c.get("/events/utkast/dashboard")).status_code == 200
    assert await EventRole.exists(event=event, user__email="co@example.se", role=Role.ORGANISER)


async def test_wrong_account_is_refused(make_client, mailbox):
    organiser = await make_user("org@example.se")
    event = await make_event("hack", organiser=organiser)
    o = await signed_in(make_client, organiser)
    await invite(o, "hack", "jury@example.se", "jury")
    link = mailbox.last_link("jury@example.se", "/invitations/")
    other = await make_user("other@example.se")
    c = await signed_in(make_client, other, "127.0.0.7")
    page = await c.get(link)
    assert "Inbjudan skickades till jury@example.se, men du är inloggad med ett annat konto" \
        in page.text and "Tacka ja till inbjudan" not in page.text
    r = await c.post_form(link, token_from=link)
    assert r.status_code == 403 and "annat konto" in r.text
    assert not await EventRole.exists(event=event, user=other)
    assert (await Invitation.get(email="jury@example.se")).accepted_at is None


async def test_unknown_and_expired_links(make_client, client, mailbox):
    organiser = await make_user("org@example.se")
    await make_event("hack", organiser=organiser)
    r = await client.get("/invitations/finns-inte")
    assert r.status_code == 404 and "Inbjudningslänken är inte giltig." in r.text
    o = await signed_in(make_client, organiser)
    await invite(o, "hack", "sen@example.se", "jury")
    link = mailbox.last_link("sen@example.se", "/invitations/")
    await Invitation.filter(email="sen@example.se").update(
        expires_at=datetime.now(timezone.utc) - timedelta(minutes=1))
    late = await make_user("sen@example.se")
    c = await signed_in(make_client, late, "127.0.0.8")
    assert "har gått ut" in (await c.get(link)).text
    r = await c.post_form(link, token_from="/")
    assert r.status_code == 400 and "har gått ut" in r.text
    assert not await EventRole.exists(user=late)


async def test_invite_form_errors_and_permissions(make_client, client):
    organiser = await make_user("org@example.se")
    event = await make_event("hack", organiser=organiser)
    already = await make_user("jury@example.se")
    await EventRole.create(event=event, user=already, role=Role.JURY)
    o = await signed_in(make_client, organiser)
    r = await o.post_form("/events/hack/invite", {"email": "inte-en-adress", "role": "jury"},
                          htmx=True, token_from="/events/hack/invite")
    assert r.status_code == 422 and "<html" not in r.text
    assert 'value="inte-en-adress"' in r.text and "Ange en giltig e-postadress" in r.text
    r = await invite(o, "hack", "jury@example.se", "jury")
    assert r.status_code == 422 and "Personen har redan den rollen" in r.text
    # Teachers belong to school events; participants register themselves.
    for role in ("teacher", "participant", "admin"):
        r = await invite(o, "hack", "x@example.se", role)
        assert r.status_code == 422 and "Välj ett av alternativen." in r.text, role
    assert await OutboxMessage.all().count() == 0
    school = await make_event("skola", organiser=organiser, kind=EventKind.SCHOOL)
    assert (await invite(o, "skola", "larare@example.se", "teacher")).status_code == 303
    assert await Invitation.exists(event=school, role=Role.TEACHER)
    # Only organisers invite.
    participant = await make_user("p@example.se")
    await EventRole.create(event=event, user=participant, role=Role.PARTICIPANT)
    p = await signed_in(make_client, participant, "127.0.0.3")
    assert (await p.get("/events/hack/invite")).status_code == 403
    r = await p.post_form("/events/hack/invite", {"email": "me2@example.se",
                                                  "role": "organiser"}, token_from="/")
    assert r.status_code == 403
    assert not await Invitation.exists(email="me2@example.se")
    assert (await client.get("/events/hack/invite")).status_code == 303


async def test_inviting_again_sends_a_new_link_instead_of_a_second_invitation(make_client,
                                                                               mailbox):
    """Found walking the app: two invitations for one person, the accepted one's twin still
    listed as waiting on the dashboard."""
    organiser = await make_user("org@example.se", name="Olga")
    event = await make_event("hack", organiser=organiser)
    o = await signed_in(make_client, organiser)
    await invite(o, "hack", "kim@example.se", "jury")
    first = mailbox.last_link("kim@example.se", "/invitations/")
    await invite(o, "hack", "kim@example.se", "jury")
    second = mailbox.last_link("kim@example.se", "/invitations/")
    assert first != second
    assert await Invitation.filter(event=event, email="kim@example.se").count() == 1
    visitor = await make_client("127.0.0.5")
    assert (await visitor.get(first)).status_code == 404  # the newest link counts
    assert (await visitor.get(second)).status_code == 200
