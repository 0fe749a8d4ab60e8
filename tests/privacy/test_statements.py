"""The privacy page and the accessibility statement: public, linked from every page's footer,
in Swedish and English, edited by the site admin (Markdown, sanitised) with a date."""
from __future__ import annotations

from datetime import datetime, timezone

from tests.privacy.conftest import make_user, signed_in


async def test_both_statements_are_public_and_linked_from_every_pages_footer(client):
    for path in ("/", "/login", "/events/no-such-event", "/privacy", "/accessibility"):
        r = await client.get(path)
        assert r.status_code in (200, 404), path
        footer = r.text.split('<footer class="site-footer">', 1)[1]
        assert 'href="/privacy"' in footer and 'href="/accessibility"' in footer, path
    privacy = await client.get("/privacy")
    assert privacy.status_code == 200
    assert "<h1>Integritet och personuppgifter</h1>" in privacy.text
    assert "Senast uppdaterad" in privacy.text


async def test_the_default_privacy_text_says_what_is_stored_and_for_how_long(client, app):
    sv = (await client.get("/privacy")).text
    days = app.state.settings.pupil_retention_days
    for words in ("smeknamn", "hashvärde", "samskapa_session", "lang",
                  f"raderas automatiskt {days} dagar", 'href="/account/data"', "imy.se",
                  f"sparas i {app.state.settings.outbox_days} dagar i en utkorg",
                  "Var du är inloggad"):
        assert words in sv, words
    client.cookies.set("lang", "en")
    en = (await client.get("/privacy")).text
    assert "<h1>Privacy and personal data</h1>" in en
    assert f"deleted automatically {days} days after" in en and "Last updated" in en


async def test_the_default_accessibility_statement_follows_diggs_model(client):
    sv = (await client.get("/accessibility")).text
    assert "<h1>Tillgänglighetsredogörelse</h1>" in sv
    for words in ("2018:1937", "delvis förenlig", "Innehåll som inte är tillgängligt",
                  "Rapportera brister", 'href="https://www.digg.se/tdosanmalan"',
                  "självskattning"):
        assert words in sv, words
    client.cookies.set("lang", "en")
    en = (await client.get("/accessibility")).text
    assert "partially compliant" in en and "https://www.digg.se/tdosanmalan" in en


async def test_the_site_admin_edits_a_statement_per_language_and_it_is_sanitised(make_client):
    admin = await signed_in(make_client, await make_user("Admin", admin=True))
    form = await admin.get("/admin/statements/privacy/sv")
    assert form.status_code == 200 and "smeknamn" in form.text  # starts from the default
    r = await admin.post_form("/admin/statements/privacy/sv", {
        "body": "## Vem ansvarar?\n\nSödertälje kommun, [dataskydd@sodertalje.se]"
                "(mailto:dataskydd@sodertalje.se)\n\n<script>alert(1)</script>\n\n"
                "[klicka](javascript:alert(1))"}, token_from="/admin/statements/privacy/sv")
    assert r.status_code == 303 and r.headers["location"] == "/privacy"

    visitor = await make_client()
    page = (await visitor.get("/privacy")).text
    assert "<h2>Vem ansvarar?</h2>" in page
    assert 'href="mailto:dataskydd@sodertalje.se"' in page
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page
    assert "href=\"javascript" not in page
    assert "smeknamn" not in page  # the edited text replaced the default
    today = datetime.now(timezone.utc).date().isoformat()
    assert f'datetime="{today}' in page
    # The English page keeps its own (default) text.
    visitor.cookies.set("lang", "en")
    assert "pupil chooses" in (await visitor.get("/privacy")).text

    # A second save replaces the first.
    r = await admin.post_form("/admin/statements/privacy/sv", {"body": "## Andra versionen"},
                              token_from="/admin/statements/privacy/sv")
    assert r.status_code == 303
    visitor.cookies.set("lang", "sv")
    page = (await visitor.get("/privacy")).text
    assert "<h2>Andra versionen</h2>" in page and "Vem ansvarar?" not in page

    # An empty text goes back to the default.
    r = await admin.post_form("/admin/statements/privacy/sv", {"body": ""},
                              token_from="/admin/statements/privacy/sv")
    assert r.status_code == 303
    visitor.cookies.set("lang", "sv")
    assert "smeknamn" in (await visitor.get("/privacy")).text


async def test_only_the_site_admin_may_edit_and_unknown_pages_are_404(make_client):
    someone = await signed_in(make_client, await make_user("Arrangor"))
    assert (await someone.get("/admin/statements/privacy/sv")).status_code == 403
    r = await someone.post_form("/admin/statements/accessibility/en", {"body": "Hacked"})
    assert r.status_code == 403
    assert "Hacked" not in (await someone.get("/accessibility")).text
    anonymous = await make_client()
    r = await anonymous.get("/admin/statements/privacy/sv")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    admin = await signed_in(make_client, await make_user("Admin", admin=True))
    for path in ("/admin/statements/cookies/sv", "/admin/statements/privacy/de"):
        assert (await admin.get(path)).status_code == 404, path
