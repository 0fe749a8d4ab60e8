"""The public page cache: same page for every anonymous visitor, never for a signed-in one,
emptied by any write."""
from datetime import datetime, timedelta, timezone

from challenges.models import Challenge
from events.models import Event
from samskapa.auth.models import User
from samskapa.auth.passwords import make_password_hash
from samskapa.page_cache import PageCache


async def published_event() -> Event:
    now = datetime.now(timezone.utc)
    return await Event.create(
        slug="cache-hack", title="Cache Hack", published=True,
        registration_opens=now - timedelta(days=1), registration_closes=now + timedelta(days=1),
        hacking_starts=now + timedelta(days=2), submissions_close=now + timedelta(days=3),
        judging_closes=now + timedelta(days=4), results_published=now + timedelta(days=5))


async def test_anonymous_pages_carry_no_token_and_set_no_cookie(client):
    await published_event()
    for path in ("/", "/events/cache-hack", "/events/cache-hack/challenges"):
        r = await client.get(path)
        assert r.status_code == 200
        assert "set-cookie" not in r.headers and "csrf" not in r.text.lower(), path


async def test_cached_then_emptied_by_a_model_write(client, app):
    event = await published_event()
    assert "Solpaneler" not in (await client.get("/events/cache-hack/challenges")).text
    assert len(app.state.page_cache._entries) == 1
    await Challenge.create(event=event, slug="sol", title="Solpaneler", published=True,
                           search_text="solpaneler")
    assert app.state.page_cache._entries == {}
    assert "Solpaneler" in (await client.get("/events/cache-hack/challenges")).text


async def test_emptied_by_any_unsafe_request(client, app):
    await published_event()
    await client.get("/events/cache-hack")
    assert app.state.page_cache._entries
    await client.post_form("/login", {"email": "x@example.se", "password": "wrong"})
    assert app.state.page_cache._entries == {}


async def test_signed_in_visitors_get_their_own_page(client, app):
    await published_event()
    await User.create(email="eva@example.se", display_name="Eva",
                      password_hash=await make_password_hash("hemligt123"))
    anonymous = await client.get("/events/cache-hack")
    assert "Eva" not in anonymous.text
    await client.login("eva@example.se", "hemligt123")
    signed_in = await client.get("/events/cache-hack")
    assert "Eva" in signed_in.text and "X-CSRF-Token" in signed_in.text


async def test_languages_and_fragments_are_kept_apart(client):
    await published_event()
    sv = await client.get("/events/cache-hack/challenges")
    fragment = await client.get("/events/cache-hack/challenges", headers={"HX-Request": "true"})
    client.cookies.set("lang", "en")
    en = await client.get("/events/cache-hack/challenges")
    assert "Utmaningar" in sv.text and "<html" in sv.text
    assert "<html" not in fragment.text
    assert "Challenges" in en.text and "Utmaningar" not in en.text


def test_entries_expire():
    now = [100.0]
    cache = PageCache(ttl=5, clock=lambda: now[0])

    class Response:
        body = b"page"
        headers = {"content-type": "text/html"}

    cache.put(("/", "", "sv", False), Response())
    assert cache.get(("/", "", "sv", False)).body == b"page"
    now[0] += 6
    assert cache.get(("/", "", "sv", False)) is None
