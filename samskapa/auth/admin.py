"""Site administration of accounts: find an account by its email address and grant or revoke
the right to create events, so municipal staff can run events without being site admins."""
from __future__ import annotations

from samskapa.auth.models import User
from samskapa.errors import DomainError, NotFound
from samskapa.i18n import N_

SEARCH_LIMIT = 50
NO_SUCH_ACCOUNT = N_("There is no such account.")


async def find_accounts(query: str) -> list[User]:
    """Adults' accounts whose email address contains `query` (pupils have none)."""
    query = query.strip().lower()  # (a NUL byte never gets here: MalformedURLMiddleware)
    if not query:
        return []
    return await User.filter(is_pupil=False, email__icontains=query).order_by("email") \
        .limit(SEARCH_LIMIT)


async def event_creators() -> list[User]:
    """Accounts allowed to create events without being site admins."""
    return await User.filter(may_create_events=True, is_admin=False).order_by("email")


class UnconfirmedAddress(DomainError):
    status_code = 422


async def set_may_create_events(user_id: int, allowed: bool) -> User:
    # Pupils' accounts exist for their class only: they can never be given this.
    user = await User.get_or_none(id=user_id, is_pupil=False)  # {user_id:id}: in range
    if user is None:
        raise NotFound(NO_SUCH_ACCOUNT)
    if allowed and not user.email_verified:
        # Anyone can register someone else's address: the right goes only to its proven owner.
        raise UnconfirmedAddress(N_("%(email)s has not confirmed the address yet. Ask them to "
                                    "open the confirmation link we mailed (they can send it "
                                    "again from their account page), then try again."),
                                 email=user.email)
    user.may_create_events = allowed
    await user.save(update_fields=["may_create_events"])
    return user
