from samskapa.auth.models import User
from samskapa.auth.passwords import make_password_hash


async def make_user(email="anna@example.se", password="hemligt123", **kw):
    return await User.create(email=email, password_hash=await make_password_hash(password),
                             display_name=kw.pop("display_name", "Anna"), **kw)


async def test_register_signs_in_and_keeps_input_on_error(client):
    bad = await client.post_form("/register", {"display_name": "Bo", "email": "nope",
                                               "password": "short"}, htmx=True)
    assert bad.status_code == 422
    assert 'value="Bo"' in bad.text and "Ange en giltig e-postadress" in bad.text
    assert "Minst 8 tecken" in bad.text
    ok = await client.post_form("/register", {"display_name": "Bo", "email": "bo@example.se",
                                              "password": "långtlösen1"})
    assert ok.status_code == 303
    assert await User.filter(email="bo@example.se").exists()
    page = await client.get("/")
    assert "Bo" in page.text and "Logga ut" in page.text


async def test_duplicate_email_is_refused(client):
    await make_user()
    r = await client.post_form("/register", {"display_name": "A", "email": "anna@example.se",
                                            "password": "hemligt123"})
    assert r.status_code == 422 and "finns redan" in r.text


async def test_login_wrong_password_then_right(client):
    await make_user()
    r = await client.post_form("/login", {"email": "anna@example.se", "password": "fel"})
    assert r.status_code == 422 and "Fel e-postadress eller lösenord" in r.text
    await client.login("anna@example.se", "hemligt123")


async def test_post_without_csrf_is_forbidden(client):
    r = await client.post("/login", data={"email": "a@b.se", "password": "x"})
    assert r.status_code == 403
    assert "Inte tillåtet" in r.text
    r = await client.post("/login", data={"email": "a@b.se", "password": "x",
                                          "csrf_token": "forged"}, headers={"HX-Request": "true"})
    assert r.status_code == 403


async def test_csrf_header_works_for_htmx(client):
    token = await client.csrf()
    r = await client.post("/login", data={"email": "a@b.se", "password": "x"},
                          headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert r.status_code == 422


async def test_login_rate_limited_per_account(client):
    await make_user()
    for _ in range(5):
        await client.post_form("/login", {"email": "anna@example.se", "password": "fel"})
    r = await client.post_form("/login", {"email": "anna@example.se", "password": "hemligt123"})
    assert r.status_code == 422
    assert "För många misslyckade inloggningsförsök. Försök igen om 30 sekunder." in r.text
    # More in tests/test_limiter.py.


async def test_session_cookie_flags(client):
    r = await client.get("/login")
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie


async def test_password_reset_by_mail(client, make_client, mailbox):
    user = await make_user()
    r = await client.post_form("/password/forgot", {"email": "anna@example.se"})
    assert r.status_code == 200
    path = mailbox.last_link("anna@example.se", "/password/reset/")
    r = await client.post_form(path, {"password": "nyttlösen1", "password_again": "nyttlösen1"},
                               token_from=path)
    assert r.status_code == 303
    fresh = await make_client()
    await fresh.login("anna@example.se", "nyttlösen1")
    # The link works once.
    assert (await fresh.get(path)).status_code == 404
    assert user.id


async def test_unknown_page_is_404_in_language(client):
    r = await client.get("/no/such/page")
    assert r.status_code == 404 and "Sidan hittades inte" in r.text
    client.cookies.set("lang", "en")
    r = await client.get("/no/such/page")
    assert "Page not found" in r.text


async def test_body_too_large(client):
    token = await client.csrf()
    r = await client.post("/login", data={"email": "x" * 300_000, "csrf_token": token})
    assert r.status_code == 413
    # A way back to the form it came from (QA), never to another site's page
    r = await client.post("/login", data={"email": "x" * 300_000, "csrf_token": token},
                          headers={"referer": "http://testserver/login?next=/events"})
    assert "bakåtknapp" in r.text and 'href="/login?next=/events"' in r.text
    r = await client.post("/login", data={"email": "x" * 300_000, "csrf_token": token},
                          headers={"referer": "https://evil.example/login"})
    assert "bakåtknapp" in r.text and "evil.example" not in r.text


async def test_outbox_admin_only(client):
    await make_user(email="admin@example.se", is_admin=True)
    await make_user()
    await client.login("anna@example.se", "hemligt123")
    assert (await client.get("/admin/outbox")).status_code == 403
