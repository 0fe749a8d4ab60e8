"""Argon2 runs off the event loop, in a pool of bounded size: while one request waits for its hash,
the loop serves others. Checked by what happens, not by timing: the hasher below holds the hash
until the test has been served another page (or gives up after a while and says so)."""
from __future__ import annotations

import asyncio
import threading

import pytest
from argon2 import PasswordHasher

from samskapa.auth import passwords
from samskapa.auth.models import User

CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


class HeldHasher:
    """Hashes like argon2, but each call waits until `release` is set (at most `patience` s)."""

    def __init__(self, patience: float = 10.0) -> None:
        self.patience = patience
        self.started = threading.Event()
        self.release = threading.Event()
        self.threads: list[int] = []
        self.released_in_time: list[bool] = []
        self.running = 0
        self.most_at_once = 0
        self._lock = threading.Lock()

    def _held(self, work):
        with self._lock:
            self.threads.append(threading.get_ident())
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        self.started.set()
        self.released_in_time.append(self.release.wait(self.patience))
        try:
            return work()
        finally:
            with self._lock:
                self.running -= 1

    def hash(self, password: str) -> str:
        return self._held(lambda: CHEAP.hash(password))

    def verify(self, password_hash: str, password: str) -> bool:
        return self._held(lambda: CHEAP.verify(password_hash, password))


async def wait_for(event: threading.Event, patience: float = 10.0) -> None:
    for _ in range(int(patience / 0.01)):
        if event.is_set():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the hash never started")


async def test_a_registration_hashes_off_the_loop_while_other_requests_are_served(
        make_client, monkeypatch):
    hasher = HeldHasher()
    monkeypatch.setattr(passwords, "_hasher", hasher)
    registering = await make_client("203.0.113.1")
    token = await registering.csrf("/register")
    registration = asyncio.create_task(registering.post(
        "/register", data={"display_name": "Bo", "email": "bo@example.se",
                           "password": "långtlösen1", "csrf_token": token}))
    await wait_for(hasher.started)
    # The hash is under way (and held): another visitor still gets their page.
    other = await make_client("203.0.113.2")
    page = await other.get("/login")
    assert page.status_code == 200
    hasher.release.set()
    response = await registration
    assert response.status_code == 303
    assert hasher.released_in_time == [True]  # the page came while the hash was held
    assert hasher.threads[0] != threading.get_ident()  # not the event loop's thread
    user = await User.get(email="bo@example.se")
    assert CHEAP.verify(user.password_hash, "långtlösen1")


async def test_a_sign_in_verifies_off_the_loop(make_client, monkeypatch):
    await User.create(email="anna@example.se", display_name="Anna",
                      password_hash=CHEAP.hash("hemligt123"))
    hasher = HeldHasher()
    monkeypatch.setattr(passwords, "_hasher", hasher)
    client = await make_client("203.0.113.3")
    token = await client.csrf()
    signing_in = asyncio.create_task(client.post(
        "/login", data={"email": "anna@example.se", "password": "hemligt123",
                        "csrf_token": token}))
    await wait_for(hasher.started)
    assert (await (await make_client("203.0.113.4")).get("/")).status_code == 200
    hasher.release.set()
    assert (await signing_in).status_code == 303
    assert hasher.released_in_time == [True] and hasher.threads[0] != threading.get_ident()


async def test_hashes_at_once_are_bounded_by_the_pool(monkeypatch):
    hasher = HeldHasher()
    monkeypatch.setattr(passwords, "_hasher", hasher)
    jobs = [asyncio.create_task(passwords.make_password_hash(f"lösen{i}")) for i in range(12)]
    await wait_for(hasher.started)
    for _ in range(20):  # let every job that can start, start
        await asyncio.sleep(0.01)
    assert 1 <= hasher.running <= passwords.HASH_WORKERS < 12
    hasher.release.set()
    hashes = await asyncio.gather(*jobs)
    assert hasher.most_at_once <= passwords.HASH_WORKERS
    assert all(CHEAP.verify(h, f"lösen{i}") for i, h in enumerate(hashes))


@pytest.mark.parametrize("stored, given, expected", [
    ("hemligt123", "hemligt123", True),
    ("hemligt123", "hemligt124", False),
    (None, "hemligt123", False),
    ("not-an-argon2-hash", "hemligt123", False),
])
async def test_password_matches(monkeypatch, stored, given, expected):
    monkeypatch.setattr(passwords, "_hasher", CHEAP)
    if stored == "hemligt123":
        stored = await passwords.make_password_hash(stored)
    assert await passwords.password_matches(stored, given) is expected
