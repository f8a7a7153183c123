"""Settings from the environment (prefix ``TAUT_``) or a ``.env`` file. Nothing is read at import time:
call ``get_settings()``."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TAUT_", env_file=".env", extra="ignore")

    # PostgreSQL when set, e.g. postgresql+psycopg://user@host:5432/taut; SQLite file otherwise.
    database_url: str | None = None
    # The SQLite file used when database_url is not set.
    database_path: Path = Path("var/taut.sqlite3")
    # Log every SQL statement (debugging).
    database_echo: bool = False

    # Web: the key that signs session cookies. When unset, a random key is made once and kept in
    # secret_key_path (mode 0600), so sessions survive restarts and no default key exists.
    secret_key: str | None = None
    secret_key_path: Path = Path("var/secret-key")
    # Mark cookies Secure always (behind a TLS-terminating proxy); they are Secure anyway on https requests.
    cookie_secure: bool = False
    # A login lasts this long without activity.
    session_hours: float = 8.0
    # Login throttling: this many failures for one e-mail or one address within the window lock it out.
    login_attempts: int = 5
    login_window_minutes: int = 15
    # Proxies (addresses or networks, comma-separated) whose X-Forwarded-For header is believed for the
    # client's address (sign-in throttling, the session list, the audit trail). Empty: none.
    trusted_proxies: str = ""
    host: str = "127.0.0.1"
    port: int = 8000

    @property
    def url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.database_path}"


@cache
def get_settings() -> Settings:
    return Settings()
