"""Reading and checking submitted forms. Checks return msgids; `Form.errors` collects them per
field so the same form can come back with the input kept and a message beside each field.

Nothing malformed gets past a Form: control characters (a NUL byte breaks PostgreSQL) are taken
out of every field and reported beside it, dates stay within a sane range of years and ids
within the database's integer range, so bad input is a message and never a 500.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from starlette.convertors import Convertor, register_url_convertor
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from samskapa.errors import ValidationError
from samskapa.i18n import N_, TIMEZONE, gettext
from samskapa.names import clean_email

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# C0 and C1 controls and DEL, except tab and line breaks (textareas send those); lone
# surrogates cannot be stored as UTF-8 either.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
CONTROL_CHARACTERS = N_("This field contains control characters (such as a NUL byte) that "
                       "cannot be saved. We have removed them: check the text and send it again.")
# Ids are the database's 32-bit integer keys (PostgreSQL's integer).
MAX_ID = 2**31 - 1
# Event times outside these years are typing mistakes, and year 1 cannot even be converted
# between time zones.
MIN_YEAR, MAX_YEAR = 2000, 2100


def parse_id(raw: str) -> int | None:
    """An id typed or sent as ASCII digits within the database's range; None otherwise
    (int() alone takes '١٢' and '1_000', and str.isdigit() lets '²' through to int())."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > len(str(MAX_ID)):
        return None  # (a long one first: int() refuses over 4,300 digits with an error)
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


class IdConvertor(Convertor[int]):
    """`{team_id:id}` in a route path: a database id, or 404. Starlette's `int` takes any
    number of digits, and 2^31 breaks PostgreSQL's integer, 2^63 SQLite's."""

    regex = "[0-9]{1,10}"

    def convert(self, value: str) -> int:
        number = parse_id(value)
        if number is None:  # matched the digits but is out of range: no such thing
            raise HTTPException(404)
        return number

    def to_string(self, value: int) -> str:
        return str(int(value))


register_url_convertor("id", IdConvertor())


def _without_controls(data: FormData | dict[str, Any]) -> tuple[FormData, set[str]]:
    items, dirty = [], set()
    pairs = data.multi_items() if isinstance(data, FormData) else data.items()
    for name, value in pairs:
        if isinstance(value, str) and CONTROL_RE.search(value):
            value = CONTROL_RE.sub("", value)
            dirty.add(name)
        items.append((name, value))
    return FormData(items), dirty


class Form:
    def __init__(self, data: FormData | dict[str, Any]) -> None:
        self.data, dirty = _without_controls(data)
        self.values: dict[str, Any] = {}
        self.errors: dict[str, tuple[str, dict]] = {name: (CONTROL_CHARACTERS, {})
                                                     for name in dirty}

    @classmethod
    async def from_request(cls, request: Request) -> "Form":
        return cls(await request.form())

    def raw(self, name: str) -> str:
        value = self.data.get(name)
        return value.strip() if isinstance(value, str) else ""

    def error(self, name: str, message: str, **params) -> None:
        self.errors.setdefault(name, (message, params))

    def text(self, name: str, *, required: bool = True, max_length: int = 200) -> str:
        value = self.raw(name)
        if required and not value:
            self.error(name, "This field is required.")
        elif len(value) > max_length:
            self.error(name, "At most %(n)s characters.", n=max_length)
        self.values[name] = value
        return value

    def email(self, name: str, *, required: bool = True) -> str:
        """Lower case and normalised like a name (samskapa.names): an address with a zero-width
        space or a Cyrillic о in it is not a second account for the same person."""
        value = self.text(name, required=required, max_length=254)
        try:
            value = clean_email(value, name)
        except ValidationError as exc:
            self.add(exc)
        if value and not EMAIL_RE.match(value):
            self.error(name, "Enter a valid email address.")
        self.values[name] = value
        return value

    def integer(self, name: str, *, minimum: int, maximum: int, default: int | None = None) -> int | None:
        raw = self.raw(name)
        self.values[name] = raw
        if not raw and default is not None:
            return default
        try:
            value = int(raw)
        except ValueError:
            self.error(name, "Enter a whole number.")
            return None
        if not minimum <= value <= maximum:
            self.error(name, "Enter a number from %(min)s to %(max)s.", min=minimum, max=maximum)
            return None
        return value

    def local_datetime(self, name: str, *, required: bool = True) -> datetime | None:
        """A `datetime-local` field, read as Europe/Stockholm time."""
        raw = self.raw(name)
        self.values[name] = raw
        if not raw:
            if required:
                self.error(name, "This field is required.")
            return None
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            self.error(name, "Enter a date and time.")
            return None
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            self.error(name, "Enter a date between the years %(min)s and %(max)s.",
                       min=MIN_YEAR, max=MAX_YEAR)
            return None
        return value.replace(tzinfo=TIMEZONE)

    def id(self, name: str) -> int | None:
        """A chosen id (a select's value); None when missing or malformed, for the service to
        answer with its own message ("Choose one of ...")."""
        raw = self.raw(name)
        self.values[name] = raw
        return parse_id(raw)

    def checkbox(self, name: str) -> bool:
        value = self.raw(name) in ("on", "1", "true", "yes")
        self.values[name] = value
        return value

    def choice(self, name: str, choices, *, required: bool = True) -> str:
        value = self.text(name, required=required)
        if value and value not in choices:
            self.error(name, "Choose one of the options.")
        return value

    def raise_if_invalid(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)

    def add(self, exc: ValidationError) -> None:
        for field, (message, params) in exc.errors.items():
            self.error(field, message, **params)

    def messages(self) -> dict[str, str]:
        return {field: gettext(msg, **params) for field, (msg, params) in self.errors.items()}
