"""The school tests use the team tests' events, users and signed-in visitors."""
from tests.teams.conftest import signed_in  # noqa: F401  (a fixture, found by pytest here)
