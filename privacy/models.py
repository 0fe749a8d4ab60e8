"""The site's statements (privacy, accessibility) as the site admin edited them, per language.

A statement without a row here is shown from its default text (privacy/defaults/), so a fresh
site publishes both from the start.
"""
from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model


class StatementKind(str, Enum):
    PRIVACY = "privacy"
    ACCESSIBILITY = "accessibility"


class Statement(Model):
    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(StatementKind, max_length=20)
    language = fields.CharField(max_length=5)
    body = fields.TextField()  # Markdown, rendered through samskapa/markdown.py
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "statements"
        unique_together = (("kind", "language"),)
