"""The site admin's outbox shows every mail without a live secret, the database keeps only
hashes of tokens, and old mail is purged. The admin tries what an admin could: read the outbox
and use whatever it shows."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from events.models import Invitation
from samskapa.auth.models import EmailVerificationToken, PasswordResetToken, User
from samskapa.mail import OutboxMessage
from tests.events.helpers import PASSWORD, make_event, make_user, signed_in


async def everything_stored() -> str:
    """Every text the database holds about mail and tokens, in one string to search."""
    parts = [m.body for m in await OutboxMessage.all()]
    for model in (PasswordResetToken, Invitation, EmailVerificationToken):
        parts += [r.token_hash for r in await model.all()]
    return "\n".join(parts)


async def test_the_admin_cannot_reset_a_password_from_the_outbox(make_client, mailbox):
    admin = await make_user("admin@example.se", admin=True)
    await make_user("anna@example.se")
    anonymous = await make_client("10.0.0.1")
    r = await anonymous.post_form("/password/forgot", {"email": "anna@example.se"})
    assert r.status_code == 200

    a = await signed_in(make_client, admin, "10.0.0.2")
    page = await a.get("/admin/outbox")
    assert page.status_code == 200 and "anna@example.se" in page.text
    assert "Återställ ditt lösenord till Samskapa" in page.text  # the mail is there, ...
    assert "[länken dold: den fungerar bara för mottagaren]" in page.text  # ... its link is not
    # Everything on the page that looks like a way in, tried.
    for path in set(re.findall(r"/password/reset/[^\s<\"']*", page.text)):
        r = await a.get(path)
        assert r.status_code == 404
        r = await a.post_form(path, {"password": "admins-lösen", "password_again": "admins-lösen"},
                              token_from="/admin/outbox")
        assert r.status_code == 404
    fresh = await make_client("10.0.0.3")
    await fresh.login("anna@example.se", PASSWORD)  # the password is unchanged

    # The mail as delivered still works for its recipient, and was never stored.
    link = mailbox.last_link("anna@example.se", "/password/reset/")
    token = link.rsplit("/", 1)[1]
    assert token not in await everything_stored()
    assert (await anonymous.get(link)).status_code == 200


async def test_invitation_and_confirmation_links_are_hidden_too(make_client, mailbox):
    admin = await make_user("admin@example.se", admin=True)
    await make_event("hack", organiser=admin)
    a = await signed_in(make_client, admin, "10.0.0.2")
    await a.post_form("/events/hack/invite", {"email": "kim@example.se", "role": "organiser"},
                      token_from="/events/hack/invite")
    newcomer = await make_client("10.0.0.4")
    await newcomer.post_form("/register", {"display_name": "Ny", "email": "ny@example.se",
                                           "password": PASSWORD})
    page = (await a.get("/admin/outbox")).text
    assert "kim@example.se" in page and "ny@example.se" in page
    invitation = mailbox.last_link("kim@example.se", "/invitations/")
    confirmation = mailbox.last_link("ny@example.se", "/email/verify/")
    stored = await everything_stored()
    for link in (invitation, confirmation):
        token = link.rsplit("/", 1)[1]
        assert token not in page and token not in stored
    assert "/invitations/" not in page and "/email/verify/" not in page
    assert page.count("[länken dold: den fungerar bara för mottagaren]") == 2
    # What the admin can see does not confirm anyone's address.
    assert not (await User.get(email="ny@example.se")).email_verified


async def test_old_mail_is_purged(make_client):
    admin = await make_user("admin@example.se", admin=True)
    await make_user("anna@example.se")
    old = await OutboxMessage.create(to="gammal@example.se", subject="Gammalt", body="x")
    recent = await OutboxMessage.create(to="ny@example.se", subject="Nytt", body="y")
    await OutboxMessage.filter(id=old.id).update(
        created_at=datetime.now(timezone.utc) - timedelta(days=31))
    await OutboxMessage.filter(id=recent.id).update(
        created_at=datetime.now(timezone.utc) - timedelta(days=29))
    # Sending any mail purges what is older than the retention (30 days by default) ...
    await (await make_client("10.0.0.1")).post_form("/password/forgot",
                                                    {"email": "anna@example.se"})
    assert not await OutboxMessage.exists(id=old.id)
    assert await OutboxMessage.exists(id=recent.id)
    # ... and so does reading the outbox, even when nothing was sent.
    await OutboxMessage.filter(id=recent.id).update(
        created_at=datetime.now(timezone.utc) - timedelta(days=40))
    a = await signed_in(make_client, admin, "10.0.0.2")
    page = await a.get("/admin/outbox")
    assert "ny@example.se" not in page.text and "30 dagar" in page.text
    assert not await OutboxMessage.exists(id=recent.id)
