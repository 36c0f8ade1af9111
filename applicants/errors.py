"""Errors of the applicant side that carry several problems at once."""

from subsidy.platform.errors import DomainError


class ProblemsError(DomainError):
    """A refusal with every reason found, each as ``(field, message)``; ``field`` names the
    form field (e.g. ``"budget-2-quantity"``) or is ``None`` for the whole application, so a
    page can show each message next to what needs fixing."""

    def __init__(self, problems: list[tuple[str | None, str]], *, code: str = "invalid"):
        first_field, first_message = problems[0]
        super().__init__(first_message, code=code, field=first_field)
        self.problems = list(problems)

    def messages_for(self, field: str | None) -> list[str]:
        return [message for name, message in self.problems if name == field]
