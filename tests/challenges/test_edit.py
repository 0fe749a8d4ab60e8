"""Creating and editing challenges: who may, what is checked, nothing typed is lost."""
from __future__ import annotations

from challenges.models import Challenge, Dataset, Organisation
from tests.challenges.conftest import add_challenge

NEW = "/events/hack/challenges/new"


def form(**overrides) -> dict:
    data = {
        "title": "Smartare parkering i Södertälje",
        "slug": "",
        "organisation": "",
        "organisation_new": "Samhällsbyggnadskontoret",
        "summary": "Hitta lediga platser",
        "description": "## Bakgrund\n\nBilar **cirkulerar**.",
        "expected_outcome": "En prototyp",
        "themes": ["mobilitet", "miljo"],
        "contact_name": "Eva Ek",
        "contact_email": "eva@sodertalje.se",
        "dataset_title": ["Parkeringsplatser", ""],
        "dataset_url": ["https://data.sodertalje.se/parkering.csv", ""],
        "dataset_licence": ["CC0", ""],
        "dataset_format": ["CSV", ""],
    }
    data.update(overrides)
    return data


async def test_owner_creates_a_draft_with_themes_and_datasets(world, as_user, client):
    owner = await as_user(world.owner)
    page = await owner.get(NEW)
    assert page.status_code == 200 and "Ny utmaning" in page.text
    assert 'name="themes" value="miljo"' in page.text
    r = await owner.post_form(NEW, form())
    assert r.status_code == 303
    assert r.headers["location"] == "/events/hack/challenges/smartare-parkering-i-sodertalje"
    challenge = await Challenge.get(slug="smartare-parkering-i-sodertalje").prefetch_related(
        "themes", "datasets", "organisation")
    assert not challenge.published and challenge.owner_id == world.owner.id
    assert sorted(t.slug for t in challenge.themes) == ["miljo", "mobilitet"]
    assert [(d.title, d.url, d.licence, d.format) for d in challenge.datasets] == [
        ("Parkeringsplatser", "https://data.sodertalje.se/parkering.csv", "CC0", "CSV")]
    assert challenge.organisation.name == "Samhällsbyggnadskontoret"
    assert challenge.search_text == ("smartare parkering i sodertalje hitta lediga platser "
                                     "samhallsbyggnadskontoret")
    # The draft page: the owner sees it with the Markdown rendered; the public gets a 404.
    detail = await owner.get(r.headers["location"])
    assert "<h2>Bakgrund</h2>" in detail.text and "<strong>cirkulerar</strong>" in detail.text
    assert "Utkast" in detail.text and "Publicera" in detail.text
    assert '<a href="https://data.sodertalje.se/parkering.csv"' in detail.text
    assert "mailto:eva@sodertalje.se" in detail.text
    assert (await client.get(r.headers["location"])).status_code == 404


async def test_publish_and_unpublish(world, as_user, client):
    owner = await as_user(world.owner)
    await owner.post_form(NEW, form())
    url = "/events/hack/challenges/smartare-parkering-i-sodertalje"
    r = await owner.post_form(url + "/publish", {})
    assert r.status_code == 303 and r.headers["location"] == url
    public = await client.get(url)
    assert public.status_code == 200 and "Publicera" not in public.text
    assert "Smartare parkering i Södertälje" in (await client.get("/events/hack/challenges")).text
    r = await owner.post_form(url + "/unpublish", {}, htmx=True)
    assert r.status_code == 204 and r.headers["HX-Redirect"] == url
    assert (await client.get(url)).status_code == 404
    other = await as_user(world.other_owner)
    assert (await other.post_form(url + "/publish", {})).status_code == 403
    participant = await as_user(world.participant)
    assert (await participant.post_form(url + "/publish", {})).status_code == 403
    assert not (await Challenge.get(slug="smartare-parkering-i-sodertalje")).published


async def test_who_may_create(world, as_user, client):
    r = await client.get(NEW)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    for user, status in [(world.participant, 403), (world.organiser, 200), (world.admin, 200),
                         (world.owner, 200)]:
        c = await as_user(user)
        assert (await c.get(NEW)).status_code == status, user.email
        posted = await c.post_form(NEW, form(title=f"Av {user.email}"))
        assert posted.status_code == (303 if status == 200 else 403), user.email
    participant = await as_user(world.participant)
    r = await participant.get(NEW)
    assert "Bara evenemangets arrangörer och utmaningsägare kan lägga till utmaningar." in r.text
    assert await Challenge.all().count() == 3


async def test_who_may_edit(world, as_user):
    mine = await add_challenge(world.event, "Min utmaning", owner=world.owner,
                         published=False)
    url = f"/events/hack/challenges/{mine.slug}/edit"
    owner = await as_user(world.owner)
    page = await owner.get(url)
    assert page.status_code == 200 and 'value="Min utmaning"' in page.text
    other = await as_user(world.other_owner)
    r = await other.get(url)
    assert r.status_code == 403 and "Du kan bara ändra utmaningar som du äger." in r.text
    r = await other.post_form(url, form(title="Kapad"))
    assert r.status_code == 403
    participant = await as_user(world.participant)
    assert (await participant.post_form(url, form(title="Kapad"))).status_code == 403
    organiser = await as_user(world.organiser)
    r = await organiser.post_form(url, form(title="Ändrad av arrangör", slug=mine.slug))
    assert r.status_code == 303 and r.headers["location"] == f"/events/hack/challenges/{mine.slug}"
    changed = await Challenge.get(id=mine.id)
    assert changed.title == "Ändrad av arrangör" and changed.owner_id == world.owner.id
    assert changed.search_text.startswith("andrad av arrangor")
    r = await owner.post_form(url, form(title="Tillbaka", slug=mine.slug, themes=[],
                                        dataset_title=[], dataset_url=[], dataset_licence=[],
                                        dataset_format=[]))
    assert r.status_code == 303
    changed = await Challenge.get(id=mine.id).prefetch_related("themes", "datasets")
    assert changed.title == "Tillbaka" and list(changed.themes) == []
    assert list(changed.datasets) == []
    # Another owner cannot even see this draft's page.
    assert (await other.get(f"/events/hack/challenges/{mine.slug}")).status_code == 404
    assert (await organiser.get(f"/events/hack/challenges/{mine.slug}")).status_code == 200


async def test_edit_form_is_prefilled(world, as_user):
    c = await add_challenge(world.event, "Förifylld", owner=world.owner, themes=["miljo"],
                            datasets=1, organisation="Miljöförvaltningen")
    owner = await as_user(world.owner)
    page = await owner.get(f"/events/hack/challenges/{c.slug}/edit")
    assert 'value="miljo" checked' in page.text and 'value="mobilitet" >' in page.text
    assert 'value="https://example.se/0.csv"' in page.text
    org = await Organisation.get(name="Miljöförvaltningen")
    assert f'<option value="{org.id}" selected>Miljöförvaltningen</option>' in page.text
    # One empty row beside the existing dataset, for adding another.
    assert page.text.count('name="dataset_url"') == 2


async def test_bad_url_keeps_input_and_marks_the_field(world, as_user):
    owner = await as_user(world.owner)
    data = form(dataset_title=["Parkering", "Träd"],
                dataset_url=["ftp://data.sodertalje.se/x.csv", "javascript:alert(1)"],
                dataset_licence=["CC0", "CC-BY"], dataset_format=["CSV", "JSON"])
    r = await owner.post_form(NEW, data, htmx=True)
    assert r.status_code == 422
    assert "<html" not in r.text and '<form class="challenge-form"' in r.text
    bad_url = "Ange en fullständig webbadress som börjar med http:// eller https://."
    assert r.text.count(bad_url) == 4  # beside each field and in the summary
    assert 'id="f-dataset_url-0-error"' in r.text and 'id="f-dataset_url-1-error"' in r.text
    assert 'aria-describedby="f-dataset_url-0-error"' in r.text
    for kept in ['value="Smartare parkering i Södertälje"',
                 'value="ftp://data.sodertalje.se/x.csv"',
                 'value="Träd"', 'value="CC-BY"', 'value="Samhällsbyggnadskontoret"',
                 'value="miljo" checked', 'value="eva@sodertalje.se"',
                 "## Bakgrund"]:
        assert kept in r.text, kept
    assert await Challenge.all().count() == 0
    # Without htmx the whole page comes back, still 422.
    r = await owner.post_form(NEW, data)
    assert r.status_code == 422 and "<html" in r.text


async def test_dataset_row_needs_title_and_url(world, as_user):
    owner = await as_user(world.owner)
    r = await owner.post_form(NEW, form(dataset_title=["", ""], dataset_url=["", "https://x.se"],
                                        dataset_licence=["CC0", ""], dataset_format=["", ""]))
    assert r.status_code == 422
    assert "Ge datamängden en titel." in r.text and "Ange datamängdens adress (URL)." in r.text


async def test_duplicate_and_bad_slugs(world, as_user):
    await add_challenge(world.event, "Smartare parkering i Södertälje", owner=world.owner)
    owner = await as_user(world.owner)
    r = await owner.post_form(NEW, form(), htmx=True)
    assert r.status_code == 422
    assert "En annan utmaning i evenemanget har redan den här adressen." in r.text
    assert 'id="f-slug-error"' in r.text
    r = await owner.post_form(NEW, form(slug="Inte OK!"), htmx=True)
    assert r.status_code == 422 and "Använd bara små bokstäver a–z" in r.text
    assert 'value="Inte OK!"' in r.text
    r = await owner.post_form(NEW, form(slug="new"), htmx=True)
    assert r.status_code == 422 and "Den här adressen är reserverad." in r.text
    r = await owner.post_form(NEW, form(slug="annan-adress"))
    assert r.status_code == 303 and r.headers["location"].endswith("/annan-adress")


async def test_required_fields_and_organisation(world, as_user):
    owner = await as_user(world.owner)
    r = await owner.post_form(NEW, form(title="", organisation_new="", contact_email="nej"),
                              htmx=True)
    assert r.status_code == 422
    assert 'id="f-title-error"' in r.text and "Ange en giltig e-postadress." in r.text
    r = await owner.post_form(NEW, form(organisation_new=""), htmx=True)
    assert r.status_code == 422
    assert "Välj en organisation eller skriv namnet på en ny." in r.text
    org = await Organisation.create(name="Kulturförvaltningen")
    r = await owner.post_form(NEW, form(organisation_new="", organisation=str(org.id)))
    assert r.status_code == 303
    assert (await Challenge.get(title="Smartare parkering i Södertälje")).organisation_id == org.id
    # Typing an existing name reuses it instead of making a twin.
    r = await owner.post_form(NEW, form(title="Andra", organisation_new="Kulturförvaltningen"))
    assert r.status_code == 303 and await Organisation.all().count() == 1


async def test_themes_of_another_event_are_refused(world, as_user):
    owner = await as_user(world.owner)
    r = await owner.post_form(NEW, form(themes=["miljo", "finns-inte"]), htmx=True)
    assert r.status_code == 422 and "Välj bland evenemangets teman." in r.text


async def test_add_dataset_row_with_and_without_javascript(world, as_user, client):
    owner = await as_user(world.owner)
    row = await owner.get(NEW + "/dataset-row", headers={"HX-Request": "true"})
    assert row.status_code == 200 and "<html" not in row.text
    assert row.text.count('name="dataset_') == 4 and 'class="dataset-row"' in row.text
    ids = [row.text for row in [row, await owner.get(NEW + "/dataset-row",
                                                     headers={"HX-Request": "true"})]]
    assert ids[0] != ids[1]  # every appended row gets its own field ids
    page = await owner.get(NEW)
    assert 'hx-get="/events/hack/challenges/new/dataset-row"' in page.text
    assert 'hx-target="#dataset-rows" hx-swap="beforeend"' in page.text
    # The same button without JavaScript submits the form: one more row, input kept, no save.
    r = await owner.post_form(NEW, form(add_dataset="1"))
    assert r.status_code == 200
    assert r.text.count('name="dataset_url"') == 3
    assert 'value="https://data.sodertalje.se/parkering.csv"' in r.text
    assert await Challenge.all().count() == 0
    participant = await as_user(world.participant)
    assert (await participant.get(NEW + "/dataset-row",
                                  headers={"HX-Request": "true"})).status_code == 403


async def test_datasets_are_replaced_on_edit(world, as_user):
    c = await add_challenge(world.event, "Data", owner=world.owner, datasets=3)
    owner = await as_user(world.owner)
    r = await owner.post_form(f"/events/hack/challenges/{c.slug}/edit", form(
        title="Data", slug=c.slug, dataset_title=["Ny"], dataset_url=["http://ny.se/a.json"],
        dataset_licence=[""], dataset_format=["JSON"]))
    assert r.status_code == 303
    assert [d.title for d in await Dataset.filter(challenge_id=c.id)] == ["Ny"]


async def test_all_objections_come_back_at_once(world, as_user):
    owner = await as_user(world.owner)
    r = await owner.post_form(NEW, form(title="", organisation_new="", themes=["nej"],
                                        dataset_url=["ftp://x", ""]), htmx=True)
    assert r.status_code == 422
    for message in ["Fältet måste fyllas i.", "Välj en organisation eller skriv namnet på en ny.",
                    "Välj bland evenemangets teman.", "Ange en fullständig webbadress"]:
        assert message in r.text, message
