from tortoise import migrations
from tortoise.migrations import operations as ops
from privacy.models import StatementKind
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [("models", "0004_organiser")]

    initial = False

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
    ]
