"""Settings read once from the environment.

Everything has a default that works on a fresh machine: an SQLite file in the data dir, mails to
the outbox, a secret generated once into the data dir.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


def _secret_from_data_dir(data_dir: Path) -> str:
    # Generated once so sessions survive restarts without anyone configuring anything.
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    secret_key: str
    base_url: str = "http://127.0.0.1:8000"
    max_body_bytes: int = 1_000_000
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "Samskapa <noreply@samskapa.local>"
    smtp_tls: bool = True
    # Addresses (or networks) of reverse proxies whose X-Forwarded-For/-Proto are believed.
    trusted_proxies: tuple[str, ...] = ()
    public_cache_seconds: float = 5.0  # see samskapa/page_cache.py; 0 turns it off
    debug: bool = False

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides) -> "Settings":
        env = dict(os.environ if env is None else env)
        data_dir = Path(env.get("SAMSKAPA_DATA_DIR", "data")).resolve()
        database_url = env.get("DATABASE_URL") or f"sqlite://{data_dir / 'samskapa.db'}"
        if database_url.startswith("postgresql://"):
            database_url = "postgres://" + database_url[len("postgresql://"):]
        values = dict(
            data_dir=data_dir,
            database_url=database_url,
            secret_key=env.get("SECRET_KEY") or _secret_from_data_dir(data_dir),
            base_url=env.get("SAMSKAPA_BASE_URL", cls.base_url).rstrip("/"),
            max_body_bytes=int(env.get("SAMSKAPA_MAX_BODY_BYTES", cls.max_body_bytes)),
            smtp_host=env.get("SMTP_HOST") or None,
            smtp_port=int(env.get("SMTP_PORT", cls.smtp_port)),
            smtp_user=env.get("SMTP_USER") or None,
            smtp_password=env.get("SMTP_PASSWORD") or None,
            smtp_from=env.get("SMTP_FROM", cls.smtp_from),
            smtp_tls=env.get("SMTP_TLS", "1") not in ("0", "false", "no"),
            trusted_proxies=tuple(p.strip() for p in env.get("SAMSKAPA_TRUSTED_PROXIES", "")
                                  .split(",") if p.strip()),
            public_cache_seconds=float(env.get("SAMSKAPA_PUBLIC_CACHE_SECONDS",
                                               cls.public_cache_seconds)),
            debug=env.get("SAMSKAPA_DEBUG", "") in ("1", "true", "yes"),
        )
        values.update(overrides)
        return cls(**values)
