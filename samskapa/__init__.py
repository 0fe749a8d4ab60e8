"""Samskapa application shell: app factory, settings, database, auth, i18n, CLI."""
