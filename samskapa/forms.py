"""Reading and checking submitted forms. Checks return msgids; `Form.errors` collects them per
field so the same form can come back with the input kept and a message beside each field."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request

from samskapa.errors import ValidationError
from samskapa.i18n import TIMEZONE, gettext

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Form:
    def __init__(self, data: FormData | dict[str, Any]) -> None:
        self.data = data
        self.values: dict[str, Any] = {}
        self.errors: dict[str, tuple[str, dict]] = {}

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
        value = self.text(name, required=required, max_length=254).lower()
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
            return datetime.fromisoformat(raw).replace(tzinfo=TIMEZONE)
        except ValueError:
            self.error(name, "Enter a date and time.")
            return None

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
