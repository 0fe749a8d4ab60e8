"""The jury's single-use sign-in links (a new table; no existing table changes)."""
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [('models', '0009_submissions_judging')]

    initial = False

    operations = [
        ops.CreateModel(
            name='JuryLink',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('models.Event', source_field='event_id', db_constraint=True, to_field='id', related_name='jury_links', on_delete=OnDelete.CASCADE)),
                ('juror', fields.ForeignKeyField('models.User', source_field='juror_id', db_constraint=True, to_field='id', related_name='jury_links', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='jury_links_made', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'jury_links', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
