"""Clients: registering, reading, correcting contact details and consent, listing. Front desk may do all of
this; none of it reaches clinical records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection

from taut.clinic.people import Client, Permission, User
from taut.clinic.sms import mobile_number
from taut.services import access
from taut.store import appointments as book_store
from taut.store import client_search, people
from taut.store.engine import Database


@dataclass(frozen=True)
class ClientPage:
    items: list[Client]
    total: int  # counted up to client_search.COUNT_CAP
    more: bool = False  # more than ``total`` match

    @property
    def last_id(self) -> int | None:
        """Where the next page starts (``after``)."""
        return self.items[-1].id if self.items else None


def register_client(db: Database, user: User, client: Client, *, sms_consent: bool = False) -> Client:
    """``sms_consent``: the client agrees to reminders by SMS to ``client.phone`` (which must take SMS)."""
    access.require(db, user, Permission.EDIT_CLIENTS, entity="client")
    if sms_consent:
        mobile_number(client.phone)
    with db.transaction() as conn:
        saved = people.add_client(conn, user.clinic_id, client)
        access.log(conn, user, "create", "client", saved.id, client_id=saved.id)
        if sms_consent:
            _set_sms_consent(conn, user, saved.id or 0, True)
    return saved


def get_client(db: Database, user: User, client_id: int) -> Client:
    access.require(db, user, Permission.READ_CLIENTS, entity="client", record_id=client_id)
    with access.audited_read(db, user, "read", "client", client_id, client_id=client_id) as (conn, _):
        return people.get_client(conn, user.clinic_id, client_id)


def update_client(
    db: Database, user: User, client: Client, *, expected_version: int, sms_consent: bool | None = None
) -> Client:
    """Save corrected details; StaleRecordError if someone else saved first. ``sms_consent``: the client's
    answer to reminders by SMS (None: unchanged); yes needs a ``phone`` that can take SMS."""
    assert client.id is not None, "update_client needs the client's id"
    access.require(db, user, Permission.EDIT_CLIENTS, entity="client", record_id=client.id)
    if sms_consent:
        mobile_number(client.phone)
    with db.transaction() as conn:
        saved = people.update_client(conn, user.clinic_id, client, expected_version)
        access.log(conn, user, "update", "client", client.id, client_id=client.id)
        if sms_consent is not None:
            _set_sms_consent(conn, user, client.id, sms_consent)
    return saved


def _set_sms_consent(conn: Connection, user: User, client_id: int, agreed: bool) -> None:
    """Keep the day the client agreed (the clinic's date); a withdrawal clears it. Audited when it changes."""
    before = book_store.sms_consent(conn, user.clinic_id, client_id)
    if agreed == (before is not None):
        return
    today = datetime.now(UTC).astimezone(book_store.clinic_zone(conn, user.clinic_id)).date()
    book_store.set_sms_consent(conn, user.clinic_id, client_id, today if agreed else None)
    detail = "agreed to SMS reminders" if agreed else "withdrew consent to SMS reminders"
    access.log(conn, user, "update", "client", client_id, client_id=client_id, detail=detail)


def sms_consent(db: Database, user: User, client_id: int) -> date | None:
    """The day the client agreed to reminders by SMS (None: no SMS)."""
    access.require(db, user, Permission.READ_CLIENTS, entity="client", record_id=client_id)
    with db.transaction() as conn:
        return book_store.sms_consent(conn, user.clinic_id, client_id)


def list_clients(
    db: Database,
    user: User,
    *,
    limit: int = 100,
    offset: int = 0,
    query: str | None = None,
    after: int | None = None,
) -> ClientPage:
    """A page of the clinic's clients; ``after`` (a client id from the last page) continues the list."""
    access.require(db, user, Permission.READ_CLIENTS, entity="client")
    with db.transaction() as conn:
        items, total, more = client_search.list_clients(
            conn, user.clinic_id, limit=limit, offset=offset, query=query, after=after
        )
        where = f"after {after}" if after is not None else f"offset {offset}"
        detail = f"{len(items)} of {total}{'+' if more else ''}, {where}"
        detail += f", search {query[:100]!r}" if query else ""
        access.log(conn, user, "list", "client", None, detail=detail)
    return ClientPage(items, total, more)
