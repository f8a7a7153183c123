"""Rows for seeding many clients at once (the demo clinic, the benchmarks), with ids chosen here and written in
bulk (``taut.store.bulk``): the store's half of ``taut.services.demo``, which makes the records.

A ``SeedBatch`` collects the rows of one batch: domain records go through the store's mapping (``client``,
``intake``, ``assessment``, ``plan``, ``outcome``); the many small rows of a course of care (sessions, holds,
check-ins, notes) are given as column values, which spares building a million domain objects.
``write_batch`` writes one batch, ``analyze`` refreshes PostgreSQL's statistics, ``finish`` moves the id
sequences past the seeded ids."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from taut.clinic.assessment import Assessment
from taut.clinic.intake import Intake
from taut.clinic.outcomes import SCORING_VERSION, OutcomeMeasure
from taut.clinic.people import Client
from taut.clinic.plan import TreatmentPlan
from taut.store import bulk, client_search, mapping, tables

Row = dict[str, Any]

SEEDED = (
    tables.clients,
    tables.intakes,
    tables.assessments,
    tables.trp_findings,
    tables.rom_measurements,
    tables.plans,
    tables.treatment_sessions,
    tables.holds,
    tables.checkins,
    tables.outcome_measures,
    tables.notes,
)
ROW_TABLES = ("treatment_sessions", "holds", "checkins", "notes")  # tables given as column values


def first_ids(conn: Connection) -> dict[str, int]:
    """The first free id of every seeded table (the seeder is the only writer while it runs)."""
    return bulk.next_ids(conn, SEEDED)


class SeedBatch:
    """The rows of one batch of seeded clients. ``ids`` (from ``first_ids``) is advanced as rows are added and
    is meant to be handed on to the next batch."""

    def __init__(self, clinic_id: int, ids: dict[str, int]) -> None:
        self.clinic_id = clinic_id
        self.ids = ids
        self.rows: dict[str, list[Row]] = {t.name: [] for t in SEEDED}

    def next_id(self, table: str) -> int:
        """The id the next row of ``table`` will get."""
        return self.ids[table]

    def add(self, table: str, values: Row) -> int:
        """One row of a session, hold, check-in or note given as column values; its new id."""
        if table not in ROW_TABLES:
            raise ValueError(f"{table} rows are added from their records, not as column values")
        return self._add(table, values)

    def _add(self, table: str, values: Row) -> int:
        rid = self.ids[table]
        self.ids[table] = rid + 1
        self.rows[table].append({"id": rid, **values})
        return rid

    def owned(self, client_id: int) -> Row:
        """The clinic and client columns of a row of this client."""
        return {"clinic_id": self.clinic_id, "client_id": client_id}

    def client(self, client: Client, at: datetime) -> int:
        values = {"clinic_id": self.clinic_id, "created_at": at, "updated_at": at, "version": 1}
        return self._add("clients", {**values, **mapping.client_values(client)})

    def intake(self, client_id: int, intake: Intake, by: int, at: datetime) -> int:
        values = {**self.owned(client_id), "recorded_by": by, "recorded_at": at}
        return self._add("intakes", {**values, **mapping.intake_values(intake)})

    def assessment(self, client_id: int, a: Assessment, by: int, at: datetime) -> int:
        owned = self.owned(client_id)
        aid = self._add(
            "assessments", {**owned, "recorded_by": by, "recorded_at": at, **mapping.assessment_values(a)}
        )
        for i, f in enumerate(a.findings):
            self._add("trp_findings", {**owned, "assessment_id": aid, **mapping.finding_values(f, i)})
        for i, m in enumerate(a.rom):
            self._add("rom_measurements", {**owned, "assessment_id": aid, **mapping.rom_values(m, i)})
        return aid

    def plan(self, client_id: int, plan: TreatmentPlan, by: int, at: datetime) -> int:
        values = {**self.owned(client_id), "created_by": by, "created_at": at, "updated_at": at, "version": 1}
        return self._add("plans", {**values, **mapping.plan_values(plan)})

    def outcome(self, client_id: int, m: OutcomeMeasure, by: int, at: datetime) -> int:
        values = mapping.outcome_values(m)
        assert values["scoring_version"] == SCORING_VERSION
        return self._add(
            "outcome_measures", {**self.owned(client_id), "recorded_by": by, "recorded_at": at, **values}
        )

    def count(self, table: str) -> int:
        return len(self.rows[table])


def write_batch(conn: Connection, batch: SeedBatch) -> None:
    for t in SEEDED:
        bulk.insert_rows(conn, t, batch.rows[t.name])
    client_search.index_client_rows(conn, batch.clinic_id, batch.rows["clients"])  # the clients' search words


def analyze(conn: Connection) -> None:
    """Fresh statistics on PostgreSQL, so foreign-key checks look rows up by index instead of scanning tables
    that were empty when their plans were first made."""
    conn.execute(text(f"ANALYZE {', '.join(t.name for t in SEEDED)}"))


def finish(conn: Connection) -> None:
    """Move the id sequences past the seeded ids."""
    bulk.reset_sequences(conn, SEEDED)
