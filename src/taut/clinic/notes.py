"""Clinical notes: drafts until signed; a signed note never changes; corrections are dated amendments
that point to the original."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from taut.clinic import rules
from taut.clinic.errors import RecordValidationError, SignedRecordError

NOTE_KINDS = ("progress", "assessment", "discharge", "letter", "soap")


@dataclass(frozen=True, kw_only=True)
class Person:
    """Someone named by a record that came from another system: never a user of this clinic."""

    name: str
    identifier: str | None = None  # "system|value" as the other system identifies them (or "mailto:...")

    def __post_init__(self) -> None:
        rules.text("person.name", self.name, max_len=200)
        if self.identifier is not None:
            rules.text("person.identifier", self.identifier, max_len=500)


@dataclass(frozen=True, kw_only=True)
class NoteProvenance:
    """Where an imported note comes from: the system it was written and signed in, by whom (as that system
    names them), and who imported it here and when. The note's own ``author_id`` is then the user who
    imported it (who entered it into this clinic) and its ``signed_by`` is empty: no user of this clinic
    signed it. ``imported_by``/``imported_at`` are empty only while a note is on its way in (a reader's)."""

    system: str
    author: Person
    signer: Person | None = None
    imported_by: int | None = None
    imported_at: datetime | None = None

    def __post_init__(self) -> None:
        rules.text("note.provenance.system", self.system, max_len=300)
        if self.imported_at is not None:
            rules.aware("note.provenance.imported_at", self.imported_at)

    def as_json(self) -> dict[str, object]:
        def person(p: Person | None) -> dict[str, object] | None:
            return None if p is None else {"name": p.name, "identifier": p.identifier}

        return {
            "system": self.system,
            "author": person(self.author),
            "signer": person(self.signer),
            "imported_by": self.imported_by,
            "imported_at": None if self.imported_at is None else self.imported_at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NoteProvenance:
        signer = data.get("signer")
        at = data.get("imported_at")
        return cls(
            system=data["system"],
            author=Person(**data["author"]),
            signer=None if signer is None else Person(**signer),
            imported_by=data.get("imported_by"),
            imported_at=None if at is None else datetime.fromisoformat(at),
        )


@dataclass(frozen=True, kw_only=True)
class Note:
    id: int | None = None
    kind: str
    body: str
    author_id: int
    session_id: int | None = None
    written_at: datetime
    signed_at: datetime | None = None
    signed_by: int | None = None
    amends_id: int | None = None  # the signed note this amendment corrects
    version: int = 1
    provenance: NoteProvenance | None = None  # an imported note: who wrote and signed it, where

    def __post_init__(self) -> None:
        rules.one_of("note.kind", self.kind, NOTE_KINDS)
        rules.text("note.body", self.body, max_len=50_000)
        rules.aware("note.written_at", self.written_at)
        if self.signed_at is not None:
            rules.aware("note.signed_at", self.signed_at)

    @property
    def signed(self) -> bool:
        return self.signed_at is not None

    def edited(self, body: str) -> Note:
        if self.signed:
            raise SignedRecordError(
                f"note {self.id} was signed on {self.signed_at:%Y-%m-%d} and never changes; write an amendment"
            )
        return replace(self, body=body)

    def signed_now(self, *, by: int, at: datetime) -> Note:
        if self.signed:
            raise SignedRecordError(f"note {self.id} is already signed")
        rules.aware("note.signed_at", at)
        return replace(self, signed_at=at, signed_by=by)

    def amendment(self, *, body: str, author_id: int, at: datetime) -> Note:
        """A new draft note that corrects this signed one."""
        if not self.signed:
            raise RecordValidationError(
                "note.amends_id", "only a signed note is amended; edit the draft instead"
            )
        return Note(
            kind=self.kind,
            body=body,
            author_id=author_id,
            session_id=self.session_id,
            written_at=at,
            amends_id=self.id,
        )


def amendment_chain(note: Note, notes: list[Note]) -> tuple[Note, ...]:
    """The note's whole chain: from the signed note at its start, each note followed by its amendments (in
    the order written), depth first. A note that is neither amended nor an amendment is a chain of one."""
    by_id = {n.id: n for n in notes}
    by_id[note.id] = note
    root = note
    seen = {root.id}
    while root.amends_id is not None and root.amends_id in by_id and root.amends_id not in seen:
        root = by_id[root.amends_id]
        seen.add(root.id)
    children: dict[int | None, list[Note]] = {}
    for n in sorted(by_id.values(), key=lambda n: (n.written_at, n.id or 0)):
        if n.amends_id is not None:
            children.setdefault(n.amends_id, []).append(n)
    out: list[Note] = []
    done: set[int | None] = set()
    stack = [root]
    while stack:
        n = stack.pop()
        if n.id in done:
            continue
        done.add(n.id)
        out.append(n)
        stack.extend(reversed(children.get(n.id, [])))
    return tuple(out)
