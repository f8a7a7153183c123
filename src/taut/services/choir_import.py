"""Recording many intakes at once, as an import of pain drawings does: all of them or none.

Each intake is validated like ``records.record_intake`` does, then every one is written with its audit
entry in one transaction. Errors name where the intake came from (e.g. ``drawings.csv row 4``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from taut.clinic.catalogue import catalogue
from taut.clinic.errors import NotFound, RecordValidationError
from taut.clinic.intake import Intake
from taut.clinic.people import Permission, User
from taut.services import access
from taut.store import people, records
from taut.store.engine import Database


@dataclass(frozen=True)
class ImportedIntake:
    """One intake to record for a client, and where it came from."""

    client_id: int
    intake: Intake
    source: str  # e.g. "drawings.csv row 4": named in every error about this intake
    client_source: str = ""  # where the client id was given, e.g. "drawings.csv row 4 column client_id"


def import_intakes(db: Database, user: User, items: Sequence[ImportedIntake], *, detail: str) -> list[int]:
    """Record every intake (clinical roles only) in one transaction; returns the new ids in order.
    ``detail`` goes into each audit entry (e.g. "imported from CHOIR body map")."""
    access.require(db, user, Permission.WRITE_CLINICAL, entity="intake")
    assert user.id is not None
    cat = catalogue()
    checked = []
    for item in items:
        try:
            checked.append((item, item.intake.validate(cat)))
        except RecordValidationError as e:
            raise RecordValidationError(f"{item.source} {e.field}", e.rule) from None
    ids = []
    with db.transaction() as conn:
        known: set[int] = set()
        for item, intake in checked:
            if item.client_id not in known:
                try:
                    people.get_client(conn, user.clinic_id, item.client_id)
                except NotFound:
                    raise RecordValidationError(
                        item.client_source or item.source,
                        f"client {item.client_id} not found in this clinic",
                    ) from None
                known.add(item.client_id)
            iid = records.add_intake(conn, user.clinic_id, item.client_id, intake, by=user.id)
            access.log(conn, user, "create", "intake", iid, client_id=item.client_id, detail=detail)
            ids.append(iid)
    return ids
