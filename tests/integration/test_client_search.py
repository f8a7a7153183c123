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
from taut.services import clients
from taut.store import Database, people, tables

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
    monkeypatch.setattr(people, "COUNT_CAP", 2)
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
