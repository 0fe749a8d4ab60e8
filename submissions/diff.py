"""What changed between two saved versions of a submission: pure functions, no I/O.

A field-by-field comparison of two snapshots (`VERSIONED_FIELDS`), and for the long Markdown
description a readable line diff (difflib) so a team sees which paragraph someone rewrote.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Mapping

from submissions.models import VERSIONED_FIELDS

# Fields shown as a line diff rather than as "before -> after".
LONG_FIELDS = ("description",)


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed", "gap" (unchanged lines left out)
    text: str


@dataclass(frozen=True)
class FieldChange:
    name: str
    before: object
    after: object
    lines: tuple[DiffLine, ...] = field(default=())  # for LONG_FIELDS


def line_diff(before: str, after: str, context: int = 2) -> tuple[DiffLine, ...]:
    """The lines that differ with `context` unchanged lines around them (unified-diff style,
    without the @@ markers a reader does not need)."""
    a, b = before.splitlines(), after.splitlines()
    rows: list[DiffLine] = []
    for group in difflib.SequenceMatcher(None, a, b).get_grouped_opcodes(context):
        if rows:
            rows.append(DiffLine("gap", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows.extend(DiffLine("same", line) for line in a[i1:i2])
                continue
            rows.extend(DiffLine("removed", line) for line in a[i1:i2])
            rows.extend(DiffLine("added", line) for line in b[j1:j2])
    return tuple(rows)


def _value(snapshot: Mapping, name: str):
    value = snapshot.get(name)
    return "" if value is None else value


def changes(before: Mapping, after: Mapping) -> list[FieldChange]:
    """Field-by-field changes from `before` to `after`, in the form's order; fields missing
    from a snapshot count as empty."""
    found = []
    for name in VERSIONED_FIELDS:
        old, new = _value(before, name), _value(after, name)
        if old == new:
            continue
        lines = line_diff(str(old), str(new)) if name in LONG_FIELDS else ()
        found.append(FieldChange(name, old, new, lines))
    return found


def file_changes(before: list[int], after: list[int]) -> tuple[list[int], list[int]]:
    """(added, removed) file ids between two versions."""
    old, new = set(before), set(after)
    return sorted(new - old), sorted(old - new)
