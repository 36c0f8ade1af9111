"""A round's reporting rules, set by the staff who manage rounds (docs/progress.md, "The
round's reporting rules"): its outcome indicators (added, renamed, reordered, retired) and
its periods (the final report's days after the project ends, the reminder before a report
is due and the escalation after it).

Every change locks the round first, so two officers editing the list at once each see the
other's change, and is audited. An indicator with values reported is never deleted (the
database protects them too): it is retired, so new reports no longer ask for it and the
values already sent stay. Its kind cannot change under those values either.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from applicants.errors import ProblemsError
from subsidy.platform.audit import audit_record
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, require
from subsidy.progress.models import IndicatorValue, OutcomeIndicator
from subsidy.progress.services.requirements import round_indicators_default
from subsidy.scheme.models import FundingRound

# (field, lowest, highest): each period a round sets, in days.
PERIODS = (("final_report_due_days", 1, 365), ("report_reminder_days", 1, 90),
           ("report_escalation_days", 1, 90))
KINDS = {choice.value for choice in OutcomeIndicator.Kind}


def _round_locked(round_id: int) -> FundingRound:
    return FundingRound.objects.select_for_update().get(pk=round_id)


def _fields(indicator: OutcomeIndicator) -> dict:
    return {"code": indicator.code, "name_en": indicator.name_en, "name_zh": indicator.name_zh,
            "unit": indicator.unit, "kind": indicator.kind, "position": indicator.position,
            "retired": indicator.retired_at is not None}


def _reported(indicator: OutcomeIndicator) -> bool:
    return IndicatorValue.objects.filter(indicator=indicator).exists()


@transaction.atomic
def round_reporting_periods_set(*, actor, round_: FundingRound, final_report_due_days: int,
                                report_reminder_days: int,
                                report_escalation_days: int) -> FundingRound:
    """Set the round's reporting periods: the final report 1–365 days after the project
    ends, the reminder 1–90 days before a report is due, the escalation 1–90 days after.
    Due dates already given to grants stay as they are; the reminder and escalation
    periods apply from the jobs' next run to every report not yet reminded or escalated."""
    require(actor, Action.MANAGE_ROUNDS)
    wanted = {"final_report_due_days": final_report_due_days,
              "report_reminder_days": report_reminder_days,
              "report_escalation_days": report_escalation_days}
    problems = [(field, _("Give a whole number of days from %(low)s to %(high)s.")
                 % {"low": low, "high": high})
                for field, low, high in PERIODS if not low <= wanted[field] <= high]
    if problems:
        raise ProblemsError(problems, code="periods_invalid")
    locked = _round_locked(round_.pk)
    before = {field: getattr(locked, field) for field in wanted}
    if before == wanted:
        return locked
    for field, value in wanted.items():
        setattr(locked, field, value)
    locked.save(update_fields=[*wanted, "updated_at"])
    audit_record(actor=actor, action="round.reporting_periods", obj=locked, before=before,
                 after=wanted)
    return locked


def _names_problems(name_en: str, kind: str) -> list:
    problems = []
    if not name_en.strip():
        problems.append(("name_en", _("Give the indicator's English name.")))
    if kind not in KINDS:
        problems.append(("kind", _("Choose what kind of value the indicator takes.")))
    return problems


def _new_code(round_id: int, name_en: str) -> str:
    base = slugify(name_en)[:34] or "indicator"
    taken = set(OutcomeIndicator.objects.filter(round_id=round_id).values_list("code",
                                                                               flat=True))
    code, suffix = base, 2
    while code in taken:
        code, suffix = f"{base}-{suffix}", suffix + 1
    return code


@transaction.atomic
def round_indicators_customise(*, actor, round_: FundingRound) -> list[OutcomeIndicator]:
    """Copy the default set to a round that has no indicators yet, so its staff can change
    them (a round left alone gets the same set when its first grant starts)."""
    require(actor, Action.MANAGE_ROUNDS)
    locked = _round_locked(round_.pk)
    had = OutcomeIndicator.objects.filter(round=locked).exists()
    indicators = round_indicators_default(round_=locked)
    if not had:
        audit_record(actor=actor, action="round.indicators_default", obj=locked,
                     after={"codes": [i.code for i in indicators]})
    return indicators


@transaction.atomic
def outcome_indicator_add(*, actor, round_: FundingRound, name_en: str, name_zh: str = "",
                          unit: str = "", kind: str = OutcomeIndicator.Kind.COUNT,
                          code: str = "") -> OutcomeIndicator:
    """Add an indicator at the end of the round's list. A round still on the default set
    gets it first, so adding one never drops the others. The code (used by the partner API)
    is made from the English name unless given, and is unique in the round."""
    require(actor, Action.MANAGE_ROUNDS)
    locked = _round_locked(round_.pk)
    problems = _names_problems(name_en, kind)
    code = slugify(code)[:40]
    if code and OutcomeIndicator.objects.filter(round=locked, code=code).exists():
        problems.append(("code", _("The round has an indicator with this code already.")))
    if problems:
        raise ProblemsError(problems, code="indicator_invalid")
    existing = round_indicators_default(round_=locked)
    indicator = OutcomeIndicator.objects.create(
        round=locked, code=code or _new_code(locked.pk, name_en), name_en=name_en.strip(),
        name_zh=name_zh.strip(), unit=unit.strip(), kind=kind,
        position=max((i.position for i in existing), default=-1) + 1)
    audit_record(actor=actor, action="indicator.add", obj=indicator, after=_fields(indicator))
    return indicator


def _indicator_locked(indicator: OutcomeIndicator) -> OutcomeIndicator:
    _round_locked(indicator.round_id)
    return OutcomeIndicator.objects.select_for_update().get(pk=indicator.pk)


@transaction.atomic
def outcome_indicator_change(*, actor, indicator: OutcomeIndicator, name_en: str, name_zh: str,
                             unit: str, kind: str) -> OutcomeIndicator:
    """Rename an indicator (English and Chinese), or change its unit or kind. The kind is
    fixed once values have been reported for it: they were given as that kind."""
    require(actor, Action.MANAGE_ROUNDS)
    locked = _indicator_locked(indicator)
    problems = _names_problems(name_en, kind)
    if kind != locked.kind and _reported(locked):
        problems.append(("kind", _("Values have been reported for this indicator: its kind "
                                   "cannot change. Retire it and add a new one instead.")))
    if problems:
        raise ProblemsError(problems, code="indicator_invalid")
    before = _fields(locked)
    locked.name_en, locked.name_zh = name_en.strip(), name_zh.strip()
    locked.unit, locked.kind = unit.strip(), kind
    locked.save(update_fields=["name_en", "name_zh", "unit", "kind"])
    audit_record(actor=actor, action="indicator.change", obj=locked, before=before,
                 after=_fields(locked))
    return locked


@transaction.atomic
def outcome_indicator_move(*, actor, indicator: OutcomeIndicator, up: bool) -> OutcomeIndicator:
    """Move an indicator one place up or down the round's list (reports ask for them in
    this order); the first cannot go up nor the last down."""
    require(actor, Action.MANAGE_ROUNDS)
    locked = _indicator_locked(indicator)
    ordered = list(OutcomeIndicator.objects.filter(round_id=locked.round_id)
                   .order_by("position", "id"))
    index = [i.pk for i in ordered].index(locked.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        raise DomainError(_("The indicator is already at the top.") if up
                          else _("The indicator is already at the bottom."),
                          code="indicator_not_moved")
    before = [i.code for i in ordered]
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered):
        item.position = position
    OutcomeIndicator.objects.bulk_update(ordered, ["position"])
    audit_record(actor=actor, action="indicator.move", obj=locked, before={"order": before},
                 after={"order": [i.code for i in ordered]})
    return locked


@transaction.atomic
def outcome_indicator_retire(*, actor, indicator: OutcomeIndicator,
                             retire: bool = True) -> OutcomeIndicator:
    """Retire an indicator (new reports no longer ask for it; values reported stay), or
    bring a retired one back. A round keeps at least one indicator in use."""
    require(actor, Action.MANAGE_ROUNDS)
    locked = _indicator_locked(indicator)
    if retire == (locked.retired_at is not None):
        return locked
    if retire and not (OutcomeIndicator.objects.in_use().filter(round_id=locked.round_id)
                       .exclude(pk=locked.pk).exists()):
        raise DomainError(_("Reports ask for at least one indicator: add another before "
                            "retiring this one."), code="indicator_last")
    before = _fields(locked)
    locked.retired_at = timezone.now() if retire else None
    locked.save(update_fields=["retired_at"])
    audit_record(actor=actor, action="indicator.retire" if retire else "indicator.reinstate",
                 obj=locked, before=before, after=_fields(locked))
    return locked


@transaction.atomic
def outcome_indicator_delete(*, actor, indicator: OutcomeIndicator) -> None:
    """Delete an indicator no report has given a value for; one with values reported can
    only be retired, so no report loses what it said."""
    require(actor, Action.MANAGE_ROUNDS)
    locked = _indicator_locked(indicator)
    if _reported(locked):
        raise DomainError(_("Values have been reported for this indicator: retire it "
                            "instead of deleting it."), code="indicator_reported")
    if not (OutcomeIndicator.objects.in_use().filter(round_id=locked.round_id)
            .exclude(pk=locked.pk).exists()):
        raise DomainError(_("Reports ask for at least one indicator: add another before "
                            "deleting this one."), code="indicator_last")
    audit_record(actor=actor, action="indicator.delete", obj=locked, before=_fields(locked))
    locked.delete()
