"""Challenges, their datasets and the themes of an event: use cases as plain async functions.

No Request objects here: callers pass the signed-in user (or None) and the data; rules that say
no raise NotFound / Forbidden / ValidationError with English msgids, translated where shown.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q, RawSQL
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from challenges.models import (RESERVED_CHALLENGE_SLUGS, SLUG_RE, Challenge, Dataset,
                               Organisation, Theme, fold, is_web_url)
from events.models import Event
from events.policy import Permission, Standing
from samskapa.auth.models import User
from samskapa.errors import Forbidden, NotFound, ValidationError
from samskapa.i18n import N_

SLUG_MAX = 80
_LETTERS = str.maketrans({"å": "a", "ä": "a", "ö": "o", "æ": "ae", "ø": "o", "ß": "ss"})

# One correlated subquery instead of a query per card: the list stays at a fixed number of
# queries however many challenges an event has.
DATASET_COUNT_SQL = ('(SELECT COUNT(*) FROM "datasets" WHERE "datasets"."challenge_id" = '
                     '"challenges"."id")')


def slugify(text: str) -> str:
    """'Mobilitet & Älvsjö' -> 'mobilitet-alvsjo': lower case, å/ä -> a, ö -> o, hyphens."""
    text = text.lower().translate(_LETTERS)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:SLUG_MAX].rstrip("-")


# --- who may do what (events.policy; what is left here concerns one challenge) ----------------

def sees_all(standing: Standing | None) -> bool:
    """Organisers (and site admins) see every challenge, drafts included."""
    return standing is not None and standing.may(Permission.MANAGE_CHALLENGES)


def can_see(standing: Standing | None, challenge: Challenge) -> bool:
    return challenge.visible_to(standing.user_id if standing else None,
                                organiser=sees_all(standing))


def can_edit(standing: Standing, challenge: Challenge) -> bool:
    """Organisers change any challenge; a challenge owner the ones they own."""
    return standing.may(Permission.MANAGE_CHALLENGES) or (
        standing.may(Permission.ADD_CHALLENGE) and standing.user_id is not None
        and challenge.owner_id == standing.user_id)


def require_editor(standing: Standing, challenge: Challenge) -> None:
    if not can_edit(standing, challenge):
        raise Forbidden("You can only change challenges that you own. Ask an organiser if this "
                        "one should be yours.")


# --- reading --------------------------------------------------------------------------------

async def event_themes(event: Event) -> list[Theme]:
    return await Theme.filter(event_id=event.id)


def _theme_ids_sql(dialect: str) -> str:
    """The ids of a challenge's themes as one comma-separated string, aggregated in the same
    query as the challenge (group_concat in SQLite, string_agg in PostgreSQL)."""
    m2m = Challenge._meta.fields_map["themes"]
    agg = ('string_agg(CAST("ct"."{fk}" AS TEXT), \',\')' if dialect == "postgres"
           else 'group_concat("ct"."{fk}")').format(fk=m2m.forward_key)
    return (f'(SELECT {agg} FROM "{m2m.through}" "ct" '
            f'WHERE "ct"."{m2m.backward_key}" = "challenges"."id")')


# An unstressed -el, -er or -en loses its e when an ending follows: cykel -> cyklar, nyckel ->
# nycklar, vinter -> vintrar, öken -> öknar. PostgreSQL's Swedish stemmer keeps the two apart
# ('cykel', 'cykl'), so a query word of that shape (a second syllable: not 'fler') also asks
# for the shorter stem.
_SYNCOPE = re.compile(r"^(\w*[aeiouy]\w*[^aeiouy\W])e([lnr])$")


def swedish_tsquery(folded: str) -> str:
    """A to_tsquery('swedish', ...) text for a folded needle: every word, as a prefix (so the
    head of a compound finds it: cykel -> cykelbanor) or in its syncopated form, must occur.
    Only ASCII letters and digits of the needle go in, so the text is safe to quote in SQL;
    '' when nothing is left."""
    terms = []
    for word in re.findall(r"[a-z0-9]+", folded):
        forms = [word]
        syncopated = _SYNCOPE.match(word)
        if syncopated:
            forms.append(syncopated.group(1) + syncopated.group(2))
        terms.append("(" + " | ".join(f"{form}:*" for form in forms) + ")")
    return " & ".join(terms)


def _visible(event: Event, standing: Standing | None, theme: str, q: str):
    """The challenges of `event` that this visitor may see, filtered by theme slug and free
    text.

    Anonymous visitors and participants see published challenges; organisers see all; a
    challenge owner also sees their own drafts."""
    qs = Challenge.filter(event_id=event.id)
    if not sees_all(standing):
        if standing is not None and standing.may(Permission.ADD_CHALLENGE):
            qs = qs.filter(Q(published=True) | Q(owner_id=standing.user_id))
        else:
            qs = qs.filter(published=True)
    theme = theme.strip()
    if theme:
        # Themes belong to one event and their slugs are unique in it: at most one row each.
        qs = qs.filter(themes__slug=theme)
    dialect = Challenge._meta.db.capabilities.dialect
    needle = fold(" ".join(q.split()))
    if needle:
        matches = Q(search_text__contains=needle)
        query = swedish_tsquery(needle) if dialect == "postgres" else ""
        if query:
            # Word forms too: 'cyklar' finds 'cykel', 'cykel' finds 'cykelbanor'. The query
            # holds only [a-z0-9] words and tsquery operators (see swedish_tsquery).
            qs = qs.annotate(word_match=RawSQL(
                f"to_tsvector('swedish', \"challenges\".\"search_text\") "
                f"@@ to_tsquery('swedish', '{query}')"))
            matches |= Q(word_match=True)
        qs = qs.filter(matches)
    return (qs.annotate(dataset_count=RawSQL(DATASET_COUNT_SQL),
                        theme_ids=RawSQL(_theme_ids_sql(dialect)))
            .order_by("id"))


# Swedish alphabetical order, the same on every database: å, ä, ö come after z (in that order);
# é sorts as e, ü as y, æ as ä, ø as ö.
_SWEDISH_ORDER = str.maketrans({"å": "z{", "ä": "z|", "æ": "z|", "ö": "z}", "ø": "z}",
                                "é": "e", "è": "e", "ü": "y", "á": "a", "à": "a"})


def swedish_key(text: str) -> str:
    return text.casefold().translate(_SWEDISH_ORDER)


def _themes_of(theme_ids: str | None, themes: list[Theme]) -> list[Theme]:
    ids = {int(i) for i in str(theme_ids or "").split(",") if i}
    return [t for t in themes if t.id in ids]


@dataclass(slots=True)
class ChallengeCard:
    """What a card in the list shows: read as plain values, no model objects to build."""
    slug: str
    title: str
    summary: str
    published: bool
    organisation_name: str | None
    dataset_count: int
    theme_list: list[Theme]


async def challenge_cards(event: Event, standing: Standing | None = None, *, theme: str = "",
                          q: str = "", themes: list[Theme] | None = None) -> list[ChallengeCard]:
    """The list page's cards in Swedish alphabetical order: ONE query however many challenges
    there are (given the event's `themes`, else one more to read them)."""
    rows = await _visible(event, standing, theme, q).values(
        "slug", "title", "summary", "published", "dataset_count", "theme_ids",
        organisation_name="organisation__name")
    if themes is None:
        themes = await event_themes(event)
    cards = [ChallengeCard(slug=r["slug"], title=r["title"], summary=r["summary"],
                           published=bool(r["published"]),
                           organisation_name=r["organisation_name"],
                           dataset_count=int(r["dataset_count"] or 0),
                           theme_list=_themes_of(r["theme_ids"], themes)) for r in rows]
    cards.sort(key=lambda card: swedish_key(card.title))  # stable: ties stay in id order
    return cards


async def list_challenges(event: Event, standing: Standing | None = None, *, theme: str = "",
                          q: str = "", themes: list[Theme] | None = None) -> list[Challenge]:
    """The challenges as models with their organisation, `theme_list`, `dataset_count` and
    datasets (for the JSON API): two queries, given the event's `themes`."""
    challenges = await (_visible(event, standing, theme, q).select_related("organisation")
                        .prefetch_related("datasets"))
    if themes is None:
        themes = await event_themes(event)
    for challenge in challenges:
        challenge.theme_list = _themes_of(challenge.theme_ids, themes)
    challenges.sort(key=lambda challenge: swedish_key(challenge.title))
    return challenges


async def find_challenge(event: Event, cslug: str) -> Challenge:
    """One challenge, draft or not, with organisation, owner, themes and datasets."""
    challenge = await (Challenge.filter(event_id=event.id, slug=cslug)
                       .select_related("organisation", "owner")
                       .prefetch_related("themes", "datasets").first())
    if challenge is None:
        raise NotFound("There is no challenge at this address.")
    return challenge


async def get_challenge(event: Event, cslug: str, standing: Standing | None) -> Challenge:
    """A challenge as this visitor (None: anonymous) may see it: a draft is a 404 to anyone but
    organisers and its owner."""
    challenge = await find_challenge(event, cslug)
    if not can_see(standing, challenge):
        raise NotFound("There is no challenge at this address.")
    return challenge


async def organisations() -> list[Organisation]:
    return await Organisation.all()


# --- writing --------------------------------------------------------------------------------

@dataclass
class DatasetInput:
    title: str = ""
    url: str = ""
    licence: str = ""
    format: str = ""

    def is_blank(self) -> bool:
        return not (self.title or self.url or self.licence or self.format)


@dataclass
class ChallengeInput:
    title: str
    slug: str = ""
    organisation_id: int | None = None
    organisation_name: str = ""  # a new (or existing, by name) organisation; wins over the id
    summary: str = ""
    description: str = ""
    expected_outcome: str = ""
    theme_slugs: list[str] = field(default_factory=list)
    contact_name: str = ""
    contact_email: str = ""
    datasets: list[DatasetInput] = field(default_factory=list)


def check_datasets(datasets: list[DatasetInput]) -> dict[str, str]:
    """Errors keyed `dataset_<field>-<row>`; blank rows are ignored (that is how a row is
    removed)."""
    errors: dict[str, str] = {}
    for i, ds in enumerate(datasets):
        if ds.is_blank():
            continue
        if not ds.title:
            errors[f"dataset_title-{i}"] = N_("Give the dataset a title.")
        if not ds.url:
            errors[f"dataset_url-{i}"] = N_("Give the dataset's address (URL).")
        elif not is_web_url(ds.url):
            errors[f"dataset_url-{i}"] = N_("Enter a full web address starting with http:// or "
                                          "https://.")
    return errors


async def _organisation(data: ChallengeInput) -> Organisation | None:
    name = " ".join(data.organisation_name.split())
    if name:
        found = (await Organisation.get_or_none(name=name)
                 or await Organisation.filter(name__iexact=name).first())
        if found:
            return found
        try:
            return await Organisation.create(name=name)
        except IntegrityError:  # someone created it a moment ago
            return await Organisation.get(name=name)
    if data.organisation_id is not None:
        return await Organisation.get_or_none(id=data.organisation_id)
    return None


async def _slug_taken(event: Event, slug: str, challenge: Challenge | None) -> bool:
    qs = Challenge.filter(event_id=event.id, slug=slug)
    if challenge is not None:
        qs = qs.exclude(id=challenge.id)
    return await qs.exists()


def _slug_for(data: ChallengeInput) -> str:
    return data.slug.strip().lower() or slugify(data.title)


async def challenge_errors(event: Event, data: ChallengeInput,
                           challenge: Challenge | None = None) -> dict[str, str]:
    """Every rule a challenge breaks, keyed by form field (empty when it may be saved)."""
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = N_("This field is required.")
    slug = _slug_for(data)
    if data.slug.strip() and not SLUG_RE.match(slug):
        errors["slug"] = N_("Use only lower-case letters a-z, digits and hyphens, e.g. "
                            "smartare-parkering.")
    elif not slug:
        if data.title.strip():  # without a title, the title's own message says enough
            errors["slug"] = N_("Give the challenge an address, or a title we can make one "
                                "from.")
    elif slug in RESERVED_CHALLENGE_SLUGS:
        errors["slug"] = N_("This address is reserved. Choose another one.")
    elif len(slug) > SLUG_MAX:
        errors["slug"] = N_("The address is too long.")
    elif await _slug_taken(event, slug, challenge):
        errors["slug"] = N_("Another challenge in this event already has this address.")

    wanted = set(data.theme_slugs)
    if wanted and await Theme.filter(event_id=event.id, slug__in=wanted).count() != len(wanted):
        errors["themes"] = N_("Choose among the themes of this event.")

    if not data.organisation_name.strip() and (
            data.organisation_id is None
            or not await Organisation.exists(id=data.organisation_id)):
        errors["organisation"] = N_("Choose an organisation or type the name of a new one.")

    errors.update(check_datasets(data.datasets))
    return errors


async def save_challenge(event: Event, data: ChallengeInput, *, owner: User | None = None,
                         challenge: Challenge | None = None) -> Challenge:
    """Create (no `challenge`) or update a challenge with its themes and datasets, all or
    nothing. A new challenge is a draft owned by `owner`. Raises ValidationError with every
    problem found, keyed by form field."""
    errors = await challenge_errors(event, data, challenge)
    if errors:
        raise ValidationError(errors)
    slug = _slug_for(data)
    themes = (await Theme.filter(event_id=event.id, slug__in=set(data.theme_slugs))
              if data.theme_slugs else [])

    datasets = [ds for ds in data.datasets if not ds.is_blank()]
    try:
        async with in_transaction():
            organisation = await _organisation(data)
            values = dict(
                slug=slug, title=data.title, summary=data.summary,
                description=data.description, expected_outcome=data.expected_outcome,
                organisation=organisation, contact_name=data.contact_name,
                contact_email=data.contact_email,
                search_text=Challenge.make_search_text(
                    data.title, data.summary, organisation.name if organisation else ""),
            )
            if challenge is None:
                challenge = await Challenge.create(event_id=event.id, owner=owner,
                                                   published=False, **values)
            else:
                challenge.update_from_dict(values)
                await challenge.save()
                await challenge.themes.clear()
                await Dataset.filter(challenge_id=challenge.id).delete()
            if themes:
                await challenge.themes.add(*themes)
            if datasets:
                await Dataset.bulk_create([
                    Dataset(challenge_id=challenge.id, title=ds.title, url=ds.url,
                            licence=ds.licence, format=ds.format) for ds in datasets])
    except IntegrityError:
        # Two people saved the same address at once; the database kept exactly one.
        raise ValidationError({"slug": N_("Another challenge in this event already has "
                                          "this address.")}) from None
    return challenge


async def set_published(challenge: Challenge, published: bool) -> Challenge:
    challenge.published = published
    await challenge.save(update_fields=["published"])
    return challenge


# --- themes ---------------------------------------------------------------------------------

async def themes_with_usage(event: Event) -> list[Theme]:
    """The event's themes, each with `challenge_count`."""
    return await Theme.filter(event_id=event.id).annotate(challenge_count=Count("challenges"))


async def add_theme(event: Event, name_sv: str, name_en: str, slug: str = "") -> Theme:
    errors: dict[str, str] = {}
    if not name_sv:
        errors["name_sv"] = N_("This field is required.")
    if not name_en:
        errors["name_en"] = N_("This field is required.")
    slug = slug or slugify(name_sv)
    if name_sv and not slug:
        errors["name_sv"] = N_("Use at least one letter or digit in the name.")
    elif slug and await Theme.exists(event_id=event.id, slug=slug):
        errors["name_sv"] = N_("This event already has a theme with this name.")
    if errors:
        raise ValidationError(errors)
    try:
        return await Theme.create(event_id=event.id, slug=slug, name_sv=name_sv,
                                  name_en=name_en)
    except IntegrityError:
        raise ValidationError({"name_sv": N_("This event already has a theme with this name.")}) \
            from None


async def delete_theme(event: Event, theme_slug: str, *, detach: bool = False) -> None:
    """Delete a theme. One still used by challenges is only deleted when `detach` says to
    remove it from them first."""
    theme = await Theme.get_or_none(event_id=event.id, slug=theme_slug)
    if theme is None:
        raise NotFound("There is no such theme in this event.")
    async with in_transaction():
        used = await theme.challenges.all().count()
        if used and not detach:
            raise ValidationError({"theme": (
                N_("This theme is still used by %(n)s of the event's challenges. Remove it "
                   "from them to delete it."),
                {"n": used})})
        await theme.challenges.clear()
        await theme.delete()
