"""Persistence: SQLAlchemy Core tables, repositories (plain functions taking a connection and the clinic id),
Alembic migrations. SQLite by default, PostgreSQL when ``TAUT_DATABASE_URL`` says so."""

from taut.store.engine import Database, make_engine

__all__ = ["Database", "make_engine"]
