"""Events and the people in them.

Invariants live here, beside the data they protect:
- an event's phase times run in order (`Event.check_schedule`);
- the current phase is derived from the clock (`Event.phase`), never stored;
- a person is in at most one team per event (unique (event, user) on TeamMember);
- a team never exceeds the event's team size (`Team.member_count` is only raised by a conditional
  UPDATE, see events/teams.py, so two people racing for the last seat cannot both get it);
- nicknames are unique in a class and team names in an event whatever their case or invisible
  characters: the database holds the unique constraint on a folded key column
  (`samskapa.names.name_key`), which `save()` keeps in step with the name.
"""
from __future__ import annotations

import re
from datetime import datetime
from enum import Enum

from tortoise import fields
from tortoise.models import Model

from samskapa.i18n import N_
from samskapa.names import name_key

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Addresses under /events/ that are pages of their own: an event there could never be opened.
RESERVED_SLUGS = frozenset({"new"})


class EventKind(str, Enum):
    HACKATHON = "hackathon"
    SCHOOL = "school"


EVENT_KIND_LABELS = {
    EventKind.HACKATHON: N_("Open hackathon"),
    EventKind.SCHOOL: N_("School Minecraft event"),
}


class Role(str, Enum):
    ORGANISER = "organiser"
    CHALLENGE_OWNER = "challenge_owner"
    JURY = "jury"
    PARTICIPANT = "participant"
    TEACHER = "teacher"


ROLE_LABELS = {
    Role.ORGANISER: N_("Organiser"),
    Role.CHALLENGE_OWNER: N_("Challenge owner"),
    Role.JURY: N_("Jury member"),
    Role.PARTICIPANT: N_("Participant"),
    Role.TEACHER: N_("Teacher"),
}


class Phase(str, Enum):
    UPCOMING = "upcoming"
    REGISTRATION = "registration"
    HACKING = "hacking"
    JUDGING = "judging"
    AWAITING_RESULTS = "awaiting_results"
    RESULTS = "results"


PHASE_LABELS = {
    Phase.UPCOMING: N_("Upcoming"),
    Phase.REGISTRATION: N_("Registration open"),
    Phase.HACKING: N_("Hacking"),
    Phase.JUDGING: N_("Judging"),
    Phase.AWAITING_RESULTS: N_("Awaiting results"),
    Phase.RESULTS: N_("Results published"),
}

# (field, label) in the order the schedule must run.
SCHEDULE_FIELDS = [
    ("registration_opens", N_("Registration opens")),
    ("registration_closes", N_("Registration closes")),
    ("hacking_starts", N_("Hacking starts")),
    ("submissions_close", N_("Submissions close")),
    ("judging_closes", N_("Judging closes")),
    ("results_published", N_("Results published")),
]


class Event(Model):
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=80, unique=True)
    title = fields.CharField(max_length=200)
    summary = fields.CharField(max_length=300, default="")
    description = fields.TextField(default="")
    venue = fields.CharField(max_length=200, default="")
    kind = fields.CharEnumField(EventKind, default=EventKind.HACKATHON, max_length=20)
    published = fields.BooleanField(default=False)
    max_team_size = fields.IntField(default=5)
    registration_opens = fields.DatetimeField()
    registration_closes = fields.DatetimeField()
    hacking_starts = fields.DatetimeField()
    submissions_close = fields.DatetimeField()
    judging_closes = fields.DatetimeField()
    results_published = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "events"
        ordering = ["-hacking_starts"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_school(self) -> bool:
        return self.kind == EventKind.SCHOOL

    def schedule(self) -> list[tuple[str, str, datetime]]:
        return [(name, label, getattr(self, name)) for name, label in SCHEDULE_FIELDS]

    def schedule_errors(self) -> dict[str, str]:
        """Field -> label of the earlier time it must not come before (empty when in order)."""
        errors: dict[str, str] = {}
        for (_prev, prev_label, prev_value), (name, _label, value) in zip(
                self.schedule(), self.schedule()[1:]):
            if prev_value is not None and value is not None and value < prev_value:
                errors[name] = prev_label
        return errors

    def phase(self, now: datetime) -> Phase:
        if now >= self.results_published:
            return Phase.RESULTS
        if now >= self.judging_closes:
            return Phase.AWAITING_RESULTS
        if now >= self.submissions_close:
            return Phase.JUDGING
        if now >= self.hacking_starts:
            return Phase.HACKING
        if now >= self.registration_opens:
            return Phase.REGISTRATION
        return Phase.UPCOMING

    def registration_open(self, now: datetime) -> bool:
        return self.registration_opens <= now < self.registration_closes

    def next_deadline(self, now: datetime) -> tuple[str, datetime] | None:
        for _name, label, value in self.schedule():
            if value > now:
                return label, value
        return None


class EventRole(Model):
    """A person's role in one event. Participants also say what they can do and whether they
    are looking for a team (the board)."""
    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "models.Event", related_name="roles", on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("models.User", related_name="event_roles",
                                  on_delete=fields.CASCADE)
    role = fields.CharEnumField(Role, max_length=20)
    skills = fields.CharField(max_length=300, default="")
    looking_for_team = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "event_roles"
        unique_together = (("event", "user", "role"),)


class Invitation(Model):
    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "models.Event", related_name="invitations", on_delete=fields.CASCADE)
    email = fields.CharField(max_length=254)
    role = fields.CharEnumField(Role, max_length=20)
    token_hash = fields.CharField(max_length=64, unique=True)
    # Kept without the inviter when their account is deleted (privacy/service.py).
    invited_by = fields.ForeignKeyField("models.User", related_name="invitations_sent",
                                        null=True, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    accepted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "invitations"


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
