"""Translations of the world pipeline's messages, read with babel from the project's catalogues.

The minecraft core uses no web code: it reads locale/<lang>/LC_MESSAGES/minecraft.po itself
(compiled in memory, like the web shell does, so no build step). English needs no catalogue:
message ids are English.
"""
from __future__ import annotations

import io
import os
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "minecraft"
LANGUAGES = ("sv", "en")


@lru_cache(maxsize=None)
def catalogue(language: str) -> NullTranslations:
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == "en" or not path.exists():
        return NullTranslations()
    with path.open("rb") as f:
        catalog = read_po(f, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def translate(msgid: str, language: str = "en", /, **params: object) -> str:
    text = catalogue(language).ugettext(msgid)
    return text % params if params else text


def environ_language(environ: Mapping[str, str] = os.environ) -> str:
    """The language of the user's locale as POSIX reads it (LANGUAGE's list, then LC_ALL,
    LC_MESSAGES, LANG): "sv" for any Swedish locale, else English."""
    tags = [t for t in environ.get("LANGUAGE", "").split(":") if t]
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if environ.get(name):
            if environ[name].split(".")[0] in ("C", "POSIX"):
                return "en"  # an explicit C locale turns translations off, LANGUAGE included
            tags.append(environ[name])
            break
    for tag in tags:
        code = tag.split("_")[0].split(".")[0].lower()
        if code in LANGUAGES:
            return code
    return "en"
