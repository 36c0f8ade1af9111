"""How an application's status reads outside the staff pages: the applicant's words, the
partner API's codes and the public timeline."""

from django.utils.translation import gettext_lazy

from applicants.models import ApplicationStatus

S = ApplicationStatus

# What an applicant sees: the assessment steps are one public state, and the internal
# vocabulary of staff ("screening", "reviewed") never reaches the applicant's pages.
PUBLIC_STATUS = {
    S.DRAFT: gettext_lazy("Draft"),
    S.SUBMITTED: gettext_lazy("Submitted"),
    S.SCREENING: gettext_lazy("Under assessment"),
    S.IN_REVIEW: gettext_lazy("Under assessment"),
    S.REVIEWED: gettext_lazy("Under assessment"),
    S.INFO_REQUESTED: gettext_lazy("Information requested"),
    S.INELIGIBLE: gettext_lazy("Not eligible"),
    S.APPROVED: gettext_lazy("Approved"),
    S.REJECTED: gettext_lazy("Not successful"),
    S.WAITLISTED: gettext_lazy("On the reserve list"),
    S.OFFERED: gettext_lazy("Offer made"),
    S.ACCEPTED: gettext_lazy("Offer accepted"),
    S.DECLINED: gettext_lazy("Offer declined"),
    S.LAPSED: gettext_lazy("Offer lapsed"),
    S.ACTIVE: gettext_lazy("Project in progress"),
    S.COMPLETED: gettext_lazy("Completed"),
    S.TERMINATED: gettext_lazy("Terminated"),
    S.WITHDRAWN: gettext_lazy("Withdrawn"),
}

# The states before a panel decision: an application can be withdrawn from any of them.
BEFORE_DECISION = frozenset({S.DRAFT, S.SUBMITTED, S.SCREENING, S.INFO_REQUESTED,
                             S.IN_REVIEW, S.REVIEWED})


def public_status(status: str) -> str:
    return str(PUBLIC_STATUS[status])


# The machine-readable public state the partner API and its webhooks use: the assessment
# steps are one state there too.
ASSESSMENT_STATUSES = frozenset({S.SCREENING, S.IN_REVIEW, S.REVIEWED})
UNDER_ASSESSMENT = "under_assessment"


def public_status_code(status: str) -> str:
    return UNDER_ASSESSMENT if status in ASSESSMENT_STATUSES else str(status)


def transition_note(payload: dict) -> str:
    """What the applicant (and a linked partner) is told with a step: the reason of a
    refusal or the question of a request for information."""
    return (payload.get("reason") or payload.get("question") or "").strip()


# The road an application travels, as the applicant sees it, and where each status stands
# on it. Statuses that end the road (not eligible, not successful, withdrawn, …) have
# nothing ahead.
PUBLIC_ROAD = [
    gettext_lazy("Submitted"),
    gettext_lazy("Assessment: eligibility screening, then review by independent experts"),
    gettext_lazy("Decision by the assessment panel"),
    gettext_lazy("Grant offer: you accept or decline it"),
    gettext_lazy("Project in progress: you claim each tranche as its milestone is met"),
    gettext_lazy("Completed"),
]
ROAD_POSITION = {
    S.DRAFT: -1, S.SUBMITTED: 0, S.SCREENING: 1, S.INFO_REQUESTED: 1, S.IN_REVIEW: 1,
    S.REVIEWED: 1, S.APPROVED: 2, S.WAITLISTED: 2, S.OFFERED: 3, S.ACCEPTED: 3, S.ACTIVE: 4,
}


def public_steps_ahead(status: str) -> list[str]:
    """The steps still to come for an application in ``status``, in order."""
    if status not in ROAD_POSITION:
        return []
    return [str(step) for step in PUBLIC_ROAD[ROAD_POSITION[status] + 1:]]


def public_timeline(status_changes) -> list[dict]:
    """The applicant's view of the history: public names, with consecutive steps that look
    the same to the applicant (screening → in review → reviewed) shown once."""
    timeline: list[dict] = []
    for change in status_changes:
        label = public_status(change.to_status)
        if timeline and timeline[-1]["label"] == label:
            continue
        timeline.append({"label": label, "at": change.at, "status": change.to_status,
                         "note": change.note})
    return timeline
