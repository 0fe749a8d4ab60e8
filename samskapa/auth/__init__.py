"""Accounts, passwords, sessions and the guards every route starts with."""
