"""Rubrics, the jury's work, scores, pairwise votes, people's choice and awards.

Invariants live here, beside the data they protect:
- a score stays on its criterion's scale (`Criterion.check_value`);
- one score per assignment and criterion, one assignment per juror and submission, one vote
  per person (or token) per event: unique constraints in the database;
- a rubric is locked from the first saved score (`Rubric.locked_at`); changing it after that is
  a deliberate, confirmed act recorded in the audit log;
- every change to a score, confidence, feedback, note or skip is one `ScoreChange` row (who,
  when, old, new), never rewritten.
"""
from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from samskapa.i18n import N_


class Method(str, Enum):
    """How an event's scores become a ranking (judging/scoring.py, judging/crowd_bt.py)."""
    MEAN = "mean"
    ZSCORE = "zscore"
    CALIBRATED = "calibrated"
    PAIRWISE = "pairwise"


METHOD_LABELS = {
    Method.MEAN: N_("Weighted mean"),
    Method.ZSCORE: N_("Per-juror z-scores"),
    Method.CALIBRATED: N_("Calibrated for lenient and strict jurors"),
    Method.PAIRWISE: N_("Pairwise comparisons"),
}


class Confidence(str, Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


CONFIDENCE_LABELS = {
    Confidence.LOW: N_("Low"),
    Confidence.MEDIUM: N_("Medium"),
    Confidence.HIGH: N_("High"),
}


class AssignmentStatus(str, Enum):
    PENDING = "pending"
    DONE = "done"
    SKIPPED = "skipped"


class ConflictKind(str, Enum):
    TEAM_MEMBER = "team_member"  # found by the system: never scores that team
    SCHOOL = "school"
    EMPLOYER = "employer"
    FAMILY = "family"
    OTHER = "other"


CONFLICT_LABELS = {
    ConflictKind.TEAM_MEMBER: N_("Member of the team"),
    ConflictKind.SCHOOL: N_("Same school"),
    ConflictKind.EMPLOYER: N_("Same employer"),
    ConflictKind.FAMILY: N_("Family or close friend"),
    ConflictKind.OTHER: N_("Other"),
}


class AwardKind(str, Enum):
    OVERALL = "overall"
    CHALLENGE = "challenge"
    PEOPLES_CHOICE = "peoples_choice"
    SPECIAL = "special"


class JudgingSettings(Model):
    """How one event is judged. Created with defaults the first time anyone asks."""
    id = fields.IntField(primary_key=True)
    event = fields.OneToOneField("models.Event", related_name="judging_settings",
                                 on_delete=fields.CASCADE)
    method = fields.CharEnumField(Method, default=Method.CALIBRATED, max_length=20)
    reviews_per_submission = fields.IntField(default=3)
    tie_break = fields.CharField(max_length=40, default="more_reviews")
    # People's choice: share of the final score, 0-100 (0: the jury alone decides).
    public_vote_percent = fields.IntField(default=0)
    peoples_choice_open = fields.BooleanField(default=False)
    show_scores_to_teams = fields.BooleanField(default=False)
    # Whether the public results page shows the ranking under the awards (migration 0011_results).
    public_ranking = fields.BooleanField(default=False, db_default=False)
    # The chair's approval; the public sees results from max(this, event.results_published).
    results_approved_at = fields.DatetimeField(null=True)
    results_approved_by = fields.ForeignKeyField("models.User", related_name="results_approved",
                                                 null=True, on_delete=fields.SET_NULL)

    class Meta:
        table = "judging_settings"


class Rubric(Model):
    """The criteria of an event, or of one challenge (track) when `challenge` is set."""
    id = fields.IntField(primary_key=True)
    event = fields.ForeignKeyField("models.Event", related_name="rubrics",
                                   on_delete=fields.CASCADE)
    challenge = fields.ForeignKeyField("models.Challenge", related_name="rubrics", null=True,
                                       on_delete=fields.CASCADE)
    locked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "rubrics"
        unique_together = (("event", "challenge"),)


class Criterion(Model):
    id = fields.IntField(primary_key=True)
    rubric = fields.ForeignKeyField("models.Rubric", related_name="criteria",
                                    on_delete=fields.CASCADE)
    position = fields.IntField(default=0)
    name = fields.CharField(max_length=120)
    description = fields.TextField(default="")
    weight = fields.FloatField(default=1.0)
    scale_min = fields.IntField(default=1)
    scale_max = fields.IntField(default=5)
    # str(step) -> what that step means, e.g. {"1": "Idén saknas", ..., "5": "Genomarbetad"}.
    levels = fields.JSONField(default=dict)

    class Meta:
        table = "criteria"
        ordering = ["position", "id"]

    def check_value(self, value: int) -> bool:
        return self.scale_min <= value <= self.scale_max


class Conflict(Model):
    """A juror who must not score a team: found (team members) or declared."""
    id = fields.IntField(primary_key=True)
    event = fields.ForeignKeyField("models.Event", related_name="conflicts",
                                   on_delete=fields.CASCADE)
    juror = fields.ForeignKeyField("models.User", related_name="conflicts",
                                   on_delete=fields.CASCADE)
    team = fields.ForeignKeyField("models.Team", related_name="conflicts",
                                  on_delete=fields.CASCADE)
    kind = fields.CharEnumField(ConflictKind, max_length=20)
    note = fields.CharField(max_length=300, default="")
    declared_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "conflicts"
        unique_together = (("juror", "team"),)


class Assignment(Model):
    """One juror's review of one submission: the scores hang off it, with the juror's
    confidence, feedback for the team and a private note for the jury."""
    id = fields.IntField(primary_key=True)
    event = fields.ForeignKeyField("models.Event", related_name="assignments",
                                   on_delete=fields.CASCADE)
    juror = fields.ForeignKeyField("models.User", related_name="assignments",
                                   on_delete=fields.CASCADE)
    submission = fields.ForeignKeyField("models.Submission", related_name="assignments",
                                        on_delete=fields.CASCADE)
    status = fields.CharEnumField(AssignmentStatus, default=AssignmentStatus.PENDING,
                                  max_length=20)
    skip_reason = fields.CharField(max_length=300, default="")
    confidence = fields.CharEnumField(Confidence, default=Confidence.MEDIUM, max_length=10)
    feedback = fields.TextField(default="")      # shown to the team
    private_note = fields.TextField(default="")  # shown to the jury only
    by_hand = fields.BooleanField(default=False)  # an organiser's reassignment
    created_at = fields.DatetimeField(auto_now_add=True)
    completed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "assignments"
        unique_together = (("juror", "submission"),)


class Score(Model):
    id = fields.IntField(primary_key=True)
    assignment = fields.ForeignKeyField("models.Assignment", related_name="scores",
                                        on_delete=fields.CASCADE)
    criterion = fields.ForeignKeyField("models.Criterion", related_name="scores",
                                       on_delete=fields.CASCADE)
    value = fields.IntField()
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "scores"
        unique_together = (("assignment", "criterion"),)


class ScoreChange(Model):
    """The audit log: one row per change a juror (or an organiser) made to a review."""
    id = fields.IntField(primary_key=True)
    event = fields.ForeignKeyField("models.Event", related_name="score_changes",
                                   on_delete=fields.CASCADE)
    assignment = fields.ForeignKeyField("models.Assignment", related_name="changes", null=True,
                                        on_delete=fields.SET_NULL)
    # Kept when the account goes: the log says "a deleted account" then.
    changed_by = fields.ForeignKeyField("models.User", related_name="score_changes", null=True,
                                        on_delete=fields.SET_NULL)
    what = fields.CharField(max_length=60)  # "criterion:<id>", "confidence", "feedback", ...
    old_value = fields.TextField(null=True)
    new_value = fields.TextField(null=True)
    changed_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "score_changes"
        ordering = ["changed_at", "id"]


class PairwiseItem(Model):
    """Crowd-BT's belief about one submission (judging/crowd_bt.py)."""
    id = fields.IntField(primary_key=True)
    submission = fields.OneToOneField("models.Submission", related_name="pairwise",
                                      on_delete=fields.CASCADE)
    mu = fields.FloatField()
    sigma_sq = fields.FloatField()
    views = fields.IntField(default=0)

    class Meta:
        table = "pairwise_items"


class PairwiseJuror(Model):
    """Crowd-BT's belief about one juror's reliability, and what they look at now."""
    id = fields.IntField(primary_key=True)
    event = fields.ForeignKeyField("models.Event", related_name="pairwise_jurors",
                                   on_delete=fields.CASCADE)
    juror = fields.ForeignKeyField("models.User", related_name="pairwise_states",
                                   on_delete=fields.CASCADE)
    alpha = fields.FloatField()
    beta = fields.FloatField()
    current = fields.ForeignKeyField("models.Submission", related_name="pairwise_current",
                                     null=True, on_delete=fields.SET_NULL)
    previous = fields.ForeignKeyField("models.Submission", related_name="pairwise_previous",
                                      null=True, on_delete=fields.SET_NULL)
    current_since = fields.DatetimeField(null=True)

    class Meta:
        table = "pairwise_jurors"
        unique_together = (("event", "juror"),)


class PairwiseDecision(Model):
    id = fields.IntField(primary_key=True)
    event = fields.ForeignKeyField("models.Event", related_name="pairwise_decisions",
                                   on_delete=fields.CASCADE)
    juror = fields.ForeignKeyField("models.User", related_name="pairwise_decisions", null=True,
                                   on_delete=fields.SET_NULL)
    winner = fields.ForeignKeyField("models.Submission", related_name="pairwise_wins",
                                    on_delete=fields.CASCADE)
    loser = fields.ForeignKeyField("models.Submission", related_name="pairwise_losses",
                                   on_delete=fields.CASCADE)
    decided_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "pairwise_decisions"


# A submission a juror skipped in pairwise judging ("Skip this one"): it is never offered to
# that juror again, as in Gavel's ignore list (judging/pairwise.py). A comment, not a
# docstring: Tortoise copies a docstring into the SQL.
class PairwiseSkip(Model):
    id = fields.IntField(primary_key=True)
    event = fields.ForeignKeyField("models.Event", related_name="pairwise_skips",
                                   on_delete=fields.CASCADE)
    juror = fields.ForeignKeyField("models.User", related_name="pairwise_skips",
                                   on_delete=fields.CASCADE)
    submission = fields.ForeignKeyField("models.Submission", related_name="pairwise_skips",
                                        on_delete=fields.CASCADE)
    skipped_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "pairwise_skips"
        unique_together = (("juror", "submission"),)


class VoteToken(Model):
    """A single-use people's-choice vote for someone without an account (a pupil): the
    printable token is derived from the row's id with the site's secret (judging service), so
    no secret is stored and a teacher can print the sheet again."""
    id = fields.IntField(primary_key=True)
    event = fields.ForeignKeyField("models.Event", related_name="vote_tokens",
                                   on_delete=fields.CASCADE)
    school_class = fields.ForeignKeyField("models.SchoolClass", related_name="vote_tokens",
                                          null=True, on_delete=fields.CASCADE)
    created_by = fields.ForeignKeyField("models.User", related_name="vote_tokens_made",
                                        null=True, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "vote_tokens"


class Vote(Model):
    """One people's-choice vote: by a signed-in person or with a token, never both."""
    id = fields.IntField(primary_key=True)
    event = fields.ForeignKeyField("models.Event", related_name="votes",
                                   on_delete=fields.CASCADE)
    submission = fields.ForeignKeyField("models.Submission", related_name="votes",
                                        on_delete=fields.CASCADE)
    voter = fields.ForeignKeyField("models.User", related_name="votes", null=True,
                                   on_delete=fields.SET_NULL)
    token = fields.OneToOneField("models.VoteToken", related_name="vote", null=True,
                                 on_delete=fields.CASCADE)
    cast_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "votes"
        unique_together = (("event", "voter"),)


class Award(Model):
    """A prize the jury gives, with its written motivation (shown on the results page)."""
    id = fields.IntField(primary_key=True)
    event = fields.ForeignKeyField("models.Event", related_name="awards",
                                   on_delete=fields.CASCADE)
    kind = fields.CharEnumField(AwardKind, max_length=20)
    name = fields.CharField(max_length=150)
    challenge = fields.ForeignKeyField("models.Challenge", related_name="awards", null=True,
                                       on_delete=fields.SET_NULL)
    submission = fields.ForeignKeyField("models.Submission", related_name="awards", null=True,
                                        on_delete=fields.SET_NULL)
    motivation = fields.TextField(default="")
    position = fields.IntField(default=0)
    decided_by = fields.ForeignKeyField("models.User", related_name="awards_decided",
                                        null=True, on_delete=fields.SET_NULL)
    decided_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "awards"
        ordering = ["position", "id"]


# A single-use sign-in link for a juror who only scores: only the SHA-256 of its token is
# stored. Using it signs the juror in with a session that reaches this event's jury pages and
# nothing else (judging/jury.py). (A comment: Tortoise copies a docstring into the SQL.)
class JuryLink(Model):
    id = fields.IntField(primary_key=True)
    event = fields.ForeignKeyField("models.Event", related_name="jury_links",
                                   on_delete=fields.CASCADE)
    juror = fields.ForeignKeyField("models.User", related_name="jury_links",
                                   on_delete=fields.CASCADE)
    token_hash = fields.CharField(max_length=64, unique=True)
    created_by = fields.ForeignKeyField("models.User", related_name="jury_links_made",
                                        null=True, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "jury_links"
