"""Names people choose (nicknames, team names, display names) and email addresses: one way to
write them, and a key to compare them by.

A name must not pass for another: "Skuggan", "SKUGGAN", "Skuggan" with a zero-width space in it
and "Skuggаn" with a Cyrillic а all look like the same pupil. So a name is normalised (NFKC,
invisible characters removed, whitespace collapsed), text-direction controls are refused (they
make a name look different from what it is), and so is a word that mixes alphabets (the
Cyrillic а among Latin letters); whole words in another alphabet are fine. `name_key` folds
case on top, for the unique key columns and for signing in by nickname.
"""
from __future__ import annotations

import re
import unicodedata

from confusable_homoglyphs import categories

from samskapa.errors import ValidationError
from samskapa.i18n import N_

# Embeddings, overrides and isolates reorder what is shown (U+202A-U+202E, U+2066-U+2069).
DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
DIRECTION_REFUSED = N_("Remove the text-direction characters (such as a right-to-left "
                       "override): they make text look different from what it is.")
MIXED_SCRIPTS = N_("“%(word)s” mixes letters from different alphabets (such as a Cyrillic "
                   "а among Latin letters). Write each word in one alphabet.")
TOO_LONG = N_("At most %(n)s characters.")
# Scripts written together in one word (Unicode TS #39's "highly restrictive" profile).
SCRIPT_MIXES = [{"LATIN", "HAN", "HIRAGANA", "KATAKANA"}, {"LATIN", "HAN", "BOPOMOFO"},
                {"LATIN", "HAN", "HANGUL"}]
NOT_A_SCRIPT = {"COMMON", "INHERITED", "Unknown"}  # digits, punctuation, accents


def _normalise(value: str) -> str:
    """NFKC (fullwidth and other compatibility forms to plain letters), format characters
    removed (zero-width space and joiners, soft hyphen, BOM, direction marks), whitespace
    collapsed."""
    value = unicodedata.normalize("NFKC", value)
    value = "".join(ch for ch in value if unicodedata.category(ch) != "Cf")
    return " ".join(value.split())


def mixed_script_word(value: str) -> str | None:
    """The first word (split at spaces, @ and dots) that mixes alphabets, if any."""
    for word in re.split(r"[\s@.]+", value):
        scripts = {categories.alias(ch) for ch in word} - NOT_A_SCRIPT
        if len(scripts) > 1 and not any(scripts <= mix for mix in SCRIPT_MIXES):
            return word
    return None


def clean_name(value: str, field: str, max_length: int | None = None) -> str:
    """The name as it is stored and shown; ValidationError (on `field`) when it is refused."""
    if DIRECTION_CONTROLS.search(value):
        raise ValidationError({field: DIRECTION_REFUSED})
    value = _normalise(value)
    if max_length is not None and len(value) > max_length:
        raise ValidationError({field: (TOO_LONG, {"n": max_length})})
    if word := mixed_script_word(value):
        raise ValidationError({field: (MIXED_SCRIPTS, {"word": word})})
    return value


def clean_email(value: str, field: str) -> str:
    """An email address, lower case, normalised and checked like a name."""
    return clean_name(value, field).lower()


def name_key(value: str) -> str:
    """What two names are compared by: normalised and case-folded in every language
    ("Åsa" = "åsa", "Straße" = "STRASSE")."""
    return unicodedata.normalize("NFKC", _normalise(value).casefold())
