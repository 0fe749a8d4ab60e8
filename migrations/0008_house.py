"""Role.JURY_CHAIR: the role columns' comment lists the roles (no stored value changes).

SQLite changes a column by rebuilding its table; as in 0005_privacy, foreign keys are off for the
rebuild so that no ON DELETE CASCADE can reach another table (the pragma is ignored inside a
transaction, hence `atomic = False`)."""
from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from events.models import Role

ROLES = ('ORGANISER: organiser\nCHALLENGE_OWNER: challenge_owner\nJURY: jury\n'
         'JURY_CHAIR: jury_chair\nPARTICIPANT: participant\nTEACHER: teacher')


async def sqlite_foreign_keys_off(apps, schema_editor) -> None:
    if schema_editor.client.capabilities.dialect == "sqlite":
        await schema_editor.client.execute_script("PRAGMA foreign_keys = OFF")


async def sqlite_foreign_keys_on(apps, schema_editor) -> None:
    if schema_editor.client.capabilities.dialect == "sqlite":
        await schema_editor.client.execute_script("PRAGMA foreign_keys = ON")


class Migration(migrations.Migration):
    dependencies = [("models", "0007_i18nux")]

    initial = False
    atomic = False

    operations = [
        ops.RunPython(sqlite_foreign_keys_off, reverse_code=sqlite_foreign_keys_on),
        ops.AlterField(
            model_name="EventRole",
            name="role",
            field=fields.CharEnumField(description=ROLES, enum_type=Role, max_length=20),
        ),
        ops.AlterField(
            model_name="Invitation",
            name="role",
            field=fields.CharEnumField(description=ROLES, enum_type=Role, max_length=20),
        ),
        ops.RunPython(sqlite_foreign_keys_on, reverse_code=sqlite_foreign_keys_off),
    ]
