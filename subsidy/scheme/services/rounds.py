"""Schemes and funding rounds: the money rules of DOMAIN.md for envelopes and round rules."""

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from subsidy.platform.audit import audit_record, snapshot
from subsidy.platform.errors import DomainError
from subsidy.platform.money import money
from subsidy.platform.permissions import Action, require
from subsidy.scheme import rules
from subsidy.scheme.ledger import round_committed
from subsidy.scheme.models import DocumentType, FundingRound, Scheme, Sector

ROUND_FIELDS = [
    "code", "title_en", "title_zh", "status", "opens_at", "closes_at", "envelope",
    "max_subsidy_per_project", "max_ratio_percent", "eligible_categories",
    "required_documents", "gpu_hour_rate", "reviewers_per_application", "rubric",
    "score_scale_max",
]
MONEY_LIMIT = Decimal("999999999999.99")


def scheme_allocated(*, scheme: Scheme, excluding_round: FundingRound | None = None) -> Decimal:
    """Sum of the envelopes of the scheme's rounds, computed in SQL."""
    rounds = FundingRound.objects.filter(scheme=scheme)
    if excluding_round is not None and excluding_round.pk:
        rounds = rounds.exclude(pk=excluding_round.pk)
    return rounds.aggregate(total=Sum("envelope"))["total"] or Decimal("0")


def rubric_validate(rubric) -> list[dict]:
    """A rubric is a non-empty list of criteria with unique codes, names and integer weights
    from 1 to 100 that sum to exactly 100."""
    if not isinstance(rubric, list) or not rubric:
        raise DomainError(_("The rubric needs at least one criterion."), field="rubric")
    codes = set()
    total = 0
    for criterion in rubric:
        if not isinstance(criterion, dict) or not criterion.get("code") or not criterion.get(
            "name_en"
        ):
            raise DomainError(_("Each rubric criterion needs a code and an English name."),
                              field="rubric")
        if criterion["code"] in codes:
            raise DomainError(_("Rubric criterion codes must be unique."), field="rubric")
        codes.add(criterion["code"])
        weight = criterion.get("weight")
        if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= 100:
            raise DomainError(_("Each rubric weight must be a whole number from 1 to 100."),
                              field="rubric")
        total += weight
    if total != 100:
        raise DomainError(
            _("The rubric weights must sum to 100; they sum to %(total)s.") % {"total": total},
            field="rubric",
        )
    return rubric


def _validate_round(values: dict, *, scheme: Scheme, round_: FundingRound | None) -> None:
    opens_at: datetime = values["opens_at"]
    closes_at: datetime = values["closes_at"]
    if closes_at <= opens_at:
        raise DomainError(_("The closing time must be after the opening time."),
                          field="closes_at")
    envelope = Decimal(values["envelope"])
    if envelope <= 0 or envelope > MONEY_LIMIT:
        raise DomainError(_("The envelope must be a positive amount."), field="envelope")
    if round_ is not None and round_.pk:
        # Grants already offered or accepted keep their money: the envelope cannot shrink
        # below it (the caller holds the round's row lock; a database trigger checks too).
        committed = round_committed(round_id=round_.pk)
        if envelope < committed:
            raise DomainError(
                _("The envelope cannot be lower than the HK$%(committed)s already committed "
                  "to grants in this round.") % {"committed": money(committed, currency=False)},
                code="envelope_below_committed", field="envelope")
    cap = Decimal(values["max_subsidy_per_project"])
    if cap <= 0 or cap > envelope:
        raise DomainError(
            _("The maximum subsidy per project must be positive and within the envelope."),
            field="max_subsidy_per_project",
        )
    ratio = Decimal(values["max_ratio_percent"])
    if not Decimal("0") < ratio <= Decimal(rules.EXCEPTIONAL_RATIO_CAP_PERCENT):
        raise DomainError(
            _("The maximum subsidy ratio must be above 0%% and at most %(cap)s%%.")
            % {"cap": rules.EXCEPTIONAL_RATIO_CAP_PERCENT},
            field="max_ratio_percent",
        )
    if Decimal(values["gpu_hour_rate"]) < 0:
        raise DomainError(_("The GPU-hour rate cannot be negative."), field="gpu_hour_rate")
    unknown = set(values.get("eligible_categories") or []) - set(Sector.values)
    if unknown:
        raise DomainError(_("Unknown category: %(codes)s.") % {"codes": ", ".join(sorted(unknown))},
                          field="eligible_categories")
    unknown = set(values.get("required_documents") or []) - set(DocumentType.values)
    if unknown:
        raise DomainError(
            _("Unknown document type: %(codes)s.") % {"codes": ", ".join(sorted(unknown))},
            field="required_documents",
        )
    if not 1 <= int(values["reviewers_per_application"]) <= 10:
        raise DomainError(_("Reviewers per application must be between 1 and 10."),
                          field="reviewers_per_application")
    rubric_validate(values["rubric"])

    allocated = scheme_allocated(scheme=scheme, excluding_round=round_)
    if allocated + envelope > scheme.budget:
        available = scheme.budget - allocated
        raise DomainError(
            _(
                "This envelope of HK$%(envelope)s would take the scheme past its budget of "
                "HK$%(budget)s: only HK$%(available)s is still unallocated."
            )
            % {
                "envelope": money(envelope, currency=False),
                "budget": money(scheme.budget, currency=False),
                "available": money(max(available, Decimal('0')), currency=False),
            },
            code="scheme_budget_exceeded",
            field="envelope",
        )


def _with_defaults(values: dict) -> dict:
    from subsidy.scheme.models import default_rubric

    merged = {
        "title_zh": "",
        "status": FundingRound.Status.PLANNED,
        "max_ratio_percent": Decimal("70.00"),
        "eligible_categories": [],
        "required_documents": [],
        "reviewers_per_application": 3,
        "rubric": default_rubric(),
        "score_scale_max": 5,
    }
    merged.update(values)
    return merged


def _save_round(round_: FundingRound) -> None:
    try:
        with transaction.atomic():
            round_.save()
    except IntegrityError as exc:
        # The database constraints are the last line; the checks above normally catch it.
        if "code" in str(exc) or "unique" in str(exc).lower():
            raise DomainError(_("A round with this code already exists."), field="code") from exc
        raise DomainError(
            _("The round breaks a budget rule of the scheme and was not saved."),
            code="scheme_budget_exceeded",
        ) from exc


@transaction.atomic
def round_create(*, actor, scheme: Scheme, **values) -> FundingRound:
    """Create a round. The scheme row is locked so that two rounds created at the same
    moment cannot together push the sum of envelopes past the scheme budget."""
    require(actor, Action.MANAGE_ROUNDS)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    values = _with_defaults(values)
    _validate_round(values, scheme=scheme, round_=None)
    round_ = FundingRound(scheme=scheme, **{k: v for k, v in values.items() if k in ROUND_FIELDS})
    _save_round(round_)
    audit_record(actor=actor, action="round.create", obj=round_,
                 after=snapshot(round_, ROUND_FIELDS))
    return round_


@transaction.atomic
def round_update(*, actor, round_: FundingRound, **changes) -> FundingRound:
    """Change a round's rules under the same scheme lock and checks as creation."""
    require(actor, Action.MANAGE_ROUNDS)
    Scheme.objects.select_for_update().get(pk=round_.scheme_id)
    round_ = FundingRound.objects.select_for_update().select_related("scheme").get(pk=round_.pk)
    before = snapshot(round_, ROUND_FIELDS)
    values = {name: getattr(round_, name) for name in ROUND_FIELDS}
    values.update({k: v for k, v in changes.items() if k in ROUND_FIELDS})
    _validate_round(values, scheme=round_.scheme, round_=round_)
    for name, value in values.items():
        setattr(round_, name, value)
    _save_round(round_)
    audit_record(actor=actor, action="round.update", obj=round_, before=before,
                 after=snapshot(round_, ROUND_FIELDS))
    return round_


@transaction.atomic
def scheme_set_budget(*, actor, scheme: Scheme, budget: Decimal) -> Scheme:
    """A scheme's budget can shrink only down to what its rounds already hold."""
    require(actor, Action.MANAGE_ROUNDS)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    allocated = scheme_allocated(scheme=scheme)
    if budget <= 0 or budget < allocated:
        raise DomainError(
            _("The budget cannot be below the HK$%(allocated)s already allocated to rounds.")
            % {"allocated": money(allocated, currency=False)},
            field="budget",
        )
    before = {"budget": scheme.budget}
    scheme.budget = budget
    scheme.save(update_fields=["budget"])
    audit_record(actor=actor, action="scheme.set_budget", obj=scheme, before=before,
                 after={"budget": budget})
    return scheme


@transaction.atomic
def round_open(*, actor, round_: FundingRound) -> FundingRound:
    """Open a planned or closed round for submissions; its closing time must be ahead.
    ``actor`` None is the scheduled job opening a round at its time (audited as system)."""
    from django.utils import timezone

    if actor is not None:
        require(actor, Action.MANAGE_ROUNDS)
    round_ = FundingRound.objects.select_for_update().get(pk=round_.pk)
    if round_.status == FundingRound.Status.OPEN:
        raise DomainError(_("This round is already open."), code="invalid_state")
    if round_.closes_at <= timezone.now():
        raise DomainError(
            _("The closing time has passed: move it later before opening the round."),
            field="closes_at", code="invalid_state",
        )
    before = {"status": round_.status}
    round_.status = FundingRound.Status.OPEN
    round_.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="round.open", obj=round_, before=before,
                 after={"status": round_.status})
    return round_


@transaction.atomic
def round_close(*, actor, round_: FundingRound) -> FundingRound:
    """Close an open round: no further submissions are accepted, drafts stay. ``actor``
    None is the scheduled job closing a round at its time (audited as system)."""
    if actor is not None:
        require(actor, Action.MANAGE_ROUNDS)
    round_ = FundingRound.objects.select_for_update().get(pk=round_.pk)
    if round_.status != FundingRound.Status.OPEN:
        raise DomainError(_("Only an open round can be closed."), code="invalid_state")
    before = {"status": round_.status}
    round_.status = FundingRound.Status.CLOSED
    round_.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="round.close", obj=round_, before=before,
                 after={"status": round_.status})
    return round_
