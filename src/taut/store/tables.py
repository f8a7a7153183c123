"""The tables. Every clinical table carries ``clinic_id`` (the tenant key) and points at its client through
(clinic_id, client_id), so a record can never hang under another clinic's client. Editable records carry a
``version`` for optimistic locking. Timestamps are UTC."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    FromClause,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    literal_column,
    true,
)

from taut.clinic.fields import CHECKIN_FIELDS, CLIENT_PEOPLE, TRIGGER_POINT_SIGNS
from taut.store import declared
from taut.store.ids import NextId
from taut.store.types import Id, Json, UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _id() -> Column:  # type: ignore[type-arg]
    """The key of an install-wide table (not a clinic's): ``id`` alone, numbered by the database."""
    return Column("id", Id, primary_key=True, autoincrement=True)


def _clinic() -> Column:  # type: ignore[type-arg]
    return Column("clinic_id", Id, ForeignKey("clinics.id"), nullable=False)


# --- the pattern of a clinic table (docs/scaling.md, "Distributing by clinic") ---------------------------------
# Ready for Citus to distribute by ``clinic_id``: the primary key, every unique constraint or index and every
# foreign key include ``clinic_id`` (tests/unit/test_clinic_keys.py walks this metadata and asserts it). A new
# clinic table starts with ``*keyed("name")``, points at its client with ``*_of_client("name")``, at other
# records of the clinic with ``*_ref(...)``, at users with ``*_user(...)``, and puts ``clinic_id`` in every
# unique constraint.


def keyed(table: str) -> tuple[Column, Column, PrimaryKeyConstraint]:  # type: ignore[type-arg]
    """The key of a clinic table: ``id`` (unique in the table, numbered by store.ids.NextId) and ``clinic_id``,
    primary key ``(id, clinic_id)``. ``id`` comes first so that the key's index also finds a row, and SQLite's
    next id, by ``id`` alone; foreign keys name the columns as ``(clinic_id, id)``, which the same key serves."""
    return (
        Column("id", Id, nullable=False, default=NextId(table)),
        _clinic(),
        PrimaryKeyConstraint("id", "clinic_id"),
    )


def _of_client(table: str) -> tuple[Column, ForeignKeyConstraint, Index]:  # type: ignore[type-arg]
    """The client column, its tenant-safe foreign key and the index every chart query uses."""
    return (
        Column("client_id", Id, nullable=False),
        ForeignKeyConstraint(["clinic_id", "client_id"], ["clients.clinic_id", "clients.id"]),
        Index(f"ix_{table}_clinic_client", "clinic_id", "client_id"),
    )


taut_meta = Table(
    "taut_meta",
    metadata,
    Column("key", String(50), primary_key=True),
    Column("value", String(200), nullable=False),
)

clinics = Table(
    "clinics",
    metadata,
    _id(),
    Column("name", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # The clinic's profile (migration 0004): printed on every document; times shown in ``timezone``.
    Column("timezone", String(64), nullable=False, server_default="UTC"),
    Column("address", String(500)),
    Column("phone", String(40)),
    Column("email", String(254)),
    Column("website", String(200)),
    Column("date_format", String(3), nullable=False, server_default="ymd"),
    Column("locale", String(10), nullable=False, server_default="en-GB"),
    Column("currency", String(3), nullable=False, server_default="EUR"),
    Column("tax_number", String(60)),
    Column("logo", Text),  # base64 of the PNG or JPEG (text, so the clinic archive carries it)
    Column("logo_type", String(20)),
    Column("demo", Boolean, nullable=False, server_default=false()),
    Column("idle_minutes", Integer, nullable=False, server_default="30"),
    Column("require_totp", Boolean, nullable=False, server_default=false()),
    Column("supervisor_role", String(20)),
)

users = Table(
    "users",
    metadata,
    *keyed("users"),
    # Unique within a clinic (0004): adding a colleague never reveals an address used in another clinic.
    Column("email", String(254), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False, default=1),
    # The practitioner profile and the account's security (0004).
    Column("credentials", String(100)),
    Column("registration_number", String(60)),
    Column("signature_line", String(200)),
    Column("must_change_password", Boolean, nullable=False, server_default=false()),
    Column("password_changed_at", UTCDateTime),
    Column("totp_secret", String(64)),
    UniqueConstraint("clinic_id", "id"),
    UniqueConstraint("clinic_id", "email"),
)

clients = Table(
    "clients",
    metadata,
    *keyed("clients"),
    Column("given_name", String(100), nullable=False),
    Column("family_name", String(100), nullable=False),
    Column("date_of_birth", Date, nullable=False),
    Column("sex", String(10), nullable=False),
    Column("email", String(254)),
    Column("phone", String(40)),
    Column("address", String(500)),
    Column("consent_treatment_on", Date),
    Column("consent_data_use_on", Date),
    *declared.columns(
        CLIENT_PEOPLE
    ),  # occupation, emergency contact, referring provider: see clinic/fields.py
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False, default=1),
    # 0020: the client asked for no check-ins or questionnaires sent by themselves
    Column("follow_up_opt_out", Boolean, nullable=False, server_default=false()),
    # 0022: the day the client agreed to reminders by SMS to ``phone``; empty: no SMS
    Column("sms_consent_on", Date),
    UniqueConstraint("clinic_id", "id"),
    Index("ix_clients_clinic_name", "clinic_id", "family_name", "given_name"),
)


# The words each client is found under (taut.clinic.search), maintained by store.people with the client. Binary
# order (COLLATE "C" on PostgreSQL) so that a prefix is a range scan of the index; the client's names ride along
# (the list's order), so a search reads this index alone and then only the page's clients.
client_search_words = Table(
    "client_search_words",
    metadata,
    Column("clinic_id", Id, ForeignKey("clinics.id"), primary_key=True),
    Column("word", String(60).with_variant(String(60, collation="C"), "postgresql"), primary_key=True),
    Column("client_id", Id, primary_key=True),
    Column("family_name", String(100), nullable=False),
    Column("given_name", String(100), nullable=False),
    ForeignKeyConstraint(["clinic_id", "client_id"], ["clients.clinic_id", "clients.id"], ondelete="CASCADE"),
    # 0021: a client's words, so that the search asks "has this client a word starting with ..." in one seek
    Index("ix_client_search_words_clinic_client_word", "clinic_id", "client_id", "word"),
    Index("ix_client_search_words_covering", "clinic_id", "word", "family_name", "given_name", "client_id"),
)


def word_initial(t: FromClause) -> ColumnElement[str]:
    """The first character of the word of search words table ``t`` (or an alias of it), written as the index
    below has it: with the numbers in the SQL, not bound (both databases match an index's expression as written)."""
    return func.substr(t.c.word, literal_column("1"), literal_column("1"))


# 0023: a one-letter search reads its clients in name order, already sorted, and stops after the page (word is
# the last column so that PostgreSQL can read the index alone: its planner does not see that only the
# expression of it is used)
Index(
    "ix_client_search_words_initial",
    client_search_words.c.clinic_id,
    word_initial(client_search_words),
    client_search_words.c.family_name,
    client_search_words.c.given_name,
    client_search_words.c.client_id,
    client_search_words.c.word,
)


def _ref(table: str, column: str, nullable: bool = False) -> tuple[Column, ForeignKeyConstraint]:  # type: ignore[type-arg]
    """A reference to another clinical record of the same clinic."""
    return (
        Column(column, Id, nullable=nullable),
        ForeignKeyConstraint(["clinic_id", column], [f"{table}.clinic_id", f"{table}.id"]),
    )


def _user(name: str, nullable: bool = False) -> tuple[Column, ForeignKeyConstraint]:  # type: ignore[type-arg]
    """A user of the same clinic (the key ``(clinic_id, name)`` of ``users``: never a user of another clinic)."""
    return (
        Column(name, Id, nullable=nullable),
        ForeignKeyConstraint(["clinic_id", name], ["users.clinic_id", "users.id"]),
    )


intakes = Table(
    "intakes",
    metadata,
    *keyed("intakes"),
    *_of_client("intakes"),
    Column("recorded_on", Date, nullable=False),
    *_user("recorded_by"),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("pain_drawing", Json, nullable=False),
    Column("chief_complaint", Text, nullable=False),
    Column("onset", String(10), nullable=False),
    Column("began_on", Date),
    Column("duration_weeks", Integer),
    Column("mechanisms", Json, nullable=False),
    Column("aggravators", Json, nullable=False),
    Column("symptoms", Json, nullable=False),
    Column("history", Text, nullable=False),
    Column("medications", Json, nullable=False),
    Column("screening", Json, nullable=False),
    Column("factors", Json, nullable=False),
    Column("duration_days", Integer),
    Column("answers", Json, nullable=False, server_default="[]"),  # the structured safety screen
    Column("version", Integer, nullable=False, default=1, server_default="1"),  # one more per amendment
    UniqueConstraint("clinic_id", "id"),
)

assessments = Table(
    "assessments",
    metadata,
    *keyed("assessments"),
    *_of_client("assessments"),
    Column("assessed_on", Date, nullable=False),
    *_user("recorded_by"),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("posture", Json, nullable=False),
    Column("gait", Json, nullable=False),
    Column("entrapment_tests", Json, nullable=False),
    Column("summary", Text, nullable=False),
    Column("version", Integer, nullable=False, default=1, server_default="1"),  # one more per amendment
    UniqueConstraint("clinic_id", "id"),
)

# The history of amended intakes and examinations (issue 17.7): each amendment keeps the version it replaced,
# whole (the record as its JSON), with who amended it, when and why. The record's row holds the latest version.
record_amendments = Table(
    "record_amendments",
    metadata,
    *keyed("record_amendments"),
    *_of_client("record_amendments"),
    Column("entity", String(12), nullable=False),  # "intake" or "assessment"
    Column("record_id", Id, nullable=False),
    Column("version", Integer, nullable=False),  # the version this amendment replaced
    Column("previous", Json, nullable=False),  # that version, whole
    *_user("amended_by"),
    Column("amended_at", UTCDateTime, nullable=False),
    Column("reason", Text, nullable=False),
    UniqueConstraint("clinic_id", "id"),
    UniqueConstraint("clinic_id", "entity", "record_id", "version"),
)

trp_findings = Table(
    "trp_findings",
    metadata,
    *keyed("trp_findings"),
    *_of_client("trp_findings"),
    *_ref("assessments", "assessment_id"),
    Column("position", SmallInteger, nullable=False),
    Column("trp_id", String(80), nullable=False),
    Column("side", String(5)),
    Column("status", String(10), nullable=False),
    *declared.columns(TRIGGER_POINT_SIGNS),  # taut_band ... ppt_kpa: see clinic/fields.py
)

rom_measurements = Table(
    "rom_measurements",
    metadata,
    *keyed("rom_measurements"),
    *_of_client("rom_measurements"),
    *_ref("assessments", "assessment_id"),
    Column("position", SmallInteger, nullable=False),
    Column("movement", String(40), nullable=False),
    Column("side", String(5)),
    Column("degrees", SmallInteger, nullable=False),
    Column("normal_degrees", SmallInteger, nullable=False),
    Column("normal_source", String(300), nullable=False),
)

plans = Table(
    "plans",
    metadata,
    *keyed("plans"),
    *_of_client("plans"),
    Column("starts_on", Date, nullable=False),
    Column("goals", Json, nullable=False),
    Column("sessions_planned", SmallInteger, nullable=False),
    Column("interval_days", SmallInteger, nullable=False),
    Column("points", Json, nullable=False),
    Column("reassess_on", Json, nullable=False),
    Column("self_care", Text, nullable=False),
    Column("status", String(15), nullable=False),
    *_user("created_by"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False, default=1),
    UniqueConstraint("clinic_id", "id"),
)

treatment_sessions = Table(
    "treatment_sessions",
    metadata,
    *keyed("treatment_sessions"),
    *_of_client("treatment_sessions"),
    *_ref("plans", "plan_id", nullable=True),
    Column("occurred_at", UTCDateTime, nullable=False),
    *_user("practitioner_id"),
    Column("pain_before", SmallInteger, nullable=False),
    Column("pain_after", SmallInteger),
    Column("notes", Text, nullable=False),
    Column("aftercare", Text, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    # "open" while the session conductor runs (holds are added one by one), "finished" once closed.
    Column("status", String(10), nullable=False, server_default="finished"),
    Column("ended_at", UTCDateTime),
    UniqueConstraint("clinic_id", "id"),
)

_hold_client, _hold_client_fk, _ = _of_client("holds")

holds = Table(
    "holds",
    metadata,
    *keyed("holds"),
    _hold_client,
    _hold_client_fk,
    *_ref("treatment_sessions", "session_id"),
    Column("position", SmallInteger, nullable=False),
    Column("trp_id", String(80), nullable=False),
    Column("side", String(5)),
    Column("technique", String(40), nullable=False),
    Column("pressure", SmallInteger, nullable=False),
    Column("seconds", SmallInteger, nullable=False),
    Column("discomfort", SmallInteger, nullable=False),
    Column("pressure_change", String(4)),
    Column("released", Boolean, nullable=False),
    # The client-generated UUID of the hold (the conductor's queue sends it): a retry is stored once.
    Column("key", String(36)),
    # Every per-session read and the next position come from this index; positions are distinct and in order.
    Index("ix_holds_clinic_session_position", "clinic_id", "session_id", "position", unique=True),
    Index("ix_holds_clinic_session_key", "clinic_id", "session_id", "key", unique=True),
    # The chart reads a client's holds in session and position order straight from this index.
    Index("ix_holds_clinic_client", "clinic_id", "client_id", "session_id", "position"),
)

checkins = Table(
    "checkins",
    metadata,
    *keyed("checkins"),
    *_of_client("checkins"),
    *_ref("treatment_sessions", "session_id"),
    UniqueConstraint("clinic_id", "session_id"),
    Column("recorded_at", UTCDateTime, nullable=False),
    *_user("recorded_by"),
    *declared.columns(CHECKIN_FIELDS),  # tenderness, relief
    Column("questions", Text, nullable=False),
)

outcome_measures = Table(
    "outcome_measures",
    metadata,
    *keyed("outcome_measures"),
    *_of_client("outcome_measures"),
    Column("instrument", String(10), nullable=False),
    Column("taken_on", Date, nullable=False),
    Column("items", Json, nullable=False),
    Column("activities", Json, nullable=False),
    Column("score", Float, nullable=False),
    Column("band", String(20)),
    Column("scoring_version", SmallInteger, nullable=False),
    *_user("recorded_by"),
    Column("recorded_at", UTCDateTime, nullable=False),
)

notes = Table(
    "notes",
    metadata,
    *keyed("notes"),
    *_of_client("notes"),
    *_ref("treatment_sessions", "session_id", nullable=True),
    Column("kind", String(15), nullable=False),
    Column("body", Text, nullable=False),
    *_user("author_id"),
    Column("written_at", UTCDateTime, nullable=False),
    Column("signed_at", UTCDateTime),
    *_user("signed_by", nullable=True),
    *_ref("notes", "amends_id", nullable=True),
    Column("version", Integer, nullable=False, default=1),
    # An imported note: who wrote and signed it in which system, who imported it and when (never a local user).
    Column("provenance", Json),
    UniqueConstraint("clinic_id", "id"),
)

screening_decisions = Table(
    "screening_decisions",
    metadata,
    *keyed("screening_decisions"),
    *_of_client("screening_decisions"),
    *_ref("intakes", "intake_id"),
    Column("decision", String(10), nullable=False),  # referred / override
    Column("referred_to", String(200), nullable=False),
    Column("reason", Text, nullable=False),
    Column("flags", Json, nullable=False),  # the red flags the decision answers
    *_user("decided_by"),
    Column("decided_at", UTCDateTime, nullable=False),
    Index("ix_screening_decisions_clinic_intake", "clinic_id", "intake_id"),
)

medical_clearances = Table(
    "medical_clearances",
    metadata,
    *keyed("medical_clearances"),
    *_of_client("medical_clearances"),
    *_ref("intakes", "intake_id"),
    Column("flags", Json, nullable=False),  # the referred red flags it clears
    Column("cleared_by", String(200), nullable=False),  # the physician
    Column("cleared_on", Date, nullable=False),
    Column("scope", Text, nullable=False),  # what for
    Column("note", Text, nullable=False),
    *_user("recorded_by"),
    Column("recorded_at", UTCDateTime, nullable=False),
)

# Install-wide, not a clinic table: a row may belong to no clinic (a throttled sign-in of an unknown address),
# so ``clinic_id`` may be empty and the key is ``id`` alone; on Citus it stays on the coordinator (scaling.md).
audit_log = Table(
    "audit_log",
    metadata,
    _id(),
    Column("clinic_id", Id, ForeignKey("clinics.id")),
    *_user("user_id", nullable=True),
    Column("at", UTCDateTime, nullable=False),
    Column("action", String(20), nullable=False),  # read, create, update, sign, amend, list, login, denied
    Column("entity", String(30), nullable=False),  # client, chart, intake, note, ...
    Column("record_id", Id),
    Column("client_id", Id),
    Column("detail", String(500)),
    Index("ix_audit_log_clinic_at", "clinic_id", "at"),
    Index("ix_audit_log_clinic_client", "clinic_id", "client_id"),
)

# --- the appointment book (docs/appointments.md) ---------------------------------------------------------------

booking_settings = Table(
    "booking_settings",
    metadata,
    Column("clinic_id", Id, ForeignKey("clinics.id"), primary_key=True),
    Column("cancel_window_hours", SmallInteger, nullable=False),
    Column("reminder_hours", Json, nullable=False),
    Column("slot_minutes", SmallInteger, nullable=False),
    # The receipts' address, currency and tax number are the clinic profile's (clinics; 0017), not a copy here.
    Column("tax_name", String(40), nullable=False),
    Column("tax_basis_points", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    # 0022: reminders also go by SMS to the clients who agreed (when the server has TAUT_SMS_URL)
    Column("sms_reminders", Boolean, nullable=False, server_default=false()),
)

practitioner_profiles = Table(
    "practitioner_profiles",
    metadata,
    Column("user_id", Id, nullable=False),
    _clinic(),
    PrimaryKeyConstraint("user_id", "clinic_id"),
    ForeignKeyConstraint(["clinic_id", "user_id"], ["users.clinic_id", "users.id"]),
    # Credentials and registration number are the user's (users; 0017), not a copy here.
    Column("bookable", Boolean, nullable=False),
    # The secret of the practitioner's calendar feed (renewing it makes the old URL stop working).
    # Found by the token alone (the feed's URL); unique with the clinic, first so the index finds it.
    Column("feed_token", String(64)),
    UniqueConstraint("feed_token", "clinic_id"),
)

rooms = Table(
    "rooms",
    metadata,
    *keyed("rooms"),
    Column("name", String(100), nullable=False),
    Column("active", Boolean, nullable=False),
    UniqueConstraint("clinic_id", "id"),
)

appointment_types = Table(
    "appointment_types",
    metadata,
    *keyed("appointment_types"),
    Column("name", String(100), nullable=False),
    Column("minutes", SmallInteger, nullable=False),
    Column("buffer_minutes", SmallInteger, nullable=False),
    Column("price_cents", Integer, nullable=False),
    Column("colour", String(7), nullable=False),
    Column("active", Boolean, nullable=False),
    UniqueConstraint("clinic_id", "id"),
)

working_hours = Table(
    "working_hours",
    metadata,
    *keyed("working_hours"),
    *_user("practitioner_id"),
    Column("weekday", SmallInteger, nullable=False),
    Column("start_minute", SmallInteger, nullable=False),
    Column("end_minute", SmallInteger, nullable=False),
    Index("ix_working_hours_practitioner", "practitioner_id"),
)

schedule_exceptions = Table(
    "schedule_exceptions",
    metadata,
    *keyed("schedule_exceptions"),
    *_user("practitioner_id"),
    Column("day", Date, nullable=False),
    Column("kind", String(5), nullable=False),  # off / extra
    Column("start_minute", SmallInteger),
    Column("end_minute", SmallInteger),
    Column("note", String(200), nullable=False),
    Index("ix_schedule_exceptions_practitioner_day", "practitioner_id", "day"),
)

# No two blocking appointments of one practitioner (or one room) overlap: on PostgreSQL an exclusion
# constraint (btree_gist), on SQLite triggers; both are created by migration 0007.
appointments = Table(
    "appointments",
    metadata,
    *keyed("appointments"),
    *_of_client("appointments"),
    *_user("practitioner_id"),
    *_ref("appointment_types", "type_id"),
    *_ref("rooms", "room_id", nullable=True),
    *_ref("plans", "plan_id", nullable=True),
    *_ref("treatment_sessions", "session_id", nullable=True),
    Column("series_id", String(32)),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("blocks_until", UTCDateTime, nullable=False),
    Column("status", String(15), nullable=False),
    Column("price_cents", Integer, nullable=False),
    Column("note", Text, nullable=False),
    Column("cancel_reason", String(500), nullable=False),
    Column("cancelled_at", UTCDateTime),
    Column("confirmed_at", UTCDateTime),
    *_user("booked_by"),
    Column("booked_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False, default=1),
    UniqueConstraint("clinic_id", "id"),
    Index("ix_appointments_clinic_starts", "clinic_id", "starts_at"),
    Index("ix_appointments_practitioner_starts", "practitioner_id", "starts_at"),
)

payments = Table(
    "payments",
    metadata,
    *keyed("payments"),
    *_of_client("payments"),
    *_ref("appointments", "appointment_id"),
    Column("amount_cents", Integer, nullable=False),
    Column("method", String(10), nullable=False),
    Column("paid_on", Date, nullable=False),
    Column("reference", String(100), nullable=False),
    *_user("taken_by"),
    Column("taken_at", UTCDateTime, nullable=False),
    # Where a card processor (Stripe, Square) will keep its charge id; Taut processes no card itself.
    Column("processor", String(20)),
    Column("processor_ref", String(100)),
    Index("ix_payments_clinic_paid_on", "clinic_id", "paid_on"),
    Index("ix_payments_appointment", "appointment_id"),
)

waitlist = Table(
    "waitlist",
    metadata,
    *keyed("waitlist"),
    *_of_client("waitlist"),
    *_ref("appointment_types", "type_id"),
    *_user("practitioner_id", nullable=True),
    Column("from_day", Date, nullable=False),
    Column("to_day", Date, nullable=False),
    Column("note", String(500), nullable=False),
    Column("status", String(10), nullable=False),
    Column("offered_start", UTCDateTime),
    *_user("offered_practitioner_id", nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

reminders_sent = Table(
    "reminders_sent",
    metadata,
    *keyed("reminders_sent"),
    *_ref("appointments", "appointment_id"),
    Column("hours_before", SmallInteger, nullable=False),
    Column("queued_at", UTCDateTime, nullable=False),
    UniqueConstraint("clinic_id", "appointment_id", "hours_before"),
)

# Signed-in sessions (0004): the cookie carries a random token, the table its SHA-256, so a session ends at
# once on every server process when the row is ended (sign-out, deactivation, password change).
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", String(64), nullable=False),  # sha256 hex of the cookie's token
    _clinic(),
    PrimaryKeyConstraint("id", "clinic_id"),  # found by the token alone: ``id`` first
    *_user("user_id"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),  # the absolute lifetime
    Column("ended_at", UTCDateTime),
    Column("ended_why", String(30)),
    Column("address", String(64)),
    Column("user_agent", String(200)),
    Index("ix_web_sessions_user", "user_id", "ended_at"),
)

# Failed sign-ins per account ("email:...") and per client address ("addr:..."), shared by every process.
login_throttle = Table(
    "login_throttle",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", UTCDateTime, nullable=False),
    Column("locked_until", UTCDateTime),
)

# One-time recovery codes for two-factor sign-in (argon2 hashes); used_at set when spent.
recovery_codes = Table(
    "recovery_codes",
    metadata,
    *keyed("recovery_codes"),
    *_user("user_id"),
    Column("code_hash", String(200), nullable=False),
    Column("used_at", UTCDateTime),
)

CLINICAL_TABLES = (
    intakes,
    assessments,
    trp_findings,
    rom_measurements,
    plans,
    treatment_sessions,
    holds,
    checkins,
    outcome_measures,
    notes,
    record_amendments,
)

# The outgoing e-mail queue (transactional outbox): a message is queued in the transaction of the change that
# causes it and delivered after commit by services.mail. ``clinic_id`` is empty for messages of the install
# itself (``taut mail test``): an install-wide table with the key ``id`` alone, like ``audit_log``.
mail_outbox = Table(
    "mail_outbox",
    metadata,
    _id(),
    Column("clinic_id", Id, ForeignKey("clinics.id")),
    Column("to_addr", String(254), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("message", Text, nullable=False),  # the MIME message without From (added when sent)
    Column("status", String(10), nullable=False),  # queued, sending, sent, failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("claimed_by", String(100)),
    Column("claimed_at", UTCDateTime),
    Column("sent_at", UTCDateTime),
    Column("last_error", String(500)),
    # 0022: "email" (``to_addr`` an address, ``message`` MIME) or "sms" (a number in E.164, the text)
    Column("channel", String(10), nullable=False, server_default="email"),
    Index("ix_mail_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    Index("ix_mail_outbox_clinic_id", "clinic_id"),
)

# --- the client's own side (docs/client-side.md) ---------------------------------------------------------------

# A client link: the token's nonce is kept only as its SHA-256 hash; ``used_at`` is set when the client sends.
portal_invitations = Table(
    "portal_invitations",
    metadata,
    *keyed("portal_invitations"),
    *_of_client("portal_invitations"),
    Column("purpose", String(20), nullable=False),
    Column("nonce_hash", String(64), nullable=False),
    *_user("created_by"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
    *_ref("treatment_sessions", "session_id", nullable=True),
    Column("instrument", String(10)),
    Column("draft", Json),  # the client's intake saved part-way (purpose "intake"), cleared when sent
    Column("draft_saved_at", UTCDateTime),
    UniqueConstraint("clinic_id", "id"),
)

# What a client sent by a link, waiting for the therapist: nothing here is part of the record until accepted.
portal_submissions = Table(
    "portal_submissions",
    metadata,
    *keyed("portal_submissions"),
    *_of_client("portal_submissions"),
    *_ref("portal_invitations", "invitation_id"),
    UniqueConstraint("clinic_id", "invitation_id"),
    Column("kind", String(20), nullable=False),
    Column("payload", Json, nullable=False),
    Column("attention", Json, nullable=False),
    Column("status", String(10), nullable=False),  # received, accepted, discarded
    Column("received_at", UTCDateTime, nullable=False),
    Column("reviewed_at", UTCDateTime),
    *_user("reviewed_by", nullable=True),
    Column("record_id", Id),
    Index("ix_portal_submissions_clinic_status", "clinic_id", "status"),
)

# A consent the client signed on their phone (drawn or typed), with the consent text's version, the time and the
# SHA-256 of what was signed, and the signed consent as a PDF. Kept whatever the therapist does with the
# submission of the same link; ``intake_id`` is set when that submission is accepted into an intake.
signed_consents = Table(
    "signed_consents",
    metadata,
    *keyed("signed_consents"),
    *_of_client("signed_consents"),
    # the link it was signed by (its submission has the same); none for a consent read from a FHIR Bundle (0020)
    *_ref("portal_invitations", "invitation_id", nullable=True),
    *_ref("intakes", "intake_id", nullable=True),
    Column("text_version", String(20), nullable=False),
    Column("signed_at", UTCDateTime, nullable=False),
    Column("signer_name", String(200), nullable=False),
    Column("signature_kind", String(10), nullable=False),  # drawn | typed
    Column("signature", Text, nullable=False),  # the typed name, or the drawing as a PNG data URL
    Column("sha256", String(64), nullable=False),
    Column(
        "pdf", Text, nullable=False
    ),  # the signed consent's PDF, base64 (the archive holds text, not bytes)
    UniqueConstraint("clinic_id", "id"),
    UniqueConstraint("clinic_id", "invitation_id"),
)

# --- online booking and the clinic's client-side settings (docs/client-side.md, migration 0014) -----------------

# The owner's switches for what clients do themselves: online booking (off by default) and how long a client link
# works when the staff member does not say (7 days by default).
client_side_settings = Table(
    "client_side_settings",
    metadata,
    Column("clinic_id", Id, ForeignKey("clinics.id"), primary_key=True),
    Column("online_booking", Boolean, nullable=False, server_default=false()),
    Column("link_days", SmallInteger, nullable=False, server_default="7"),
    Column("updated_at", UTCDateTime, nullable=False),
    # 0020: the 48-hour check-in and the reassessment questionnaires sent by themselves (on by default)
    Column("follow_up", Boolean, nullable=False, server_default=true()),
)

# The follow-up links sent by themselves (0020): one row per session check-in ("checkin", "session:<id>") and per
# plan reassessment date and instrument ("questionnaire", "plan:<id>:<date>:<instrument>"), so that a link is
# queued once even when several servers or timers run at the same time (the unique constraint decides).
follow_ups_sent = Table(
    "follow_ups_sent",
    metadata,
    *keyed("follow_ups_sent"),
    Column("client_id", Id, nullable=False),
    ForeignKeyConstraint(["clinic_id", "client_id"], ["clients.clinic_id", "clients.id"]),
    *_ref("portal_invitations", "invitation_id", nullable=True),
    Column("kind", String(20), nullable=False),
    Column("ref", String(80), nullable=False),
    Column("queued_at", UTCDateTime, nullable=False),
    UniqueConstraint("clinic_id", "id"),
    UniqueConstraint("clinic_id", "kind", "ref"),
)

# An appointment the client booked online: whether the client was new (created by the booking, not yet seen by the
# therapist) and the hash of the nonce of the link that cancels or reschedules it.
online_bookings = Table(
    "online_bookings",
    metadata,
    *keyed("online_bookings"),
    *_of_client("online_bookings"),
    *_ref("appointments", "appointment_id"),
    Column("new_client", Boolean, nullable=False),
    Column("nonce_hash", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("clinic_id", "id"),
    UniqueConstraint("clinic_id", "appointment_id"),
)

# One-time codes a returning client asks for to prove their e-mail address: kept as a hash, for 15 minutes, five
# tries. A row is written for every request, known address or not, so the rate limit tells nothing.
booking_codes = Table(
    "booking_codes",
    metadata,
    *keyed("booking_codes"),
    Column("email", String(254), nullable=False),
    Column("client_id", Id),
    ForeignKeyConstraint(["clinic_id", "client_id"], ["clients.clinic_id", "clients.id"]),
    Column("code_hash", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
    Column("attempts", SmallInteger, nullable=False, server_default="0"),
    UniqueConstraint("clinic_id", "id"),
    Index("ix_booking_codes_clinic_email", "clinic_id", "email", "created_at"),
)
