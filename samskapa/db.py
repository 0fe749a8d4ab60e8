"""Tortoise configuration and migrations.

One Tortoise app ("models") spans the domain packages so foreign keys cross packages freely; its
migrations live in the top-level `migrations/` package.
"""
from __future__ import annotations

from tortoise import Tortoise
from tortoise.migrations.api import migrate as run_migrations
from tortoise.migrations.migration import Migration

from samskapa import packages

# The shell's own models, then each installed domain package's (samskapa.packages).
SHELL_MODELS = ["samskapa.auth.models", "samskapa.mail", "samskapa.limiter"]
MODEL_MODULES = SHELL_MODELS + packages.model_modules()


def tortoise_config(database_url: str) -> dict:
    return {
        "connections": {"default": database_url},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def init_db(database_url: str) -> None:
    # Global fallback: uvicorn runs the lifespan and the requests in different tasks.
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def check_connection() -> None:
    """One query at start-up: a database that cannot be opened then stops the start instead of
    hanging every page (Tortoise keeps its connection lock when the first connect fails)."""
    await Tortoise.get_connection("default").execute_query("SELECT 1")


async def close_db() -> None:
    await Tortoise.close_connections()


async def migrate(database_url: str) -> list[Migration]:
    """Applies the pending migrations; returns them (in order) so the CLI can say what it did."""
    pending: list[Migration] = []

    def note_plan(_connection_name, plan, _fake, _dry_run) -> None:
        pending.extend(step.migration for step in plan if not step.backward)

    try:
        await run_migrations(config=tortoise_config(database_url), reporter=note_plan)
    finally:
        # Also after a failed step: an open aiosqlite connection keeps the process alive.
        await Tortoise.close_connections()
    return pending


# For the developer tool `tortoise makemigrations` ([tool.tortoise] in pyproject.toml); the app
# itself always builds its config from Settings.
TORTOISE_ORM = tortoise_config("sqlite://:memory:")
