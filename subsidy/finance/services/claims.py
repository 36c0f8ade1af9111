"""Claims: the applicant asks for a tranche with a progress report; the programme officer
verifies it or returns it with comments; the applicant revises and sends it again.

A tranche is due when its grant is active, it is scheduled (not paid or cancelled), it has
no live claim, and every earlier tranche of the grant is paid: tranches are claimed in
order, one at a time. The first waits until every condition precedent of the grant is met,
and a tranche a variation changed waits until the company signs the agreement's version
that changed it (both ``subsidy.agreements``).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.errors import ProblemsError
from applicants.models import BudgetLine
from applicants.services.document_scan import evidence_screen
from applicants.services.documents import _clean_name, evidence_problem
from applicants.services.filetypes import ALLOWED_TYPES, detect_type
from subsidy.agreements.services.conditions import (
    conditions_unmet,
    first_payment_problem,
    unmet_among,
)
from subsidy.agreements.services.versions import unsigned_version_problem, unsigned_versions
from subsidy.finance.models import Claim, ClaimEvidence, ClaimSpend, Tranche
from subsidy.finance.services.common import (
    notify_company,
    notify_officers_of_claim,
    notify_staff_of_claim,
)
from subsidy.finance.services.locks import grant_lock, grant_require_active
from subsidy.platform.audit import audit_record
from subsidy.platform.errors import DomainError
from subsidy.platform.money import money
from subsidy.platform.permissions import Action, require
from subsidy.platform.roles import Role
from subsidy.platform.virus_scan import virus_scanner
from subsidy.progress.selectors import reports_for_claim
from subsidy.scheme.models import Grant

# Tranches are numbered from 1; the first is the grant's first payment.
FIRST_TRANCHE = 1


@dataclass
class ClaimInput:
    amount: Decimal
    narrative: str
    # budget line id -> actual spend
    spend: dict[int, Decimal] = field(default_factory=dict)
    evidence: list = field(default_factory=list)
    # A progress report of the tranche's milestone, sent already: it stands for the
    # narrative, which may then be left empty.
    report_id: int | None = None


def _due_problem(grant: Grant, tranche: Tranche, *, claimed: bool, unpaid_before: bool,
                 conditions_unmet: int, agreements) -> str | None:
    """The rule of when a tranche may be claimed, on facts its callers read as they can."""
    if grant.status != Grant.Status.ACTIVE:
        return _("Tranches can be claimed only while the grant is active.")
    if tranche.status != Tranche.Status.SCHEDULED:
        return _("Tranche %(n)s is %(status)s; it cannot be claimed.") % {
            "n": tranche.number, "status": tranche.get_status_display().lower()}
    if claimed:
        return _("Tranche %(n)s has been claimed already.") % {"n": tranche.number}
    if unpaid_before:
        return _("Tranche %(n)s is not due yet: the tranches before it must be paid "
                 "first.") % {"n": tranche.number}
    if tranche.number == FIRST_TRANCHE and conditions_unmet:
        return first_payment_problem(unmet=conditions_unmet)
    return unsigned_version_problem(tranche_number=tranche.number, agreements=agreements)


def tranche_due_problem(tranche: Tranche) -> str | None:
    """Why ``tranche`` cannot be claimed now, or None when it is due."""
    return _due_problem(
        tranche.grant, tranche,
        claimed=tranche.claims.exclude(status=Claim.Status.CANCELLED).exists(),
        unpaid_before=tranche.grant.tranches.filter(number__lt=tranche.number)
        .exclude(status=Tranche.Status.PAID).exists(),
        conditions_unmet=(conditions_unmet(grant_id=tranche.grant_id)
                          if tranche.number == FIRST_TRANCHE else 0),
        agreements=unsigned_versions(grant_id=tranche.grant_id))


def tranche_due_problems(grant: Grant) -> dict[int, str | None]:
    """``tranche_due_problem`` for every tranche of ``grant``, by tranche number, worked out
    from the tranches, claims, conditions precedent and agreements prefetched by
    ``grant_with_tranches`` (no query of its own, whatever the number of tranches)."""
    unmet = unmet_among(grant.conditions_precedent.all())
    agreements = list(grant.agreements.all())
    problems: dict[int, str | None] = {}
    unpaid_seen = False
    for tranche in sorted(grant.tranches.all(), key=lambda t: t.number):
        problems[tranche.number] = _due_problem(
            grant, tranche,
            claimed=any(c.status != Claim.Status.CANCELLED for c in tranche.claims.all()),
            unpaid_before=unpaid_seen, conditions_unmet=unmet, agreements=agreements)
        unpaid_seen = unpaid_seen or tranche.status != Tranche.Status.PAID
    return problems


def _input_problems(tranche: Tranche, data: ClaimInput) -> list[tuple[str | None, str]]:
    problems = []
    amount = data.amount
    if amount is None or amount <= 0:
        problems.append(("amount", _("Enter the amount claimed.")))
    elif amount > tranche.amount:
        problems.append(("amount", _(
            "The amount claimed, HK$%(amount)s, is above the tranche's HK$%(tranche)s.")
            % {"amount": money(amount, currency=False),
               "tranche": money(tranche.amount, currency=False)}))
    narrative = (data.narrative or "").strip()
    if data.report_id is not None and not reports_for_claim(
            milestone_id=tranche.milestone_id,
            grant_id=tranche.grant_id).filter(pk=data.report_id).exists():
        problems.append(("report", _("Choose a progress report of this tranche's milestone "
                                     "that has been sent.")))
    if not narrative and data.report_id is None:
        problems.append(("narrative", _("Write the progress report, or choose the one sent "
                                        "for this milestone.")))
    elif len(narrative) > 8000:
        problems.append(("narrative", _("Keep the progress report to 8,000 characters or "
                                        "fewer.")))
    line_ids = set(BudgetLine.objects.filter(
        application_id=tranche.grant.application_id).values_list("pk", flat=True))
    for line_id, value in data.spend.items():
        if line_id not in line_ids:
            problems.append(("spend", _("Report spend only on the application's budget "
                                        "lines.")))
        elif value is None or value < 0:
            problems.append((f"spend-{line_id}", _("Actual spend cannot be negative.")))
    problems += [("evidence", problem) for problem in map(evidence_problem, data.evidence)
                 if problem]
    return problems


def _evidence_screen(*, actor, tranche: Tranche, data: ClaimInput) -> None:
    """Evidence is checked for viruses before the claim's transaction (``document_scan``):
    a file with a virus is refused and the refusal audited; as evidence has no waiting
    state, a file clamd could not check is refused too, to be sent again shortly."""
    if not data.evidence or virus_scanner() is None:
        return
    application = Tranche.objects.select_related("grant__application").get(
        pk=tranche.pk).grant.application
    evidence_screen(
        actor=actor, subject=application, uploads=data.evidence, field="evidence",
        kind="claim_evidence", unchecked=lambda upload: _(
            "Evidence file “%(name)s” could not be checked for viruses just now. Send "
            "the claim again in a few minutes.") % {"name": _clean_name(upload.name)})


def _store(claim: Claim, actor, data: ClaimInput, stored: list[str]) -> None:
    for line_id, value in data.spend.items():
        ClaimSpend.objects.update_or_create(claim=claim, budget_line_id=line_id,
                                            defaults={"actual_amount": value})
    for upload in data.evidence:
        evidence = ClaimEvidence(claim=claim, original_name=_clean_name(upload.name),
                                 size=upload.size, mime_type=detect_type(upload),
                                 uploaded_by=actor)
        evidence.file.save(f"evidence.{ALLOWED_TYPES[evidence.mime_type]}", upload,
                           save=False)
        stored.append(evidence.file.name)
        evidence.save()


def _with_storage_cleanup(work):
    """Storage is not transactional: delete stored evidence if the database work fails."""
    stored: list[str] = []
    try:
        return work(stored)
    except Exception:
        for name in stored:
            default_storage.delete(name)
        raise


def claim_submit(*, actor, tranche: Tranche, data: ClaimInput) -> Claim:
    """The company's owner or editor claims a due tranche with a progress report."""
    _evidence_screen(actor=actor, tranche=tranche, data=data)

    @transaction.atomic
    def work(stored):
        # The grant first (see ``locks``): a termination then waits for the claim, or the
        # claim sees the grant terminated.
        grant_lock(grant_id=Tranche.objects.values_list("grant_id", flat=True)
                   .get(pk=tranche.pk))
        locked = (Tranche.objects.select_for_update(of=("self",))
                  .select_related("grant__application__organisation", "grant__round")
                  .get(pk=tranche.pk))
        require(actor, Action.CLAIM_TRANCHE, locked.grant.application)
        problem = tranche_due_problem(locked)
        if problem:
            raise DomainError(problem, code="tranche_not_due")
        problems = _input_problems(locked, data)
        if problems:
            raise ProblemsError(problems, code="claim_invalid")
        now = timezone.now()
        claim = Claim.objects.create(tranche=locked, amount=data.amount,
                                     narrative=(data.narrative or "").strip(),
                                     progress_report_id=data.report_id, submitted_by=actor,
                                     submitted_at=now, first_submitted_at=now)
        _store(claim, actor, data, stored)
        audit_record(actor=actor, action="claim.submit", obj=claim,
                     after={"tranche": locked.number, "amount": claim.amount,
                            "evidence": len(data.evidence)})
        notify_company(claim=claim, event="claim_received")
        notify_officers_of_claim(claim=claim)
        return claim

    return _with_storage_cleanup(work)


def _locked_claim(claim: Claim) -> Claim:
    """Lock the claim's grant, then the claim; refused unless the grant is active."""
    grant_require_active(grant_lock(grant_id=Claim.objects.values_list(
        "tranche__grant_id", flat=True).get(pk=claim.pk)))
    return (Claim.objects.select_for_update(of=("self",))
            .select_related("tranche__grant__application__organisation",
                            "tranche__grant__round")
            .get(pk=claim.pk))


def claim_resubmit(*, actor, claim: Claim, data: ClaimInput) -> Claim:
    """The applicant's revision of a returned claim, sent for verification again."""
    _evidence_screen(actor=actor, tranche=claim.tranche, data=data)

    @transaction.atomic
    def work(stored):
        locked = _locked_claim(claim)
        require(actor, Action.CLAIM_TRANCHE, locked.tranche.grant.application)
        if locked.status != Claim.Status.RETURNED:
            raise DomainError(_("Only a claim returned for changes can be sent again."),
                              code="claim_not_returned")
        problems = _input_problems(locked.tranche, data)
        if problems:
            raise ProblemsError(problems, code="claim_invalid")
        before = {"amount": locked.amount, "revision": locked.revision}
        locked.amount = data.amount
        locked.narrative = (data.narrative or "").strip()
        locked.progress_report_id = data.report_id
        locked.status = Claim.Status.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.submitted_by = actor
        locked.revision += 1
        locked.save()
        _store(locked, actor, data, stored)
        audit_record(actor=actor, action="claim.resubmit", obj=locked, before=before,
                     after={"amount": locked.amount, "revision": locked.revision})
        notify_company(claim=locked, event="claim_received")
        notify_officers_of_claim(claim=locked)
        return locked

    return _with_storage_cleanup(work)


@transaction.atomic
def claim_return(*, actor, claim: Claim, comment: str) -> Claim:
    """The programme officer sends a claim back to the applicant with comments."""
    require(actor, Action.VERIFY_CLAIM)
    locked = _locked_claim(claim)
    if locked.status != Claim.Status.SUBMITTED:
        raise DomainError(_("Only a claim awaiting verification can be returned."),
                          code="claim_not_submitted")
    comment = (comment or "").strip()
    if not comment:
        raise ProblemsError([("comment", _("Say what the applicant must change."))])
    locked.status = Claim.Status.RETURNED
    locked.officer_comment = comment[:4000]
    locked.returned_at = timezone.now()
    locked.save(update_fields=["status", "officer_comment", "returned_at"])
    audit_record(actor=actor, action="claim.return", obj=locked,
                 before={"status": Claim.Status.SUBMITTED},
                 after={"status": locked.status, "comment": locked.officer_comment})
    notify_company(claim=locked, event="claim_returned", extra={"note": comment})
    return locked


@transaction.atomic
def claim_verify(*, actor, claim: Claim) -> Claim:
    """The programme officer confirms the progress report; finance may now prepare the
    payment."""
    require(actor, Action.VERIFY_CLAIM)
    locked = _locked_claim(claim)
    if locked.status != Claim.Status.SUBMITTED:
        raise DomainError(_("Only a claim awaiting verification can be verified."),
                          code="claim_not_submitted")
    locked.status = Claim.Status.VERIFIED
    locked.verified_by = actor
    locked.verified_at = timezone.now()
    locked.save(update_fields=["status", "verified_by", "verified_at"])
    audit_record(actor=actor, action="claim.verify", obj=locked,
                 before={"status": Claim.Status.SUBMITTED}, after={"status": locked.status})
    notify_staff_of_claim(claim=locked, role=Role.FINANCE_OFFICER, event="claim_verified",
                          url=reverse("finance:claim", args=[locked.pk]), actor=actor)
    return locked
