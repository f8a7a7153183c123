"""Install-wide values kept in ``taut_meta``, shared by every process on the database."""

from __future__ import annotations

import secrets

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from taut.store.tables import taut_meta

SECRET_KEY = "secret_key"


def shared_secret(engine: Engine) -> str | None:
    """The key that signs session cookies, made once and kept in the database, so that several app servers
    on one database accept each other's cookies; None when the schema does not exist yet."""
    t = taut_meta
    try:
        for _ in range(2):
            with engine.begin() as conn:
                key = conn.execute(select(t.c.value).where(t.c.key == SECRET_KEY)).scalar_one_or_none()
                if key:
                    return str(key)
            try:
                with engine.begin() as conn:
                    conn.execute(t.insert().values(key=SECRET_KEY, value=secrets.token_urlsafe(48)))
            except IntegrityError:
                continue  # another process made it first: read theirs
    except (OperationalError, ProgrammingError):
        return None
    return None
