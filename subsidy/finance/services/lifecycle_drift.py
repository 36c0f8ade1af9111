"""Applications and grants whose states drifted apart, and their repair.

Before the grant's effects joined the application's transitions, the staff page's buttons
started, completed and terminated projects without the grant: an active application with
an accepted grant and no tranches, a terminated one whose grant is still active (its
tranches scheduled, its amount still committed), a completed one with unpaid tranches.
``grant_lifecycle_drift`` finds every such pair; ``grant_lifecycle_repair`` applies the
effects the workflow now applies (the ones finance registers, ``GRANT_EFFECTS``), as the
system, under the engine's locks (application, then grant) and in one transaction per
grant. What needs a person (unpaid tranches of a completed project, a payment at the bank,
a schedule the milestones cannot give) is reported, never decided here.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from applicants.models import Application, ApplicationStatus, StatusChange
from applicants.workflow import TRANSITIONS_BY_NAME, TransitionContext
from subsidy.finance.models import Tranche
from subsidy.finance.services.tranches import GRANT_EFFECTS
from subsidy.platform.audit import audit_record
from subsidy.platform.errors import DomainError
from subsidy.scheme.models import Grant

A, G = ApplicationStatus, Grant.Status

# The grant's state for each application state that has a grant in step with it.
EXPECTED_GRANT_STATUS = {
    A.APPROVED: G.OFFERED, A.OFFERED: G.OFFERED, A.ACCEPTED: G.ACCEPTED,
    A.DECLINED: G.DECLINED, A.LAPSED: G.LAPSED, A.ACTIVE: G.ACTIVE,
    A.COMPLETED: G.COMPLETED, A.TERMINATED: G.TERMINATED,
}

# Repairs: the application's step whose grant effect brings the grant in line, or
# ``END_UNSTARTED`` for a terminated project whose grant never started.
START, CLOSE, END, END_UNSTARTED = "activate", "complete", "terminate", "end_unstarted"
REPAIR_LABELS = {
    START: "start the grant on the milestones' schedule",
    CLOSE: "complete the grant",
    END: "terminate the grant: cancel its unpaid tranches, open claims and unsent payments",
    END_UNSTARTED: "terminate the grant, which never started",
}


@dataclass(frozen=True)
class Drift:
    application_id: int
    reference: str
    application_status: str
    grant_id: int
    grant_status: str
    problem: str
    repair: str | None  # None: reported for a person to resolve

    def __str__(self) -> str:
        return (f"{self.reference or '(no reference)'} (application {self.application_id}, "
                f"grant {self.grant_id}): application {self.application_status}, grant "
                f"{self.grant_status}: {self.problem}")


def _classify(app_status: str, grant_status: str, tranches: int,
              scheduled: int) -> tuple[str, str | None] | None:
    """(problem, repair) when the pair disagrees, else None."""
    if app_status == A.ACTIVE:
        if grant_status == G.ACCEPTED:
            return ("the project started without its grant (no schedule fixed)", START)
        if grant_status == G.ACTIVE and not tranches:
            return ("the grant is active without tranches; set them with finance", None)
    if app_status == A.COMPLETED and grant_status == G.ACTIVE:
        if scheduled:
            return (f"{scheduled} tranche(s) not paid: pay them, or terminate the project "
                    "instead; nothing is paid or cancelled automatically", None)
        return ("the project completed but its grant was not closed", CLOSE)
    if app_status == A.TERMINATED:
        if grant_status == G.ACTIVE:
            return ("the project was terminated but its grant is active: its unpaid "
                    "tranches are still scheduled and its amount still committed", END)
        if grant_status == G.ACCEPTED:
            return ("the project was terminated but its grant, never started, still "
                    "commits its amount", END_UNSTARTED)
    expected = EXPECTED_GRANT_STATUS.get(app_status)
    if expected is None:
        if grant_status in Grant.COMMITTING_STATUSES:
            return ("the application has no offer but its grant commits its amount", None)
        return None
    if grant_status != expected:
        return (f"the grant should be {expected}", None)
    return None


def _grants_with_counts():
    return Grant.objects.annotate(
        tranche_count=Count("tranches"),
        scheduled_count=Count("tranches", filter=Q(tranches__status=Tranche.Status.SCHEDULED)))


def grant_lifecycle_drift() -> list[Drift]:
    """Every grant whose state disagrees with its application's, in application order."""
    # Same-named states agree unless the grant is active without tranches; the rest (the
    # approved application's offered grant among them) are classified one by one.
    candidates = (_grants_with_counts()
                  .filter(~Q(status=F("application__status"))
                          | Q(status=G.ACTIVE, tranche_count=0))
                  .select_related("application").order_by("application_id"))
    drifts = []
    for grant in candidates:
        found = _classify(grant.application.status, grant.status, grant.tranche_count,
                          grant.scheduled_count)
        if found is not None:
            drifts.append(Drift(application_id=grant.application_id,
                                reference=grant.application.reference,
                                application_status=grant.application.status,
                                grant_id=grant.pk, grant_status=grant.status,
                                problem=found[0], repair=found[1]))
    return drifts


def _termination_reason(application: Application) -> str:
    change = (StatusChange.objects.filter(application=application, transition="terminate")
              .order_by("-at", "-id").first())
    return (change.note if change and change.note.strip()
            else "Terminated before the grant followed the project; repaired on upgrade.")


def _grant_end_unstarted(application: Application, reason: str) -> None:
    """A grant that never started has nothing paid or claimed: its tranches (an officer's
    schedule, if any) are cancelled and the grant is terminated, releasing its amount."""
    grant = Grant.objects.select_for_update(of=("self",)).get(application_id=application.pk)
    cancelled = grant.tranches.filter(status=Tranche.Status.SCHEDULED).update(
        status=Tranche.Status.CANCELLED)
    grant.status = G.TERMINATED
    grant.closed_at = timezone.now()
    grant.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(actor=None, action="grant.terminate", obj=grant,
                 before={"status": G.ACCEPTED},
                 after={"status": grant.status, "reason": reason,
                        "tranches_cancelled": cancelled, "payments_cancelled": 0})


@transaction.atomic
def grant_lifecycle_repair(*, drift: Drift) -> Drift | None:
    """Bring one grant in line with its application, as the system. Locks the application
    then the grant (the engine's order) and classifies the pair again under the locks: a
    pair that changed since it was listed is left alone. Returns None when repaired (or
    found in step), else the drift as it stands; raises ``DomainError`` when the grant's
    effect refuses (a payment with the bank, no valid schedule), changing nothing."""
    application = (Application.objects.select_for_update(of=("self",))
                   .select_related("round", "organisation").get(pk=drift.application_id))
    grant = _grants_with_counts().get(pk=drift.grant_id)
    found = _classify(application.status, grant.status, grant.tranche_count,
                      grant.scheduled_count)
    if found is None:
        return None
    current = Drift(application_id=application.pk, reference=application.reference,
                    application_status=application.status, grant_id=grant.pk,
                    grant_status=grant.status, problem=found[0], repair=found[1])
    if current.repair is None:
        return current
    if current.repair == END_UNSTARTED:
        _grant_end_unstarted(application, _termination_reason(application))
    else:
        transition = TRANSITIONS_BY_NAME[current.repair]
        payload = ({"reason": _termination_reason(application)} if current.repair == END
                   else {})
        GRANT_EFFECTS[current.repair](TransitionContext(
            actor=None, application=application, transition=transition,
            source=application.status, payload=payload))
    after = Grant.objects.values_list("status", flat=True).get(pk=grant.pk)
    audit_record(actor=None, action="grant.lifecycle_repair", obj=grant,
                 before={"status": grant.status, "application_status": application.status},
                 after={"status": after, "repair": current.repair})
    return None


def grant_lifecycle_repair_all() -> tuple[list[Drift], list[tuple[Drift, str]]]:
    """Repair every drift that can be repaired, each in its own transaction. Returns the
    repaired drifts and the ones left, each with the reason."""
    repaired, left = [], []
    for drift in grant_lifecycle_drift():
        if drift.repair is None:
            left.append((drift, "needs a person"))
            continue
        try:
            remaining = grant_lifecycle_repair(drift=drift)
        except DomainError as error:
            problems = getattr(error, "problems", None) or [(None, error.message)]
            left.append((drift, " ".join(str(message) for _field, message in problems)))
            continue
        if remaining is None:
            repaired.append(drift)
        else:
            left.append((remaining, "needs a person"))
    return repaired, left
