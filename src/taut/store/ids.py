"""Row ids of clinic tables, whose primary key is ``(id, clinic_id)`` (docs/scaling.md, "Distributing by clinic").

SQLite numbers a row by itself only when ``id`` alone is the ``INTEGER PRIMARY KEY``; a clinic table's key has
two columns, so the id comes from this column default instead, rendered into the INSERT itself:

- PostgreSQL: ``nextval('<table>_id_seq')``, the sequence the ``BIGSERIAL`` column has had from the start.
- SQLite: ``coalesce((SELECT max(id) FROM <table>), 0) + 1``. The key's index starts with ``id``, so ``max(id)``
  is one index lookup. It is safe because SQLite writes are serialised (a unit of work holds the write lock from
  ``BEGIN IMMEDIATE``, and the max is read inside the INSERT statement itself), and it is right for
  ``executemany``: the driver runs the statement once per row, so every row sees the one before it. What it
  cannot do is number several rows of one multi-row ``VALUES`` (they would all read the same max), so SQLite
  engines are made with ``use_insertmanyvalues=False`` (store.engine): an ``executemany`` with ``RETURNING``
  is then refused by SQLAlchemy instead of silently numbering two rows alike.

Ids stay unique in the whole table and increasing, as before, so nothing that shows or links an id changes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal


class NextId(FunctionElement[int]):
    """The next id of ``table`` (a column default; see the module's docstring)."""

    type = BigInteger()
    inherit_cache = True
    name = "next_id"
    _traverse_internals = [  # noqa: RUF012  # (SQLAlchemy reads it from the class)
        *FunctionElement._traverse_internals,
        ("table", InternalTraversal.dp_string),
    ]

    def __init__(self, table: str) -> None:
        if not table.isidentifier():
            raise ValueError(f"not a table name: {table!r}")
        self.table = table
        super().__init__()


@compiles(NextId, "sqlite")
def _next_id_sqlite(element: NextId, compiler: Any, **kw: Any) -> str:
    return f"(coalesce((SELECT max(id) FROM {element.table}), 0) + 1)"


@compiles(NextId, "postgresql")
def _next_id_postgresql(element: NextId, compiler: Any, **kw: Any) -> str:
    return f"nextval('{element.table}_id_seq')"


@compiles(NextId)
def _next_id_other(element: NextId, compiler: Any, **kw: Any) -> str:
    raise NotImplementedError(f"no id generator for {compiler.dialect.name}")
