"""What the organisers take away: CSV files of the scores, the jury protocol (a printable page and
a PDF for the municipality's records) and the participants' diplomas (one PDF, a page each).

PDFs are made with WeasyPrint from the same HTML as the printable pages; it is synchronous and
CPU-bound, so it runs in a worker thread.
"""
from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from events.models import Event
from teams.models import TeamMember
from judging import awards as awards_service
from judging import event_settings
from judging import conflicts as conflicts_service
from judging import ranking as ranking_service
from judging import votes as votes_service
from judging.models import (CONFLICT_LABELS, METHOD_LABELS, Assignment, Award,
                            Conflict, Criterion, JudgingSettings, Method, Rubric, Score)
from samskapa import i18n
from samskapa.auth.models import User
from samskapa.templating import env
from submissions.models import Submission

PRINT_CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "print.css"
# A spreadsheet runs a cell that starts with one of these as a formula: a team could name its
# project "=HYPERLINK(...)". Such cells get a leading apostrophe (OWASP's CSV injection advice).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv(header: list[str], rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) if isinstance(v, str) else v for v in row])
    return buffer.getvalue()


async def raw_scores_csv(event: Event) -> str:
    """One row per juror, submission and criterion, as the juror saved it; `conflict` 1 where
    the juror is in conflict with the team, so the review counts nowhere (judging/ranking.py)."""
    conflicted = set(await conflicts_service.with_conflict(Assignment.filter(event_id=event.id))
                     .filter(conflicted=True).values_list("id", flat=True))
    scores = await Score.filter(assignment__event_id=event.id).prefetch_related(
        "assignment__juror", "assignment__submission__team", "criterion").order_by(
        "assignment__submission_id", "assignment__juror_id", "criterion__position",
        "criterion_id")
    return _csv(
        ["submission_id", "submission", "team", "juror_id", "juror", "criterion", "weight",
         "scale_min", "scale_max", "value", "confidence", "status", "conflict", "saved_at"],
        ([s.assignment.submission_id, s.assignment.submission.title,
          s.assignment.submission.team.name, s.assignment.juror_id,
          s.assignment.juror.public_name, s.criterion.name, s.criterion.weight,
          s.criterion.scale_min, s.criterion.scale_max, s.value,
          getattr(s.assignment.confidence, "value", s.assignment.confidence),
          getattr(s.assignment.status, "value", s.assignment.status),
          int(s.assignment_id in conflicted), s.updated_at.isoformat()] for s in scores))


def standard_error(row: ranking_service.Row) -> float:
    """The interval is the estimate +- 1.96 standard errors."""
    return (row.high - row.low) / (2 * 1.96)


async def ranking_csv(event: Event, settings: JudgingSettings, method: Method) -> str:
    view = await ranking_service.ranking(event, settings, method=method)
    return _csv(
        ["rank", "tied", "submission_id", "submission", "team", "method", "score", "se", "low",
         "high", "reviews"],
        ([r.rank, int(r.tied), r.submission.id, r.submission.title, r.submission.team.name,
          view.method.value, round(r.score, 6), round(standard_error(r), 6), round(r.low, 6),
          round(r.high, 6), r.reviews] for r in view.rows))


async def jurors_csv(event: Event, settings: JudgingSettings) -> str:
    """Each juror's reviews and estimated leniency (calibration)."""
    view = await ranking_service.ranking(event, settings, method=Method.CALIBRATED)
    return _csv(["juror_id", "juror", "reviews", "bias"],
                ([j.juror.id, j.juror.public_name, j.reviews,
                  None if j.bias is None else round(j.bias, 6)] for j in view.jurors))


# --- the jury protocol --------------------------------------------------------------------------

@dataclass
class Protocol:
    event: Event
    settings: JudgingSettings
    rubrics: list[tuple[Rubric, list[Criterion]]]
    jurors: list[tuple[User, int]]          # juror, reviews completed
    conflicts: list[Conflict]
    view: ranking_service.RankingView
    awards: list[Award]
    approved_by: User | None
    release: datetime | None
    made_at: datetime
    bias: dict[int, float | None]           # juror -> leniency (calibrated method)
    conflicted_reviews: int                 # complete reviews left out for a conflict


async def protocol(event: Event, made_at: datetime) -> Protocol:
    settings = await event_settings.of(event)
    rubrics = []
    for rubric in await Rubric.filter(event_id=event.id).prefetch_related("challenge") \
            .order_by("id"):
        rubrics.append((rubric, await Criterion.filter(rubric_id=rubric.id)))
    votes = await votes_service.totals(event) if not settings.peoples_choice_open else None
    view = await ranking_service.ranking(event, settings, votes=votes)
    counts = {j.juror.id: j.reviews for j in view.jurors}
    juror_ids = set(await Assignment.filter(event_id=event.id)
                    .values_list("juror_id", flat=True))
    jurors = sorted(((u, counts.get(u.id, 0)) for u in await User.filter(id__in=juror_ids)),
                    key=lambda pair: pair[0].public_name.lower())
    conflicts = await Conflict.filter(event_id=event.id).prefetch_related("juror", "team") \
        .order_by("juror_id", "team_id")
    approved_by = await User.get_or_none(id=settings.results_approved_by_id) \
        if settings.results_approved_by_id else None
    return Protocol(event, settings, rubrics, jurors, conflicts, view,
                    await awards_service.awards_of(event), approved_by,
                    awards_service.release_time(settings, event), made_at,
                    bias={j.juror.id: j.bias for j in view.jurors},
                    conflicted_reviews=view.excluded)


def _context(**context) -> dict:
    return {"kind_labels": awards_service.AWARD_KIND_LABELS, "method_labels": METHOD_LABELS,
            "conflict_labels": CONFLICT_LABELS, **context}


def protocol_html(found: Protocol, *, stylesheet: str | None) -> str:
    return env.get_template("judging/protocol_document.html").render(
        _context(p=found, stylesheet=stylesheet))


def _pdf(html: str) -> bytes:
    import weasyprint  # imported here: loading pango costs start-up time for every process
    return weasyprint.HTML(string=html).write_pdf(
        stylesheets=[weasyprint.CSS(filename=str(PRINT_CSS))])


async def protocol_pdf(found: Protocol) -> bytes:
    return await asyncio.to_thread(_pdf, protocol_html(found, stylesheet=None))


# --- diplomas -----------------------------------------------------------------------------------

@dataclass
class Diploma:
    name: str          # a pupil's nickname, an adult's display name
    team: str
    project: str | None
    awards: list[str]


async def diplomas(event: Event) -> list[Diploma]:
    """One per member of a team, by team and name; the team's awards named on each."""
    won: dict[int, list[str]] = {}
    for award in await Award.filter(event_id=event.id, submission_id__not_isnull=True) \
            .order_by("position", "id"):
        won.setdefault(award.submission_id, []).append(award.name)
    submissions = {s.team_id: s for s in await Submission.filter(event_id=event.id)}
    result = []
    members = await TeamMember.filter(event_id=event.id).prefetch_related("user", "team")
    for member in sorted(members, key=lambda m: (m.team.name.lower(),
                                                 m.user.public_name.lower())):
        submission = submissions.get(member.team_id)
        result.append(Diploma(name=member.user.public_name, team=member.team.name,
                              project=submission.title if submission else None,
                              awards=won.get(submission.id, []) if submission else []))
    return result


def diplomas_html(event: Event, found: list[Diploma], *, stylesheet: str | None) -> str:
    """In Swedish whatever the organiser's language: the diplomas are handed out in Sweden."""
    previous = i18n.get_language()
    i18n.set_language("sv")
    try:
        return env.get_template("judging/diploma_document.html").render(
            _context(event=event, diplomas=found, stylesheet=stylesheet))
    finally:
        i18n.set_language(previous)


async def diplomas_pdf(event: Event, found: list[Diploma]) -> bytes:
    return await asyncio.to_thread(_pdf, diplomas_html(event, found, stylesheet=None))

