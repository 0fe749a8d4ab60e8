"""Extract translatable strings per package and update locale/<lang>/LC_MESSAGES/<package>.po.

Each package owns its catalogue: its Python code plus its templates folder. Existing translations
are kept; new strings arrive with an empty msgstr for a translator (tests/test_i18n.py fails until
every Swedish string is translated). English needs no catalogue: msgids are English.

    python scripts/messages.py           # update the Swedish catalogues
    python scripts/messages.py --check   # exit 1 listing untranslated strings, and msgids two
                                         # catalogues translate differently
"""
from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from samskapa import packages  # noqa: E402  (after the path: run as a script from anywhere)

LANGUAGE = "sv"
# catalogue -> folders and files whose strings it holds: the shell's, then each installed
# domain package's (samskapa.packages: DomainPackage.catalogue).
DOMAINS = {
    "samskapa": ["samskapa/*.py", "samskapa/auth", "templates/auth", "templates/_macros",
                 "templates/base.html", "templates/errors.html"],
    **{package.name: list(package.catalogue) for package in packages.installed()},
    # The world pipeline is a library, not a domain package, but its messages reach users too.
    "minecraft": ["minecraft"],
}
METHODS = [("**.py", "python"), ("**.html", "jinja2")]
OPTIONS = {"**.html": {"extensions": "jinja2.ext.i18n"}}
# Domain errors and form errors take their msgid as an argument, so they are keywords too.
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "error": (2,),
            "DomainError": (1,), "NotFound": (1,), "Forbidden": (1,),
            "WorldBuildError": (1,), "translate": (1,)}


def extract(domain: str) -> Catalog:
    catalog = Catalog(locale=LANGUAGE, domain=domain)
    for folder in DOMAINS[domain]:
        if "*" in folder:  # a glob of files
            for match in sorted(ROOT.glob(folder)):
                _extract_file(catalog, match)
            continue
        path = ROOT / folder
        if path.is_file():
            method = "python" if path.suffix == ".py" else "jinja2"
            base, methods = path.parent, [(path.name, method)]
        elif path.is_dir():
            base, methods = path, METHODS
        else:
            continue
        for filename, lineno, message, comments, context in extract_from_dir(
                base, methods, keywords=KEYWORDS, options_map=OPTIONS):
            where = folder if path.is_file() else f"{folder}/{filename}"
            catalog.add(message, None, [(where, lineno)],
                        auto_comments=comments, context=context)
    return catalog


def _extract_file(catalog: Catalog, path: Path) -> None:
    method = "python" if path.suffix == ".py" else "jinja2"
    for filename, lineno, message, comments, context in extract_from_dir(
            path.parent, [(path.name, method)], keywords=KEYWORDS, options_map=OPTIONS):
        catalog.add(message, None, [(str(path.relative_to(ROOT)), lineno)],
                    auto_comments=comments, context=context)


def po_path(domain: str) -> Path:
    return ROOT / "locale" / LANGUAGE / "LC_MESSAGES" / f"{domain}.po"


def update(domain: str) -> Catalog:
    template = extract(domain)
    path = po_path(domain)
    if path.exists():
        with path.open("rb") as f:
            catalog = read_po(f, locale=LANGUAGE, domain=domain)
        created = catalog.creation_date  # keep the header stable: no churn between runs
        catalog.update(template, no_fuzzy_matching=True)
        catalog.creation_date = created
        catalog.obsolete.clear()
    else:
        catalog = Catalog(locale=LANGUAGE, domain=domain)
        catalog.update(template)
    return catalog


def untranslated(catalog: Catalog) -> list[str]:
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if not all(strings) or message.fuzzy:
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def disagreements(catalogs: dict[str, Catalog]) -> list[str]:
    """Msgids that two catalogues translate differently. The app merges every catalogue of a
    language into one (samskapa.i18n.translations), so only one of the translations is ever
    shown, on every page: a noun and a verb spelt alike in English need distinct msgids."""
    translations: dict[str, dict[str, object]] = {}
    for domain, catalog in catalogs.items():
        for message in catalog:
            if message.id and message.string:
                msgid = message.id if isinstance(message.id, str) else message.id[0]
                translations.setdefault(msgid, {})[domain] = message.string
    return [f"{msgid!r}: " + ", ".join(f"{domain} {string!r}" for domain, string in by.items())
            for msgid, by in translations.items() if len(set(map(str, by.values()))) > 1]


def main(argv: list[str]) -> int:
    check = "--check" in argv
    problems = 0
    catalogs = {}
    for domain in DOMAINS:
        catalog = catalogs[domain] = update(domain)
        missing = untranslated(catalog)
        if check:
            for msgid in missing:
                print(f"{domain}: untranslated: {msgid!r}")
            problems += len(missing)
        else:
            path = po_path(domain)
            path.parent.mkdir(parents=True, exist_ok=True)
            buffer = io.BytesIO()
            # No line numbers: a moved line must not rewrite every catalogue.
            write_po(buffer, catalog, width=100, sort_output=True, include_lineno=False)
            # Nor a Babel upgrade: its version in the header would change every catalogue.
            path.write_bytes(re.sub(rb'"Generated-By: [^"]*"\n', b"", buffer.getvalue()))
            print(f"{path.relative_to(ROOT)}: {len(catalog)} strings, {len(missing)} untranslated")
    for line in disagreements(catalogs):
        print(f"translated differently: {line}")
        problems += check
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
