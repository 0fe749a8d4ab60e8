"""The sign-in, registration and reset-mail limits, tried over HTTP as an attacker (and the people
an attacker shares an address with) would: counts shared by every worker, keyed so that one
address is not one attacker, growing waits instead of a lock-out, proxy headers believed only
from configured proxies, and a table that does not grow with every address tried.

The app's clock (samskapa.clock) is replaced by one the test moves forward, so waiting costs
no time."""
from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import httpx
import pytest

from samskapa.app import create_app
from samskapa.auth import service
from samskapa.auth.models import User
from samskapa.auth.passwords import make_password_hash
from samskapa.errors import DomainError
from samskapa.limiter import LimitCounter
from samskapa.mail import OutboxMessage
from tests.conftest import Client

PASSWORD = "hemligt123"
WRONG = "Fel e-postadress eller lösenord"
WAIT_RE = re.compile(r"Försök igen om (\d+) (sekund|minut|timm)")
UNIT_SECONDS = {"sekund": 1, "minut": 60, "timm": 3600}



def told_wait(response: httpx.Response) -> timedelta | None:
    """The wait the page tells the visitor (in Swedish), or None when it tells none."""
    match = WAIT_RE.search(response.text)
    if match is None:
        return None
    return timedelta(seconds=int(match.group(1)) * UNIT_SECONDS[match.group(2)])


async def make_user(email="anna@example.se", password=PASSWORD) -> User:
    return await User.create(email=email, password_hash=await make_password_hash(password),
                             display_name=email.split("@")[0].capitalize())


async def sign_in(client: Client, email: str, password: str, **headers) -> httpx.Response:
    token = await client.csrf()
    return await client.post("/login", headers=headers,
                             data={"email": email, "password": password, "csrf_token": token})


# --- sign-in -----------------------------------------------------------------------------------

async def test_an_attacker_slows_an_account_but_never_locks_its_owner_out(make_client, clock):
    await make_user()
    owner = await make_client("198.51.100.7")  # the owner's home, where they signed in before
    assert (await sign_in(owner, "anna@example.se", PASSWORD)).status_code == 303

    attacker = await make_client("203.0.113.66")
    waits = []
    failures = 0
    while failures < 50:
        r = await sign_in(attacker, "anna@example.se", f"gissning{failures}")
        assert r.status_code == 422
        wait = told_wait(r)
        if wait is None:
            assert WRONG in r.text
            failures += 1
        else:  # slowed down: the attacker waits as told, then guesses again
            waits.append(wait)
            clock.advance(wait)
    # Each guess after the fifth waits longer than the last, up to a quarter of an hour.
    assert waits[0] == timedelta(seconds=30)
    assert waits == sorted(waits) and max(waits) == timedelta(minutes=15)
    assert (await sign_in(attacker, "anna@example.se", PASSWORD)).status_code == 422

    # The owner, at home, signs in at once: nobody else's guesses slow them there.
    owner = await make_client("198.51.100.7")
    assert (await sign_in(owner, "anna@example.se", PASSWORD)).status_code == 303
    # From a computer never used before, the owner waits as the attacker does, never for good.
    travelling = await make_client("192.0.2.44")
    r = await sign_in(travelling, "anna@example.se", PASSWORD)
    assert r.status_code == 422 and "För många misslyckade inloggningsförsök" in r.text
    wait = told_wait(r)
    assert timedelta(0) < wait <= timedelta(minutes=15)
    clock.advance(wait)
    assert (await sign_in(travelling, "anna@example.se", PASSWORD)).status_code == 303


async def test_the_wait_is_told_in_the_visitors_language(make_client):
    await make_user()
    client = await make_client("203.0.113.5")
    client.cookies.set("lang", "en")
    for _ in range(5):
        await sign_in(client, "anna@example.se", "fel")
    r = await sign_in(client, "anna@example.se", PASSWORD)
    assert r.status_code == 422
    assert "Too many failed sign-in attempts. Try again in 30 seconds." in r.text


async def test_one_address_gets_a_much_higher_budget_than_one_account(make_client, clock):
    """A hundred failures from one address (on a hundred accounts) in a quarter of an hour; the
    address then waits for the quarter to end; other addresses, and accounts that signed in
    there before, do not."""
    await make_user()
    await make_user("bo@example.se")
    # Bo has signed in before from the address the sprayer shares (a school, an office).
    assert (await sign_in(await make_client("203.0.113.9"), "bo@example.se",
                          PASSWORD)).status_code == 303
    sprayer = await make_client("203.0.113.9")
    for i in range(100):
        r = await sign_in(sprayer, f"person{i}@example.se", "Sommar2026")
        assert WRONG in r.text, i
    # Bo still signs in there; Anna, never seen at that address, waits.
    assert (await sign_in(await make_client("203.0.113.9"), "bo@example.se",
                          PASSWORD)).status_code == 303
    r = await sign_in(sprayer, "anna@example.se", PASSWORD)
    assert r.status_code == 422 and told_wait(r) == timedelta(minutes=15)
    assert (await sign_in(await make_client("203.0.113.10"), "anna@example.se",
                          PASSWORD)).status_code == 303
    clock.advance(timedelta(minutes=15))
    assert (await sign_in(sprayer, "anna@example.se", PASSWORD)).status_code == 303


async def test_rotating_x_forwarded_for_from_an_untrusted_client_changes_nothing(make_client):
    await make_user()
    client = await make_client("203.0.113.9")
    for i in range(100):
        r = await sign_in(client, f"person{i}@example.se", "Sommar2026",
                          **{"X-Forwarded-For": f"10.{i // 250}.{i % 250}.1"})
        assert WRONG in r.text, i
    r = await sign_in(client, "anna@example.se", PASSWORD, **{"X-Forwarded-For": "10.99.0.1"})
    assert r.status_code == 422 and "För många misslyckade inloggningsförsök" in r.text


async def test_a_trusted_proxys_forwarded_address_and_scheme_are_used(settings, clean_db,
                                                                    clock):
    """Behind a configured proxy, each visitor is counted at their own address (not all at the
    proxy's) and https from the proxy makes the session cookie Secure."""
    proxy_app = create_app(dataclasses.replace(settings, trusted_proxies=("10.0.0.1",)),
                           manage_db=False)
    await make_user()

    def via_proxy(client_ip: str, proto: str = "http") -> Client:
        return Client(transport=httpx.ASGITransport(app=proxy_app, client=("10.0.0.1", 40000)),
                      base_url="http://testserver",
                      headers={"X-Forwarded-For": client_ip, "X-Forwarded-Proto": proto})

    async with via_proxy("203.0.113.9") as sprayer, via_proxy("198.51.100.7") as visitor, \
            via_proxy("198.51.100.8", "https") as secure:
        for i in range(100):
            assert WRONG in (await sign_in(sprayer, f"p{i}@example.se", "x")).text, i
        assert (await sign_in(sprayer, "anna@example.se", PASSWORD)).status_code == 422
        # Same proxy, another visitor behind it: not slowed by the sprayer.
        assert (await sign_in(visitor, "anna@example.se", PASSWORD)).status_code == 303
        r = await secure.get("/login")
        assert "secure" in r.headers["set-cookie"].lower()
    # Without the setting, the same headers from the same proxy are ignored.
    async with Client(transport=httpx.ASGITransport(app=create_app(settings, manage_db=False),
                                                    client=("10.0.0.1", 40000)),
                      base_url="http://testserver",
                      headers={"X-Forwarded-Proto": "https"}) as direct:
        assert "secure" not in (await direct.get("/login")).headers["set-cookie"].lower()


async def test_two_workers_share_the_counts(settings, clean_db, clock):
    """Two apps on one database stand in for two worker processes: guesses spread over both
    are counted together."""
    workers = [create_app(settings, manage_db=False) for _ in range(2)]
    await make_user()
    clients = [Client(transport=httpx.ASGITransport(app=w, client=("203.0.113.66", 40000)),
                      base_url="http://testserver") for w in workers]
    try:
        for i in range(5):
            r = await sign_in(clients[i % 2], "anna@example.se", f"gissning{i}")
            assert WRONG in r.text
        for client in clients:
            r = await sign_in(client, "anna@example.se", PASSWORD)
            assert r.status_code == 422 and told_wait(r) == timedelta(seconds=30)
        clock.advance(timedelta(seconds=30))
        assert (await sign_in(clients[1], "anna@example.se", PASSWORD)).status_code == 303
    finally:
        for client in clients:
            await client.aclose()


async def test_storage_stays_bounded_after_20000_distinct_emails(clock, app, clean_db):
    """20,000 sign-ins with distinct email addresses (straight to the service: over HTTP this
    takes minutes on a busy machine, and what is measured is the table): the address's budget
    bounds what it adds in a while (a hundred failures, each counted for the account and for
    the account at this address), and what it added expires within the hour."""
    limiter = app.state.limiter
    for i in range(20_000):
        with pytest.raises(DomainError):
            await service.authenticate(limiter, f"x{i}@example.se", "x", "203.0.113.9")
        if i % 1000 == 999:
            assert await LimitCounter.all().count() <= 4 * (2 * 100) + 1
            clock.advance(timedelta(minutes=20))
    # 4,000 failures were counted in all; an idle table empties.
    clock.advance(timedelta(hours=2))
    with pytest.raises(DomainError):
        await service.authenticate(limiter, "last@example.se", "x", "203.0.113.9")
    assert await LimitCounter.all().count() == 3


# --- registration and reset mails ---------------------------------------------------------------

async def test_registrations_from_one_address_are_capped(make_client, clock):
    client = await make_client("203.0.113.20")
    for i in range(20):
        r = await client.post_form("/register", {"display_name": f"Ny {i}", "password": PASSWORD,
                                                 "email": f"ny{i}@example.se"})
        assert r.status_code == 303, i
        client.cookies.clear()
    r = await client.post_form("/register", {"display_name": "Ny", "email": "ny@example.se",
                                             "password": PASSWORD})
    assert r.status_code == 422
    assert "För många nya konton från det här nätverket. Försök igen om 60 minuter." in r.text
    assert 'value="ny@example.se"' in r.text  # nothing typed is lost
    assert not await User.filter(email="ny@example.se").exists()
    other = await make_client("203.0.113.21")
    r = await other.post_form("/register", {"display_name": "Ny", "email": "ny@example.se",
                                            "password": PASSWORD})
    assert r.status_code == 303
    clock.advance(timedelta(hours=1))
    r = await client.post_form("/register", {"display_name": "Sen", "email": "sen@example.se",
                                             "password": PASSWORD})
    assert r.status_code == 303, r.text[-3000:]


async def test_reset_mails_are_capped_per_address_and_per_network(make_client, clock):
    await make_user()
    client = await make_client("203.0.113.30")
    for _ in range(3):
        r = await client.post_form("/password/forgot", {"email": "anna@example.se"})
        assert r.status_code == 200
    r = await client.post_form("/password/forgot", {"email": "anna@example.se"})
    assert r.status_code == 422 and "Vi har redan skickat flera återställningslänkar" in r.text
    # From anywhere: the cap is the address's.
    r = await (await make_client("203.0.113.31")).post_form("/password/forgot",
                                                           {"email": "anna@example.se"})
    assert r.status_code == 422
    assert await OutboxMessage.filter(to="anna@example.se").count() == 3
    # An address without an account is capped the same way (nothing to learn from the cap).
    for _ in range(3):
        await client.post_form("/password/forgot", {"email": "ingen@example.se"})
    r = await client.post_form("/password/forgot", {"email": "ingen@example.se"})
    assert r.status_code == 422 and "Vi har redan skickat flera återställningslänkar" in r.text

    # One network asking for many addresses: ten an hour.
    spammer = await make_client("203.0.113.32")
    for i in range(10):
        r = await spammer.post_form("/password/forgot", {"email": f"offer{i}@example.se"})
        assert r.status_code == 200, i
    r = await spammer.post_form("/password/forgot", {"email": "anna2@example.se"})
    assert r.status_code == 422
    assert "För många återställningslänkar har begärts från det här nätverket" in r.text

    clock.advance(timedelta(hours=1))
    r = await client.post_form("/password/forgot", {"email": "anna@example.se"})
    assert r.status_code == 200
    assert await OutboxMessage.filter(to="anna@example.se").count() == 4
