"""How one event is judged (JudgingSettings): the one getter, and the one update of the
organisers' choices with their rules. The organisers make those choices in one form, on the
judging overview (the ranking page links there). The people's-choice switch (votes.set_open)
and the chair's approval (awards.approve) keep their own fields and rules.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from events.models import Event
from judging.models import METHOD_LABELS, JudgingSettings, Method
from judging.ranking import TIE_BREAKS
from samskapa.errors import ValidationError
from samskapa.i18n import N_, gettext

MAX_REVIEWS = 20
MAX_PUBLIC_VOTE_PERCENT = 100


async def of(event: Event) -> JudgingSettings:
    """The event's settings, made with the defaults the first time anyone asks. (A create
    that races another request's is answered with theirs: get_or_create creates in a savepoint,
    so this holds inside a transaction too, as in awards.approve.)"""
    settings, _created = await JudgingSettings.get_or_create(event_id=event.id)
    return settings


@dataclass(frozen=True)
class Choices:
    """What the organiser chooses: how many reviews each submission gets, how scores become a
    ranking, and what the teams and the public see of it."""
    method: Method
    reviews_per_submission: int
    tie_break: str
    public_vote_percent: int
    show_scores_to_teams: bool
    public_ranking: bool


def _check(choices: Choices) -> None:
    errors: dict[str, str | tuple[str, dict]] = {}
    if choices.method not in set(Method):
        errors["method"] = N_("Choose one of the options.")
    if not 1 <= choices.reviews_per_submission <= MAX_REVIEWS:
        errors["reviews_per_submission"] = (N_("Enter a number from %(min)s to %(max)s."),
                                            {"min": 1, "max": MAX_REVIEWS})
    if choices.tie_break not in TIE_BREAKS:
        errors["tie_break"] = N_("Choose one of the options.")
    if not 0 <= choices.public_vote_percent <= MAX_PUBLIC_VOTE_PERCENT:
        errors["public_vote_percent"] = (N_("Enter a number from %(min)s to %(max)s."),
                                         {"min": 0, "max": MAX_PUBLIC_VOTE_PERCENT})
    if errors:
        raise ValidationError(errors)


async def update(event: Event, choices: Choices) -> JudgingSettings:
    """Saves the organiser's choices; the chair's approval and the vote switch stay as they are."""
    _check(choices)
    settings = await of(event)
    await JudgingSettings.filter(id=settings.id).update(**asdict(choices))
    await settings.refresh_from_db()
    return settings


def method_options() -> list[tuple[str, str]]:
    """The methods as (value, label in the reader's language), for the settings form and the
    ranking's "show with another method"."""
    return [(m.value, gettext(label)) for m, label in METHOD_LABELS.items()]


def tie_break_options() -> list[tuple[str, str]]:
    return [(key, gettext(label)) for key, (_rule, label) in TIE_BREAKS.items()]
