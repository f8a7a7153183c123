"""A note as its page and the API show it: the records around it (services/note_records.py) with what
corrects what, and the staff's names."""

from __future__ import annotations

from dataclasses import dataclass, field

from taut.clinic.notes import Note
from taut.clinic.people import Client
from taut.clinic.sessions import TreatmentSession
from taut.services.note_records import NoteRecords


@dataclass(frozen=True)
class NoteView:
    client: Client
    note: Note
    chain: tuple[Note, ...]  # the first signed note, then each amendment after the note it corrects
    session: TreatmentSession | None
    staff: dict[int, str] = field(default_factory=dict)  # user id -> name

    @classmethod
    def of(cls, r: NoteRecords) -> NoteView:
        return cls(client=r.client, note=r.note, chain=r.chain, session=r.session, staff=r.staff)

    @property
    def amended_by(self) -> tuple[Note, ...]:
        """The amendments that correct this note directly."""
        return tuple(n for n in self.chain if n.amends_id == self.note.id)

    @property
    def amends(self) -> Note | None:
        return next((n for n in self.chain if n.id == self.note.amends_id), None)

    def name(self, user_id: int | None) -> str:
        if user_id is None:
            return ""
        return self.staff.get(user_id, f"user {user_id}")
