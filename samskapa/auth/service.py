"""Account use cases: register, sign in, password reset, site admins (throttled: see
samskapa/limiter.py)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tortoise.exceptions import IntegrityError

from samskapa.auth.models import PasswordResetToken, User
from samskapa import limiter as limits
from samskapa.auth.passwords import (MIN_PASSWORD_LENGTH, make_password_hash, new_token,
                                     password_matches, token_hash)
from samskapa.errors import DomainError, ValidationError
from samskapa.i18n import N_
from samskapa.limiter import Limiter
from samskapa.mail import send_mail

RESET_TOKEN_LIFETIME = timedelta(hours=2)


def now() -> datetime:
    return datetime.now(timezone.utc)


def check_password_strength(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError({field: (N_("At least %(n)s characters."), {"n": MIN_PASSWORD_LENGTH})})


async def register(limiter: Limiter, email: str, password: str, display_name: str,
                   ip: str) -> User:
    check_password_strength(password)
    await limiter.take(limits.check(limits.REGISTRATIONS, ip), field="email")
    if await User.filter(email=email).exists():
        raise ValidationError({"email": N_("An account with this email address already exists.")})
    try:
        user = await User.create(email=email, password_hash=await make_password_hash(password),
                                 display_name=display_name)
    except IntegrityError:  # a concurrent registration with the same email won
        raise ValidationError({"email": N_("An account with this email address already exists.")})
    await limits.signed_in_from(limiter, limits.adult_account(email), ip)
    return user


async def authenticate(limiter: Limiter, email: str, password: str, ip: str) -> User:
    attempt = limits.SignIn(limiter, limits.adult_account(email), ip)
    await attempt.begin(field="password")
    user = await User.filter(email=email.lower(), is_pupil=False).first()
    if user is None or not await password_matches(user.password_hash, password):
        raise DomainError("Wrong email address or password.")
    await attempt.succeeded()
    return user


async def create_admin(email: str, password: str, display_name: str) -> User:
    check_password_strength(password)
    user = await User.filter(email=email).first()
    if user:
        user.password_hash = await make_password_hash(password)
        user.is_admin = True
        await user.save()
        return user
    return await User.create(email=email, password_hash=await make_password_hash(password),
                             display_name=display_name, is_admin=True)


async def request_password_reset(settings, limiter: Limiter, email: str, ip: str, subject: str,
                                 body_template: str) -> None:
    """Mails a reset link when the account exists; says nothing either way (no account probing:
    the limits count addresses asked for, whether or not they have an account)."""
    await limiter.take(limits.check(limits.RESET_MAILS, email.lower()),
                       limits.check(limits.RESET_MAILS_ADDRESS, ip), field="email")
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
    user.password_hash = await make_password_hash(password)
    await user.save(update_fields=["password_hash"])
    record.used_at = now()
    await record.save(update_fields=["used_at"])
    return user
