"""Clients and their charts."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field, create_model

from taut.clinic.chart import Chart
from taut.clinic.fields import CLIENT_PEOPLE
from taut.clinic.people import Client, Consent
from taut.services import charts, clients
from taut.web.deps import DB, CurrentUser, check_csrf

router = APIRouter(tags=["clients"], dependencies=[Depends(check_csrf)])


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    treatment_on: date | None = None
    data_use_on: date | None = None


class ClientDetails(BaseModel):
    """The client's details; the record's people (occupation, emergency contact, referring provider) follow
    from their declaration (clinic/fields.py, CLIENT_PEOPLE). Without ``consent.treatment_on`` the client is
    registered as needing consent to treatment (``needs_treatment_consent`` in every answer)."""

    model_config = ConfigDict(extra="forbid")
    given_name: str = Field(max_length=100)
    family_name: str = Field(max_length=100)
    date_of_birth: date
    sex: str = Field(default="unknown", max_length=10)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=500)
    consent: ConsentIn = ConsentIn()
    needs_treatment_consent: bool | None = Field(
        default=None, description="read only (follows from consent.treatment_on); accepted and ignored"
    )

    def fields(self) -> dict[str, Any]:
        """The client's details as Client fields."""
        data = self.model_dump(exclude={"version", "needs_treatment_consent"})
        data["consent"] = Consent(**data["consent"])
        return data


def _people() -> dict[str, Any]:
    return {
        f.name: (
            str | None,
            Field(
                default=None,
                max_length=f.max_len,
                description=f"{f.group}: {f.label}" if f.group else f.label,
            ),
        )
        for f in CLIENT_PEOPLE
    }


if TYPE_CHECKING:
    ClientIn = ClientDetails
else:  # occupation, emergency_*, referrer_*: from clinic/fields.py
    ClientIn = create_model("ClientIn", __base__=ClientDetails, **_people())


class ClientUpdate(ClientIn):
    version: int


def client_json(c: Client) -> dict[str, Any]:
    """The client's fields, consent nested, without the time the record was made; ``needs_treatment_consent``
    when no consent to treatment is on record."""
    data = asdict(c)
    del data["created_at"]
    data["needs_treatment_consent"] = c.needs_treatment_consent
    return data


@router.get("/clients")
def list_clients(
    db: DB,
    user: CurrentUser,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    after: Annotated[int | None, Query(ge=1, le=2**62, description="continue after this client id")] = None,
) -> dict[str, Any]:
    """The clinic's clients by name. ``q`` finds names regardless of case and accents, e-mail addresses and
    phone numbers; ``total`` counts up to 1,000 (``more`` is true past that); pass the last item's id as
    ``after`` for the next page."""
    page = clients.list_clients(db, user, limit=limit, offset=offset, query=q, after=after)
    return {
        "total": page.total,
        "more": page.more,
        "next_after": page.last_id if len(page.items) == limit else None,
        "items": [client_json(c) for c in page.items],
    }


@router.post("/clients", status_code=201)
def create_client(body: ClientIn, db: DB, user: CurrentUser) -> dict[str, Any]:
    return client_json(clients.register_client(db, user, Client(**body.fields())))


@router.get("/clients/{client_id}")
def get_client(client_id: int, db: DB, user: CurrentUser) -> dict[str, Any]:
    return client_json(clients.get_client(db, user, client_id))


@router.put("/clients/{client_id}")
def update_client(client_id: int, body: ClientUpdate, db: DB, user: CurrentUser) -> dict[str, Any]:
    current = clients.get_client(db, user, client_id)
    saved = clients.update_client(db, user, replace(current, **body.fields()), expected_version=body.version)
    return client_json(saved)


@router.get("/clients/{client_id}/chart")
def get_chart(client_id: int, db: DB, user: CurrentUser) -> Chart:
    """The whole chart: intakes, assessments, plans, sessions with holds and check-ins, outcomes, notes."""
    return charts.load_chart(db, user, client_id)
