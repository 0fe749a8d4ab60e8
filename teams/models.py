"""Teams in an event and their members.

Invariants live here, beside the data they protect:
- a person is in at most one team per event (unique (event, user) on TeamMember);
- a team never exceeds the event's team size (`Team.member_count` is only raised by a conditional
  UPDATE, see teams/service.py, so two people racing for the last seat cannot both get it);
- team names are unique in an event whatever their case or invisible characters: the database
  holds the unique constraint on a folded key column (`samskapa.names.name_key`), which `save()`
  keeps in step with the name.
"""
from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from events.models import Event
from samskapa.names import name_key


class Team(Model):
    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "models.Event", related_name="teams", on_delete=fields.CASCADE)
    name = fields.CharField(max_length=100)
    name_key = fields.CharField(max_length=300, db_default="")  # name_key(name), unique per event
    challenge = fields.ForeignKeyField("models.Challenge", related_name="teams", null=True,
                                       on_delete=fields.SET_NULL)
    school_class = fields.ForeignKeyField("models.SchoolClass", related_name="teams", null=True,
                                          on_delete=fields.CASCADE)
    join_code = fields.CharField(max_length=12, unique=True)
    leader = fields.ForeignKeyField("models.User", related_name="teams_led", null=True,
                                    on_delete=fields.SET_NULL)
    member_count = fields.IntField(default=0)
    looking_for = fields.CharField(max_length=300, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "teams"
        unique_together = (("event", "name"), ("event", "name_key"))
        ordering = ["name"]

    async def save(self, *args, update_fields=None, **kwargs) -> None:
        self.name_key = name_key(self.name)
        if update_fields is not None and "name" in update_fields:
            update_fields = [*update_fields, "name_key"]
        await super().save(*args, update_fields=update_fields, **kwargs)


class TeamMember(Model):
    id = fields.IntField(primary_key=True)
    team: fields.ForeignKeyRelation[Team] = fields.ForeignKeyField(
        "models.Team", related_name="members", on_delete=fields.CASCADE)
    # Denormalised so the database itself guarantees one team per person per event.
    event = fields.ForeignKeyField("models.Event", related_name="team_members",
                                   on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("models.User", related_name="team_memberships",
                                  on_delete=fields.CASCADE)
    joined_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "team_members"
        unique_together = (("event", "user"),)
