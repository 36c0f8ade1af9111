"""Steps that move the grant (activate, complete, terminate) cannot run without the
grant's effects: the engine refuses them and ``manage.py check`` fails at start-up."""

import pytest
from django.core.checks import run_checks

from applicants.models import Application
from applicants.workflow import UnregisteredEffectError, application_transition, table
from subsidy.platform.roles import Role
from subsidy.scheme.models import Grant
from tests.builders.finance import make_accepted_grant
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def without_grant_effects(monkeypatch):
    """The registry as if SubsidyConfig.ready had not called finance's ``register()``."""
    monkeypatch.setattr(table, "_REGISTERED_EFFECTS", {})
    monkeypatch.setattr(table, "_REGISTERED_PARTS", {})


def _errors():
    return [e for e in run_checks() if e.id == "applicants.E101"]


def test_the_grant_steps_require_the_grants_effects():
    required = {t.name for t in table.TRANSITIONS if "grant" in t.requires}
    assert required == {"activate", "complete", "terminate"}


def test_the_system_check_is_quiet_once_finance_has_registered():
    assert _errors() == []


def test_the_system_check_names_every_step_missing_the_grants_effects(without_grant_effects):
    messages = [e.msg for e in _errors()]
    # The grant's three steps, and accepting the offer, which needs the agreement's signature.
    assert len(messages) == 4
    assert any("'activate' requires effects for grant" in m for m in messages)
    # Closing also waits for the closure checklist (subsidy.closure registers it).
    for name in ("complete", "terminate"):
        assert any(f"'{name}' requires effects for closure, grant" in m for m in messages)
    assert any("'accept_offer' requires effects for signature" in m for m in messages)


def test_closing_steps_require_the_closure_checklist():
    required = {t.name for t in table.TRANSITIONS if "closure" in t.requires}
    assert required == {"complete", "terminate"}


def test_an_effect_registered_without_naming_the_part_does_not_satisfy_it(
        without_grant_effects):
    table.transition_effect_register(transition_name="activate", effect=lambda ctx: None)
    assert any("'activate'" in e.msg for e in _errors())


def test_the_engine_refuses_to_start_a_project_without_the_grants_effects(
        without_grant_effects):
    grant = make_accepted_grant()
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])

    with pytest.raises(UnregisteredEffectError, match="'activate'.*AppConfig.ready"):
        application_transition(actor=officer, application=grant.application,
                               transition_name="activate")

    assert Application.objects.get(pk=grant.application_id).status == "accepted"
    assert Grant.objects.get(pk=grant.pk).status == Grant.Status.ACCEPTED
    assert not grant.tranches.exists()
