"""Account use cases: register, sign in, email verification, password reset and change, site
admins (throttled: see samskapa/limiter.py)."""
from __future__ import annotations

from datetime import timedelta

from tortoise.exceptions import IntegrityError

from samskapa import limiter as limits
from samskapa.auth import sessions
from samskapa.auth.models import EmailVerificationToken, PasswordResetToken, User
from samskapa.auth.passwords import (MIN_PASSWORD_LENGTH, make_password_hash, new_token,
                                     password_matches, token_hash)
from samskapa.clock import now
from samskapa.errors import DomainError, Forbidden, ValidationError
from samskapa.i18n import N_, gettext
from samskapa.limiter import Limiter
from samskapa.mail import send_mail
from samskapa.names import clean_name

RESET_TOKEN_LIFETIME = timedelta(hours=2)
DISPLAY_NAME_MAX = User._meta.fields_map["display_name"].max_length
VERIFICATION_LIFETIME = timedelta(days=7)
# One verification mail per this interval and account: "send again" cannot flood a mailbox.
VERIFICATION_RESEND_AFTER = timedelta(minutes=2)



def check_password_strength(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError({field: (N_("At least %(n)s characters."), {"n": MIN_PASSWORD_LENGTH})})


async def register(settings, limiter: Limiter, email: str, password: str, display_name: str,
                   ip: str) -> User:
    """A new account with an unverified address; the verification link is mailed to it."""
    check_password_strength(password)
    await limiter.take(limits.check(limits.REGISTRATIONS, ip), field="email")
    display_name = clean_name(display_name, "display_name", DISPLAY_NAME_MAX)
    if await User.filter(email=email).exists():
        raise ValidationError({"email": N_("An account with this email address already exists.")})
    try:
        user = await User.create(email=email, password_hash=await make_password_hash(password),
                                 display_name=display_name)
    except IntegrityError:  # a concurrent registration with the same email won
        raise ValidationError({"email": N_("An account with this email address already exists.")})
    await limits.signed_in_from(limiter, limits.adult_account(email), ip)
    await send_verification(settings, user)
    return user


async def send_verification(settings, user: User) -> None:
    if user.email is None or user.email_verified:
        return
    recent = await EmailVerificationToken.filter(
        user_id=user.id, created_at__gt=now() - VERIFICATION_RESEND_AFTER).exists()
    if recent:
        raise DomainError(N_("We sent you a link a moment ago. Check your mail (and the spam "
                             "folder), or try again in a few minutes."))
    token, digest = new_token()
    await EmailVerificationToken.create(user=user, email=user.email, token_hash=digest,
                                        expires_at=now() + VERIFICATION_LIFETIME)
    link = f"{settings.base_url}/email/verify/{token}"
    await send_mail(settings, user.email, gettext("Confirm your email address for Samskapa"),
                    gettext("Welcome to Samskapa! To confirm that this address is yours, open "
                            "this link within 7 days:\n\n%(link)s\n\nIf you did not create an "
                            "account, ignore this message.", link=link),
                    secret_links=(link,))


async def mark_email_verified(user: User) -> None:
    if not user.email_verified:
        user.email_verified_at = now()
        await User.filter(id=user.id).update(email_verified_at=user.email_verified_at)


async def verify_email(token: str) -> User:
    """The mailed link proves the address, as long as the account still has that address."""
    record = await EmailVerificationToken.filter(token_hash=token_hash(token)) \
        .prefetch_related("user").first()
    if record is None or record.used_at is not None or record.expires_at < now() \
            or (record.user.email or "").lower() != record.email.lower():
        raise DomainError(N_("This confirmation link is no longer valid. Sign in and ask for a "
                             "new one on your account page."))
    await EmailVerificationToken.filter(id=record.id).update(used_at=now())
    await mark_email_verified(record.user)
    return record.user


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
        user.email_verified_at = user.email_verified_at or now()
        await user.save()
        await end_every_way_in(user.id)
        return user
    # The operator typed the address on the server: it needs no mailed proof.
    return await User.create(email=email, password_hash=await make_password_hash(password),
                             display_name=display_name, is_admin=True, email_verified_at=now())


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
    await send_mail(settings, email, subject, body_template % {"link": link},
                    secret_links=(link,))


async def end_every_way_in(user_id: int) -> None:
    """Every session and every unused reset link of the account ends: after a reset, a new
    password or "sign out everywhere", nobody keeps an old way in (a second reset link asked
    for earlier included)."""
    await sessions.end_all(user_id)
    await PasswordResetToken.filter(user_id=user_id, used_at__isnull=True).update(used_at=now())


async def valid_reset_token(token: str) -> PasswordResetToken:
    record = await PasswordResetToken.filter(token_hash=token_hash(token)).first()
    if record is None or record.used_at is not None or record.expires_at < now():
        raise DomainError("This reset link is no longer valid. Ask for a new one.")
    return record


async def reset_password(token: str, password: str) -> User:
    """A new password from a mailed link. The link proves the address, and every session of
    the account ends: whoever registered or used it before is signed out."""
    record = await valid_reset_token(token)
    check_password_strength(password)
    user = await record.user
    user.password_hash = await make_password_hash(password)
    await user.save(update_fields=["password_hash"])
    record.used_at = now()
    await record.save(update_fields=["used_at"])
    await mark_email_verified(user)
    await end_every_way_in(user.id)
    return user


async def change_password(limiter: Limiter, user: User, current: str, new: str, new_again: str,
                          ip: str) -> None:
    """Ends every session of the account; the caller signs the user in afresh. The current
    password is counted like a sign-in: a stolen session must not be a way to guess it."""
    if user.is_pupil:
        raise Forbidden(N_("Pupils sign in with a login code; ask your teacher for a new one."))
    attempt = limits.SignIn(limiter, limits.adult_account(user.email or ""), ip)
    await attempt.begin(field="current_password")
    errors = {}
    if await password_matches(user.password_hash, current):
        await attempt.succeeded()
    else:
        errors["current_password"] = N_("This is not your current password.")
    try:
        check_password_strength(new, "new_password")
    except ValidationError as exc:
        errors.update(exc.errors)
    if new_again != new:
        errors["new_password_again"] = N_("The passwords do not match.")
    if errors:
        raise ValidationError(errors)
    user.password_hash = await make_password_hash(new)
    await User.filter(id=user.id).update(password_hash=user.password_hash)
    await end_every_way_in(user.id)
