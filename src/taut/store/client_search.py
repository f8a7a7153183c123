"""Finding a clinic's clients: the words each client is found under (``client_search_words``, written with the
client) and the list of clients by name, whole or searched (taut.clinic.search says what a query matches)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    Executable,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    func,
    select,
    true,
    tuple_,
)

from taut.clinic.errors import NotFound
from taut.clinic.people import Client
from taut.clinic.search import client_words, prefix_upper_bound, query_words
from taut.store import mapping, tables


def index_clients(conn: Connection, clinic_id: int, found: list[tuple[int, Client]]) -> None:
    """(Re)write the words these clients are found under (taut.clinic.search)."""
    index_client_rows(
        conn,
        clinic_id,
        [
            {
                "id": cid,
                "given_name": c.given_name,
                "family_name": c.family_name,
                "email": c.email,
                "phone": c.phone,
            }
            for cid, c in found
        ],
    )


def index_client_rows(conn: Connection, clinic_id: int, rows: list[dict[str, Any]]) -> None:
    """The same from rows of the clients table (id, given_name, family_name, email, phone)."""
    w = tables.client_search_words
    ids = [r["id"] for r in rows]
    for start in range(0, len(ids), 500):
        conn.execute(
            w.delete().where(w.c.clinic_id == clinic_id, w.c.client_id.in_(ids[start : start + 500]))
        )
    words = [
        {
            "clinic_id": clinic_id,
            "client_id": r["id"],
            "word": word,
            "family_name": r["family_name"],
            "given_name": r["given_name"],
        }
        for r in rows
        for word in sorted(client_words(r["given_name"], r["family_name"], r.get("email"), r.get("phone")))
    ]
    if words:
        conn.execute(w.insert(), words)


COUNT_CAP = 1000  # a list says "1,000 or more" rather than counting a whole large clinic on every page


def list_clients(
    conn: Connection,
    clinic_id: int,
    *,
    limit: int = 100,
    offset: int = 0,
    query: str | None = None,
    after: int | None = None,
) -> tuple[list[Client], int, bool]:
    """A page of the clinic's clients by name, how many match (counted up to COUNT_CAP) and whether there are
    more than that. ``query`` keeps the clients every word of which starts one of their words (names without
    regard to case or accents, e-mail, phone digits; taut.clinic.search). ``after`` (a client id) continues after
    that client in the list's order (keyset paging); ``offset`` skips rows (kept for the API's callers)."""
    c = tables.clients.c
    position = None
    if after is not None:
        last = conn.execute(
            select(c.family_name, c.given_name).where(c.clinic_id == clinic_id, c.id == after)
        ).first()
        if last is None:
            raise NotFound("client", after)
        position = (last.family_name, last.given_name, after)
    words = query_words(query) if query else ()
    if words:
        return _search_clients(conn, clinic_id, words, limit, offset, position)
    where: list[Any] = [c.clinic_id == clinic_id]
    counted = select(c.id).where(*where).limit(COUNT_CAP + 1).subquery()
    total = conn.execute(select(func.count()).select_from(counted)).scalar_one()
    if position is not None:
        where.append(tuple_(c.family_name, c.given_name, c.id) > tuple_(*position))
    rows = conn.execute(
        select(tables.clients)
        .where(*where)
        .order_by(c.family_name, c.given_name, c.id)
        .limit(limit)
        .offset(offset)
    )
    return [mapping.client_from_row(r) for r in rows], min(total, COUNT_CAP), total > COUNT_CAP


# With several query words, each word's index rows are counted up to this many to choose the rarest.
SIZE_CAP = 10_000


def _search_clients(
    conn: Connection,
    clinic_id: int,
    words: tuple[str, ...],
    limit: int,
    offset: int,
    position: tuple[str, str, int] | None,
) -> tuple[list[Client], int, bool]:
    """Clients having, for every query word, a word that starts with it. The rarest query word drives (with
    several words, each word's index rows are first counted up to SIZE_CAP, in one statement): its matches are
    read from ``ix_client_search_words_covering`` (the names ride along) and kept when every other word matches
    too. Another word is read once into a set when it has fewer than eight times the driver's rows, else looked
    up per candidate (``ix_client_search_words_clinic_client_word``).

    The page is the first rows in name order (a search of one letter reads them in that order: ``_by_initial``)
    without de-duplication (a client with two words starting with the query comes twice, side by side), which
    lets the database keep only the best few rows instead of sorting every match; the duplicates are dropped
    here, and more rows are read in the rare case that too few were left. When that read every match, they are
    the count; else ``_count_matches`` counts distinct clients up to COUNT_CAP + 1. The work grows with the
    matches, not with the clinic. The statements are built once per shape of search (``_search_sql``)."""
    sizes = _word_sizes(conn, clinic_id, words) if len(words) > 1 else (1,)
    first, *rest = sorted(range(len(words)), key=lambda i: sizes[i])
    if sizes[first] == 0:
        return [], 0, False
    order = [first, *rest]
    values: dict[str, Any] = {"clinic": clinic_id, "letter": words[0][:1]}
    for k, i in enumerate(order):
        values[f"lo{k}"], values[f"hi{k}"] = words[i], prefix_upper_bound(words[i])
    if position is not None:
        values["after_family"], values["after_given"], values["after_id"] = position
    sql = _search_sql(
        tuple(sizes[i] < 8 * sizes[first] for i in rest),  # each other word: read once, or looked up
        len(words) == 1 and len(words[0]) == 1,
        position is not None,
        conn.dialect.name,
    )
    ids, read_all = _page_ids(conn, sql.page, values, offset + limit)
    # when every match was read, they are counted already
    total = len(ids) if read_all and position is None else _count_matches(conn, sql, values)
    return (
        _clients_in_order(conn, clinic_id, ids[offset : offset + limit]),
        min(total, COUNT_CAP),
        total > COUNT_CAP,
    )


@dataclass(frozen=True)
class _SearchSql:
    """The statements of one shape of search, with bound values (``_search_clients`` names them)."""

    page: Executable  # client ids in name order, duplicates side by side; LIMIT :read
    count_rows: Executable  # PostgreSQL: the first :read rows of every match, and their distinct clients
    count_clients: Executable  # the distinct clients of every match, up to :cap


@cache
def _search_sql(once: tuple[bool, ...], one_letter: bool, positioned: bool, dialect: str) -> _SearchSql:
    """The statements of a search whose driving word is bound as ``lo0``/``hi0`` and whose other words, in
    order, as ``lo1``/``hi1`` and on, each read once or looked up per candidate (``once``); building them
    anew costs about as much CPU as the database's work on a typical search."""
    d = tables.client_search_words.alias("d")
    where = [
        _in_range(d, 0),
        *(_has_word(d, k, read_once, dialect) for k, read_once in enumerate(once, start=1)),
    ]
    key = (d.c.family_name, d.c.given_name, d.c.client_id)
    page = select(d.c.client_id).where(*([_by_initial(d)] if one_letter else where))
    if positioned:
        page = page.where(
            tuple_(*key)
            > tuple_(
                bindparam("after_family", type_=String()),
                bindparam("after_given", type_=String()),
                bindparam("after_id", type_=Integer()),
            )
        )
    first = select(d.c.client_id).where(*where).limit(bindparam("read", type_=Integer())).subquery()
    # ``+ 0``: SQLite would otherwise walk the clinic's whole (clinic, client, word) index for the order
    distinct_ids = (
        select((d.c.client_id + 0).label("id"))
        .where(*where)
        .distinct()
        .limit(bindparam("cap", type_=Integer()))
    )
    return _SearchSql(
        page.order_by(*key).limit(bindparam("read", type_=Integer())),
        select(func.count(), func.count(first.c.client_id.distinct())),
        select(func.count()).select_from(distinct_ids.subquery()),
    )


def _count_matches(conn: Connection, sql: _SearchSql, values: dict[str, Any]) -> int:
    """How many clients match, counted up to COUNT_CAP + 1 (more is "more").

    SQLite de-duplicates as it reads and stops at the cap. PostgreSQL hashes every match before the cap applies
    (one letter matches some 18,000 rows at 100,000 clients: about 4 ms), so there the first 2 * (COUNT_CAP + 1)
    matching rows are counted first, as the database reads them (by word, then client; the answer does not
    depend on the order). Fewer rows are every match, counted exactly; more than COUNT_CAP clients among them is
    the answer. A client's rows are of different words, and even a name with the e-mail address that starts with
    it is two rows: only when the rows read hold too few clients to tell are the clients of every match counted,
    as on SQLite."""
    if conn.dialect.name != "sqlite":
        read = 2 * (COUNT_CAP + 1)
        rows, found = conn.execute(sql.count_rows, {**values, "read": read}).one()
        if rows < read or found > COUNT_CAP:
            return int(found)
    return int(conn.execute(sql.count_clients, {**values, "cap": COUNT_CAP + 1}).scalar_one())


def _by_initial(d: Any) -> Any:
    """The rows of ``_in_range`` for a search of one word of one letter (bound as ``letter``), as its page reads
    them: by the word's first character (the same rows: words compare byte by byte, and such a word is a letter
    or a digit), which ``ix_client_search_words_initial`` keeps in name order. The page is the first rows of that
    index, where the range of the covering index holds every word of the letter (some 18,000 at 100,000
    clients), all read and sorted. The count still reads the range: in the order of the words a client's rows
    are apart, in name order side by side. With other words, whose filter may keep few of the rows in name
    order, every row of the range is read and filtered, as before."""
    return and_(
        d.c.clinic_id == bindparam("clinic"), tables.word_initial(d) == bindparam("letter", type_=String())
    )


def _in_range(t: Any, k: int) -> Any:
    """The rows of search words table ``t`` (or an alias of it) of the clinic (bound as ``clinic``) whose word
    starts with query word ``k`` (bound as ``lo{k}``, and ``hi{k}``: its ``prefix_upper_bound``)."""
    return and_(
        t.c.clinic_id == bindparam("clinic"), t.c.word >= bindparam(f"lo{k}"), t.c.word < bindparam(f"hi{k}")
    )


@cache
def _word_sizes_sql(n: int) -> Select[Any]:
    w = tables.client_search_words
    return select(
        *(
            select(func.count())
            .select_from(select(w.c.client_id).where(_in_range(w, k)).limit(SIZE_CAP).subquery())
            .scalar_subquery()
            for k in range(n)
        )
    )


def _word_sizes(conn: Connection, clinic_id: int, words: tuple[str, ...]) -> tuple[int, ...]:
    """How many index rows each query word has, each counted up to SIZE_CAP, in one statement."""
    values: dict[str, Any] = {"clinic": clinic_id}
    for k, q in enumerate(words):
        values[f"lo{k}"], values[f"hi{k}"] = q, prefix_upper_bound(q)
    return tuple(conn.execute(_word_sizes_sql(len(words)), values).one())


def _has_word(d: Any, k: int, read_once: bool, dialect: str) -> Any:
    """The condition that the driver's row ``d`` is of a client having a word starting with query word ``k``:
    its rows read once into a set (when it has fewer than eight times the driving word's rows), or looked up
    per candidate.

    Read once, on PostgreSQL the set is asked for as ``(... IN (...)) IS TRUE``: a hashed subplan, built once
    whatever the planner expects. A plain ``IN`` becomes a semi-join chosen by the planner's estimate, and a
    word range that falls inside one bucket of its histogram is estimated at one row: "Elias Tana" at 100,000
    clients then ran as a nested loop reading "elias"'s 3,892 rows once for each of "tana"'s 1,617 rows (0.9 s
    instead of 1.6 ms; docs/records.md)."""
    x = tables.client_search_words.alias()
    if read_once:  # ``+ 0``: not by seeking each of its ids in ``d``
        found = (d.c.client_id + 0).in_(select(x.c.client_id).where(_in_range(x, k)))
        return found.is_(true()) if dialect == "postgresql" else found
    return select(x.c.client_id).where(_in_range(x, k), x.c.client_id == d.c.client_id).exists()


def _page_ids(
    conn: Connection, rows: Executable, values: dict[str, Any], want: int
) -> tuple[list[int], bool]:
    """The first ``want`` distinct client ids of the ordered ``rows`` (LIMIT bound as ``read``; fewer ids when
    there are no more), and whether the last read got every match. Reads 4 * ``want`` rows, four times more
    each time too few distinct ids came."""
    read = 4 * want
    while True:
        got = conn.execute(rows, {**values, "read": read}).scalars().all()
        ids = list(dict.fromkeys(got))  # duplicates are side by side; the order is kept
        if len(ids) >= want or len(got) < read:
            return ids, len(got) < read
        read *= 4


def _clients_in_order(conn: Connection, clinic_id: int, ids: list[int]) -> list[Client]:
    """The clinic's clients of these ids, in their order (an id no longer found is left out)."""
    if not ids:
        return []
    found = {
        r.id: mapping.client_from_row(r)
        for r in conn.execute(_CLIENTS_BY_ID, {"clinic": clinic_id, "ids": ids}).all()
    }
    return [found[i] for i in ids if i in found]


_CLIENTS_BY_ID = select(tables.clients).where(
    tables.clients.c.clinic_id == bindparam("clinic"),
    tables.clients.c.id.in_(bindparam("ids", expanding=True)),
)
