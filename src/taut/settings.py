"""Settings from the environment (prefix ``TAUT_``) or a ``.env`` file. Nothing is read at import time:
call ``get_settings()``."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import model_validator
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

    # Where Taut keeps its files (SQLite database, secret key, backups). When set, the database, the key and
    # the backups live in it unless given one by one. Created owner-only (0700).
    data_dir: Path | None = None
    # Backups written by ``taut backup`` without a file name go here (default: <data_dir or var>/backups).
    backup_dir: Path | None = None
    # The address people reach Taut at, e.g. https://taut.clinic.example (links in e-mails).
    base_url: str = "http://127.0.0.1:8000"
    # Outgoing e-mail: smtp://host:25 (plain, a local relay), smtp+starttls://user:pass@host:587 (STARTTLS
    # required) or smtps://user:pass@host:465 (TLS). Unset: no e-mail is delivered (messages stay queued).
    smtp_url: str | None = None
    # The From address of every message.
    mail_from: str = "Taut <taut@localhost>"
    # ``taut serve`` delivers queued e-mail in the background (every mail_interval_seconds) when smtp_url is set.
    mail_worker: bool = True
    mail_interval_seconds: float = 15.0
    # SMS reminders (optional): an Apprise URL of an SMS service with {to} where the client's number goes, e.g.
    # twilio://SID:TOKEN@+15551234567/{to} (services/sms.py). Unset: no SMS is queued or sent. Each clinic's
    # owner still switches SMS reminders on, and each client agrees, before one goes.
    sms_url: str | None = None

    @model_validator(mode="after")
    def _in_data_dir(self) -> Settings:
        if self.data_dir is not None:
            fields = self.model_fields_set
            if "database_path" not in fields:
                self.database_path = self.data_dir / "taut.sqlite3"
            if "secret_key_path" not in fields:
                self.secret_key_path = self.data_dir / "secret-key"
        return self

    @property
    def backups(self) -> Path:
        if self.backup_dir is not None:
            return self.backup_dir
        return (self.data_dir or Path("var")) / "backups"

    @property
    def url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.database_path}"


@cache
def get_settings() -> Settings:
    return Settings()
