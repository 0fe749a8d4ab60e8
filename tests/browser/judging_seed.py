"""Set-up for the jury walk that no page of this branch makes: a jury member (an account that
exists, given the jury role) and teams with eligible submissions. Run as its own process with
the server's environment, like the CLI the browser suite already runs (migrate, createadmin):

    python -m tests.browser.judging_seed EVENT_SLUG JUROR_EMAIL TEAMS
"""
from __future__ import annotations

import asyncio
import sys

from tortoise import Tortoise

from samskapa import db
from samskapa.settings import Settings


async def seed(slug: str, juror_email: str, teams: int) -> None:
    from events.models import Event, EventRole, Role
    from teams.models import Team
    from samskapa.auth.models import User
    from submissions.models import Eligibility, Submission

    await db.init_db(Settings.from_env().database_url)
    try:
        event = await Event.get(slug=slug)
        juror = await User.get(email=juror_email)
        await EventRole.create(event=event, user=juror, role=Role.JURY)
        for i in range(teams):
            team = await Team.create(event=event, name=f"Lag {i + 1}",
                                     join_code=f"{slug[-6:]}{i}".upper()[-12:], member_count=0)
            await Submission.create(event=event, team=team, title=f"Projekt {i + 1}",
                                    summary="En karta över cykelvägar.",
                                    eligibility=Eligibility.ELIGIBLE)
    finally:
        await Tortoise.close_connections()


if __name__ == "__main__":
    asyncio.run(seed(sys.argv[1], sys.argv[2], int(sys.argv[3])))
