from tortoise import migrations
from tortoise.migrations import operations as ops
from privacy.models import StatementKind
from tortoise.fields.base import OnDelete
from tortoise import fields

async def sqlite_foreign_keys_off(apps, schema_editor) -> None:
    """SQLite changes a column by rebuilding its table, and with foreign keys on, dropping the
    old school_classes table first deletes every pupil and team of every class (ON DELETE
    CASCADE). SQLite's own ALTER TABLE procedure turns them off for the rebuild; the pragma
    is ignored inside a transaction, hence `atomic = False` below."""
    if schema_editor.client.capabilities.dialect == "sqlite":
        await schema_editor.client.execute_script("PRAGMA foreign_keys = OFF")


async def sqlite_foreign_keys_on(apps, schema_editor) -> None:
    if schema_editor.client.capabilities.dialect == "sqlite":
        await schema_editor.client.execute_script("PRAGMA foreign_keys = ON")


class Migration(migrations.Migration):
    dependencies = [("models", "0004_organiser")]

    initial = False
    atomic = False

    operations = [
        ops.CreateModel(
            name='Statement',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='PRIVACY: privacy\nACCESSIBILITY: accessibility', enum_type=StatementKind, max_length=20)),
                ('language', fields.CharField(max_length=5)),
                ('body', fields.TextField(unique=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'statements', 'app': 'models', 'unique_together': (('kind', 'language'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.RunPython(sqlite_foreign_keys_off),
        ops.AlterField(
            model_name='Invitation',
            name='invited_by',
            field=fields.ForeignKeyField('models.User', source_field='invited_by_id', null=True, db_constraint=True, to_field='id', related_name='invitations_sent', on_delete=OnDelete.SET_NULL),
        ),
        ops.AlterField(
            model_name='SchoolClass',
            name='teacher',
            field=fields.ForeignKeyField('models.User', source_field='teacher_id', null=True, db_constraint=True, to_field='id', related_name='classes_taught', on_delete=OnDelete.SET_NULL),
        ),
        ops.RunPython(sqlite_foreign_keys_on),
    ]
