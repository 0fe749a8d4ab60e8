"""Pairwise judging remembers what a juror skipped (a new table; no existing table changes)."""
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [('models', '0012_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PairwiseSkip',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('models.Event', source_field='event_id', db_constraint=True, to_field='id', related_name='pairwise_skips', on_delete=OnDelete.CASCADE)),
                ('juror', fields.ForeignKeyField('models.User', source_field='juror_id', db_constraint=True, to_field='id', related_name='pairwise_skips', on_delete=OnDelete.CASCADE)),
                ('submission', fields.ForeignKeyField('models.Submission', source_field='submission_id', db_constraint=True, to_field='id', related_name='pairwise_skips', on_delete=OnDelete.CASCADE)),
                ('skipped_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'pairwise_skips', 'app': 'models', 'unique_together': (('juror', 'submission'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
