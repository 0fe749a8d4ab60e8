"""Challenges, the organisations (departments) that own them, themes and datasets."""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlparse

from tortoise import fields
from tortoise.models import Model

from samskapa.i18n import get_language

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Challenge slugs that would collide with the pages beside /events/{slug}/challenges/{cslug}.
RESERVED_CHALLENGE_SLUGS = frozenset({"new"})
# Letters NFKD leaves whole although readers treat them as a letter with a mark.
_UNDECOMPOSED = str.maketrans({"ø": "o", "æ": "ae", "ł": "l", "đ": "d", "ð": "d", "þ": "th"})


def fold(text: str) -> str:
    """Text as search compares it: case and diacritics folded, so 'SÖDERTÄLJE', 'Södertälje'
    and 'sodertalje' are one word (what people type on a phone or an English keyboard)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_UNDECOMPOSED))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class Organisation(Model):
    """A municipal department or other owner of challenges, e.g. Samhällsbyggnadskontoret."""
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=150, unique=True)
    website = fields.CharField(max_length=300, default="")

    class Meta:
        table = "organisations"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Theme(Model):
    """A theme of an event, named in both languages (shown in the visitor's)."""
    id = fields.IntField(primary_key=True)
    event = fields.ForeignKeyField("models.Event", related_name="themes", on_delete=fields.CASCADE)
    slug = fields.CharField(max_length=80)
    name_sv = fields.CharField(max_length=120)
    name_en = fields.CharField(max_length=120)

    class Meta:
        table = "themes"
        unique_together = (("event", "slug"),)
        ordering = ["id"]

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_sv


class Challenge(Model):
    id = fields.IntField(primary_key=True)
    event = fields.ForeignKeyField("models.Event", related_name="challenges",
                                   on_delete=fields.CASCADE)
    slug = fields.CharField(max_length=80)
    title = fields.CharField(max_length=200)
    summary = fields.CharField(max_length=400, default="")
    description = fields.TextField(default="")
    expected_outcome = fields.TextField(default="")
    organisation = fields.ForeignKeyField("models.Organisation", related_name="challenges",
                                          null=True, on_delete=fields.SET_NULL)
    owner = fields.ForeignKeyField("models.User", related_name="challenges_owned", null=True,
                                   on_delete=fields.SET_NULL)
    contact_name = fields.CharField(max_length=120, default="")
    contact_email = fields.CharField(max_length=254, default="")
    published = fields.BooleanField(default=False)
    # Title + summary + organisation, folded (`fold`), for free-text search on every database
    # (PostgreSQL also searches its Swedish word forms); kept up to date by the service on
    # every save.
    search_text = fields.TextField(default="")
    themes: fields.ManyToManyRelation[Theme] = fields.ManyToManyField(
        "models.Theme", related_name="challenges", through="challenge_themes")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "challenges"
        unique_together = (("event", "slug"),)
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def make_search_text(title: str, summary: str, organisation_name: str) -> str:
        """What the free-text filter searches: folded, so `contains` with a folded needle
        ignores case and diacritics on every database (SQLite has no unaccent)."""
        return fold(" ".join(part for part in (title, summary, organisation_name) if part))

    def visible_to(self, user_id: int | None, *, organiser: bool) -> bool:
        """Published challenges are public; a draft only for organisers and its owner."""
        return self.published or organiser or (user_id is not None and self.owner_id == user_id)


def is_web_url(url: str) -> bool:
    """A dataset link must be an absolute http(s) URL with a host."""
    if any(ch.isspace() for ch in url):
        return False
    parsed = urlparse(url)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc) and bool(parsed.hostname)


class Dataset(Model):
    id = fields.IntField(primary_key=True)
    # Indexed: the challenge list counts each challenge's datasets with a correlated subquery.
    challenge = fields.ForeignKeyField("models.Challenge", related_name="datasets",
                                       on_delete=fields.CASCADE, db_index=True)
    title = fields.CharField(max_length=200)
    url = fields.CharField(max_length=500)
    licence = fields.CharField(max_length=100, default="")
    format = fields.CharField(max_length=50, default="")

    class Meta:
        table = "datasets"
        ordering = ["id"]
