"""The registry of domain packages (samskapa.packages): each installed package declares itself,
and the shell takes models, routes, tasks, commands and catalogues from there alone."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

from starlette.routing import Route

from samskapa import db, packages
from samskapa.app import create_app
from samskapa.cli import main

ROOT = Path(__file__).resolve().parent.parent
# Demo data fills every package's tables: it is the one part of the shell that names them.
SHELL_EXCEPTIONS = {"samskapa/demo.py"}


def test_every_installed_package_declares_itself():
    declared = packages.installed()
    assert [p.name for p in declared] == list(packages.INSTALLED)
    for package in declared:
        assert package.models, package.name
        for module in package.models:
            assert module.startswith(f"{package.name}."), module
            assert module in db.MODEL_MODULES


def test_the_app_mounts_every_packages_routes(settings):
    app = create_app(settings, manage_db=False)
    mounted = {route.name for route in app.routes if isinstance(route, Route)}
    for package in packages.installed():
        if package.routes is None:  # models only (DomainPackage.routes is optional)
            continue
        names = {route.name for route in packages.load(package.routes)}
        assert names and names <= mounted, package.name


def test_commands_and_tasks_come_from_the_packages():
    assert "purge" in main.commands  # privacy's
    assert [task.__module__ for task in packages.tasks()] == ["privacy.retention"]


def test_every_package_has_a_catalogue():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import messages
    finally:
        sys.path.pop(0)
    for package in packages.installed():
        assert messages.DOMAINS[package.name] == list(package.catalogue)
        assert messages.po_path(package.name).exists(), package.name


def test_the_shell_names_no_domain_package():
    domain = set(packages.INSTALLED)
    for path in sorted((ROOT / "samskapa").rglob("*.py")):
        relative = str(path.relative_to(ROOT))
        if relative in SHELL_EXCEPTIONS:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in domain, f"{relative} imports {name}"
