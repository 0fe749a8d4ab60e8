"""The public page cache: same page for every anonymous visitor, never for a signed-in one,
emptied by any database write (update-only, raw SQL, bulk, during a render), one render for a
crowd on an expired or empty entry."""
import asyncio

from starlette.responses import Response
from tortoise import Tortoise

from challenges.models import Challenge
from events import service as events_service
from events.models import Event
from samskapa.auth.models import User
from samskapa.auth.passwords import make_password_hash
from samskapa.page_cache import PageCache
from tests.events.helpers import make_event


async def published_event() -> Event:
    return await make_event("cache-hack", title="Cache Hack")


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


async def test_emptied_by_an_update_only_write(client, app):
    # QuerySet.update() fires no model signal (the team seat counter is written this way).
    await published_event()
    assert "Cache Hack" in (await client.get("/")).text
    assert app.state.page_cache._entries
    await Event.filter(slug="cache-hack").update(title="Renamed Hack")
    assert app.state.page_cache._entries == {}
    page = (await client.get("/")).text
    assert "Renamed Hack" in page and "Cache Hack" not in page


async def test_emptied_by_raw_sql_and_bulk_writes(client, app):
    await published_event()
    await client.get("/")
    await Tortoise.get_connection("default").execute_query(
        f"UPDATE {Event._meta.db_table} SET title = 'Raw Hack' WHERE slug = 'cache-hack'")
    assert "Raw Hack" in (await client.get("/")).text
    await Event.filter(slug="cache-hack").delete()
    assert "Raw Hack" not in (await client.get("/")).text


async def test_a_render_begun_before_a_write_is_not_stored(client, monkeypatch):
    """A visitor's page that read the old title while a write happened must not be kept."""
    event = await published_event()
    rendering, write_done = asyncio.Event(), asyncio.Event()
    original = events_service.listed_events

    async def slow_listing(user, now):
        listed = await original(user, now)  # reads the old title
        rendering.set()
        await write_done.wait()
        return listed

    monkeypatch.setattr(events_service, "listed_events", slow_listing)
    first = asyncio.create_task(client.get("/"))
    await rendering.wait()
    event.title = "Renamed Hack"
    await event.save()
    monkeypatch.setattr(events_service, "listed_events", original)
    write_done.set()
    assert "Cache Hack" in (await first).text  # began before the write: may show the old page
    page = (await client.get("/")).text
    assert "Renamed Hack" in page and "Cache Hack" not in page


def _counting_listing(monkeypatch) -> list[int]:
    """Counts renders of the start page; each render takes a moment so requests overlap."""
    renders = []
    original = events_service.listed_events

    async def listing(user, now):
        renders.append(1)
        await asyncio.sleep(0.05)
        return await original(user, now)

    monkeypatch.setattr(events_service, "listed_events", listing)
    return renders


async def test_a_crowd_on_an_expired_entry_renders_it_once(client, app, monkeypatch):
    await published_event()
    now = [1000.0]
    app.state.page_cache.clock = lambda: now[0]
    assert (await client.get("/")).status_code == 200
    renders = _counting_listing(monkeypatch)
    now[0] += app.state.page_cache.ttl + 1  # expired
    crowd = await asyncio.gather(*(client.get("/") for _ in range(20)))
    assert [r.status_code for r in crowd] == [200] * 20
    assert all("Cache Hack" in r.text for r in crowd)
    assert len(renders) == 1
    await client.get("/")  # refilled: fresh again
    assert len(renders) == 1


async def test_a_crowd_on_an_empty_cache_waits_for_one_render(client, monkeypatch):
    await published_event()
    renders = _counting_listing(monkeypatch)
    crowd = await asyncio.gather(*(client.get("/") for _ in range(20)))
    assert all(r.status_code == 200 and "Cache Hack" in r.text for r in crowd)
    assert len(renders) == 1


async def test_signed_in_visitors_get_their_own_page(client, app):
    await published_event()
    await User.create(email="eva@example.se", display_name="Eva Kvist",
                      password_hash=await make_password_hash("hemligt123"))
    anonymous = await client.get("/events/cache-hack")
    assert "Eva Kvist" not in anonymous.text
    await client.login("eva@example.se", "hemligt123")
    signed_in = await client.get("/events/cache-hack")
    assert "Eva Kvist" in signed_in.text and "X-CSRF-Token" in signed_in.text


async def test_languages_and_fragments_are_kept_apart(client):
    await published_event()
    sv = await client.get("/events/cache-hack/challenges")
    fragment = await client.get("/events/cache-hack/challenges", headers={"HX-Request": "true"})
    client.cookies.set("lang", "en")
    en = await client.get("/events/cache-hack/challenges")
    assert "Utmaningar" in sv.text and "<html" in sv.text
    assert "<html" not in fragment.text
    assert "Challenges" in en.text and "Utmaningar" not in en.text


async def test_entries_expire_and_old_copies_are_not_given_out():
    now = [100.0]
    cache = PageCache(ttl=5, max_stale=60, clock=lambda: now[0])
    pages = iter([b"one", b"two", b"three"])

    async def render():
        return Response(next(pages)), True

    key = ("http", "testserver", "/", "", "sv", False)
    assert (await cache.respond(key, render)).body == b"one"
    assert (await cache.respond(key, render)).body == b"one"
    now[0] += 6
    assert (await cache.respond(key, render)).body == b"two"  # expired: rendered again
    now[0] += 600
    assert (await cache.respond(key, render)).body == b"three"


async def test_sign_ins_and_failed_attempts_leave_the_cache_alone(make_client, app):
    """Sessions, limiter counters and outbox mail are on no public page: writing them must not
    empty the cache, or anyone failing sign-ins could keep every page uncached."""
    await published_event()
    await User.create(email="eva@example.se", display_name="Eva Kvist",
                      password_hash=await make_password_hash("hemligt123"))
    visitor, eva, attacker = await make_client(), await make_client(), await make_client("10.9.8.7")
    await visitor.get("/")
    assert app.state.page_cache._entries
    await eva.login("eva@example.se", "hemligt123")  # a new session row
    r = await attacker.post_form("/login", {"email": "eva@example.se", "password": "fel-fel-fel"})
    assert r.status_code == 422  # a limiter counter row
    await visitor.post_form("/password/forgot", {"email": "eva@example.se"})  # token + outbox
    assert app.state.page_cache._entries
    await Event.filter(slug="cache-hack").update(title="Renamed Hack")  # a shown table still does
    assert app.state.page_cache._entries == {}
