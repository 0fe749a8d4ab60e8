"""The privacy page and the accessibility statement: the site admin's text per language, else
the default shipped in privacy/defaults/ (written to match what Samskapa actually stores)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from tortoise.exceptions import IntegrityError

from privacy.models import Statement, StatementKind
from samskapa.clock import now
from samskapa.errors import NotFound, ValidationError
from samskapa.i18n import LANGUAGES, N_

DEFAULTS_DIR = Path(__file__).resolve().parent / "defaults"
# When the default texts were last revised: shown as their "last updated" date.
DEFAULTS_UPDATED = date(2026, 11, 30)
MAX_LENGTH = 50_000

TITLES = {
    StatementKind.PRIVACY: N_("Privacy and personal data"),
    StatementKind.ACCESSIBILITY: N_("Accessibility statement"),
}


@dataclass
class StatementText:
    kind: StatementKind
    language: str
    body: str  # Markdown
    updated: date | datetime
    is_default: bool



def parse_kind(raw: str) -> StatementKind:
    try:
        return StatementKind(raw)
    except ValueError:
        raise NotFound("We could not find that page.")


def parse_language(raw: str) -> str:
    if raw not in LANGUAGES:
        raise NotFound("We could not find that page.")
    return raw


def default_body(kind: StatementKind, language: str) -> str:
    return (DEFAULTS_DIR / f"{kind.value}.{language}.md").read_text(encoding="utf-8")


def fill_in(body: str, settings) -> str:
    """The figures the texts quote from the configuration (SAMSKAPA_PUPIL_RETENTION_DAYS,
    SAMSKAPA_OUTBOX_DAYS)."""
    return body.replace("{retention_days}", str(settings.pupil_retention_days)) \
        .replace("{outbox_days}", str(settings.outbox_days))


async def statement(kind: StatementKind, language: str) -> StatementText:
    row = await Statement.get_or_none(kind=kind, language=language)
    if row is None:
        return StatementText(kind, language, default_body(kind, language), DEFAULTS_UPDATED, True)
    return StatementText(kind, language, row.body, row.updated_at, False)


async def save_statement(kind: StatementKind, language: str, body: str) -> None:
    """Saves the site admin's text; an empty text goes back to the default."""
    body = body.strip()
    if len(body) > MAX_LENGTH:
        raise ValidationError({"body": (N_("At most %(n)s characters."), {"n": MAX_LENGTH})})
    if not body:
        await Statement.filter(kind=kind, language=language).delete()
        return
    # Update first: the row exists after the first save; two first saves at once leave one.
    if not await Statement.filter(kind=kind, language=language).update(body=body,
                                                                       updated_at=now()):
        try:
            await Statement.create(kind=kind, language=language, body=body)
        except IntegrityError:  # another admin's first save won; this one comes after it
            await Statement.filter(kind=kind, language=language).update(body=body,
                                                                        updated_at=now())
