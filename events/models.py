"""Events, the roles people have in them, and invitations to a role.

Invariants live here, beside the data they protect:
- an event's phase times run in order (`Event.schedule_errors`);
- the current phase is derived from the clock (`Event.phase`), never stored.
Teams are in teams/models.py, classes and pupils in school/models.py (all one Tortoise app, so
foreign keys name them "models.Team", "models.SchoolClass" wherever they live).
"""
from __future__ import annotations

import re
from datetime import datetime
from enum import Enum

from tortoise import fields
from tortoise.models import Model

from samskapa.i18n import N_

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
    JURY_CHAIR = "jury_chair"  # a jury member who also leads the deliberation
    PARTICIPANT = "participant"
    TEACHER = "teacher"


ROLE_LABELS = {
    Role.ORGANISER: N_("Organiser"),
    Role.CHALLENGE_OWNER: N_("Challenge owner"),
    Role.JURY: N_("Jury member"),
    Role.JURY_CHAIR: N_("Jury chair"),
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
