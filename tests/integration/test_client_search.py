"""Finding clients: names regardless of case and accents, e-mail and phone; keyset pages; capped counts; an
index range scan, never a scan of the clients table. On SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import event, select, text
from tests.integration.conftest import World
from tests.records_factories import make_client

from taut.clinic import NotFound
from taut.clinic.search import client_words
from taut.services import clients
from taut.store import Database, client_search, tables

PEOPLE = [
    ("Anna", "Müller", "anna.mueller@example.org", "+41 79 123 45 67"),
    ("Jürgen", "Muller", None, None),
    ("Élodie", "Strauß", "elodie@example.org", "044 555 12 34"),
    ("Søren", "Østergaard", None, "+45 20 11 22 33"),
    ("Mila", "Mullins", None, None),
]


@pytest.fixture(scope="module")
def found(db: Database, world: World) -> dict[str, int]:
    ids = {}
    for given, family, email, phone in PEOPLE:
        c = clients.register_client(
            db, world.alice, make_client(given_name=given, family_name=family, email=email, phone=phone)
        )
        assert c.id is not None
        ids[family] = c.id
    # the other clinic has a Müller too; it is never found from clinic A
    clients.register_client(db, world.carol, make_client(given_name="Anna", family_name="Müller"))
    return ids


def names(db: Database, world: World, q: str) -> set[str]:
    return {c.family_name for c in clients.list_clients(db, world.alice, query=q, limit=100).items}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("muller", {"Müller", "Muller"}),
        ("MÜLL", {"Müller", "Muller", "Mullins"}),
        ("anna muller", {"Müller"}),
        ("Muller, Jurgen", {"Muller"}),
        ("strauss", {"Strauß"}),
        ("elodie", {"Strauß"}),
        ("ostergaard", {"Østergaard"}),
        ("anna.mueller@example.org", {"Müller"}),
        ("anna.mueller@", {"Müller"}),
        ("079 123 45 67", {"Müller"}),  # the national form of +41 79 123 45 67
        ("+41 79 123 45 67", {"Müller"}),
        ("123 45 67", {"Müller"}),
        ("4567", {"Müller"}),
        ("044-555-12-34", {"Strauß"}),
        ("nobody", set()),
    ],
)
def test_search_finds_people_by_name_email_and_phone(
    db: Database, world: World, found: dict[str, int], query: str, expected: set[str]
) -> None:
    assert names(db, world, query) == expected


def test_a_corrected_name_is_found_under_the_new_name_only(
    db: Database, world: World, found: dict[str, int]
) -> None:
    c = clients.get_client(db, world.alice, found["Mullins"])
    clients.update_client(db, world.alice, replace(c, family_name="Ngọc"), expected_version=c.version)
    assert names(db, world, "ngoc") == {"Ngọc"}
    assert "Mullins" not in names(db, world, "mullins")


def test_keyset_pages_cover_the_list_once_in_order(db: Database, world: World, found: dict[str, int]) -> None:
    everyone = clients.list_clients(db, world.alice, limit=1000).items
    seen: list[int | None] = []
    after = None
    while True:
        page = clients.list_clients(db, world.alice, limit=2, after=after)
        seen.extend(c.id for c in page.items)
        if len(page.items) < 2:
            break
        after = page.last_id
    assert seen == [c.id for c in everyone]
    with pytest.raises(NotFound):
        clients.list_clients(db, world.carol, after=found["Müller"])  # another clinic's client is no position


def test_counts_are_capped(
    db: Database, world: World, found: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client_search, "COUNT_CAP", 2)
    page = clients.list_clients(db, world.alice, limit=1)
    assert (page.total, page.more) == (2, True)
    exact = clients.list_clients(db, world.alice, query="strauss", limit=1)
    assert (exact.total, exact.more) == (1, False)


def test_a_search_is_an_index_range_scan(db: Database, world: World, found: dict[str, int]) -> None:
    w = tables.client_search_words.c
    query = select(w.client_id).where(w.clinic_id == 1, w.word >= "mul", w.word < "mum")
    with db.engine.connect() as conn:
        compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
        if db.dialect == "sqlite":
            plan = " ".join(str(r[-1]) for r in conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
            assert "SEARCH" in plan and "word>" in plan.replace(" ", ""), plan
        else:
            conn.execute(text("SET enable_seqscan = off"))  # a tiny table: ask whether an index can serve it
            plan = " ".join(r[0] for r in conn.execute(text(f"EXPLAIN {compiled}")))
            assert "Index" in plan and "word" in plan, plan


def test_a_client_matching_twice_is_listed_once(db: Database, world: World, found: dict[str, int]) -> None:
    # "mila" and "mila.m@example.org" both start with "mil": the client is one row of the list, on every page
    c = clients.register_client(
        db, world.alice, make_client(given_name="Mila", family_name="Ziegler", email="mila.z@example.org")
    )
    everyone = clients.list_clients(db, world.alice, query="mil", limit=100)
    assert c.id in [x.id for x in everyone.items]
    assert len({x.id for x in everyone.items}) == len(everyone.items) == everyone.total
    seen: list[int | None] = []
    after = None
    while True:
        page = clients.list_clients(db, world.alice, query="mil", limit=1, after=after)
        seen.extend(x.id for x in page.items)
        if not page.items:
            break
        after = page.last_id
    assert seen == [x.id for x in everyone.items]


def searched_statements(db: Database, world: World, queries: list[str]) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def before(conn: object, cursor: object, statement: str, params: object, *rest: object) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "client" in statement:
            seen.setdefault(statement, params)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        for q in queries:
            first = clients.list_clients(db, world.alice, query=q, limit=2)
            clients.list_clients(db, world.alice, query=q, limit=2, after=first.last_id)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return seen


def test_every_search_statement_reads_ranges_of_the_index(db: Database, world: World) -> None:
    """The statements the search really sends (one word; two words, the other read once or looked up per
    candidate; keyset pages): none scans the words or the clients, or reads a clinic's words whole."""
    for i in range(10):  # "zoe" ten times more common than "quist": looked up per candidate
        family = "Quist" if i == 0 else "Berg"
        clients.register_client(db, world.alice, make_client(given_name="Zoe", family_name=family))
    seen = searched_statements(db, world, ["mul", "anna mul", "zoe quist", "4567"])
    assert any("EXISTS" in s for s in seen) and any(" IN (" in s for s in seen)
    bad = {}
    with db.engine.connect() as conn:
        for statement, params in seen.items():
            if db.dialect == "sqlite":
                plan = [str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)]
                wrong = [p for p in plan if p.startswith("SCAN client") or p.endswith("(clinic_id=?)")]
            else:
                conn.exec_driver_sql("SET enable_seqscan = off")
                plan = [str(r[0]) for r in conn.exec_driver_sql("EXPLAIN " + statement, params)]
                wrong = [p for p in plan if "Seq Scan on client" in p]
            if wrong:
                bad[statement] = wrong
    assert not bad, bad


def test_a_word_read_once_is_a_hashed_set_on_postgresql(db: Database, world: World) -> None:
    """The other word of a two-word search, read once, is hashed once on PostgreSQL whatever the planner
    expects of it: a semi-join chosen on an estimate of one row ran as a nested loop that read the other
    word's rows again for every row of the first (0.9 s for "Elias Tana" at 100,000 clients)."""
    if db.dialect != "postgresql":
        pytest.skip("SQLite reads an IN (subquery) into a set once by itself")
    seen = searched_statements(db, world, ["anna mul"])
    once = {s: p for s, p in seen.items() if " IN (" in s and "client_search_words" in s}
    assert once
    with db.engine.connect() as conn:
        for statement, params in once.items():
            for nestloop in ("on", "off"):  # the same plan whichever join the planner would rather use
                conn.exec_driver_sql(f"SET enable_nestloop = {nestloop}")
                plan = " ".join(str(r[0]) for r in conn.exec_driver_sql("EXPLAIN " + statement, params))
                assert "hashed SubPlan" in plan and "Semi Join" not in plan, plan
    assert names(db, world, "anna mul") == {"Müller"}


def register(db: Database, world: World, given: str, family: str, email: str | None = None) -> int:
    c = clients.register_client(
        db, world.alice, make_client(given_name=given, family_name=family, email=email)
    )
    assert c.id is not None
    return c.id


def test_a_capped_count_is_the_count_of_every_match(
    db: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With many matches the count is taken (on PostgreSQL) from the first 2 * (COUNT_CAP + 1) rows in the
    index's order; whatever those rows hold, the count is that of every matching client, capped."""
    # "qx": one client under five words that come first (qxa, qxb, qxc, qxc.qxd@example.org, qxd), another
    # under two, a third under one: the first six rows hold two clients, the cap here, but there are three
    register(db, world, "Qxa", "Qxb", "qxc.qxd@example.org")
    register(db, world, "Qxe", "Qxf")
    register(db, world, "Qxz", "Berg")
    for letter in "abcdefg":  # "qy": seven clients, a word each; the first six rows hold six clients
        register(db, world, f"Qy{letter}", "Lind")
    monkeypatch.setattr(client_search, "COUNT_CAP", 2)
    for q in ("qx", "qy", "qxe", "qya", "qz"):
        every = clients.list_clients(db, world.alice, query=q, limit=100)  # reads every match: counts them
        n = len(every.items)
        assert (every.total, every.more) == (min(n, 2), n > 2)
        first = clients.list_clients(db, world.alice, query=q, limit=1)  # reads a few rows: counts apart
        assert (first.total, first.more) == (every.total, every.more), q
        if every.items:  # the second page is counted apart as well
            after = every.items[0].id
            second = clients.list_clients(db, world.alice, query=q, limit=1, after=after)
            assert (second.total, second.more) == (every.total, every.more), q
    assert [len(clients.list_clients(db, world.alice, query=q, limit=100).items) for q in ("qx", "qy")] == [
        3,
        7,
    ]


def rows_read(conn: Any, statement: str, params: Any) -> int:
    """How many rows of client_search_words this statement read (PostgreSQL's EXPLAIN ANALYZE)."""
    plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, params).scalar_one()

    def walk(node: dict[str, Any]) -> int:
        own = (
            node["Actual Rows"] * node["Actual Loops"]
            if node.get("Relation Name") == "client_search_words"
            else 0
        )
        return own + sum(walk(child) for child in node.get("Plans", []))

    return walk(plan[0]["Plan"])


def test_a_capped_count_stops_reading_on_postgresql(
    db: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL de-duplicates by hashing every row before a LIMIT applies: the count of a search with many
    matches reads no more than 2 * (COUNT_CAP + 1) of them (SQLite's DISTINCT stops by itself at the cap)."""
    if db.dialect != "postgresql":
        pytest.skip("SQLite's DISTINCT ... LIMIT stops at the cap by itself")
    for i in range(30):
        register(db, world, f"Qw{i:02d}", "Moser")
    monkeypatch.setattr(client_search, "COUNT_CAP", 2)
    seen = searched_statements(db, world, ["qw"])  # a first page and the next, two rows each
    counts = {s: p for s, p in seen.items() if "count(" in s}
    assert counts
    with db.engine.connect() as conn:
        read = {s: rows_read(conn, s, p) for s, p in counts.items()}
    assert all(n <= 6 for n in read.values()), read
    page = clients.list_clients(db, world.alice, query="qw", limit=2)
    assert (page.total, page.more) == (2, True)


@pytest.fixture(scope="module")
def namesakes(db: Database, world: World, found: dict[str, int]) -> None:
    """Clients of the same names (in id order among themselves) and one under three words starting with "m"."""
    register(db, world, "Anna", "Muller", "anna.m@example.org")
    register(db, world, "Anna", "Muller")
    register(db, world, "Mara", "Maier", "mara.maier@example.org")
    register(db, world, "Zita", "Zeller")


@pytest.mark.parametrize("letter", ["m", "a", "e", "4", "z", "x", "m a"])
def test_a_one_letter_search_lists_every_client_with_a_word_of_that_letter(
    db: Database, world: World, namesakes: None, letter: str
) -> None:
    """Read by the word's first character in name order (ix_client_search_words_initial): the same clients,
    once each, in the list's order, on one page and on keyset pages, counted exactly. (Two letters: read by
    the range of one, filtered by the other.)"""
    everyone = clients.list_clients(db, world.alice, limit=1000).items
    expected = [
        c.id
        for c in everyone
        if all(
            any(w.startswith(q) for w in client_words(c.given_name, c.family_name, c.email, c.phone))
            for q in letter.split()
        )
    ]
    assert expected or letter == "x"
    page = clients.list_clients(db, world.alice, query=letter, limit=1000)
    assert ([c.id for c in page.items], page.total, page.more) == (expected, len(expected), False)
    seen: list[int | None] = []
    after = None
    while True:
        page = clients.list_clients(db, world.alice, query=letter, limit=2, after=after)
        assert (page.total, page.more) == (len(expected), False)
        seen.extend(c.id for c in page.items)
        if len(page.items) < 2:
            break
        after = page.last_id
    assert seen == expected


def test_a_one_letter_page_is_read_in_name_order_without_a_sort(db: Database, world: World) -> None:
    """The page of a one-letter search is the first rows of an index in name order: the database stops after
    them instead of sorting every word that starts with the letter (some 18,000 at 100,000 clients)."""
    seen = searched_statements(db, world, ["m"])
    pages = {s: p for s, p in seen.items() if "ORDER BY" in s}
    assert pages
    with db.engine.connect() as conn:
        for statement, params in pages.items():
            if db.dialect == "sqlite":
                plan = [str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)]
            else:  # tiny tables: ask whether an index can give the rows in order, not which is cheaper now
                conn.exec_driver_sql("SET enable_seqscan = off")
                conn.exec_driver_sql("SET enable_sort = off")
                plan = [str(r[0]) for r in conn.exec_driver_sql("EXPLAIN " + statement, params)]
            assert any("ix_client_search_words_initial" in p for p in plan), plan
            assert not any("ORDER BY" in p or "Sort" in p for p in plan), plan
