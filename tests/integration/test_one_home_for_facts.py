"""Facts that had two homes have one (migration 0017). A practitioner's credentials and registration number are
the account's (``users``): the book's hours page and the account page change the same fields, and receipts, notes
and letters print the same words. The clinic's address, currency and tax number are the clinic profile's
(``clinics``): the book's settings page and the clinic's profile page change the same fields. The migration moves
values kept only in the old copies. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from tests.integration.conftest import BACKENDS, World, fresh_database

from taut.clinic.appointments import BookingSettings
from taut.clinic.errors import RecordValidationError
from taut.clinic.people import Role, User
from taut.services import appointments as book
from taut.services import clinics
from taut.store import Database, migrate, people, tables


def _shown(db: Database, user: User, uid: int) -> tuple[str, str]:
    p = next(p for p in book.practitioners(db, user, all_=True) if p.id == uid)
    return p.credentials, p.registration_number


def test_the_hours_page_and_the_account_change_the_same_credentials(db: Database, world: World) -> None:
    bob = world.bob
    assert bob.id is not None
    book.save_profile(db, world.alice, bob.id, credentials=" RMT ", registration_number="R-1", bookable=True)
    with db.transaction() as conn:
        account = people.user_by_id(conn, bob.id)
    assert account is not None and (account.credentials, account.registration_number) == ("RMT", "R-1")
    assert account.signed_as.endswith("RMT (reg. R-1)")  # what notes and letters print
    clinics.update_profile(db, account, credentials="LMT, NMT")
    assert _shown(db, world.alice, bob.id) == ("LMT, NMT", "R-1")  # what receipts print
    book.save_profile(db, world.alice, bob.id, credentials="", registration_number="", bookable=True)
    assert _shown(db, world.alice, bob.id) == ("", "")


def test_credentials_too_long_for_the_account_are_refused_and_nothing_changes(
    db: Database, world: World
) -> None:
    bob = world.bob
    assert bob.id is not None
    before = _shown(db, world.alice, bob.id)
    with pytest.raises(RecordValidationError, match=r"user\.credentials"):
        book.save_profile(
            db, world.alice, bob.id, credentials="x" * 101, registration_number="R-9", bookable=False
        )
    assert _shown(db, world.alice, bob.id) == before


@pytest.fixture(params=BACKENDS)
def fresh(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Database:
    return fresh_database(request.param, tmp_path_factory.mktemp("cred"), request)


def test_migration_0017_moves_profile_only_credentials_to_the_account(fresh: Database) -> None:
    with fresh.transaction() as conn:
        clinic = people.add_clinic(conn, "Credentials clinic")
        assert clinic.id is not None
        bare, own = (
            people.add_user(
                conn,
                User(
                    clinic_id=clinic.id, email=f"{n}@example.org", name=n, role=Role.THERAPIST, credentials=c
                ),
                "hash",
            )
            for n, c in (("bare", None), ("own", "LMT"))
        )
    migrate.downgrade(fresh.engine, "0012")
    with fresh.engine.begin() as conn:
        for u, cred, reg in ((bare, "CNMT", "NMT-1"), (own, "OLD", "")):
            conn.execute(
                text(
                    "INSERT INTO practitioner_profiles (user_id, clinic_id, credentials, registration_number, "
                    "bookable) VALUES (:user, :clinic, :cred, :reg, :bookable)"
                ),
                {"user": u.id, "clinic": clinic.id, "cred": cred, "reg": reg, "bookable": True},
            )
    migrate.upgrade(fresh.engine)
    with fresh.transaction() as conn:
        cols = tables.users.c
        rows = conn.execute(
            select(cols.name, cols.credentials, cols.registration_number)
            .where(cols.clinic_id == clinic.id)
            .order_by(cols.name)
        ).all()
    assert [tuple(r) for r in rows] == [("bare", "CNMT", "NMT-1"), ("own", "LMT", None)]


def test_the_books_settings_and_the_clinic_profile_change_the_same_address_currency_and_tax_number(
    db: Database, world: World
) -> None:
    carol = world.carol  # the owner of clinic B, whose profile no other test changes
    book.save_settings(
        db, carol, BookingSettings(currency="cad", tax_name="GST", tax_number="GST 1", address="1 Main St")
    )
    profile = clinics.get_clinic(db, carol)
    assert (profile.currency, profile.tax_number, profile.address) == ("CAD", "GST 1", "1 Main St")
    clinics.update_clinic(db, carol, address="2 High St", currency="EUR", tax_number=None)
    settings, _zone = book.get_settings(db, carol)
    assert (settings.currency, settings.tax_number, settings.address) == ("EUR", "", "2 High St")
    assert (settings.tax_name, settings.cancel_window_hours) == ("GST", 24)  # the book's own settings stay


def test_migration_0017_moves_the_receipts_settings_to_the_clinic_profile(fresh: Database) -> None:
    with fresh.transaction() as conn:
        saved, untouched = (people.add_clinic(conn, n) for n in ("Saved settings", "Never saved"))
    migrate.downgrade(fresh.engine, "0012")
    with fresh.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO booking_settings (clinic_id, cancel_window_hours, reminder_hours, slot_minutes, "
                "currency, tax_name, tax_basis_points, tax_number, address, updated_at) VALUES "
                "(:clinic, 24, '[48]', 15, 'USD', 'VAT', 800, 'VAT 9', '9 Elm St', CURRENT_TIMESTAMP)"
            ),
            {"clinic": saved.id},
        )
    migrate.upgrade(fresh.engine)
    with fresh.transaction() as conn:
        after = {
            c.id: c
            for c in (people.get_clinic(conn, saved.id or 0), people.get_clinic(conn, untouched.id or 0))
        }
    assert (after[saved.id].currency, after[saved.id].tax_number, after[saved.id].address) == (
        "USD",
        "VAT 9",
        "9 Elm St",
    )
    assert (after[untouched.id].currency, after[untouched.id].address) == ("EUR", None)
