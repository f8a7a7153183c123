"""The clinical domain: clinics, users and roles, clients, intake, assessment, plans, sessions with every
hold, outcome measures and notes. Pure Python: no database, no web."""

from taut.clinic.assessment import Assessment, EntrapmentTest, RomMeasurement, TriggerPointFinding
from taut.clinic.catalogue import Catalogue, catalogue
from taut.clinic.chart import Chart, OutcomeEntry, SessionEntry
from taut.clinic.errors import (
    AccessDenied,
    AuthenticationError,
    ClinicError,
    NotFound,
    RecordValidationError,
    SignedRecordError,
    StaleRecordError,
)
from taut.clinic.intake import (
    Biochemical,
    Biomechanical,
    Factors,
    Intake,
    Psychosocial,
    ScreenAnswer,
    ScreeningAnswer,
)
from taut.clinic.notes import Note
from taut.clinic.outcomes import OutcomeMeasure, PsfsActivity
from taut.clinic.people import Client, Clinic, Consent, Permission, Role, User
from taut.clinic.plan import PlannedPoint, TreatmentPlan
from taut.clinic.sessions import CheckIn, Hold, TreatmentSession

__all__ = [
    "AccessDenied",
    "Assessment",
    "AuthenticationError",
    "Biochemical",
    "Biomechanical",
    "Catalogue",
    "Chart",
    "CheckIn",
    "Client",
    "Clinic",
    "ClinicError",
    "Consent",
    "EntrapmentTest",
    "Factors",
    "Hold",
    "Intake",
    "NotFound",
    "Note",
    "OutcomeEntry",
    "OutcomeMeasure",
    "Permission",
    "PlannedPoint",
    "PsfsActivity",
    "Psychosocial",
    "RecordValidationError",
    "Role",
    "RomMeasurement",
    "ScreenAnswer",
    "ScreeningAnswer",
    "SessionEntry",
    "SignedRecordError",
    "StaleRecordError",
    "TreatmentPlan",
    "TreatmentSession",
    "TriggerPointFinding",
    "User",
    "catalogue",
]
