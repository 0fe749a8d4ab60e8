"""Domain errors raised by services and shown to users in their language.

A message is an English msgid with %(name)s parameters; it is translated where it is shown, so
services never need to know who is asking.
"""
from __future__ import annotations

from samskapa.i18n import N_, gettext


class DomainError(Exception):
    """A rule said no. `field` ties the message to a form field when there is one."""

    status_code = 400

    def __init__(self, message: str, field: str | None = None, **params) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.params = params

    def text(self) -> str:
        return gettext(self.message, **self.params)


class ValidationError(DomainError):
    """Several field errors at once: field -> (msgid, params)."""

    status_code = 422

    def __init__(self, errors: dict[str, str | tuple[str, dict]]) -> None:
        super().__init__(N_("Please correct the marked fields."))
        self.errors = {k: (v if isinstance(v, tuple) else (v, {})) for k, v in errors.items()}

    def texts(self) -> dict[str, str]:
        return {field: gettext(msg, **params) for field, (msg, params) in self.errors.items()}


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403
