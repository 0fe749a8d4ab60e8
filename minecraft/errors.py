"""The one error the world pipeline raises for bad input.

Its message is a single sentence that names the problem and says what to do, never a traceback.
It is an English message id with %(name)s parameters, marked for extraction (scripts/messages.py
collects every `WorldBuildError("...")` into locale/<lang>/LC_MESSAGES/minecraft.po), so whoever
shows it translates it: the CLI in the user's locale, the web flow in the visitor's language.
str(error) is the English sentence.
"""
from __future__ import annotations

from .i18n import translate


class WorldBuildError(Exception):
    """Bad input or an unusable state, explained in one sentence for the person who ran the tool."""

    def __init__(self, message: str, /, **params: object) -> None:
        self.message, self.params = message, params
        super().__init__(message % params if params else message)

    def text(self, language: str = "en") -> str:
        """The sentence in `language` ("sv" or "en"), English where no translation exists."""
        return translate(self.message, language, **self.params)
