"""Conditions precedent: the company sends evidence for each of the panel's conditions, the
programme officer finds it met or returns it with comments, and the grant's first payment
waits until every one is met (``first_payment_problem``, asked by finance before a first
tranche is claimed and before its payment is prepared)."""

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from applicants.errors import ProblemsError
from applicants.services.document_scan import evidence_screen
from applicants.services.documents import _clean_name, evidence_problem
from applicants.services.filetypes import ALLOWED_TYPES, detect_type
from subsidy.agreements.models import ConditionPrecedent
from subsidy.platform.audit import audit_record
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, require
from subsidy.platform.virus_scan import virus_scanner
from subsidy.scheme.models import Grant

C = ConditionPrecedent.Status
# Evidence is sent and checked once the offer is signed, until the grant ends.
OPEN_GRANT_STATUSES = (Grant.Status.ACCEPTED, Grant.Status.ACTIVE)


def first_payment_problem(*, unmet: int) -> str | None:
    """Why the grant's first payment cannot go ahead with ``unmet`` conditions precedent
    still not met, or None."""
    if not unmet:
        return None
    return ngettext(
        "The first payment waits for the conditions precedent: %(n)s condition is not met "
        "yet.",
        "The first payment waits for the conditions precedent: %(n)s conditions are not met "
        "yet.", unmet) % {"n": unmet}


def unmet_among(conditions) -> int:
    """How many of ``conditions`` (rows already loaded) are not met."""
    return sum(condition.status != C.MET for condition in conditions)


def conditions_unmet(*, grant_id: int) -> int:
    return ConditionPrecedent.objects.filter(grant_id=grant_id).exclude(status=C.MET).count()


def _locked(condition: ConditionPrecedent) -> ConditionPrecedent:
    """The grant's row first, then the condition (the order of docs/architecture.md)."""
    grant = (Grant.objects.select_for_update(of=("self",)).select_related("application")
             .get(pk=condition.grant_id))
    if grant.status not in OPEN_GRANT_STATUSES:
        raise DomainError(_("The grant is %(status)s: its conditions can no longer change.")
                          % {"status": grant.get_status_display().lower()},
                          code="grant_closed")
    locked = ConditionPrecedent.objects.select_for_update().get(pk=condition.pk)
    locked.grant = grant
    return locked


def condition_evidence_submit(*, actor, condition: ConditionPrecedent, text: str,
                              upload=None) -> ConditionPrecedent:
    """The company's owner or editor sends evidence that a condition is met: a statement
    and, if they have one, a document (checked as an application's documents are, and for
    viruses before the transaction, as a claim's evidence is)."""
    if upload is not None and virus_scanner() is not None:
        application = ConditionPrecedent.objects.select_related("grant__application").get(
            pk=condition.pk).grant.application
        evidence_screen(
            actor=actor, subject=application, uploads=[upload], field="evidence_file",
            kind="condition_evidence", unchecked=lambda upload: _(
                "“%(name)s” could not be checked for viruses just now. Send the evidence "
                "again in a few minutes.") % {"name": _clean_name(upload.name)})
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = _locked(condition)
            require(actor, Action.SUBMIT_CONDITION_EVIDENCE, locked.grant.application)
            if locked.status not in (C.OPEN, C.RETURNED):
                raise DomainError(_("Condition %(n)s is %(status)s: no evidence is needed now.")
                                  % {"n": locked.number,
                                     "status": locked.get_status_display().lower()},
                                  code="condition_not_open")
            text = (text or "").strip()
            problems = []
            if not text:
                problems.append(("evidence_text", _("Say how the condition is met.")))
            elif len(text) > 4000:
                problems.append(("evidence_text", _("Keep this to 4,000 characters or "
                                                    "fewer.")))
            if upload is not None and (problem := evidence_problem(upload)):
                problems.append(("evidence_file", problem))
            if problems:
                raise ProblemsError(problems, code="evidence_invalid")
            before = {"status": locked.status}
            if upload is not None:
                mime = detect_type(upload)
                locked.evidence_file.save(f"evidence.{ALLOWED_TYPES[mime]}", upload,
                                          save=False)
                stored.append(locked.evidence_file.name)
                locked.evidence_name, locked.evidence_type = _clean_name(upload.name), mime
            locked.evidence_text = text
            locked.status = C.SUBMITTED
            locked.submitted_by, locked.submitted_at = actor, timezone.now()
            locked.save()
            audit_record(actor=actor, action="condition.evidence", obj=locked, before=before,
                         after={"status": locked.status, "file": locked.evidence_name})
            return locked
    except Exception:
        # Storage is not transactional: a refused or failed step keeps no file.
        for name in stored:
            default_storage.delete(name)
        raise


def _decide(*, actor, condition: ConditionPrecedent, status: str,
            comment: str = "") -> ConditionPrecedent:
    require(actor, Action.CHECK_CONDITIONS)
    with transaction.atomic():
        locked = _locked(condition)
        if locked.status != C.SUBMITTED:
            raise DomainError(_("Condition %(n)s has no evidence waiting to be checked.")
                              % {"n": locked.number}, code="condition_not_submitted")
        before = {"status": locked.status}
        locked.status = status
        locked.officer_comment = comment
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.save(update_fields=["status", "officer_comment", "decided_by", "decided_at"])
        audit_record(actor=actor, action=f"condition.{status}", obj=locked, before=before,
                     after={"status": status, "comment": comment})
        return locked


def condition_meet(*, actor, condition: ConditionPrecedent,
                   comment: str = "") -> ConditionPrecedent:
    """The programme officer finds the evidence shows the condition met. Final: a met
    condition does not reopen."""
    return _decide(actor=actor, condition=condition, status=C.MET,
                   comment=(comment or "").strip()[:4000])


def condition_return(*, actor, condition: ConditionPrecedent,
                     comment: str) -> ConditionPrecedent:
    """The programme officer returns the evidence, saying what is missing."""
    require(actor, Action.CHECK_CONDITIONS)
    comment = (comment or "").strip()
    if not comment:
        raise ProblemsError([("comment", _("Say what the company must add or change."))],
                            code="comment_missing")
    return _decide(actor=actor, condition=condition, status=C.RETURNED, comment=comment[:4000])
