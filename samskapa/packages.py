"""The domain packages this application is made of, and what each one brings to the shell.

Like Django's INSTALLED_APPS: one line per package in `INSTALLED`, and the package's own
`__init__.py` declares `package = DomainPackage(...)`: its models (for Tortoise and the
migrations), its routes, the tasks it runs while the app runs, its commands and the folders of
its message catalogue. The shell (samskapa.db, samskapa.app, samskapa.cli and
scripts/messages.py) reads them here and names no domain package itself, so adding a package is
its `__init__.py` plus one line below.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import Any

# In the order their routes are mounted. minecraft/ is not here: it is a library (terrain and
# world writers) that the `samskapa world` command uses, with no models, pages or catalogue.
INSTALLED = (
    "events",
    "teams",
    "school",
    "challenges",
    "privacy",
    "submissions",
    "judging",
)


@dataclass(frozen=True)
class DomainPackage:
    """What one package brings. References are "module:attribute" strings, imported only when
    the shell needs them (so declaring a package imports nothing heavy)."""
    name: str
    models: tuple[str, ...] = ()        # Tortoise model modules, all in the app "models"
    routes: str | None = None           # a list of Starlette routes, mounted in INSTALLED order
    # async callables taking the Settings, each run as a task for as long as the app runs
    tasks: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()      # click commands added to `samskapa`
    # Folders and files whose strings make up locale/<lang>/LC_MESSAGES/<name>.po; by default
    # the package's folder and templates/<name>.
    messages: tuple[str, ...] | None = None

    @property
    def catalogue(self) -> tuple[str, ...]:
        if self.messages is not None:
            return self.messages
        return (self.name, f"templates/{self.name}")


def load(reference: str) -> Any:
    """The object a "module:attribute" reference names."""
    module, _, attribute = reference.partition(":")
    return getattr(import_module(module), attribute)


@cache
def installed() -> tuple[DomainPackage, ...]:
    packages = []
    for name in INSTALLED:
        package = import_module(name).package
        if not isinstance(package, DomainPackage) or package.name != name:
            raise TypeError(f"{name}/__init__.py must declare package = DomainPackage({name!r}, "
                            "...)")
        packages.append(package)
    return tuple(packages)


def model_modules() -> list[str]:
    return [module for package in installed() for module in package.models]


def routes() -> list:
    return [route for package in installed() if package.routes
            for route in load(package.routes)]


def tasks() -> list[Callable]:
    return [load(task) for package in installed() for task in package.tasks]


def commands() -> list:
    return [load(command) for package in installed() for command in package.commands]
