"""A round's rules for variations (docs/variations.md, "The round's rules")."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from applicants.errors import ProblemsError
from subsidy.platform.audit import audit_record
from subsidy.platform.permissions import Action, require
from subsidy.scheme.models import FundingRound
from subsidy.variations.models import RoundVariationRules


@transaction.atomic
def round_variation_rules_set(*, actor, round_: FundingRound, budget_tolerance_percent: Decimal,
                              panel_threshold: Decimal) -> RoundVariationRules:
    """Set the round's budget tolerance (0–100% of a line) and panel threshold (HKD, not
    negative); staff who manage rounds; audited. Requests already made keep who decides
    them."""
    require(actor, Action.MANAGE_ROUNDS)
    problems = []
    if not Decimal(0) <= budget_tolerance_percent <= Decimal(100):
        problems.append(("budget_tolerance_percent",
                         _("Give a tolerance between 0 and 100 per cent of a line.")))
    if panel_threshold < 0:
        problems.append(("panel_threshold", _("The threshold cannot be negative.")))
    if problems:
        raise ProblemsError(problems, code="rules_invalid")
    rules, _created = RoundVariationRules.objects.select_for_update().get_or_create(
        round=round_)
    before = {"budget_tolerance_percent": rules.budget_tolerance_percent,
              "panel_threshold": rules.panel_threshold}
    rules.budget_tolerance_percent = budget_tolerance_percent
    rules.panel_threshold = panel_threshold
    rules.save()
    audit_record(actor=actor, action="round.variation_rules", obj=round_, before=before,
                 after={"budget_tolerance_percent": budget_tolerance_percent,
                        "panel_threshold": panel_threshold})
    return rules
