"""References and submitted versions: what the workflow does when an application is
submitted or resubmitted."""

from django.db import connection
from django.db.models import Max

from applicants.models import Application, ApplicationVersion
from subsidy.platform.audit import actor_user, snapshot

SNAPSHOT_FIELDS = [
    "reference", "title", "summary", "category", "start_date", "end_date",
    "total_eligible_cost", "requested_subsidy", "rai_safety", "rai_human", "rai_transparency",
    "declares_accurate", "declares_no_double_funding", "declares_compliance",
    "privacy_notice_accepted_at",
]


def application_snapshot(application: Application) -> dict:
    """Everything the applicant submitted, as plain JSON (amounts as strings)."""
    app = application
    data = snapshot(app, SNAPSHOT_FIELDS)
    data["round"] = app.round.code
    data["organisation"] = {"id": app.organisation_id, "name_en": app.organisation.name_en,
                            "br_number": app.organisation.br_number}
    data["budget_lines"] = [
        {"category": line.category, "description": line.description,
         "quantity": str(line.quantity), "unit_cost": str(line.unit_cost),
         "gpu_hours": None if line.gpu_hours is None else str(line.gpu_hours),
         "justification": line.justification, "amount": str(line.amount)}
        for line in app.budget_lines.all()
    ]
    data["milestones"] = [
        {"deliverable": m.deliverable, "due_date": m.due_date.isoformat(),
         "share_percent": str(m.share_percent)}
        for m in app.milestones.all()
    ]
    data["team"] = [{"name": t.name, "role": t.role, "expertise": t.expertise}
                    for t in app.team_members.all()]
    data["documents"] = [
        {"id": d.pk, "document_type": d.document_type, "original_name": d.original_name,
         "size": d.size, "sha256": d.sha256, "mime_type": d.mime_type}
        for d in app.documents.all()
    ]
    return data


# The round's sequence row (``ReferenceSequence``) is created at its first submission.
NEXT_REFERENCE_NUMBER = (
    'INSERT INTO "applicants_referencesequence" (round_id, last_number) VALUES (%s, 1) '
    'ON CONFLICT (round_id) DO UPDATE '
    'SET last_number = "applicants_referencesequence".last_number + 1 '
    "RETURNING last_number"
)


def reference_assign(application: Application) -> str:
    """Give the application the next reference of its round, ``AISS-<round>-<5 digits>``.

    One statement takes the round's next number (creating the round's sequence row at its
    first submission) and locks the row until the transaction ends, so concurrent
    submissions in one round take consecutive numbers and none is used twice. Keeps an
    existing reference (a resubmission is the same application)."""
    if application.reference:
        return application.reference
    with connection.cursor() as cursor:
        cursor.execute(NEXT_REFERENCE_NUMBER, [application.round_id])
        number = cursor.fetchone()[0]
    application.reference = f"AISS-{application.round.code}-{number:05d}"
    application.save(update_fields=["reference", "updated_at"])
    return application.reference


def version_create(application: Application, *, actor) -> ApplicationVersion:
    """Freeze what is being submitted as the next version; earlier versions stay."""
    latest = application.versions.aggregate(n=Max("number"))["n"] or 0
    return ApplicationVersion.objects.create(
        application=application, number=latest + 1,
        snapshot=application_snapshot(application),
        created_by=actor_user(actor),
    )


def version_diff(older: ApplicationVersion, newer: ApplicationVersion) -> list[dict]:
    """What changed between two submitted versions, for staff: one entry per changed part
    (a field, or a whole list such as the budget lines) with its value before and after."""
    changes = []
    before, after = older.snapshot, newer.snapshot
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            changes.append({"field": key, "before": before.get(key), "after": after.get(key)})
    return changes
