"""Every UI string has a Swedish translation, and dates follow the chosen language."""
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from samskapa import i18n

ROOT = Path(__file__).resolve().parent.parent


def test_every_string_is_translated_to_swedish():
    result = subprocess.run([sys.executable, "scripts/messages.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, "untranslated strings:\n" + result.stdout


def test_dates_are_formatted_per_language_in_stockholm_time():
    moment = datetime(2026, 3, 14, 9, 30, tzinfo=timezone.utc)  # 10:30 in Stockholm (CET)
    token = i18n.set_language("sv")
    try:
        assert i18n.format_datetime(moment, "long").startswith("14 mars 2026")
        assert "10:30" in i18n.format_datetime(moment)
        i18n.set_language("en")
        assert i18n.format_datetime(moment, "long").startswith("14 March 2026, 10:30")
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
