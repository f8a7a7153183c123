"""The clinic's letterhead and the practitioner's signature on every document (handout, progress letter,
aftercare page): name, address, phone, e-mail, website, tax number and logo from the clinic's profile; the
author's name with credentials, registration number and signature line. A demo clinic says it is a demo."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from taut.clinic.people import Clinic, User


@dataclass(frozen=True)
class Letterhead:
    name: str  # as shown: a demo clinic's name says "demo"
    address_lines: tuple[str, ...] = ()
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    tax_number: str | None = None
    logo: str | None = None  # a data: URI (documents fetch nothing else)
    demo: bool = False
    timezone: str = "UTC"

    @property
    def contact(self) -> str:
        """ "Tel. +44 20 7946 0000 · info@example.org · https://example.org" """
        parts = [f"Tel. {self.phone}" if self.phone else "", self.email or "", self.website or ""]
        return " · ".join(p for p in parts if p)


@dataclass(frozen=True)
class Signature:
    name: str  # "Dana Demo, LMT (reg. 12345)"
    line: str | None  # the practitioner's own signature line


def letterhead_of(clinic: Clinic, logo: tuple[bytes, str] | None = None) -> Letterhead:
    uri = None
    if logo is not None:
        data, media_type = logo
        uri = f"data:{media_type};base64,{base64.b64encode(data).decode()}"
    lines = tuple(x.strip() for x in (clinic.address or "").splitlines() if x.strip())
    return Letterhead(
        name=clinic.display_name,
        address_lines=lines,
        phone=clinic.phone,
        email=clinic.email,
        website=clinic.website,
        tax_number=clinic.tax_number,
        logo=uri,
        demo=clinic.demo,
        timezone=clinic.timezone,
    )


def signature_of(user: User) -> Signature:
    return Signature(user.signed_as, user.signature_line)
