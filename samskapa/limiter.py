"""Throttling of sign-ins, registrations, joins, join codes and reset mails, shared by every
worker process through a small table in the application's own database.

Why a table and not a library: `limits` (and slowapi on top of it) stores its counters in memory,
Redis, Memcached or MongoDB, none of which Samskapa runs; pyrate-limiter has SQLite and
PostgreSQL buckets, but through its own drivers (sqlite3, psycopg) beside Tortoise's, and it
counts requests per interval only. A sign-in limiter needs more than that: it counts failures
(a success gives its attempt back), it delays with growing waits instead of a lock-out, it
forgets a sign-in's failures when a teacher unlocks a pupil, and it lets an account's owner in
from an address that has signed in before while strangers are slowed. One row per key, changed
with compare-and-set on a version number, does all of that on SQLite and PostgreSQL alike.

Keys are stored as HMAC-SHA256 under the app's secret key (no email address or IP address in the
table, and none can be found again by hashing candidates without the secret), every row has
an expiry, and expired rows are deleted as the limiter goes, so the table holds only what
happened within each rule's window (plus, for 30 days, one row per account and address it
signed in from): storage is bounded by recent traffic, and the per-address budgets bound what
one address can add.

Each rule is one of two kinds:
- a budget (`backoff=None`): `free` hits per fixed `window`, then wait until the window ends;
- a backoff: `free` hits, then each further hit makes the next one wait twice as long as the
  last (up to `max_delay`); the count is forgotten after `window` without hits. Nobody is ever
  locked out for good: the longest wait is `max_delay`.
"""
from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from babel import Locale
from babel.dates import format_timedelta
from tortoise import fields
from tortoise.expressions import F
from tortoise.models import Model

from samskapa import clock
from samskapa.errors import DomainError
from samskapa.i18n import N_, get_language

PRUNE_EVERY = timedelta(minutes=1)
CAS_TRIES = 8


class LimitCounter(Model):
    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=64, unique=True)  # HMAC of rule name + key parts
    subject = fields.CharField(max_length=64, null=True, db_index=True)  # HMAC of the account
    rule = fields.CharField(max_length=32)
    hits = fields.IntField(default=0)
    version = fields.IntField(default=0)
    retry_at = fields.DatetimeField(null=True)
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "limit_counters"


class Wait:
    """How long to wait, written out in the language of whoever reads the message."""

    def __init__(self, delay: timedelta) -> None:
        self.seconds = max(1, math.ceil(delay.total_seconds()))

    def __str__(self) -> str:
        # Rounded up, so nobody who waits as long as we said is refused again.
        seconds = self.seconds if self.seconds < 60 else math.ceil(self.seconds / 60) * 60
        return format_timedelta(timedelta(seconds=seconds), threshold=2,
                                locale=Locale.parse(get_language()))


class Throttled(DomainError):
    status_code = 429

    def __init__(self, message: str, wait: timedelta, field: str | None = None) -> None:
        super().__init__(message, field=field, wait=Wait(wait))
        self.wait = wait


@dataclass(frozen=True)
class Rule:
    name: str
    free: int
    window: timedelta
    message: str  # msgid with %(wait)s
    backoff: timedelta | None = None
    max_delay: timedelta = timedelta(minutes=15)

    def delay_after(self, hits: int) -> timedelta | None:
        """The wait after the `hits`-th hit, or None while hits are free."""
        if hits < self.free:
            return None
        if self.backoff is None:
            return self.window  # from the window's start: see _take
        doublings = min(hits - self.free, 30)  # past the cap anyway; no overflow
        return min(self.backoff * 2 ** doublings, self.max_delay)

    @property
    def lifetime(self) -> timedelta:
        return self.window if self.backoff is None else max(self.window, self.max_delay)


@dataclass(frozen=True)
class Check:
    rule: Rule
    key: str
    subject: str | None = None  # the account this count is about (to unlock it)


@dataclass
class Taken:
    """Hits taken by `Limiter.take`; `give_back` undoes them (e.g. the password was right)."""
    checks: list[Check] = field(default_factory=list)


class Limiter:
    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()
        self._next_prune: datetime | None = None

    def _hash(self, *parts: str) -> str:
        return hmac.new(self._secret, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()

    def key_of(self, check: Check) -> str:
        return self._hash(check.rule.name, check.key)

    def _subject_of(self, check: Check) -> str | None:
        return self._hash("subject", check.subject) if check.subject else None

    async def rows(self, checks: list[Check]) -> dict[str, LimitCounter]:
        """The live rows of these checks, by key, in one query."""
        return {r.key: r for r in await LimitCounter.filter(
            key__in=[self.key_of(c) for c in checks], expires_at__gt=clock.now())}

    async def blocked(self, checks: list[Check], rows: dict[str, LimitCounter] | None = None
                      ) -> tuple[Check, timedelta] | None:
        """The check that must wait longest, and how long, or None when all may go."""
        now = clock.now()
        if rows is None:
            rows = await self.rows(checks)
        worst = None
        for check in checks:
            row = rows.get(self.key_of(check))
            if row is not None and row.retry_at is not None and row.retry_at > now:
                wait = row.retry_at - now
                if worst is None or wait > worst[1]:
                    worst = (check, wait)
        return worst

    async def take(self, *checks: Check, field: str | None = None,
                   rows: dict[str, LimitCounter] | None = None) -> Taken:
        """One hit on every check, or Throttled (and no hit at all) when one must wait.
        `rows`: the checks' rows when the caller has just read them."""
        await self._prune()
        # One read first: a refused request writes nothing (no row per address it tried).
        worst = await self.blocked(list(checks), rows)
        if worst is not None:
            raise Throttled(worst[0].rule.message, worst[1], field=field)
        taken = Taken()
        for check in checks:
            wait = await self._take(check)
            if wait is not None:  # another request took the last free hit meanwhile
                await self.give_back(taken)
                raise Throttled(check.rule.message, wait, field=field)
            taken.checks.append(check)
        return taken

    async def check(self, *checks: Check, field: str | None = None) -> None:
        """Throttled when one of the checks must wait; counts nothing (see `count`)."""
        worst = await self.blocked(list(checks))
        if worst is not None:
            raise Throttled(worst[0].rule.message, worst[1], field=field)

    async def count(self, *checks: Check) -> None:
        """One hit on each check, after the fact (a wrong code). Cheaper than take + give back
        when most requests succeed; a burst of parallel wrong guesses each passes `check`, and
        then each counts, so the wait that follows doubles as many times."""
        await self._prune()
        for check in checks:
            await self._take(check)

    async def _take(self, check: Check) -> timedelta | None:
        rule, key, subject = check.rule, self.key_of(check), self._subject_of(check)
        for _try in range(CAS_TRIES):
            now = clock.now()
            row = await LimitCounter.filter(key=key).first()
            if row is None:
                # An empty row (or nothing, when another worker just made one), then count on it
                # like on any other row.
                await LimitCounter.bulk_create([LimitCounter(
                    key=key, subject=subject, rule=rule.name, hits=0, version=0,
                    expires_at=now + rule.lifetime)], ignore_conflicts=True)
                continue
            if row.expires_at <= now:  # forgotten: start afresh
                hits, window_end = 1, now + rule.window
            else:
                if row.retry_at is not None and row.retry_at > now:
                    return row.retry_at - now
                hits = row.hits + 1
                window_end = row.expires_at if rule.backoff is None else now + rule.window
            expires = window_end if rule.backoff is None else now + rule.lifetime
            changed = await LimitCounter.filter(id=row.id, version=row.version).update(
                hits=hits, version=F("version") + 1, expires_at=expires,
                retry_at=self._retry_at(rule, hits, now, window_end), subject=subject)
            if changed:
                return None
        # Contended that hard, the caller is part of a burst: treat it as one.
        return rule.backoff or timedelta(seconds=1)

    @staticmethod
    def _retry_at(rule: Rule, hits: int, now: datetime, window_end: datetime) -> datetime | None:
        delay = rule.delay_after(hits)
        if delay is None:
            return None
        return window_end if rule.backoff is None else now + delay

    async def give_back(self, taken: Taken) -> None:
        """Undo the hits: what they waited on turned out well (a right password)."""
        for check in taken.checks:
            for _try in range(CAS_TRIES):
                row = await LimitCounter.filter(key=self.key_of(check)).first()
                if row is None or row.hits <= 0:
                    break
                hits = row.hits - 1
                # The hit passed, so any wait before it was over: only the new count decides.
                retry_at = row.retry_at if check.rule.delay_after(hits) is not None else None
                if await LimitCounter.filter(id=row.id, version=row.version).update(
                        hits=hits, version=F("version") + 1, retry_at=retry_at):
                    break
        taken.checks.clear()

    async def forget(self, *checks: Check) -> None:
        await LimitCounter.filter(key__in=[self.key_of(c) for c in checks]).delete()

    async def forget_subject(self, subject: str, rules: list[Rule]) -> None:
        await LimitCounter.filter(subject=self._hash("subject", subject),
                                  rule__in=[r.name for r in rules]).delete()

    async def waiting_subjects(self, subjects: list[str],
                               rules: list[Rule]) -> dict[str, timedelta]:
        """Of these accounts, those that must wait now, and how long."""
        now = clock.now()
        by_digest = {self._hash("subject", s): s for s in subjects}
        waits: dict[str, timedelta] = {}
        for row in await LimitCounter.filter(subject__in=list(by_digest),
                                             rule__in=[r.name for r in rules],
                                             retry_at__gt=now, expires_at__gt=now):
            subject = by_digest[row.subject]
            waits[subject] = max(waits.get(subject, timedelta(0)), row.retry_at - now)
        return waits

    async def remember(self, check: Check) -> None:
        """Mark `check` as seen (e.g. this account signed in from this address) for its window."""
        now = clock.now()
        expires = now + check.rule.window
        key = self.key_of(check)
        if not await LimitCounter.filter(key=key).update(expires_at=expires,
                                                         version=F("version") + 1):
            await LimitCounter.bulk_create([LimitCounter(
                key=key, rule=check.rule.name, expires_at=expires)],
                ignore_conflicts=True)

    async def _prune(self) -> None:
        now = clock.now()
        if self._next_prune is not None and now < self._next_prune:
            return
        self._next_prune = now + PRUNE_EVERY
        await LimitCounter.filter(expires_at__lte=now).delete()


def check(rule: Rule, *parts: str, subject: str | None = None) -> Check:
    return Check(rule, "\x1f".join(parts), subject)


# --- the rules -------------------------------------------------------------------------------

SIGN_IN_WAIT = N_("Too many failed sign-in attempts. Try again in %(wait)s.")

# An account (an adult's email, or a pupil's class and nickname) from anywhere: an attacker's
# guesses slow it down, but the owner's own computer is let past it (see SignIn).
SIGN_IN_ACCOUNT = Rule("sign-in-account", free=5, window=timedelta(hours=1),
                       backoff=timedelta(seconds=30), message=SIGN_IN_WAIT)
# The same account from one address: this one holds even on the owner's own computer.
SIGN_IN_ACCOUNT_ADDRESS = Rule("sign-in-account-ip", free=5, window=timedelta(hours=1),
                               backoff=timedelta(seconds=30), message=SIGN_IN_WAIT)
# One address, all accounts: a budget, high since a whole school can share one address, and
# one that starts afresh every quarter of an hour however busy the school is.
SIGN_IN_ADDRESS = Rule("sign-in-ip", free=100, window=timedelta(minutes=15),
                       message=SIGN_IN_WAIT)
# An account that signed in from an address: no stranger's failures slow it there.
SIGNED_IN_FROM = Rule("signed-in-from", free=0, window=timedelta(days=30), message="")

CLASS_CODE_GUESSES = Rule(
    "class-code-ip", free=50, window=timedelta(hours=1), backoff=timedelta(seconds=30),
    message=N_("Too many wrong class codes from this network. Try again in %(wait)s."))
JOIN_CODE_GUESSES = Rule(
    "join-code-user", free=10, window=timedelta(hours=1), backoff=timedelta(seconds=30),
    message=N_("Too many wrong join codes. Try again in %(wait)s."))
JOIN_CODE_GUESSES_ADDRESS = Rule(
    "join-code-ip", free=50, window=timedelta(hours=1), backoff=timedelta(seconds=30),
    message=N_("Too many wrong join codes from this network. Try again in %(wait)s."))
REGISTRATIONS = Rule(
    "register-ip", free=20, window=timedelta(hours=1),
    message=N_("Too many new accounts from this network. Try again in %(wait)s."))
PUPIL_JOINS_ADDRESS = Rule(
    "pupil-join-ip", free=150, window=timedelta(hours=1),
    message=N_("Too many pupils joined from this network just now. Try again in %(wait)s."))
PUPIL_JOINS_CLASS = Rule(
    "pupil-join-class", free=60, window=timedelta(hours=1),
    message=N_("Too many pupils joined this class just now. Ask your teacher, or try again in "
               "%(wait)s."))
RESET_MAILS = Rule(
    "reset-mail-address", free=3, window=timedelta(hours=1),
    message=N_("We have already sent several reset links to this address. Check your inbox "
               "(and spam folder), or try again in %(wait)s."))
RESET_MAILS_ADDRESS = Rule(
    "reset-mail-ip", free=10, window=timedelta(hours=1),
    message=N_("Too many reset links asked for from this network. Try again in %(wait)s."))


class SignIn:
    """One sign-in attempt, counted before the (slow) password check so that a burst of
    parallel guesses cannot all pass a check that none of them has counted yet.

    Keys: the account, the account from this address, and this address. Where the account has
    signed in before, only the account-and-address count applies: an attacker elsewhere (or a
    classmate mistyping behind the same school address) never slows the owner there."""

    def __init__(self, limiter: Limiter, account: str, address: str) -> None:
        self.limiter = limiter
        self.account = account
        self.address = address
        self.taken: Taken | None = None

    async def begin(self, field: str | None = None) -> None:
        known = check(SIGNED_IN_FROM, self.account, self.address)
        here = check(SIGN_IN_ACCOUNT_ADDRESS, self.account, self.address, subject=self.account)
        strangers = [check(SIGN_IN_ACCOUNT, self.account, subject=self.account),
                     check(SIGN_IN_ADDRESS, self.address)]
        rows = await self.limiter.rows([known, here, *strangers])
        checks = [here] if self.limiter.key_of(known) in rows else [here, *strangers]
        self.taken = await self.limiter.take(*checks, field=field, rows=rows)

    async def succeeded(self) -> None:
        """The right password: the attempt was no failure, and this address is now known."""
        assert self.taken is not None
        await self.limiter.give_back(self.taken)
        await self.limiter.forget(check(SIGN_IN_ACCOUNT_ADDRESS, self.account, self.address))
        await signed_in_from(self.limiter, self.account, self.address)


async def signed_in_from(limiter: Limiter, account: str, address: str) -> None:
    """The account is its owner's at this address (signed in, or just made here)."""
    await limiter.remember(check(SIGNED_IN_FROM, account, address))


async def unlock_account(limiter: Limiter, account: str) -> None:
    """Forget an account's failed sign-ins, from every address (a teacher unlocking a pupil)."""
    await limiter.forget_subject(account, [SIGN_IN_ACCOUNT, SIGN_IN_ACCOUNT_ADDRESS])


async def waiting_accounts(limiter: Limiter, accounts: list[str]) -> dict[str, timedelta]:
    return await limiter.waiting_subjects(accounts, [SIGN_IN_ACCOUNT, SIGN_IN_ACCOUNT_ADDRESS])


def adult_account(email: str) -> str:
    return f"adult:{email.strip().lower()}"


def pupil_account(class_id: int, nickname: str) -> str:
    from samskapa.names import name_key  # the nickname as the class's uniqueness sees it
    return f"pupil:{class_id}:{name_key(nickname)}"
