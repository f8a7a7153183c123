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

    @property
    def url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.database_path}"


@cache
def get_settings() -> Settings:
    return Settings()
