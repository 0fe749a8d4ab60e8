"""Exports read back independently: the CSV with the csv module, the PDFs with pypdf (page
count, names with å ä ö in the text)."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

from pypdf import PdfReader

from events.models import EventKind
from judging import awards, exports
from judging.models import AwardKind, Conflict, ConflictKind, Method
from tests.judging.results_helpers import judged_event


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def pdf_text(body: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(body))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


async def test_raw_scores_csv_has_a_row_per_juror_and_criterion(clean_db):
    w = await judged_event()
    w.submissions["Bussen"].title = "=HYPERLINK(\"http://evil\")"
    await w.submissions["Bussen"].save()
    found = rows(await exports.raw_scores_csv(w.event))
    assert len(found) == 3 * 4 * 2
    solrosen = [r for r in found if r["submission"] == "Solrosen" and r["juror"] == "Juror Fair"]
    assert {(r["criterion"], r["value"]) for r in solrosen} == {("Idé", "5"),
                                                                 ("Genomförande", "4")}
    # A title a spreadsheet would run as a formula is written as text.
    assert {r["submission"] for r in found if "HYPERLINK" in r["submission"]} == \
        {"'=HYPERLINK(\"http://evil\")"}


async def test_ranking_and_jurors_csv_carry_se_and_bias(clean_db):
    w = await judged_event()
    ranked = rows(await exports.ranking_csv(w.event, w.settings, Method.CALIBRATED))
    assert [r["submission"] for r in ranked] == ["Solrosen", "Cykelbanan", "Parkappen", "Bussen"]
    for r in ranked:
        low, score, high, se = (float(r[k]) for k in ("low", "score", "high", "se"))
        assert abs((high - low) / 2 - 1.96 * se) < 1e-5 and low <= score <= high
    jurors = {r["juror"]: float(r["bias"]) for r in rows(await exports.jurors_csv(w.event,
                                                                                  w.settings))}
    assert jurors["Juror Lenient"] > 0 > jurors["Juror Strict"]


async def test_the_protocol_pdf_names_jurors_conflicts_and_awards(clean_db):
    w = await judged_event()
    now = datetime.now(timezone.utc)
    await Conflict.create(event=w.event, juror=w.jurors["fair"], team=w.teams["Bussen"],
                          kind=ConflictKind.FAMILY, note="Syster i laget")
    await awards.add_award(w.event, w.organiser, awards.AwardData(
        AwardKind.OVERALL, "Årets bidrag", None, w.submissions["Solrosen"].id,
        "Ett **genomarbetat** bidrag om grönska."), now)
    await awards.approve(w.event, w.organiser, now)
    pages, text = pdf_text(await exports.protocol_pdf(await exports.protocol(w.event, now)))
    assert pages >= 1
    for expected in ("Juryprotokoll", "Hack för Södertälje 2025", "Juror Strict", "Idé",
                     "Genomförande", "Syster i laget", "Årets bidrag", "genomarbetat",
                     "Olle Arrangör", "Solrosen", "Lag Ä"):
        assert expected in text, expected
    # The conflict was scored anyway (the helper assigns everyone): left out, and said so.
    assert "1 avslutad bedömning räknas inte" in text


async def test_diplomas_one_page_per_team_member_in_swedish(clean_db):
    w = await judged_event(kind=EventKind.SCHOOL)
    now = datetime.now(timezone.utc)
    await awards.add_award(w.event, w.organiser, awards.AwardData(
        AwardKind.PEOPLES_CHOICE, "Publikens pris", None, w.submissions["Parkappen"].id, ""),
        now)
    found = await exports.diplomas(w.event)
    assert len(found) == 8
    pages, text = pdf_text(await exports.diplomas_pdf(w.event, found))
    assert pages == 8
    assert "DIPLOM" in text and "Åsa Öberg Parkappen 1" in text and "Lag Ö" in text
    assert text.count("Publikens pris") == 2  # both members of the winning team
