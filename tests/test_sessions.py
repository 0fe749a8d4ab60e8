"""Sessions that can be ended (logout, password reset, password change, sign out everywhere),
the account page, email verification, and the claim-before-the-owner attack: all over HTTP, with
old cookies replayed as an attacker who kept them would."""
from __future__ import annotations

import base64
import json
import logging
from datetime import datetime, timedelta, timezone

from events.models import EventRole, Role
from samskapa.auth.models import EmailVerificationToken, User, UserSession
from samskapa.auth.passwords import token_hash
from tests.conftest import CSRF_RE
from tests.events.helpers import PASSWORD, make_event, make_user, signed_in

COOKIE = "samskapa_session"


async def stolen(client) -> tuple[str, str]:
    """What an attacker copies from a signed-in browser: its cookie and its CSRF token."""
    page = await client.get("/")
    assert 'action="/logout"' in page.text  # signed in
    return client.cookies[COOKIE], CSRF_RE.search(page.text).group(1)


async def replay(make_client, loot: tuple[str, str], ip: str = "10.66.0.1") -> dict:
    """The stolen cookie in another browser: is it signed in, and does its CSRF token still
    pass (a POST to /logout: 303 to / when it does; refused when it does not, which for an
    ended session means being sent to sign in again)?"""
    cookie, csrf = loot
    attacker = await make_client(ip)
    attacker.cookies.set(COOKIE, cookie)
    page = await attacker.get("/")
    attacker.cookies.set(COOKIE, cookie)
    post = await attacker.post("/logout", data={"csrf_token": csrf})
    refused = post.status_code == 403 or (
        post.status_code == 303 and post.headers["location"].startswith("/login?next="))
    return {"signed_in": 'action="/logout"' in page.text,
            "post": "refused" if refused else post.status_code}


ANONYMOUS = {"signed_in": False, "post": "refused"}


async def assert_signed_in(client) -> None:
    r = await client.get("/")
    assert 'action="/logout"' in r.text


async def test_a_copied_cookie_works_until_the_session_ends(make_client):
    """The baseline the other tests break: a live session's cookie signs in anywhere."""
    user = await make_user("anna@example.se")
    anna = await signed_in(make_client, user)
    assert await replay(make_client, await stolen(anna)) == {"signed_in": True, "post": 303}


async def test_logout_ends_that_session_and_only_that_one(make_client):
    user = await make_user("anna@example.se")
    laptop = await signed_in(make_client, user, "10.0.0.1")
    phone = await signed_in(make_client, user, "10.0.0.2")
    loot = await stolen(laptop)
    r = await laptop.post_form("/logout", token_from="/")
    assert r.status_code == 303
    assert await replay(make_client, loot) == ANONYMOUS
    await assert_signed_in(phone)
    assert await UserSession.filter(user=user).count() == 1


async def test_password_reset_ends_every_session(make_client, mailbox):
    user = await make_user("anna@example.se")
    old = await signed_in(make_client, user, "10.0.0.1")
    loot = await stolen(old)
    owner = await make_client("10.0.0.2")
    await owner.post_form("/password/forgot", {"email": "anna@example.se"})
    link = mailbox.last_link("anna@example.se", "/password/reset/")
    r = await owner.post_form(link, {"password": "nytt-lösen-1", "password_again": "nytt-lösen-1"},
                              token_from=link)
    assert r.status_code == 303
    assert "Ditt lösenord är bytt." in (await owner.get(r.headers["location"])).text
    await assert_signed_in(owner)  # the one who reset is signed in, with a new session
    assert await replay(make_client, loot) == ANONYMOUS
    r = await old.get("/")  # the old browser itself is signed out too
    assert 'action="/logout"' not in r.text


async def test_a_used_reset_link_voids_the_older_ones(make_client, mailbox):
    """Found walking the app: a reset link asked for earlier still worked after the password
    was reset with a newer one, and signed its holder in (ending the owner's new session)."""
    await make_user("anna@example.se")
    owner = await make_client("10.0.0.2")
    await owner.post_form("/password/forgot", {"email": "anna@example.se"})
    older = mailbox.last_link("anna@example.se", "/password/reset/")
    await owner.post_form("/password/forgot", {"email": "anna@example.se"})
    newer = mailbox.last_link("anna@example.se", "/password/reset/")
    assert older != newer
    r = await owner.post_form(newer, {"password": "nytt-lösen-1", "password_again": "nytt-lösen-1"},
                              token_from=newer)
    assert r.status_code == 303
    holder = await make_client("10.0.0.3")
    assert (await holder.get(older)).status_code == 404
    await assert_signed_in(owner)


async def test_change_password_on_the_account_page(make_client):
    user = await make_user("anna@example.se")
    here = await signed_in(make_client, user, "10.0.0.1")
    elsewhere = await signed_in(make_client, user, "10.0.0.2")
    loot_here, loot_elsewhere = await stolen(here), await stolen(elsewhere)

    r = await here.post_form("/account/password", {
        "current_password": "fel-lösen", "new_password": "kort", "new_password_again": "annat"},
        htmx=True, token_from="/account")
    assert r.status_code == 422 and "<html" not in r.text
    assert "Det här är inte ditt nuvarande lösenord." in r.text
    assert "Minst 8 tecken." in r.text and "Lösenorden stämmer inte överens." in r.text
    await assert_signed_in(elsewhere)  # a refused change ends nothing

    r = await here.post_form("/account/password", {
        "current_password": PASSWORD, "new_password": "nytt-lösen-1",
        "new_password_again": "nytt-lösen-1"}, token_from="/account")
    assert r.status_code == 303 and r.headers["location"] == "/account"
    page = await here.get("/account")
    assert page.status_code == 200 and "Ditt lösenord är bytt." in page.text
    assert "Ditt lösenord är bytt." not in (await here.get("/account")).text  # said once
    # This browser goes on with a new session; every earlier cookie is anonymous.
    assert await replay(make_client, loot_here) == ANONYMOUS
    assert await replay(make_client, loot_elsewhere) == ANONYMOUS
    assert 'action="/logout"' not in (await elsewhere.get("/")).text
    fresh = await make_client("10.0.0.3")
    r = await fresh.post_form("/login", {"email": "anna@example.se", "password": PASSWORD})
    assert r.status_code == 422
    await fresh.login("anna@example.se", "nytt-lösen-1")


async def test_sign_out_everywhere(make_client):
    user = await make_user("anna@example.se")
    other = await make_user("bo@example.se")
    here = await signed_in(make_client, user, "10.0.0.1")
    elsewhere = await signed_in(make_client, user, "10.0.0.2")
    bo = await signed_in(make_client, other, "10.0.0.3")
    loot = await stolen(elsewhere)
    page = await here.get("/account")
    assert page.text.count('<li class="session">') == 2 and "den här webbläsaren" in page.text
    r = await here.post_form("/account/sign-out-everywhere", token_from="/account")
    assert r.status_code == 303
    assert 'action="/logout"' not in (await here.get("/")).text
    assert await replay(make_client, loot) == ANONYMOUS
    await assert_signed_in(bo)  # only that account's sessions


async def test_account_link_in_the_header(make_client, client):
    user = await make_user("anna@example.se", name="Anna")
    anna = await signed_in(make_client, user)
    assert 'href="/account"' in (await anna.get("/")).text
    assert 'href="/account"' not in (await client.get("/")).text
    r = await client.get("/account")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/account"


async def test_an_idle_session_expires_and_a_used_one_does_not(make_client):
    user = await make_user("anna@example.se")
    anna = await signed_in(make_client, user)
    loot = await stolen(anna)
    session = await UserSession.get(user=user)
    # Used an hour ago: still alive, and the visit is recorded.
    await UserSession.filter(id=session.id).update(
        last_seen_at=datetime.now(timezone.utc) - timedelta(hours=1))
    await assert_signed_in(anna)
    seen = await UserSession.get(id=session.id)
    assert datetime.now(timezone.utc) - seen.last_seen_at < timedelta(minutes=1)
    # Unused for 15 days: over, whatever the cookie says.
    await UserSession.filter(id=session.id).update(
        last_seen_at=datetime.now(timezone.utc) - timedelta(days=15))
    assert await replay(make_client, loot) == ANONYMOUS


async def test_the_cookie_holds_no_user_id_and_the_table_no_key(make_client):
    user = await make_user("anna@example.se")
    anna = await signed_in(make_client, user)
    cookie = anna.cookies[COOKIE]
    session = await UserSession.get(user=user)
    data = json.loads(base64.b64decode(cookie.split(".")[0]))
    assert "user_id" not in data and set(data) <= {"sid", "csrf"}
    assert session.key_hash == token_hash(data["sid"]) and data["sid"] not in session.key_hash


# --- email verification -----------------------------------------------------------------------

async def register(client, email: str, password: str = PASSWORD, **extra):
    r = await client.post_form("/register", {"display_name": "Ny", "email": email,
                                             "password": password, **extra})
    assert r.status_code == 303, r.text[-800:]
    return r


async def test_registration_mails_a_confirmation_link(client, make_client, mailbox):
    await register(client, "ny@example.se")
    user = await User.get(email="ny@example.se")
    assert not user.email_verified
    said = (await client.get("/")).text  # where registering led: the first page says it once
    assert "Vi har mejlat en länk till ny@example.se" in said
    assert "Vi har mejlat en länk" not in (await client.get("/")).text
    page = await client.get("/account")
    assert "Din e-postadress är inte bekräftad än" in page.text
    link = mailbox.last_link("ny@example.se", "/email/verify/")
    token = link.rsplit("/", 1)[1]
    stored = await EmailVerificationToken.get(user=user)
    assert stored.token_hash == token_hash(token) and token not in stored.token_hash

    # Asking again at once is refused with a reason (no flood of mails).
    r = await client.post_form("/account/verify", htmx=True, token_from="/account")
    assert r.status_code == 429 and "Vi skickade en länk nyss" in r.text
    assert len(mailbox.mails("ny@example.se")) == 1

    # Whoever opens the link (here: a browser not signed in) confirms the address.
    r = await (await make_client("10.0.0.9")).get(link)
    assert r.status_code == 200 and "din e-postadress är bekräftad" in r.text
    assert (await User.get(id=user.id)).email_verified
    assert "Din e-postadress är bekräftad." in (await client.get("/account")).text
    r = await client.get(link)
    assert r.status_code == 404 and "Bekräftelselänken gäller inte längre" in r.text
    assert (await client.get("/email/verify/finns-inte")).status_code == 404


async def test_resending_the_confirmation_link(client, mailbox):
    await register(client, "ny@example.se")
    await EmailVerificationToken.filter(user__email="ny@example.se").update(
        created_at=datetime.now(timezone.utc) - timedelta(minutes=10))
    r = await client.post_form("/account/verify", htmx=True, token_from="/account")
    assert r.status_code == 200 and "Vi har skickat en ny länk till ny@example.se." in r.text
    assert len(mailbox.mails("ny@example.se")) == 2
    r = await client.get(mailbox.last_link("ny@example.se", "/email/verify/"))
    assert r.status_code == 200


async def test_a_password_reset_confirms_the_address(client, mailbox):
    await register(client, "ny@example.se")
    await client.post_form("/password/forgot", {"email": "ny@example.se"})
    link = mailbox.last_link("ny@example.se", "/password/reset/")
    await client.post_form(link, {"password": "nytt-lösen-1", "password_again": "nytt-lösen-1"},
                           token_from=link)
    assert (await User.get(email="ny@example.se")).email_verified


async def test_accepting_an_invitation_confirms_the_address(make_client, mailbox):
    organiser = await make_user("org@example.se")
    event = await make_event("hack", organiser=organiser)
    kim = await make_client("10.0.0.5")
    await register(kim, "kim@example.se")
    o = await signed_in(make_client, organiser, "10.0.0.6")
    await o.post_form("/events/hack/invite", {"email": "kim@example.se", "role": "jury"},
                      token_from="/events/hack/invite")
    link = mailbox.last_link("kim@example.se", "/invitations/")
    r = await kim.post_form(link, token_from=link)
    assert r.status_code == 200
    user = await User.get(email="kim@example.se")
    assert user.email_verified
    assert await EventRole.exists(event=event, user=user, role=Role.JURY)


async def test_an_account_claimed_before_its_owner_arrives(make_client, mailbox):
    """The attack from issue 6: an attacker registers a colleague's address and waits. The
    colleague is invited as organiser, cannot sign in, resets the password, accepts. The
    attacker's session, kept all along, must end anonymous and never be organiser."""
    organiser = await make_user("org@example.se")
    event = await make_event("hack", organiser=organiser)
    attacker = await make_client("10.66.0.1")
    await register(attacker, "kollega@kommun.se", "angriparens-lösen")
    loot = await stolen(attacker)
    claimed = await User.get(email="kollega@kommun.se")

    o = await signed_in(make_client, organiser, "10.0.0.2")
    await o.post_form("/events/hack/invite", {"email": "kollega@kommun.se", "role": "organiser"},
                      token_from="/events/hack/invite")
    invitation = mailbox.last_link("kollega@kommun.se", "/invitations/")
    # The attacker has the account but not the mailbox: nothing to accept with.
    assert (await attacker.get("/events/hack/dashboard")).status_code in (403, 404)

    colleague = await make_client("10.0.0.3")
    page = await colleague.get(invitation)
    assert "Logga in" in page.text
    await colleague.post_form("/password/forgot", {"email": "kollega@kommun.se"})
    reset = mailbox.last_link("kollega@kommun.se", "/password/reset/")
    r = await colleague.post_form(reset, {"password": "kollegans-lösen",
                                          "password_again": "kollegans-lösen"}, token_from=reset)
    assert r.status_code == 303
    r = await colleague.post_form(invitation, token_from=invitation)
    assert r.status_code == 200 and "Välkommen!" in r.text
    assert await EventRole.exists(event=event, user=claimed, role=Role.ORGANISER)

    # The attacker's old session: no organiser pages, anonymous, its CSRF token dead.
    r = await attacker.get("/events/hack/dashboard")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert await replay(make_client, loot) == ANONYMOUS
    r = await attacker.post_form("/login", {"email": "kollega@kommun.se",
                                            "password": "angriparens-lösen"})
    assert r.status_code == 422
    # The address was unconfirmed while the attacker held the account; the owner's reset
    # link confirmed it.
    assert (await EmailVerificationToken.get(user=claimed)).used_at is None
    assert (await User.get(id=claimed.id)).email_verified


async def test_a_signed_in_request_costs_one_query(make_client, caplog):
    """The session lookup loads the user with it (a join): a signed-in request asks the
    database once before any page's own queries (a redirect that needs nothing else here),
    and a static file not at all (found in review: each stylesheet cost a lookup)."""
    user = await make_user("anna@example.se")
    anna = await signed_in(make_client, user)
    await assert_signed_in(anna)  # last_seen_at is fresh: no write follows
    caplog.set_level(logging.DEBUG, logger="tortoise.db_client")

    def queries() -> list[str]:
        return [rec.getMessage() for rec in caplog.records if rec.name == "tortoise.db_client"]

    caplog.clear()
    assert (await anna.get("/lang?to=sv&next=/")).status_code == 303
    assert len(queries()) == 1, queries()
    assert "user_sessions" in queries()[0] and "users" in queries()[0]
    caplog.clear()
    assert (await anna.get("/static/css/site.css")).status_code == 200
    assert queries() == []


async def test_a_form_sent_after_the_session_ended_asks_to_sign_in_again(make_client):
    """Found walking the app: a page left open while the session was ended elsewhere answered
    its next form with "Not allowed: ask the organisers"; it now asks to sign in again and
    come back to the page."""
    user = await make_user("anna@example.se")
    here = await signed_in(make_client, user, "10.0.0.1")
    elsewhere = await signed_in(make_client, user, "10.0.0.2")
    token = CSRF_RE.search((await here.get("/account")).text).group(1)
    cookie = here.cookies[COOKIE]
    await elsewhere.post_form("/account/sign-out-everywhere", token_from="/account")
    r = await here.post("/account/sign-out-everywhere", data={"csrf_token": token},
                        headers={"Referer": "http://testserver/account"})
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/account"
    page = await here.get(r.headers["location"])
    assert "Du har loggats ut" in page.text and 'name="next" value="/account"' in page.text
    assert "Du har loggats ut" not in (await here.get("/login")).text  # said once
    here.cookies.set(COOKIE, cookie)  # the same, from another tab that was open with htmx
    r = await here.post("/logout", data={"csrf_token": token}, headers={
        "HX-Request": "true", "HX-Current-URL": "http://testserver/events/hack?x=1"})
    assert r.status_code == 204
    assert r.headers["HX-Redirect"] == "/login?next=/events/hack%3Fx%3D1"
    # Without a session behind it, a missing token is still refused as before.
    stranger = await make_client("10.0.0.3")
    assert (await stranger.post("/logout", data={"csrf_token": "x"})).status_code == 403


async def test_the_current_password_cannot_be_guessed_from_a_session(make_client):
    """Someone holding a signed-in browser (a shared school computer) must not be able to try
    passwords on the account page faster than on the sign-in page."""
    user = await make_user("anna@example.se")
    thief = await signed_in(make_client, user, "10.0.0.9")
    answers = []
    for i in range(8):
        r = await thief.post_form("/account/password", {
            "current_password": f"gissning-{i}", "new_password": "nytt-lösen-1",
            "new_password_again": "nytt-lösen-1"}, token_from="/account")
        answers.append(r.status_code)
        if "Försök igen om" in r.text:
            break
    assert answers[-1] == 422 and "Försök igen om" in r.text and len(answers) <= 7, answers
    # Paused now even with the right password: the wait holds for the account page too.
    r = await thief.post_form("/account/password", {
        "current_password": PASSWORD, "new_password": "nytt-lösen-1",
        "new_password_again": "nytt-lösen-1"}, token_from="/account")
    assert r.status_code == 422 and "Försök igen om" in r.text


async def test_the_account_page_names_browsers_not_user_agent_strings(make_client):
    await make_user("anna@example.se")
    phone = await make_client("10.0.0.1")
    phone.headers["User-Agent"] = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) "
                                   "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 "
                                   "Mobile/15E148 Safari/604.1")
    await phone.login("anna@example.se", PASSWORD)
    page = (await phone.get("/account")).text
    assert "Mobile Safari, iOS" in page and "Mozilla/5.0" not in page


async def test_signing_in_as_someone_else_ends_the_earlier_session(make_client):
    """A shared school computer: B signs in where A was signed in. A's session ends there and
    then, instead of lingering for 14 days for anyone who copied its cookie (found in review)."""
    await make_user("anna@example.se")
    await make_user("bo@example.se")
    shared = await make_client("10.0.0.1")
    await shared.login("anna@example.se", PASSWORD)
    loot = await stolen(shared)
    await shared.login("bo@example.se", PASSWORD)
    assert await replay(make_client, loot) == ANONYMOUS
    assert await UserSession.filter(user__email="anna@example.se").count() == 0


async def test_a_csrf_token_that_is_not_ascii_is_refused_not_a_500(make_client):
    visitor = await make_client("10.0.0.1")
    await visitor.get("/login")  # now the session holds a token
    r = await visitor.post("/login", data={"email": "a@example.se", "password": "x",
                                           "csrf_token": "é"})
    assert r.status_code == 403
    r = await visitor.post("/login", data={"email": "a@example.se"},
                           headers={"X-CSRF-Token": "ö".encode()})  # raw UTF-8 bytes
    assert r.status_code == 403
