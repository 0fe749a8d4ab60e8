"""The one place the application reads the wall clock.

Everything that needs "now" calls `now()` (or takes it as an argument from a caller that did), so
a test moves time for the whole app by replacing `source` (the `clock` fixture in
tests/conftest.py does). Import the module or the function alike: `now()` reads `source` on every
call.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone


def system_time() -> datetime:
    return datetime.now(timezone.utc)


source: Callable[[], datetime] = system_time


def now() -> datetime:
    """The current moment, timezone-aware, in UTC."""
    return source()
