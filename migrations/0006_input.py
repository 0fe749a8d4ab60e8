from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.migrations.constraints import UniqueConstraint

from samskapa.names import name_key


async def fill_keys(apps, schema_editor) -> None:
    """name_key of every nickname and team name. Names that already differ only in case (made
    before this migration) keep their own key with their id appended, so none is lost; the
    first of them keeps the plain key and signs in by it."""
    conn = schema_editor.client
    for model, owner, name in (("Pupil", "school_class_id", "nickname"),
                               ("Team", "event_id", "name")):
        Model = apps.get_model("models", model)
        seen = set()
        for row in await Model.all().using_db(conn).order_by("id").values("id", owner, name):
            key = name_key(row[name])
            if (row[owner], key) in seen:
                key = f"{key} ~{row['id']}"
            seen.add((row[owner], key))
            await Model.filter(id=row["id"]).using_db(conn).update(**{f"{name}_key": key})


class Migration(migrations.Migration):
    dependencies = [("models", "0005_privacy")]

    initial = False

    operations = [
        ops.AddField(
            model_name='Pupil',
            name='nickname_key',
            field=fields.CharField(db_default='', max_length=120),
        ),
        ops.AddField(
            model_name='Team',
            name='name_key',
            field=fields.CharField(db_default='', max_length=300),
        ),
        ops.RunPython(fill_keys),
        ops.AddConstraint(
            model_name='Pupil',
            constraint=UniqueConstraint(fields=('school_class', 'nickname_key'), name=None),
        ),
        ops.AddConstraint(
            model_name='Team',
            constraint=UniqueConstraint(fields=('event', 'name_key'), name=None),
        ),
    ]
