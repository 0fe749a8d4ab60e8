"""Every UI string has a Swedish translation, and dates follow the chosen language."""
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from samskapa import i18n

ROOT = Path(__file__).resolve().parent.parent


def test_every_string_is_translated_to_swedish_once():
    # once: the catalogues are merged at run time, so a msgid two packages translate differently
    # shows one package's word on the other's pages (judging's "Plats" read "Placera").
    result = subprocess.run([sys.executable, "scripts/messages.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, "untranslated or contradicting strings:\n" + result.stdout


def test_dates_are_formatted_per_language_in_stockholm_time():
    moment = datetime(2026, 3, 14, 9, 30, tzinfo=timezone.utc)  # 10:30 in Stockholm (CET)
    token = i18n.set_language("sv")
    try:
        # one way of writing a moment everywhere: no seconds, no zone name
        assert i18n.format_datetime(moment) == "14 mars 2026 10:30"
        i18n.set_language("en")
        assert i18n.format_datetime(moment) == "14 March 2026 10:30"
    finally:
        i18n._current_language.reset(token)


def test_catalogue_translates_and_interpolates():
    token = i18n.set_language("sv")
    try:
        assert i18n.gettext("At most %(n)s characters.", n=5) == "Högst 5 tecken."
        i18n.set_language("en")
        assert i18n.gettext("At most %(n)s characters.", n=5) == "At most 5 characters."
    finally:
        i18n._current_language.reset(token)


def test_numbers_and_file_sizes_are_written_per_language():
    token = i18n.set_language("sv")
    try:
        assert i18n.format_number(93.33) == "93,3" and i18n.format_number(4.0) == "4,0"
        assert i18n.format_number(0.5, 2) == "0,50"
        assert i18n.format_number(4.3, sign=True) == "+4,3"
        assert i18n.format_number(-4.3, sign=True) == "−4,3"  # the Swedish minus sign, U+2212
        assert i18n.format_number(-19.6) == "−19,6"   # without a sign too (the protocol's intervals)
        assert i18n.format_number(1.5, 2, trim=True) == "1,5"
        assert i18n.format_number(2.0, 2, trim=True) == "2"
        assert i18n.format_megabytes(100_000) == "0,1"
        assert i18n.format_megabytes(10 * 1024 * 1024) == "10"
        assert i18n.format_file_size(4_500_000) == "4,3 MB"
        assert i18n.format_file_size(30_000) == "30 kB"  # not "0,0 MB"
        i18n.set_language("en")
        assert i18n.format_number(93.33) == "93.3"
        assert i18n.format_number(-4.3, sign=True) == "-4.3"
        assert i18n.format_number(1.5, 2, trim=True) == "1.5"
        assert i18n.format_file_size(4_500_000) == "4.3 MB"
    finally:
        i18n._current_language.reset(token)


def test_templates_fill_plurals_with_any_placeholder_and_escape_it():
    from samskapa.templating import env
    page = env.from_string('{{ ngettext("%(num)s review by %(name)s", "%(num)s reviews by '
                           '%(name)s", n, name=who) }}')
    token = i18n.set_language("en")
    try:
        assert page.render(n=2, who="<Ada>") == "2 reviews by &lt;Ada&gt;"
    finally:
        i18n._current_language.reset(token)
