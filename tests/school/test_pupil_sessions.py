"""A teacher reissuing a pupil's login code signs the pupil out everywhere: the code may have
been seen by someone else, and a session started with it must not outlive it."""
from __future__ import annotations

from school.models import Pupil
from tests.school.test_school import (NEW_CODE_RE, pupil_joins, pupil_login, school_event,
                                     teacher_with_class)


async def test_reissuing_a_code_ends_the_pupils_sessions(make_client, signed_in):
    event = await school_event()
    teacher, _, school_class = await teacher_with_class(signed_in, event)
    pupil_client, code, _ = await pupil_joins(make_client, school_class.code, "Blixten")
    # Someone who saw the code signs in with it too.
    other = await make_client("10.0.0.9")
    assert (await pupil_login(other, school_class.code, "Blixten", code)).status_code == 303
    for browser in (pupil_client, other):
        assert "Blixten" in (await browser.get("/")).text
    cookie = other.cookies["samskapa_session"]

    pupil = await Pupil.get(nickname="Blixten")
    r = await teacher.post_form(
        f"/events/skola/classes/{school_class.id}/pupils/{pupil.id}/code")
    assert r.status_code == 200
    new_code = NEW_CODE_RE.search(r.text).group(1)

    for browser in (pupil_client, other):
        page = await browser.get("/")
        assert "Blixten" not in page.text and 'href="/pupil"' in page.text
    replayed = await make_client("10.0.0.10")
    replayed.cookies.set("samskapa_session", cookie)
    assert "Blixten" not in (await replayed.get("/")).text
    # The new code signs in as usual.
    fresh = await make_client("10.0.0.11")
    assert (await pupil_login(fresh, school_class.code, "Blixten", new_code)).status_code == 303
    assert "Blixten" in (await fresh.get("/")).text
