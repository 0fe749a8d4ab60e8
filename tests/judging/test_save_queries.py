"""What one autosave costs the database, counted statement by statement (Tortoise logs every
statement it sends): a score save runs at every click of a hundred jurors, so a query added to
it should be a decision, not an accident. Counted on the request as the browser sends it, from
the session lookup to the answer."""
from __future__ import annotations

import logging

import pytest

from tests.judging.jury_world import htmx_post
from tests.judging.test_review import _setup


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.statements.append(record.getMessage())


@pytest.fixture
def statements():
    logger = logging.getLogger("tortoise.db_client")
    counter, level = _Counter(), logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    yield counter.statements
    logger.removeHandler(counter)
    logger.setLevel(level)


async def test_a_score_save_costs_at_most_nine_statements(make_client, clock, statements):
    w, juror, review, client, url, token = await _setup(make_client)
    idea = w.criteria[0]
    await htmx_post(client, url, {f"criterion_{idea.id}": "4"}, token)  # locks the rubric
    for value, most in (("3", 9), ("3", 7)):  # a change; then its resend, which writes nothing
        statements.clear()
        r = await htmx_post(client, url, {f"criterion_{idea.id}": value}, token)
        assert r.status_code == 200
        assert len(statements) <= most, "\n".join(statements)
    assert not any(s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
                   for s in statements), "a resend writes nothing"
