from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [("models", "0003_limiter")]

    initial = False

    operations = [
        ops.AddField(
            model_name='User',
            name='may_create_events',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
