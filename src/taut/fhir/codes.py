"""Code systems, codes and extension URLs of the FHIR R4 export, each with its source.

Sources: ``shared/reference/standards.md`` section 1 (FHIR mapping), which names where each code was verified
(HL7 implementation guides, published value sets). Only codes marked there as verified are used; concepts
without a verified standard code get a code of Taut's own code systems under ``BASE``. SNOMED CT codes are
shipped without SNOMED descriptions (section 1.12): the display texts here are Taut's own words.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from taut.anatomy.regions import Side
from taut.clinic.fields import CHECKIN_FIELDS, TRIGGER_POINT_SIGNS
from taut.clinic.rom import rom_norms

if TYPE_CHECKING:
    from taut.knowledge import KnowledgeBase

# The canonical base of Taut's own code systems, extensions and questionnaires. A domain of the example.org
# family (RFC 2606) so it never names somebody else's site; one constant to change before the first release.
BASE = "https://taut.example.org/fhir"


def _cs(name: str) -> str:
    return f"{BASE}/CodeSystem/{name}"


def choice_system(code: str) -> str:
    """The CodeSystem of a declared choice's codes (clinic/fields.py), named after the field's code."""
    return _cs(code)


def _ext(name: str) -> str:
    return f"{BASE}/StructureDefinition/{name}"


def questionnaire(name: str) -> str:
    """The canonical URL of one of Taut's forms (``intake``) or instruments (``ndi``, ...)."""
    return f"{BASE}/Questionnaire/{name}"


# --- external code systems (URIs as published by HL7: terminology.hl7.org and the FHIR core spec) ---
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
V3_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
DATA_ABSENT_REASON = "http://terminology.hl7.org/CodeSystem/data-absent-reason"

# Core extension "bodySite" (valueReference -> BodyStructure), context Element, so it may sit on any
# bodySite CodeableConcept (standards.md 1.1 and 1.4; hl7.org/fhir/R4/extension-bodysite.html).
EXT_BODY_SITE = "http://hl7.org/fhir/StructureDefinition/bodySite"

# --- Taut's own code systems ---
CS_TAUT = _cs("taut")  # concepts of the method that no standard codes: trigger-point exam, hold, check-in...
CS_REGION = _cs("body-region")  # Taut body-map region ids (anatomy/data/regions.yaml), e.g. head.temple
CS_TRIGGER_POINT = _cs("trigger-point")  # knowledge-base trigger point ids, e.g. upper_trapezius.trp1
CS_TECHNIQUE = _cs("technique")  # knowledge/data/techniques.yaml ids
CS_VOCABULARY = _cs("symptom-vocabulary")  # the symptom vocabulary's canonical terms
CS_ROM_MOVEMENT = _cs("rom-movement")  # clinic/data/rom_norms.yaml ids, e.g. cervical.rotation
CS_JOINT = _cs("joint")  # the joint or spine segment of a movement (the part before the dot)
CS_ONSET = _cs("onset")
CS_SCREEN_ANSWER = _cs("screen-answer")  # yes / no / unsure to a question of knowledge/data/screening.yaml
CS_TRP_STATUS = _cs("trigger-point-status")
CS_TEST_RESULT = _cs("test-result")
CS_RELIEF = _cs("relief")
CS_PRESSURE_CHANGE = _cs("pressure-change")
CS_INSTRUMENT = _cs("instrument")
CS_NOTE_KIND = _cs("note-kind")
CS_DECISION = _cs("screening-decision")
CS_RED_FLAG = _cs("red-flag")  # red-flag vocabulary terms and red-flag rule ids, as the decision names them

# --- Taut's own extensions, where FHIR R4 has no element for the fact ---
EXT_SESSION_NOTES = _ext("session-notes")  # Encounter: the therapist's notes of the session
EXT_SESSION_AFTERCARE = _ext("session-aftercare")  # Encounter: the aftercare advice given
EXT_SIGNED_AT = _ext("signed-at")  # DocumentReference: when the authenticator signed (R4 names only who)
EXT_REFERRED_TO = _ext("referred-to")  # DetectedIssue.mitigation: to whom the client was referred
EXT_CLEARED_BY = _ext("cleared-by")  # DetectedIssue.mitigation: the physician who cleared treatment
EXT_CLEARANCE_NOTE = _ext("clearance-note")  # DetectedIssue: the therapist's note on a medical clearance
# Consent: the consent the client signed by link (text version, signer, signature, SHA-256); the PDF itself is
# the Consent's sourceAttachment
EXT_SIGNED_CONSENT = _ext("signed-consent")
EXT_SOURCE_SYSTEM = _ext("source-system")  # Provenance: the system (clinic) a note was written and signed in
EXT_OCCUPATION = _ext("occupation")  # Patient: the client's occupation, as they say it (R4 Patient has none)
EXT_PRACTICE = _ext("practice")  # Patient.contact: the practice of the referring provider
V2_CONTACT_ROLE = "http://terminology.hl7.org/CodeSystem/v2-0131"  # Patient.contact.relationship

# --- Provenance of notes (HL7 terminology, R4) ---
PROVENANCE_PARTICIPANT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
SIGNATURE_TYPE = "urn:iso-astm:E1762-95:2013"  # ASTM E1762-95 signature types (the R4 value set)
AUTHOR_SIGNATURE = "1.2.840.10065.1.12.1.1"  # "Author's Signature"

# --- LOINC (standards.md 1.3, verified) ---
LOINC_PAIN_SEVERITY = "72514-3"  # Pain severity - 0-10 verbal numeric rating [Score] - Reported
LOINC_PROBLEM_QUALITY = "56823-8"  # Symptoms IG component "quality"
LOINC_CONSENT = "59284-0"  # Patient consent (R4 examples and profiles)

# --- SNOMED CT ---
SCT_MYOFASCIAL_PAIN = "726531007"  # Myofascial pain syndrome (standards.md 1.5, verified; NOT 24026003)
SCT_PHYSICAL_THERAPY = "91251008"  # Physical therapy procedure (standards.md 1.7, IPS free set)
# Laterality qualifiers: anatomy/data/crosswalk.yaml (standards.md 1.4, verified in several IGs).
SCT_RIGHT, SCT_LEFT, SCT_MEDIAN = "24028007", "7771000", "260528009"
LATERALITY_DISPLAY = {SCT_RIGHT: "Right", SCT_LEFT: "Left", SCT_MEDIAN: "Median"}

# Muscle body structures verified in DICOM CID 6116 as published in FHIR (standards.md 1.4). A muscle of the
# knowledge base that is a part of one of these gets the whole muscle's code (flagged broader).
MUSCLE_SNOMED: dict[str, tuple[str, bool]] = {
    "upper_trapezius": ("31764008", True),
    "middle_trapezius": ("31764008", True),
    "lower_trapezius": ("31764008", True),
    "sternocleidomastoid": ("22823000", False),
    "deltoid": ("35259002", False),
    "supraspinatus": ("6423006", False),
    "infraspinatus": ("72573008", False),
    "subscapularis": ("90588001", False),
    "teres_major": ("1193009", False),
    "teres_minor": ("51159009", False),
    "latissimus_dorsi": ("15665001", False),
    "pectoralis_major": ("60005003", False),
    "pectoralis_minor": ("18686000", False),
    "serratus_anterior": ("18346003", False),
    "iliocostalis_lumborum": ("57651003", True),
    "iliocostalis_thoracis": ("57651003", True),
    "longissimus_thoracis": ("88340001", True),
    "diaphragm": ("5798000", False),
}

# --- Taut concept codes (CS_TAUT) with their displays ---
TAUT_CODES = {
    "trigger-point": "Myofascial trigger point examination",
    **{f.fhir: f.fhir_display for f in TRIGGER_POINT_SIGNS},  # taut-band ... pressure-pain-threshold
    "range-of-motion": "Active range of motion",
    "posture-finding": "Posture finding",
    "gait-finding": "Gait finding",
    "entrapment-test": "Nerve or vessel entrapment test",
    "pain-before-treatment": "Pain before treatment 0-10",
    "pain-after-treatment": "Pain after treatment 0-10",
    "nmt-session": "Neuromuscular therapy session",
    "reassessment": "Reassessment",
    "self-care": "Self-care programme",
    "pressure-hold": "Pressure hold on a trigger point",
    "hold-number": "Hold number in the session",
    "hold-duration": "Hold duration",
    "pressure-level": "Applied pressure 1 light - 5 very deep",
    "discomfort": "Client's discomfort during the hold 0-10",
    "pressure-change": "Client asked for more or less pressure",
    "released": "Trigger point released",
    "check-in": "48-hour check-in after a session",
    **{f.fhir: f.fhir_display for f in CHECKIN_FIELDS},  # tenderness, relief
    "score-band": "Score band",
    "red-flag": "Red flag found at intake",
    "medical-clearance": "Medical clearance after a red-flag referral",
    "clinical-note": "Clinical note",
    "referring-provider": "Referring provider",  # Patient.contact.relationship of the client's referrer
}

TRP_STATUS_DISPLAY = {"active": "Active", "latent": "Latent", "resolved": "Resolved"}
TEST_RESULT_DISPLAY = {"positive": "Positive", "negative": "Negative", "equivocal": "Equivocal"}
ONSET_DISPLAY = {"sudden": "Sudden", "gradual": "Gradual", "unknown": "Unknown"}
SCREEN_ANSWER_DISPLAY = {"yes": "Yes", "no": "No", "unsure": "Unsure"}
PRESSURE_CHANGE_DISPLAY = {"up": "More pressure", "down": "Less pressure"}
DECISION_DISPLAY = {"referred": "Referred", "override": "Treated after a reasoned override"}
JOINT_DISPLAY = {
    "cervical": "Cervical spine",
    "lumbar": "Thoracolumbar spine",
    "shoulder": "Shoulder",
    "hip": "Hip",
}

# Plan status -> (CarePlan.status, ServiceRequest.status, CarePlan.activity.detail.status, Goal.lifecycleStatus)
PLAN_STATUS = {
    "active": ("active", "active", "in-progress", "active"),
    "completed": ("completed", "completed", "completed", "completed"),
    "discontinued": ("revoked", "revoked", "stopped", "cancelled"),
}
# Client.sex -> Patient.gender (administrative gender has no "intersex"; Taut has no "other").
GENDER = {"female": "female", "male": "male", "intersex": "other", "unknown": "unknown"}


def coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    c = {"system": system, "code": code}
    if display:
        c["display"] = display
    return c


def taut(code: str) -> dict[str, str]:
    """A coding of Taut's own concept code system."""
    return coding(CS_TAUT, code, TAUT_CODES[code])


def concept(*codings: dict[str, str], text: str | None = None) -> dict[str, object]:
    cc: dict[str, object] = {"coding": list(codings)}
    if text:
        cc["text"] = text
    return cc


def category(code: str) -> list[dict[str, object]]:
    """Observation.category from the HL7 observation-category code system (survey, exam, therapy)."""
    return [concept(coding(OBSERVATION_CATEGORY, code))]


def quantity(value: float, unit: str) -> dict[str, object]:
    """A UCUM quantity: ``{score}``, ``deg``, ``s`` or ``kPa`` (standards.md 1.3)."""
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def laterality_code(side: Side | None, *, midline: bool) -> str | None:
    """The SNOMED laterality qualifier of the patient's side; ``midline`` structures get Median."""
    if side is Side.RIGHT:
        return SCT_RIGHT
    if side is Side.LEFT:
        return SCT_LEFT
    return SCT_MEDIAN if midline else None


SIDE_OF_LATERALITY = {SCT_RIGHT: Side.RIGHT, SCT_LEFT: Side.LEFT, SCT_MEDIAN: None}


@cache
def _knowledge() -> KnowledgeBase:
    """The knowledge base, or what of it loads when it is incomplete (an export never fails for a name)."""
    from taut.knowledge import KnowledgeError, knowledge, load

    try:
        return knowledge()
    except KnowledgeError:
        return load(complete=False)


@cache
def muscle_names() -> dict[str, str]:
    """Muscle slug -> canonical name, for every muscle the catalogue knows."""
    from taut.knowledge import KnowledgeError, knowledge, load

    try:
        kb = knowledge()
    except KnowledgeError:
        kb = load(complete=False)
    names = {name.replace(" ", "_").replace("-", "_"): name for name in kb.canonical}
    names.update({m.slug: m.name for m in kb.muscles.values()})
    return names


@cache
def technique_names() -> dict[str, str]:
    from taut.knowledge import KnowledgeError, knowledge, load

    try:
        kb = knowledge()
    except KnowledgeError:
        kb = load(complete=False)
    return {t.id: t.name for t in kb.techniques.values()}


def trigger_point_display(trp_id: str) -> str:
    """ "upper_trapezius.trp1" -> "Upper trapezius TrP1, anterior (vertical) fibres" (``taut.clinic.naming``)."""
    from taut.clinic.naming import trigger_point_name

    return trigger_point_name(trp_id, _knowledge())


def movement_display(movement: str) -> str:
    return rom_norms()[movement].name
