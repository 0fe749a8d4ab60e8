"""Tortoise configuration and migrations.

One Tortoise app ("models") spans the domain packages so foreign keys cross packages freely; its
migrations live in the top-level `migrations/` package.
"""
from __future__ import annotations

from tortoise import Tortoise
from tortoise.migrations.api import migrate as run_migrations

MODEL_MODULES = [
    "samskapa.auth.models",
    "samskapa.mail",
    "samskapa.limiter",
    "events.models",
    "challenges.models",
]


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


async def close_db() -> None:
    await Tortoise.close_connections()


async def migrate(database_url: str) -> None:
    await run_migrations(config=tortoise_config(database_url))
    await Tortoise.close_connections()


# For the developer tool `tortoise makemigrations` ([tool.tortoise] in pyproject.toml); the app
# itself always builds its config from Settings.
TORTOISE_ORM = tortoise_config("sqlite://:memory:")
