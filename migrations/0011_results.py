"""Results: whether the public results page shows the ranking (judging_settings.public_ranking)."""
from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0010_jury')]

    initial = False

    operations = [
        ops.AddField(
            model_name='JudgingSettings',
            name='public_ranking',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
