from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [("models", "0002_sessions")]

    initial = False

    operations = [
        ops.CreateModel(
            name='LimitCounter',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=64)),
                ('subject', fields.CharField(null=True, db_index=True, max_length=64)),
                ('rule', fields.CharField(max_length=32)),
                ('hits', fields.IntField(default=0)),
                ('version', fields.IntField(default=0)),
                ('retry_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'limit_counters', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
