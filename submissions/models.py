"""A team's submission, its saved versions and its files.

Invariants live here, beside the data they protect:
- one submission per team (unique team; the event is denormalised for listing and for the
  database to keep one per team per event);
- every save raises `version` by one, and a save based on an older version is refused
  (optimistic concurrency: two members saving at once never overwrite each other silently);
- every save is also kept as a `SubmissionVersion` snapshot, so history and restore need nothing
  else;
- files are stored outside the web root under generated names; the original name is only shown;
- at most MAX_FILES files attached at once (a gallery, not a file share).
"""
from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from samskapa.i18n import N_

MAX_FILES = 30  # attached to one submission at once (submissions/files.py, service.restore)

class Eligibility(str, Enum):
    PENDING = "pending"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"


ELIGIBILITY_LABELS = {
    Eligibility.PENDING: N_("Not yet checked"),
    Eligibility.ELIGIBLE: N_("Eligible"),
    Eligibility.INELIGIBLE: N_("Not eligible"),
}


class FileKind(str, Enum):
    IMAGE = "image"
    ATTACHMENT = "attachment"


# The fields a version snapshots (and a history view compares), in the order a form shows them.
VERSIONED_FIELDS = ("title", "summary", "description", "repository_url", "demo_url",
                    "video_url", "plot", "location_x", "location_y", "location_z")


class Submission(Model):
    id = fields.IntField(primary_key=True)
    event = fields.ForeignKeyField("models.Event", related_name="submissions",
                                   on_delete=fields.CASCADE)
    team = fields.OneToOneField("models.Team", related_name="submission",
                                on_delete=fields.CASCADE)
    # The team's challenge when it last saved (a team may change challenge until the deadline).
    challenge = fields.ForeignKeyField("models.Challenge", related_name="submissions", null=True,
                                       on_delete=fields.SET_NULL)
    title = fields.CharField(max_length=150)
    summary = fields.CharField(max_length=300, default="")
    description = fields.TextField(default="")  # Markdown, sanitised when shown
    repository_url = fields.CharField(max_length=500, default="")
    demo_url = fields.CharField(max_length=500, default="")
    video_url = fields.CharField(max_length=500, default="")
    # Minecraft events: where the build is (a plot's name, or block coordinates).
    plot = fields.CharField(max_length=100, default="")
    location_x = fields.IntField(null=True)
    location_y = fields.IntField(null=True)
    location_z = fields.IntField(null=True)
    version = fields.IntField(default=1)
    eligibility = fields.CharEnumField(Eligibility, default=Eligibility.PENDING, max_length=20)
    eligibility_reason = fields.CharField(max_length=500, default="")
    hidden = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    updated_by = fields.ForeignKeyField("models.User", related_name="submissions_saved",
                                        null=True, on_delete=fields.SET_NULL)

    class Meta:
        table = "submissions"
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_judged(self) -> bool:
        """The one rule for what is judged, ranked, voted for, awarded and shown in the
        gallery: not hidden and not found ineligible. A submission nobody has checked yet
        counts (organisers of a 300-person hackathon mark only the exceptions).
        `judged_filter()` is the same rule for queries."""
        return self.eligibility != Eligibility.INELIGIBLE and not self.hidden

    @classmethod
    def judged(cls, event_id: int) -> QuerySet[Submission]:
        """The event's submissions that `is_judged`."""
        return cls.filter(judged_filter(), event_id=event_id)


def judged_filter() -> Q:
    """`Submission.is_judged` as a query condition."""
    return Q(hidden=False) & ~Q(eligibility=Eligibility.INELIGIBLE)


class SubmissionVersion(Model):
    """A submission as it was saved: `snapshot` holds VERSIONED_FIELDS and `file_ids` the files
    attached at that moment."""
    id = fields.IntField(primary_key=True)
    submission = fields.ForeignKeyField("models.Submission", related_name="versions",
                                        on_delete=fields.CASCADE)
    number = fields.IntField()
    snapshot = fields.JSONField(default=dict)
    file_ids = fields.JSONField(default=list)
    saved_by = fields.ForeignKeyField("models.User", related_name="submission_versions",
                                      null=True, on_delete=fields.SET_NULL)
    saved_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "submission_versions"
        unique_together = (("submission", "number"),)
        ordering = ["-number"]


class SubmissionFile(Model):
    id = fields.IntField(primary_key=True)
    submission = fields.ForeignKeyField("models.Submission", related_name="files",
                                        on_delete=fields.CASCADE)
    kind = fields.CharEnumField(FileKind, max_length=20)
    original_name = fields.CharField(max_length=255)
    stored_name = fields.CharField(max_length=80, unique=True)  # generated; never the user's
    content_type = fields.CharField(max_length=100)
    size = fields.BigIntField()
    width = fields.IntField(null=True)
    height = fields.IntField(null=True)
    thumbnail_name = fields.CharField(max_length=80, null=True)
    uploaded_by = fields.ForeignKeyField("models.User", related_name="submission_files",
                                         null=True, on_delete=fields.SET_NULL)
    uploaded_at = fields.DatetimeField(auto_now_add=True)
    # Detached files stay on disk while an older version names them (restore brings them back).
    detached = fields.BooleanField(default=False)

    class Meta:
        table = "submission_files"
        ordering = ["uploaded_at", "id"]


class GallerySettings(Model):
    """When an event's public gallery opens (one of its phases)."""
    id = fields.IntField(primary_key=True)
    event = fields.OneToOneField("models.Event", related_name="gallery_settings",
                                 on_delete=fields.CASCADE)
    opens_at_phase = fields.CharField(max_length=20, default="results")  # events.models.Phase

    class Meta:
        table = "gallery_settings"
