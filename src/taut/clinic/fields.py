"""Records that describe themselves: the ordinary fields of a clinical record, each declared once.

A declaration says everything an adapter needs to handle the field without knowing it by name: the label a
person reads, its kind (a sign present or absent, a whole number, a decimal number, one of some choices), unit
and range, its code in Taut's FHIR CodeSystem and the words of the SOAP note. The store's columns and row
mapping, the JSON API schema, the examination form, the FHIR components, the SOAP note and the progress letter
all read the declaration, so adding a sign to a trigger-point finding is one declaration plus the attribute on
the record (and a migration for its column); ``tests/integration/test_record_fields.py`` fails when an adapter
misses a declared field. Fields with rules of their own (a trigger point's id and side, its status, which FHIR
carries as the Observation's value) stay bespoke in each adapter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from taut.clinic import rules
from taut.clinic.errors import RecordValidationError

Kind = Literal["flag", "whole", "number", "choice", "text"]
Shape = Literal["", "phone", "email"]


@dataclass(frozen=True, kw_only=True)
class RecordField:
    """One ordinary field of a record.

    ``flag`` is a sign found or not (never missing: False when not looked for); ``whole`` and ``number`` are
    measurements within ``low``-``high``, ``choice`` one of ``choices`` (code, label); a measurement or a choice
    is optional (None when not measured) unless ``required``; ``text`` is an optional line of at most ``max_len``
    characters (None when blank), of a ``shape`` when it has one (a phone number, an e-mail)."""

    name: str  # attribute of the record, column of its table, key of the JSON API
    label: str  # what a person reads: "Jump sign"
    kind: Kind
    fhir: str  # code in Taut's CodeSystem (fhir.codes.CS_TAUT)
    fhir_display: str  # that code's display in the CodeSystem
    soap: str  # SOAP wording: a flag's name ("jump sign" -> "jump sign +"), a value's format ("PPT {} kPa")
    unit: str = ""  # UCUM unit of a measured value ("kPa"); "" for a score or a sign
    low: float | None = None
    high: float | None = None
    header: str = ""  # column heading in the examination form when it differs from the label
    form: str = ""  # name in the examination form when it differs from ``name`` (kept for saved forms)
    letter: bool = False  # shown in the progress letter
    why_not_in_letter: str = ""  # a field left out of the letter says why
    max_len: int = 0  # the longest text a ``text`` field holds
    shape: Shape = ""  # what a ``text`` field must look like
    group: str = ""  # the part of a form (and of the record's page) a field stands in: "Emergency contact"
    required: bool = False  # a measurement or choice that is always given (never None)
    choices: tuple[tuple[str, str], ...] = ()  # a choice's (code, label) pairs, in the order offered
    width: int = 0  # a choice's column width in the store (room for codes to come)

    def __post_init__(self) -> None:
        if self.kind == "text" and self.max_len <= 0:
            raise ValueError(f"{self.name}: a text field needs its longest length")
        if self.kind in ("whole", "number") and (self.low is None or self.high is None):
            raise ValueError(f"{self.name}: a measured field needs a range")
        if self.kind == "choice" and (not self.choices or self.width < max(len(c) for c, _ in self.choices)):
            raise ValueError(f"{self.name}: a choice needs its choices and a column wide enough for them")
        if self.letter == bool(self.why_not_in_letter):
            raise ValueError(f"{self.name}: either shown in the progress letter or a reason why not")

    @property
    def form_key(self) -> str:
        return self.form or self.name

    @property
    def heading(self) -> str:
        return self.header or self.label

    def check(self, record: str, value: object) -> None:
        """Raise RecordValidationError naming ``record.name`` when ``value`` breaks the declaration."""
        where = f"{record}.{self.name}"
        if self.kind == "text":
            self.clean(record, value)
        elif self.kind == "flag":
            if not isinstance(value, bool):
                raise RecordValidationError(where, "must be true or false")
        elif value is None and not self.required:
            return
        elif self.kind == "choice":
            rules.one_of(where, value, self.codes)
        elif self.kind == "whole":
            assert self.low is not None and self.high is not None
            rules.whole_number(where, value, int(self.low), int(self.high))
        else:
            assert self.low is not None
            rules.number(where, value, self.low, self.high)

    def clean(self, record: str, value: object) -> str | None:
        """A ``text`` field's value as stored: trimmed, None when blank; RecordValidationError naming
        ``record.name`` when it is too long or not of its shape."""
        where = f"{record}.{self.name}"
        if value is None:
            return None
        v = rules.text(where, value, required=False, max_len=self.max_len).strip()
        if not v:
            return None
        if self.shape == "phone" and not rules.PHONE.fullmatch(v):
            raise RecordValidationError(where, "may hold only digits, spaces and + ( ) . / -")
        if self.shape == "email":
            v = v.lower()
            if not rules.EMAIL.fullmatch(v):
                raise RecordValidationError(
                    where, f"must be an e-mail address like name@example.org, not {value!r}"
                )
        return v

    @property
    def codes(self) -> tuple[str, ...]:
        """A choice's codes, in the order offered."""
        return tuple(code for code, _ in self.choices)

    def choice_label(self, code: str) -> str:
        """What a person reads for one of a choice's codes (the code itself when unknown)."""
        return dict(self.choices).get(code, code)

    def soap_words(self, value: object) -> str | None:
        """The SOAP note's words for ``value`` (None: a measurement not taken, left out of the note)."""
        if self.kind == "flag":
            return f"{self.soap} {'+' if value else '-'}"
        if value is None:
            return None
        return self.soap.format(_number(value) if isinstance(value, float) else value)


def _number(x: float) -> str:
    return f"{x:g}" if x == int(x) else f"{x:.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class RecordFields:
    """The declared ordinary fields of one kind of record, in the order every adapter lists them."""

    record: str  # the record's name in error messages: "finding"
    fields: tuple[RecordField, ...]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.fields)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def of_kind(self, *kinds: Kind) -> tuple[RecordField, ...]:
        return tuple(f for f in self.fields if f.kind in kinds)

    def check(self, record: object) -> None:
        for f in self.fields:
            f.check(self.record, getattr(record, f.name))

    def clean(self, record: object) -> None:
        """Normalise the declared ``text`` fields of a frozen ``record`` in place (from its ``__post_init__``)."""
        for f in self.of_kind("text"):
            object.__setattr__(record, f.name, f.clean(self.record, getattr(record, f.name)))

    def values(self, record: object) -> dict[str, object]:
        """The declared fields of ``record`` by name."""
        return {f.name: getattr(record, f.name) for f in self.fields}

    def soap_words(self, record: object) -> str:
        """The SOAP note's words for every field of ``record`` that has a value, in order: "tenderness 3/10,
        relief some"."""
        said = (f.soap_words(getattr(record, f.name)) for f in self.fields)
        return ", ".join(w for w in said if w)

    def __getitem__(self, name: str) -> RecordField:
        return next(f for f in self.fields if f.name == name)


_SIGN = "not in the progress letter, which summarises change in tenderness; the SOAP note lists every sign"

# Signs and measurements of a trigger-point finding: taut band, local twitch response, jump sign, referred pain
# reproduced, tenderness and the pressure-pain threshold by algometry (bibliography: simons1999, ch. 2).
TRIGGER_POINT_SIGNS = RecordFields(
    "finding",
    (
        RecordField(
            name="taut_band",
            label="Taut band",
            kind="flag",
            fhir="taut-band",
            fhir_display="Taut band palpable",
            soap="taut band",
            why_not_in_letter=_SIGN,
        ),
        RecordField(
            name="jump_sign",
            label="Jump sign",
            kind="flag",
            fhir="jump-sign",
            fhir_display="Jump sign",
            soap="jump sign",
            why_not_in_letter=_SIGN,
        ),
        RecordField(
            name="local_twitch",
            label="Local twitch",
            kind="flag",
            fhir="local-twitch",
            fhir_display="Local twitch response",
            soap="local twitch",
            why_not_in_letter=_SIGN,
        ),
        RecordField(
            name="referral_reproduced",
            label="Referral reproduced",
            kind="flag",
            fhir="referral-reproduced",
            fhir_display="Referred pain reproduced",
            soap="referral reproduced",
            why_not_in_letter=_SIGN,
        ),
        RecordField(
            name="tenderness",
            label="Tenderness",
            kind="whole",
            low=0,
            high=10,
            header="Tenderness 0-10",
            fhir="tenderness",
            fhir_display="Tenderness on palpation 0-10",
            soap="tenderness {}/10",
            letter=True,
        ),
        RecordField(
            name="ppt_kpa",
            label="Pressure-pain threshold",
            kind="number",
            unit="kPa",
            low=0,
            high=2000,
            header="PPT kPa",
            form="ppt",
            fhir="pressure-pain-threshold",
            fhir_display="Pressure-pain threshold",
            soap="PPT {} kPa",
            why_not_in_letter="not in the progress letter: algometer readings vary between devices; the SOAP note "
            "and the progress page show them",
        ),
    ),
)


_PEOPLE = "not in the progress letter, which is addressed to the referring provider by name"


def _person(
    name: str, label: str, group: str, fhir: str, max_len: int = 200, shape: Shape = ""
) -> RecordField:
    return RecordField(
        name=name,
        label=label,
        kind="text",
        max_len=max_len,
        shape=shape,
        group=group,
        fhir=fhir,
        fhir_display=f"{group}: {label.lower()}" if group else label,
        soap="",
        why_not_in_letter=_PEOPLE,
    )


# The record's people (issue 17.11): the client's occupation, whom to call in an emergency and who referred them.
# ``fhir`` names where FHIR carries each one (fhir/export.py): Patient.contact for the emergency contact, a
# Practitioner (with its PractitionerRole's organization) referenced as Patient.generalPractitioner for the
# referring provider, and Taut's extension for the occupation.
CLIENT_PEOPLE = RecordFields(
    "client",
    (
        _person("occupation", "Occupation", "", "Patient.extension:occupation"),
        _person("emergency_name", "Name", "Emergency contact", "Patient.contact.name"),
        _person("emergency_relation", "Relation", "Emergency contact", "Patient.contact.relationship", 100),
        _person("emergency_phone", "Phone", "Emergency contact", "Patient.contact.telecom", 40, "phone"),
        _person("referrer_name", "Name", "Referring provider", "Practitioner.name"),
        _person("referrer_practice", "Practice", "Referring provider", "Practitioner.qualification.issuer"),
        _person("referrer_address", "Address", "Referring provider", "Practitioner.address", 500),
        _person("referrer_phone", "Phone", "Referring provider", "Practitioner.telecom:phone", 40, "phone"),
        _person("referrer_email", "E-mail", "Referring provider", "Practitioner.telecom:email", 254, "email"),
    ),
)

# The 48-hour check-in after a session: how tender the treated muscles are and how much relief the client feels
# (tenderness is normal for up to 48 hours). The client's questions are free text and stay
# bespoke: FHIR carries them as the Observation's note, the SOAP note quotes them after the declared fields.
RELIEF_CHOICES = (
    ("worse", "Worse than before"),
    ("none", "No relief"),
    ("some", "Some relief"),
    ("much", "Much better"),
    ("complete", "Pain gone"),
)
CHECKIN_FIELDS = RecordFields(
    "checkin",
    (
        RecordField(
            name="tenderness",
            label="Tenderness",
            kind="whole",
            required=True,
            low=0,
            high=10,
            fhir="tenderness",
            fhir_display="Tenderness on palpation 0-10",
            soap="tenderness {}/10",
            letter=True,
        ),
        RecordField(
            name="relief",
            label="Relief",
            kind="choice",
            required=True,
            choices=RELIEF_CHOICES,
            width=10,
            fhir="relief",
            fhir_display="Relief since the session",
            soap="relief {}",
            letter=True,
        ),
    ),
)
