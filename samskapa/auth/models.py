"""Accounts. Adults sign in with email + password; pupils have no email and sign in with their
class code, nickname and a personal login code (stored hashed like a password)."""
from __future__ import annotations

from functools import lru_cache

from tortoise import fields
from tortoise.models import Model
from ua_parser import parse as parse_user_agent


class User(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True, null=True)
    password_hash = fields.CharField(max_length=200, null=True)
    display_name = fields.CharField(max_length=100)
    is_admin = fields.BooleanField(default=False)
    # Granted by a site admin to municipal staff who run events without running the site.
    # db_default too: adding the column to a table with rows needs a value for them.
    may_create_events = fields.BooleanField(default=False, db_default=False)
    is_pupil = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Set when the owner proved the address: a mailed verification link, a password reset link
    # or an invitation link to it. Until then anyone may have typed it.
    email_verified_at = fields.DatetimeField(null=True)

    class Meta:
        table = "users"

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def public_name(self) -> str:
        # Pupils are only ever shown by nickname; display_name holds it for them.
        return self.display_name

    @property
    def can_create_events(self) -> bool:
        return self.is_admin or (self.may_create_events and not self.is_pupil)

    def __str__(self) -> str:
        return self.display_name


class PasswordResetToken(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="reset_tokens", on_delete=fields.CASCADE)
    token_hash = fields.CharField(max_length=64, unique=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "password_reset_tokens"


# One signed-in browser. The cookie holds a random key, and only its SHA-256 is stored, so a
# leaked table signs nobody in. Deleting the row ends the session at its next request.
# (Comments, not docstrings: Tortoise copies a docstring into the table's SQL comment.)
class UserSession(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="sessions", on_delete=fields.CASCADE)
    key_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField()
    user_agent = fields.CharField(max_length=200, default="")

    class Meta:
        table = "user_sessions"

    @property
    def browser(self) -> str:
        """"Chrome, Linux" rather than a Mozilla/5.0 string nobody (least of all a pupil) reads;
        empty when unknown."""
        return _browser_name(self.user_agent)


@lru_cache(maxsize=256)
def _browser_name(user_agent: str) -> str:
    found = parse_user_agent(user_agent or "")
    return ", ".join(part.family for part in (found.user_agent, found.os) if part)


# A mailed link proving that the owner of `email` holds the account.
class EmailVerificationToken(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="verification_tokens", on_delete=fields.CASCADE)
    email = fields.CharField(max_length=254)
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "email_verification_tokens"
