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

from babel import Locale, negotiate_locale
from babel.dates import format_date as _babel_format_date
from babel.dates import format_time as _babel_format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal as _babel_format_decimal, get_minus_sign_symbol
from babel.support import NullTranslations, Translations

LANGUAGES = {"sv": "Svenska", "en": "English"}
DEFAULT_LANGUAGE = "sv"
# The CLDR locale dates and times are written in, per UI language. English is en_SE ("English as
# used in Sweden"), not US English: day before month, a 24-hour clock like the Swedish pages, and
# numeric dates in ISO order (2026-11-30), which neither a British nor an American reader can
# misread and which matches what the Swedish version and every Swedish document show.
FORMAT_LOCALES = {"sv": Locale.parse("sv_SE"), "en": Locale.parse("en_SE")}
# Numbers: a decimal comma in Swedish (93,3), a decimal point in English (93.3). Not en_SE here:
# CLDR gives it the Swedish decimal comma, which an English reader takes for a thousands mark.
NUMBER_LOCALES = {"sv": Locale.parse("sv_SE"), "en": Locale.parse("en")}
MEGABYTE = 1024 * 1024  # as the upload limits count
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


_ = gettext


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


def _local(value: datetime) -> datetime:
    return value.astimezone(TIMEZONE) if value.tzinfo else value.replace(tzinfo=TIMEZONE)


def format_datetime(value: datetime | None, format: str = "long") -> str:
    """The date in `format` and the time in hours and minutes, as every page writes a moment
    ("5 december 2026 12:00"): Babel's own date-time patterns add seconds and a zone name."""
    if value is None:
        return ""
    return f"{format_date(value, format)} {format_time(value)}"


def format_date(value: date | datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    return _babel_format_date(value, format=format, locale=FORMAT_LOCALES[get_language()])


def format_time(value: datetime | None, format: str = "short") -> str:
    if value is None:
        return ""
    return _babel_format_time(_local(value), format=format, tzinfo=TIMEZONE,
                              locale=FORMAT_LOCALES[get_language()])


def format_number(value: float, decimals: int = 1, *, trim: bool = False,
                  sign: bool = False) -> str:
    """`value` with `decimals` decimals in the reader's language: 93,3 or 93.3. `trim` leaves
    out trailing zeros (1,5 and 2 rather than 1,50 and 2,00); `sign` writes + before a positive
    value (a juror's leniency)."""
    pattern = "#,##0" + ("." + ("#" if trim else "0") * decimals if decimals else "")
    locale = NUMBER_LOCALES[get_language()]
    # The language's own minus (Swedish −23,1 with U+2212, English -23.1): Babel's default
    # negative pattern writes a hyphen whatever the language.
    minus = get_minus_sign_symbol(locale)
    pattern = f"{'+' if sign else ''}{pattern};{minus}{pattern}"
    return _babel_format_decimal(value, format=pattern, locale=locale)


def format_megabytes(size: int) -> str:
    """A size limit in megabytes, for messages that say "MB" themselves: 10, or 0,1."""
    return format_number(size / MEGABYTE, 1, trim=True)


def format_file_size(size: int) -> str:
    """A file's size for a list of files: kB below a megabyte (a small file is not "0,0 MB"),
    else MB with one decimal."""
    if size < MEGABYTE:
        return f"{format_number(-(-size // 1024), 0)} kB"
    return f"{format_number(size / MEGABYTE, 1)} MB"


def request_language(cookies: dict[str, str], accept_language: str | None) -> str:
    """The visitor's explicit choice (the `lang` cookie the language switch sets), else the best
    match of the browser's Accept-Language, else Swedish: the product is Swedish first."""
    chosen = cookies.get("lang")
    if chosen in LANGUAGES:
        return chosen
    preferred = _accepted_languages(accept_language or "")
    negotiated = negotiate_locale(preferred, list(LANGUAGES), sep="-", aliases=None)
    return negotiated if negotiated in LANGUAGES else DEFAULT_LANGUAGE


def _accepted_languages(header: str) -> list[str]:
    """Accept-Language ('en-GB,en;q=0.9,sv;q=0.8') as tags, most wanted first; q=0 means 'not
    this one' and is left out. Malformed parts are skipped, never an error."""
    weighted = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _sep, params = part.strip().partition(";")
        tag = tag.strip().lower()
        if not tag or tag == "*":
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _q, _pos, tag in sorted(weighted)]
