"""The errors of the clinical domain. Each says what is wrong in one line."""

from __future__ import annotations


class ClinicError(Exception):
    """Base of every clinical-records error (the CLI and the web turn these into one-line messages)."""


class RecordValidationError(ClinicError, ValueError):
    """Bad input: names the field and the rule it breaks."""

    def __init__(self, field: str, rule: str) -> None:
        self.field = field
        self.rule = rule
        super().__init__(f"{field}: {rule}")


class NotFound(ClinicError, LookupError):
    """The record does not exist, or it belongs to another clinic (the two look exactly alike)."""

    def __init__(self, kind: str, record_id: object) -> None:
        self.kind = kind
        self.record_id = record_id
        super().__init__(f"{kind} {record_id} not found")


class AccessDenied(ClinicError, PermissionError):
    """The user's role does not allow this action (within the user's own clinic)."""


class SignedRecordError(ClinicError):
    """A signed note never changes; corrections are dated amendments."""


class StaleRecordError(ClinicError):
    """Someone else changed the record since it was read (optimistic locking)."""

    def __init__(self, kind: str, record_id: object, expected: int) -> None:
        super().__init__(
            f"{kind} {record_id} was changed by someone else (expected version {expected}); "
            "reload it and apply the change again"
        )


class AuthenticationError(ClinicError):
    """Wrong e-mail or password (never says which)."""


class TreatmentBlocked(ClinicError):
    """A red flag from the intake has no decision yet (refer the client or record an override with a reason),
    or the client was referred and no medical clearance is recorded yet."""

    def __init__(self, flags: tuple[str, ...], awaiting: tuple[str, ...] = ()) -> None:
        self.flags = flags
        self.awaiting = awaiting
        parts = []
        if flags:
            parts.append(
                f"treatment is blocked by red flag(s): {', '.join(flags)}; record a referral or an override "
                "with a reason first"
            )
        if awaiting:
            parts.append(
                f"treatment is blocked until medical clearance is recorded for: {', '.join(awaiting)} "
                "(or an override with a reason)"
            )
        super().__init__("; ".join(parts))


class TooManyAttempts(ClinicError):
    """Sign-in is paused for this account or address after repeated failures (exponential back-off)."""

    def __init__(self, retry_after_seconds: int) -> None:
        self.retry_after = retry_after_seconds
        minutes = max(1, -(-retry_after_seconds // 60))
        super().__init__(f"too many failed sign-ins: try again in {minutes} minute(s)")
