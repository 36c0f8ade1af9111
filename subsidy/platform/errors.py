"""Domain errors raised by services; views and the API turn them into clear messages."""

from django.core.exceptions import ValidationError


class DomainError(Exception):
    """A business rule refused the operation; ``message`` is safe to show to the user."""

    def __init__(self, message, *, code: str = "refused", field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.field = field

    def as_validation_error(self) -> ValidationError:
        if self.field:
            return ValidationError({self.field: [self.message]}, code=self.code)
        return ValidationError(self.message, code=self.code)


class PermissionDeniedError(DomainError):
    def __init__(self, message, *, code: str = "forbidden"):
        super().__init__(message, code=code)
