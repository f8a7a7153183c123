"""Clinical notes: drafts until signed; a signed note never changes; corrections are dated amendments
that point to the original."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from taut.clinic import rules
from taut.clinic.errors import RecordValidationError, SignedRecordError

NOTE_KINDS = ("progress", "assessment", "discharge", "letter", "soap")


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
