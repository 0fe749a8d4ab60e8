"""Account use cases: register, sign in (rate limited), password reset, site admins."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tortoise.exceptions import IntegrityError

from samskapa.auth.models import PasswordResetToken, User
from samskapa.auth.passwords import (MIN_PASSWORD_LENGTH, hash_password, new_token, token_hash,
                                     verify_password)
from samskapa.errors import DomainError, ValidationError
from samskapa.i18n import N_
from samskapa.mail import send_mail
from samskapa.names import clean_name
from samskapa.security import RateLimiter

RESET_TOKEN_LIFETIME = timedelta(hours=2)
DISPLAY_NAME_MAX = User._meta.fields_map["display_name"].max_length


def now() -> datetime:
    return datetime.now(timezone.utc)


def check_password_strength(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError({field: (N_("At least %(n)s characters."), {"n": MIN_PASSWORD_LENGTH})})


async def register(email: str, password: str, display_name: str) -> User:
    check_password_strength(password)
    display_name = clean_name(display_name, "display_name", DISPLAY_NAME_MAX)
    if await User.filter(email=email).exists():
        raise ValidationError({"email": N_("An account with this email address already exists.")})
    try:
        return await User.create(email=email, password_hash=hash_password(password),
                                 display_name=display_name)
    except IntegrityError:  # a concurrent registration with the same email won
        raise ValidationError({"email": N_("An account with this email address already exists.")})


class LoginLimits:
    """Per-account and per-IP failure windows, shared by the process's requests."""

    def __init__(self, per_account: int, per_ip: int, window_s: float) -> None:
        self.account = RateLimiter(per_account, window_s)
        self.ip = RateLimiter(per_ip, window_s)


async def authenticate(limits: LoginLimits, email: str, password: str, ip: str) -> User:
    account_key = email.lower()
    if limits.account.blocked(account_key) or limits.ip.blocked(ip):
        raise DomainError("Too many failed sign-in attempts. Wait a few minutes and try again.")
    user = await User.filter(email=account_key, is_pupil=False).first()
    if user is None or not verify_password(user.password_hash, password):
        limits.account.fail(account_key)
        limits.ip.fail(ip)
        raise DomainError("Wrong email address or password.")
    limits.account.reset(account_key)
    return user


async def create_admin(email: str, password: str, display_name: str) -> User:
    check_password_strength(password)
    user = await User.filter(email=email).first()
    if user:
        user.password_hash = hash_password(password)
        user.is_admin = True
        await user.save()
        return user
    return await User.create(email=email, password_hash=hash_password(password),
                             display_name=display_name, is_admin=True)


async def request_password_reset(settings, email: str, subject: str, body_template: str) -> None:
    """Mails a reset link when the account exists; says nothing either way (no account probing)."""
    user = await User.filter(email=email, is_pupil=False).first()
    if user is None:
        return
    token, digest = new_token()
    await PasswordResetToken.create(user=user, token_hash=digest,
                                    expires_at=now() + RESET_TOKEN_LIFETIME)
    link = f"{settings.base_url}/password/reset/{token}"
    await send_mail(settings, email, subject, body_template % {"link": link})


async def valid_reset_token(token: str) -> PasswordResetToken:
    record = await PasswordResetToken.filter(token_hash=token_hash(token)).first()
    if record is None or record.used_at is not None or record.expires_at < now():
        raise DomainError("This reset link is no longer valid. Ask for a new one.")
    return record


async def reset_password(token: str, password: str) -> User:
    record = await valid_reset_token(token)
    check_password_strength(password)
    user = await record.user
    user.password_hash = hash_password(password)
    await user.save(update_fields=["password_hash"])
    record.used_at = now()
    await record.save(update_fields=["used_at"])
    return user
