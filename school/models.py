"""Classes in school events and the pupils in them.

A nickname is unique in its class whatever its case or invisible characters: the database holds
the unique constraint on a folded key column (`samskapa.names.name_key`), which `Pupil.save()`
keeps in step with the nickname.
"""
from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from events.models import Event
from samskapa.names import name_key


class SchoolClass(Model):
    """A class in a school event. Pupils join it with its code and a nickname."""
    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "models.Event", related_name="classes", on_delete=fields.CASCADE)
    name = fields.CharField(max_length=100)
    school = fields.CharField(max_length=150, default="")
    # A class outlives its teacher's account (the event's organisers still run it).
    teacher = fields.ForeignKeyField("models.User", related_name="classes_taught", null=True,
                                     on_delete=fields.SET_NULL)
    code = fields.CharField(max_length=12, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "school_classes"
        ordering = ["name"]


class Pupil(Model):
    """A pupil account's place in a class. The account itself is a User with is_pupil=True whose
    display_name is the nickname; no real name or email is ever asked for."""
    id = fields.IntField(primary_key=True)
    user = fields.OneToOneField("models.User", related_name="pupil", on_delete=fields.CASCADE)
    school_class: fields.ForeignKeyRelation[SchoolClass] = fields.ForeignKeyField(
        "models.SchoolClass", related_name="pupils", on_delete=fields.CASCADE)
    nickname = fields.CharField(max_length=40)
    # name_key(nickname): pupils sign in by it, and it is unique in the class. Case folding
    # can lengthen a name (ß -> ss), hence the room.
    nickname_key = fields.CharField(max_length=120, db_default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "pupils"
        unique_together = (("school_class", "nickname"), ("school_class", "nickname_key"))
        ordering = ["nickname"]

    async def save(self, *args, update_fields=None, **kwargs) -> None:
        self.nickname_key = name_key(self.nickname)
        if update_fields is not None and "nickname" in update_fields:
            update_fields = [*update_fields, "nickname_key"]
        await super().save(*args, update_fields=update_fields, **kwargs)
