"""Progress reports: the company sends one for each requirement with a value for each of
the round's outcome indicators, a narrative and evidence; the programme officer accepts it
or returns it with comments; a returned report is revised and sent again.

A report sent after its due date is late, and stays late: the flag is set when it is first
sent and the due date never moves (``requirements``).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.errors import ProblemsError
from applicants.services.document_scan import evidence_screen
from applicants.services.documents import _clean_name, evidence_problem
from applicants.services.filetypes import ALLOWED_TYPES, detect_type
from subsidy.platform.audit import audit_record
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, require
from subsidy.platform.virus_scan import virus_scanner
from subsidy.progress.models import (
    IndicatorValue,
    OutcomeIndicator,
    ProgressReport,
    ReportEvidence,
    ReportingRequirement,
)
from subsidy.progress.services.notices import notify_company, notify_officers, publish_to_partners
from subsidy.scheme.models import Grant

R = ProgressReport.Status
MAX_VALUE = Decimal("99999999999999.99")


@dataclass
class ReportInput:
    narrative: str
    # indicator id -> value
    values: dict[int, Decimal | None] = field(default_factory=dict)
    evidence: list = field(default_factory=list)


def _locked(requirement: ReportingRequirement) -> ReportingRequirement:
    """The grant's row first, then the requirement's report (docs/architecture.md's order);
    refused unless the grant is active."""
    grant = (Grant.objects.select_for_update(of=("self",))
             .select_related("application__organisation", "round")
             .get(pk=requirement.grant_id))
    if grant.status != Grant.Status.ACTIVE:
        raise DomainError(_("The grant is %(status)s: its reports can no longer change.")
                          % {"status": grant.get_status_display().lower()},
                          code="grant_not_active")
    locked = ReportingRequirement.objects.get(pk=requirement.pk)
    locked.grant = grant
    return locked


def _locked_report(requirement: ReportingRequirement) -> ProgressReport | None:
    return (ProgressReport.objects.select_for_update().filter(requirement=requirement).first())


def _input_problems(indicators: list[OutcomeIndicator], data: ReportInput):
    problems = []
    narrative = (data.narrative or "").strip()
    if not narrative:
        problems.append(("narrative", _("Say what the project did and achieved.")))
    elif len(narrative) > 8000:
        problems.append(("narrative", _("Keep this to 8,000 characters or fewer.")))
    for indicator in indicators:
        value = data.values.get(indicator.pk)
        name = f"indicator-{indicator.pk}"
        if value is None:
            problems.append((name, _("Give a value for “%(name)s” (0 if none).")
                             % {"name": indicator.name}))
        elif value < 0 or value > MAX_VALUE:
            problems.append((name, _("“%(name)s” cannot be negative.")
                             % {"name": indicator.name}))
        elif indicator.kind == OutcomeIndicator.Kind.COUNT and value != value.to_integral():
            problems.append((name, _("“%(name)s” is a whole number.")
                             % {"name": indicator.name}))
    known = {indicator.pk for indicator in indicators}
    if set(data.values) - known:
        problems.append((None, _("Report only the round's outcome indicators.")))
    problems += [("evidence", problem) for problem in map(evidence_problem, data.evidence)
                 if problem]
    return problems


def _evidence_screen(*, actor, requirement: ReportingRequirement, data: ReportInput) -> None:
    """Evidence is checked for viruses before the report's transaction (``document_scan``),
    as a claim's is: a virus is refused and audited, and a file clamd could not check is
    refused too, to be sent again shortly."""
    if not data.evidence or virus_scanner() is None:
        return
    application = (ReportingRequirement.objects.select_related("grant__application")
                   .get(pk=requirement.pk).grant.application)
    evidence_screen(
        actor=actor, subject=application, uploads=data.evidence, field="evidence",
        kind="report_evidence", unchecked=lambda upload: _(
            "Evidence file “%(name)s” could not be checked for viruses just now. Send "
            "the report again in a few minutes.") % {"name": _clean_name(upload.name)})


def _store(report: ProgressReport, actor, data: ReportInput, stored: list[str]) -> None:
    for indicator_id, value in data.values.items():
        IndicatorValue.objects.update_or_create(report=report, indicator_id=indicator_id,
                                                defaults={"value": value})
    for upload in data.evidence:
        evidence = ReportEvidence(report=report, original_name=_clean_name(upload.name),
                                  size=upload.size, mime_type=detect_type(upload),
                                  uploaded_by=actor)
        evidence.file.save(f"evidence.{ALLOWED_TYPES[evidence.mime_type]}", upload,
                           save=False)
        stored.append(evidence.file.name)
        evidence.save()


def report_submit(*, actor, requirement: ReportingRequirement,
                  data: ReportInput) -> ProgressReport:
    """The company's owner or editor sends the report a requirement asks for, or sends a
    returned report again with changes. Late when first sent after the due date."""
    _evidence_screen(actor=actor, requirement=requirement, data=data)
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = _locked(requirement)
            require(actor, Action.SUBMIT_PROGRESS_REPORT, locked.grant.application)
            report = _locked_report(locked)
            if report is not None and report.status != R.RETURNED:
                raise DomainError(_("This report has been sent already: it is %(status)s.")
                                  % {"status": report.get_status_display().lower()},
                                  code="report_not_open")
            indicators = list(OutcomeIndicator.objects.in_use()
                              .filter(round_id=locked.grant.round_id))
            problems = _input_problems(indicators, data)
            if problems:
                raise ProblemsError(problems, code="report_invalid")
            now = timezone.now()
            before = {"status": report.status, "revision": report.revision} if report else {}
            if report is None:
                report = ProgressReport(requirement=locked, first_submitted_at=now,
                                        late=timezone.localdate(now) > locked.due_date)
            else:
                report.revision += 1
            report.requirement = locked
            report.status = R.SUBMITTED
            report.narrative = data.narrative.strip()
            report.submitted_by, report.submitted_at = actor, now
            report.save()
            _store(report, actor, data, stored)
            audit_record(actor=actor, action="report.submit", obj=report, before=before,
                         after={"status": report.status, "revision": report.revision,
                                "late": report.late, "evidence": len(data.evidence),
                                "values": {str(k): v for k, v in data.values.items()}})
            notify_officers(requirement=locked, event="report_submitted_staff", actor=actor,
                            extra={"revision": report.revision})
            publish_to_partners(report=report, event_type="report.submitted")
            return report
    except Exception:
        # Storage is not transactional: a refused or failed step keeps no file.
        for name in stored:
            default_storage.delete(name)
        raise


def _decide(*, actor, report: ProgressReport, status: str, comment: str) -> ProgressReport:
    require(actor, Action.REVIEW_PROGRESS_REPORTS)
    with transaction.atomic():
        requirement = _locked(report.requirement)
        locked = _locked_report(requirement)
        if locked is None or locked.status != R.SUBMITTED:
            raise DomainError(_("This report is not waiting for review."),
                              code="report_not_submitted")
        locked.requirement = requirement
        locked.status = status
        locked.officer_comment = comment
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.save(update_fields=["status", "officer_comment", "decided_by", "decided_at"])
        audit_record(actor=actor, action=f"report.{status}", obj=locked,
                     before={"status": R.SUBMITTED},
                     after={"status": status, "comment": comment})
        notify_company(requirement=requirement, event=f"report_{status}",
                       extra={"note": comment})
        publish_to_partners(report=locked, event_type=f"report.{status}")
        return locked


def report_accept(*, actor, report: ProgressReport, comment: str = "") -> ProgressReport:
    """The programme officer accepts the report. Final: an accepted report stays so."""
    return _decide(actor=actor, report=report, status=R.ACCEPTED,
                   comment=(comment or "").strip()[:4000])


def report_return(*, actor, report: ProgressReport, comment: str) -> ProgressReport:
    """The programme officer returns the report, saying what the company must change."""
    require(actor, Action.REVIEW_PROGRESS_REPORTS)
    comment = (comment or "").strip()
    if not comment:
        raise ProblemsError([("comment", _("Say what the company must add or change."))],
                            code="comment_missing")
    return _decide(actor=actor, report=report, status=R.RETURNED, comment=comment[:4000])
