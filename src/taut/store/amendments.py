"""Amended intakes and examinations: the row takes the new version, ``record_amendments`` keeps the one it
replaced (the record's JSON form, who, when, why). The caller holds the transaction; a stale version raises
StaleRecordError before anything is written."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Connection, select

from taut.clinic.amendments import Amendable, RecordAmendment
from taut.clinic.assessment import Assessment
from taut.clinic.errors import NotFound
from taut.clinic.intake import Intake
from taut.store import mapping, tables
from taut.store.people import update_versioned

_INTAKE: TypeAdapter[Intake] = TypeAdapter(Intake)
_ASSESSMENT: TypeAdapter[Assessment] = TypeAdapter(Assessment)


def as_json(record: Intake | Assessment) -> dict[str, Any]:
    """The record as plain JSON values (dates as ISO text), as the history keeps it."""
    adapter: TypeAdapter[Any] = _INTAKE if isinstance(record, Intake) else _ASSESSMENT
    out: dict[str, Any] = adapter.dump_python(record, mode="json")
    return out


def intake_of(previous: dict[str, Any]) -> Intake:
    return _INTAKE.validate_python(previous)


def assessment_of(previous: dict[str, Any]) -> Assessment:
    return _ASSESSMENT.validate_python(previous)


def get_assessment(conn: Connection, clinic_id: int, assessment_id: int) -> tuple[int, Assessment]:
    """(client id, the examination with its findings and ROM in order); NotFound for another clinic's. The
    findings and ROM are read by the client's index, as the chart reads them."""
    t = tables
    a = t.assessments.c
    r = conn.execute(select(t.assessments).where(a.id == assessment_id, a.clinic_id == clinic_id)).first()
    if r is None:
        raise NotFound("assessment", assessment_id)
    fc, rc = t.trp_findings.c, t.rom_measurements.c
    findings = conn.execute(
        select(t.trp_findings)
        .where(fc.clinic_id == clinic_id, fc.client_id == r.client_id, fc.assessment_id == assessment_id)
        .order_by(fc.position)
    )
    rom = conn.execute(
        select(t.rom_measurements)
        .where(rc.clinic_id == clinic_id, rc.client_id == r.client_id, rc.assessment_id == assessment_id)
        .order_by(rc.position)
    )
    return r.client_id, mapping.assessment_from_row(
        r, [mapping.finding_from_row(f) for f in findings], [mapping.rom_from_row(m) for m in rom]
    )


def _keep(
    conn: Connection,
    clinic_id: int,
    client_id: int,
    entity: Amendable,
    old: Intake | Assessment,
    by: int,
    reason: str,
) -> None:
    assert old.id is not None
    conn.execute(
        tables.record_amendments.insert().values(
            clinic_id=clinic_id,
            client_id=client_id,
            entity=entity,
            record_id=old.id,
            version=old.version,
            previous=as_json(old),
            amended_by=by,
            amended_at=datetime.now(UTC),
            reason=reason,
        )
    )


def amend_intake(
    conn: Connection,
    clinic_id: int,
    client_id: int,
    old: Intake,
    new: Intake,
    expected_version: int,
    *,
    by: int,
    reason: str,
) -> int:
    """Replace ``old`` by ``new`` if ``old`` is still at ``expected_version``; returns the new version."""
    assert old.id is not None
    version = update_versioned(
        conn, tables.intakes, "intake", clinic_id, old.id, expected_version, mapping.intake_values(new)
    )
    _keep(conn, clinic_id, client_id, "intake", old, by, reason)
    return version


def amend_assessment(
    conn: Connection,
    clinic_id: int,
    client_id: int,
    old: Assessment,
    new: Assessment,
    expected_version: int,
    *,
    by: int,
    reason: str,
) -> int:
    """Replace ``old`` (with its findings and ROM) by ``new``; returns the new version."""
    aid = old.id
    assert aid is not None
    t = tables
    version = update_versioned(
        conn, t.assessments, "assessment", clinic_id, aid, expected_version, mapping.assessment_values(new)
    )
    owned = {"clinic_id": clinic_id, "client_id": client_id, "assessment_id": aid}
    for child in (t.trp_findings, t.rom_measurements):
        c = child.c  # by the (clinic_id, client_id) index: assessment_id alone has none
        conn.execute(
            child.delete().where(c.clinic_id == clinic_id, c.client_id == client_id, c.assessment_id == aid)
        )
    if new.findings:
        rows = [{**owned, **mapping.finding_values(f, i)} for i, f in enumerate(new.findings)]
        conn.execute(t.trp_findings.insert(), rows)
    if new.rom:
        conn.execute(
            t.rom_measurements.insert(),
            [{**owned, **mapping.rom_values(m, i)} for i, m in enumerate(new.rom)],
        )
    _keep(conn, clinic_id, client_id, "assessment", old, by, reason)
    return version


def amendments_of(
    conn: Connection, clinic_id: int, entity: Amendable, record_id: int
) -> list[RecordAmendment]:
    """The record's amendments, oldest first, each with the name of who made it."""
    ra, u = tables.record_amendments.c, tables.users.c
    rows = conn.execute(
        select(tables.record_amendments, u.name.label("amended_by_name"))
        .join(tables.users, u.id == ra.amended_by)
        .where(ra.clinic_id == clinic_id, ra.entity == entity, ra.record_id == record_id)
        .order_by(ra.version)
    )
    return [
        RecordAmendment(
            entity=r.entity,
            record_id=r.record_id,
            version=r.version,
            previous=r.previous,
            amended_by=r.amended_by,
            amended_by_name=r.amended_by_name,
            amended_at=r.amended_at,
            reason=r.reason,
        )
        for r in rows
    ]
