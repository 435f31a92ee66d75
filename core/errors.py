"""Domain errors: adapters turn them into a helpful spoken or texted answer, or a 4xx."""


class DomainError(Exception):
    """Something a person asked for that cannot be done; `reason` is a stable machine word."""

    reason = "error"

    def __init__(self, message: str, reason: str | None = None):
        super().__init__(message)
        if reason:
            self.reason = reason


class InvalidInput(DomainError):
    reason = "invalid"


class NotFound(DomainError):
    reason = "not_found"


class NotAllowed(DomainError):
    reason = "not_allowed"


class Conflict(DomainError):
    reason = "conflict"
