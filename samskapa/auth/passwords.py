"""Password and login-code hashing with argon2id (argon2-cffi).

Argon2 is slow on purpose (tens of milliseconds and 64 MiB a hash): on the event loop, forty
registrations at once stalled every other request for seconds. Hashing therefore runs in a small
thread pool (argon2-cffi releases the GIL while it works), and the pool's size bounds how many
hashes, and so how much memory, run at once; the rest wait their turn without blocking anyone.
The functions are async so that no caller can run a hash on the loop by mistake.
"""
from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
HASH_WORKERS = max(1, min(4, os.cpu_count() or 1))
_pool = ThreadPoolExecutor(max_workers=HASH_WORKERS, thread_name_prefix="argon2")

# Login codes for pupils: no 0/O, 1/I/L, so a 10-year-old can copy them from a screen.
UNAMBIGUOUS_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
MIN_PASSWORD_LENGTH = 8


async def _in_pool(function, *args):
    return await asyncio.get_running_loop().run_in_executor(_pool, function, *args)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def make_password_hash(password: str) -> str:
    # `_hasher` is looked up at each call: tests swap in a cheaper one.
    return await _in_pool(lambda: _hasher.hash(password))


async def password_matches(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    return await _in_pool(_verify, password_hash, password)


def random_code(length: int) -> str:
    return "".join(secrets.choice(UNAMBIGUOUS_ALPHABET) for _ in range(length))


def normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


def new_token() -> tuple[str, str]:
    """A URL token and its SHA-256 (only the hash is stored: a leaked table opens nothing)."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
