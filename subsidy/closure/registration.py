"""What closure gives the lower layers when the app is ready: the closure checklist that
the application's ``complete`` and ``terminate`` steps require."""

from applicants.workflow import CLOSURE, transition_effect_register
from subsidy.closure.services.closing import STEP_OF_OUTCOME, grant_closure_record


def register() -> None:
    # Registered before finance's effects, so the checklist is asked before the grant's
    # tranches are cancelled and its commitment released.
    for transition_name in STEP_OF_OUTCOME.values():
        transition_effect_register(transition_name=transition_name,
                                   effect=grant_closure_record, part=CLOSURE)
