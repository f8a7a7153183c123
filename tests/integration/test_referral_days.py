"""The referral letter is dated on the clinic's day (issue 13: no UTC remnants), on SQLite and PostgreSQL. Two
clinics, fourteen hours ahead of UTC and eleven behind it: whatever the hour of the run, the UTC date differs
from the local date in at least one of them, so a letter dated in UTC shows up here."""

from __future__ import annotations

import uuid

import pytest
from tests.integration.conftest import PASSWORD, World
from tests.integration.test_medical_clearance import _flagged_client

from taut.clinic import dates
from taut.clinic.people import Clinic
from taut.reports.referral import load_referral
from taut.services import clinics, sessions
from taut.store import Database


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_the_referral_letter_is_dated_on_the_clinics_day(db: Database, zone: str) -> None:
    _, owner = clinics.create_clinic(
        db,
        name=f"Clinic {zone}",
        owner_email=f"owner.{uuid.uuid4().hex[:8]}@example.org",
        owner_name="Oona Owner",
        password=PASSWORD,
        profile=Clinic(name=f"Clinic {zone}", timezone=zone),
    )
    cid, iid = _flagged_client(db, World(owner, owner, owner, owner))
    referral = sessions.record_decision(
        db, owner, cid, iid, decision="referred", referred_to="Dr A. Meier, GP", reason="fever 38.5 with pain"
    )
    assert referral.id is not None
    content = load_referral(db, owner, cid, iid, referral.id)
    assert content.written_on == dates.today(zone)
    assert content.referred_on == referral.decided_at.astimezone(dates.zone(zone)).date()
