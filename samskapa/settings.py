"""Settings read once from the environment.

Everything has a default that works on a fresh machine: an SQLite file in the data dir, mails to
the outbox, a secret generated once into the data dir.
"""
from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


class DataDirError(RuntimeError):
    """The data directory (or the SQLite database's directory) cannot be written: refusing to
    start beats hanging on the first query (SQLite cannot even open a database it cannot lock)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"Samskapa cannot write to {path} ({reason}): make it writable, or set "
                         "SAMSKAPA_DATA_DIR to a writable directory.")


def _reason(exc: OSError) -> str:
    return exc.strerror or exc.__class__.__name__


def ensure_writable(directory: Path) -> None:
    """Create `directory` if needed and prove a file can be written in it. Mode bits are not
    enough: root ignores them, and a read-only mount refuses even root."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        raise DataDirError(directory, _reason(exc)) from exc


def _secret_from_data_dir(data_dir: Path) -> str:
    # Generated once so sessions survive restarts without anyone configuring anything.
    path = data_dir / "secret_key"
    try:
        if path.exists():
            return path.read_text().strip()
        ensure_writable(data_dir)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key)
    except OSError as exc:
        raise DataDirError(data_dir, _reason(exc)) from exc
    return key


def _megabytes(value: str | None, default: int) -> int:
    return int(float(value) * 1024 * 1024) if value else default


def default_allowed_hosts(base_url: str) -> tuple[str, ...]:
    host = urlsplit(base_url).hostname
    return tuple(dict.fromkeys([*(h for h in [host] if h), *LOCAL_HOSTS]))


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    secret_key: str
    base_url: str = DEFAULT_BASE_URL  # links in mails; `samskapa serve` derives it when unset
    # Host headers the app answers (Starlette's TrustedHostMiddleware); from the base URL by default
    allowed_hosts: tuple[str, ...] = default_allowed_hosts(DEFAULT_BASE_URL)
    max_body_bytes: int = 1_000_000
    # Upload routes stream their bodies to disk with limits of their own (samskapa/security.py).
    max_image_bytes: int = 10 * 1024 * 1024
    max_attachment_bytes: int = 200 * 1024 * 1024
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "Samskapa <noreply@samskapa.local>"
    smtp_tls: bool = True
    outbox_days: int = 30  # outbox mail older than this is deleted
    # Addresses (or networks) of reverse proxies whose X-Forwarded-For/-Proto are believed.
    trusted_proxies: tuple[str, ...] = ()
    public_cache_seconds: float = 5.0  # see samskapa/page_cache.py; 0 turns it off
    pupil_retention_days: int = 30  # after the event's results (privacy/retention.py)
    debug: bool = False

    def url(self, path: str) -> str:
        """An absolute link to one of our pages (feeds, APIs, mails, printed join links), from
        the configured base URL: never from a request's Host header, which the sender chose."""
        return f"{self.base_url}{path}"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides) -> "Settings":
        env = dict(os.environ if env is None else env)
        data_dir = Path(env.get("SAMSKAPA_DATA_DIR", "data")).resolve()
        database_url = env.get("DATABASE_URL") or f"sqlite://{data_dir / 'samskapa.db'}"
        if database_url.startswith("postgresql://"):
            database_url = "postgres://" + database_url[len("postgresql://"):]
        base_url = env.get("SAMSKAPA_BASE_URL", cls.base_url).rstrip("/")
        hosts = [h.strip() for h in env.get("SAMSKAPA_ALLOWED_HOSTS", "").split(",") if h.strip()]
        values = dict(
            data_dir=data_dir,
            database_url=database_url,
            secret_key=env.get("SECRET_KEY") or _secret_from_data_dir(data_dir),
            base_url=base_url,
            allowed_hosts=tuple(hosts) or default_allowed_hosts(base_url),
            max_body_bytes=int(env.get("SAMSKAPA_MAX_BODY_BYTES", cls.max_body_bytes)),
            max_image_bytes=_megabytes(env.get("SAMSKAPA_MAX_IMAGE_MB"), cls.max_image_bytes),
            max_attachment_bytes=_megabytes(env.get("SAMSKAPA_MAX_ATTACHMENT_MB"),
                                            cls.max_attachment_bytes),
            smtp_host=env.get("SMTP_HOST") or None,
            smtp_port=int(env.get("SMTP_PORT", cls.smtp_port)),
            smtp_user=env.get("SMTP_USER") or None,
            smtp_password=env.get("SMTP_PASSWORD") or None,
            smtp_from=env.get("SMTP_FROM", cls.smtp_from),
            smtp_tls=env.get("SMTP_TLS", "1") not in ("0", "false", "no"),
            outbox_days=int(env.get("SAMSKAPA_OUTBOX_DAYS", cls.outbox_days)),
            trusted_proxies=tuple(p.strip() for p in env.get("SAMSKAPA_TRUSTED_PROXIES", "")
                                  .split(",") if p.strip()),
            public_cache_seconds=float(env.get("SAMSKAPA_PUBLIC_CACHE_SECONDS",
                                               cls.public_cache_seconds)),
            pupil_retention_days=max(0, int(env.get("SAMSKAPA_PUPIL_RETENTION_DAYS",
                                                    cls.pupil_retention_days))),
            debug=env.get("SAMSKAPA_DEBUG", "") in ("1", "true", "yes"),
        )
        values.update(overrides)
        return cls(**values)

    @property
    def uploads_dir(self) -> Path:
        """Uploaded files, outside the web root (static/), under generated names."""
        return self.data_dir / "uploads"

    def sqlite_path(self) -> Path | None:
        if self.database_url.startswith("sqlite://") and ":memory:" not in self.database_url:
            return Path(self.database_url[len("sqlite://"):])
        return None

    def check_writable(self) -> None:
        """Raises DataDirError unless the data directory and an SQLite database's directory
        can be written (SQLite writes its journal beside the database)."""
        ensure_writable(self.data_dir)
        database = self.sqlite_path()
        if database is not None:
            ensure_writable(database.parent)
            if database.exists() and not os.access(database, os.W_OK):
                raise DataDirError(database, "read-only")
