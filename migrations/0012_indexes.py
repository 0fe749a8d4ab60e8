"""Restores event_roles' UNIQUE(event_id, user_id, role) on SQLite.

0008_house's AlterFields (a column comment only) rebuilt event_roles on SQLite, and Tortoise's
rebuild left out the table's unique_together, so from 0008 on a role could be granted twice (a
double-click on "register", a jury link used in two tabs). The index gets the name Tortoise gives
the constraint; duplicates that got in meanwhile go first, keeping the oldest row (lowest id).
PostgreSQL only changed the comment and kept its constraint, hence SQLite only."""
from hashlib import sha256

from tortoise import migrations
from tortoise.migrations import operations as ops

COLUMNS = ("event_id", "user_id", "role")
# Tortoise's schema generator's name for this unique_together (uid_<table[:11]>_<field[:7]>_<hash>)
INDEX = "uid_event_roles_event_i_" + sha256(";".join(("event_roles",) + COLUMNS).encode()).hexdigest()[:6]


async def restore_unique_role(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect != "sqlite":
        return
    await client.execute_script(
        "DELETE FROM event_roles WHERE id NOT IN "
        "(SELECT MIN(id) FROM event_roles GROUP BY event_id, user_id, role)")
    await client.execute_script(
        f'CREATE UNIQUE INDEX IF NOT EXISTS "{INDEX}" ON "event_roles" '
        f'({", ".join(COLUMNS)})')


async def nothing(apps, schema_editor) -> None:
    """Going back leaves the index: 0008–0011 never wanted duplicates either."""


class Migration(migrations.Migration):
    dependencies = [("models", "0011_results")]

    initial = False

    operations = [ops.RunPython(restore_unique_role, reverse_code=nothing)]
