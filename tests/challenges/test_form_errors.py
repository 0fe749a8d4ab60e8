"""A form that comes back with errors lists every error in its summary, each linked to its field
(WCAG 3.3.1), whether the whole page comes back or htmx swaps only the form."""
from __future__ import annotations

import re

from tests.challenges.test_edit import NEW, form

REQUIRED = "Fältet måste fyllas i."


def summary(html: str) -> tuple[str, list[tuple[str, str]]]:
    """The error summary's opening tag and its links as (target id, text)."""
    found = re.search(r'(<div class="form-errors"[^>]*>)(.*?)</div>', html, re.S)
    assert found, "no error summary"
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', found.group(2))
    return found.group(1), [(target, " ".join(text.split())) for target, text in links]


def assert_links_reach_their_fields(html: str, links: list[tuple[str, str]]) -> None:
    for target, _text in links:
        assert html.count(f'id="{target}"') == 1, target
        # The field says what is wrong beside itself too.
        assert (f'aria-describedby="{target}-error"' in html
                and f'id="{target}-error"' in html), target


async def test_registration_lists_each_error_with_a_link(client):
    token = await client.csrf("/register")
    r = await client.post("/register", data={"csrf_token": token, "display_name": "",
                                             "email": "inte-en-adress", "password": ""})
    assert r.status_code == 422
    opening, links = summary(r.text)
    assert 'role="alert"' in opening and 'tabindex="-1"' in opening
    assert links == [("f-display_name", REQUIRED),
                     ("f-email", "Ange en giltig e-postadress."),
                     ("f-password", REQUIRED)]
    assert_links_reach_their_fields(r.text, links)


async def test_challenge_form_lists_field_and_dataset_errors(world, as_user):
    owner = await as_user(world.owner)
    data = form(title="", dataset_title=["Parkering", ""], dataset_url=["ftp://x.se/a.csv", ""])
    for htmx in (True, False):
        r = await owner.post_form(NEW, data, htmx=htmx)
        assert r.status_code == 422 and ("<html" in r.text) is not htmx
        _opening, links = summary(r.text)
        assert links == [
            ("f-title", REQUIRED),
            ("f-dataset_url-0",
             "Ange en fullständig webbadress som börjar med http:// eller https://.")]
        assert_links_reach_their_fields(r.text, links)
