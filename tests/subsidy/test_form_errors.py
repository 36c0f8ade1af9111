"""A service's refusal is shown on the form next to the field it names."""

from django import forms

from applicants.errors import ProblemsError
from subsidy.platform.errors import DomainError
from subsidy.platform.web.errors import add_domain_error


class _Form(forms.Form):
    name = forms.CharField()
    amount = forms.DecimalField()


def _bound() -> _Form:
    form = _Form({"name": "Acme", "amount": "1"})
    assert form.is_valid()
    return form


def test_a_refusal_naming_a_field_is_shown_next_to_it():
    form = _bound()
    add_domain_error(form, DomainError("Too much.", field="amount"))
    assert form.errors == {"amount": ["Too much."]}


def test_a_refusal_naming_no_field_of_the_form_is_shown_above_it():
    form = _bound()
    add_domain_error(form, DomainError("Round closed.", field="round"))
    assert form.non_field_errors() == ["Round closed."]


def test_every_problem_of_a_refusal_is_shown():
    form = _bound()
    add_domain_error(form, ProblemsError([("name", "Taken."), (None, "Not now.")]))
    assert form.errors["name"] == ["Taken."]
    assert form.non_field_errors() == ["Not now."]


def test_every_problem_of_a_refusal_becomes_a_message_on_a_page_without_a_form(rf):
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.session import SessionStorage

    from subsidy.platform.web.errors import add_domain_error_messages

    request = rf.post("/")
    request.session = {}
    request._messages = SessionStorage(request)
    add_domain_error_messages(request, ProblemsError([("name", "Taken."), (None, "Not now.")]))
    add_domain_error_messages(request, DomainError("Round closed.", field="round"))

    assert [m.message for m in get_messages(request)] == ["Taken.", "Not now.", "Round closed."]
