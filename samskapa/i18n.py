"""Languages: Swedish (default) and English.

Message ids are English; `locale/<lang>/LC_MESSAGES/*.po` hold the translations, one catalogue per
package so each package owns its strings. Catalogues are compiled in memory at start-up, so no
build step is needed. The active language lives in a context variable set per request.
"""
from __future__ import annotations

import contextvars
import io
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from babel.dates import format_time as _babel_format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES = {"sv": "Svenska", "en": "English"}
DEFAULT_LANGUAGE = "sv"
TIMEZONE = ZoneInfo("Europe/Stockholm")
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

_current_language: contextvars.ContextVar[str] = contextvars.ContextVar(
    "language", default=DEFAULT_LANGUAGE
)


@lru_cache(maxsize=None)
def translations(language: str) -> NullTranslations:
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    merged: NullTranslations | None = None
    for po_path in sorted(folder.glob("*.po")):
        with po_path.open("rb") as f:
            catalog = read_po(f, locale=language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        loaded = Translations(buffer)
        if merged is None:
            merged = loaded
        else:
            merged.merge(loaded)
    return merged or NullTranslations()


def set_language(language: str) -> contextvars.Token:
    return _current_language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def get_language() -> str:
    return _current_language.get()


def gettext(message: str, **params) -> str:
    text = translations(get_language()).ugettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params) -> str:
    text = translations(get_language()).ungettext(singular, plural, n)
    params.setdefault("num", n)
    return text % params


_ = gettext


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


def _local(value: datetime) -> datetime:
    return value.astimezone(TIMEZONE) if value.tzinfo else value.replace(tzinfo=TIMEZONE)


def format_datetime(value: datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    return _babel_format_datetime(_local(value), format=format, tzinfo=TIMEZONE,
                                  locale=Locale.parse(get_language()))


def format_date(value: date | datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    return _babel_format_date(value, format=format, locale=Locale.parse(get_language()))


def format_time(value: datetime | None, format: str = "short") -> str:
    if value is None:
        return ""
    return _babel_format_time(_local(value), format=format, tzinfo=TIMEZONE,
                              locale=Locale.parse(get_language()))


def language_from_cookies(cookies: dict[str, str]) -> str:
    """The visitor's chosen language (cookie), else Swedish, whatever the browser prefers: the
    product is Swedish first."""
    chosen = cookies.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE
