"""Alembic environment. Run through ``taut db upgrade`` (taut.store.migrate), which passes the connection."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from taut.store.tables import metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    from taut.store.engine import make_engine

    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        from taut.settings import get_settings

        url = get_settings().url
    with make_engine(url).begin() as conn:
        run(conn)
else:
    run(connection)
