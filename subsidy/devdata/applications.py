"""Demo applications for a local run, made through the applicants services and the workflow
engine as users would: one submitted and awaiting screening, one in review, one reviewed and
ready for the panel. The application in review is assigned to a demo reviewer who declared
no conflict, so signing in as that reviewer shows its documents beside the scoring form.
From there the demo officer, reviewers and panel member can take one to an accepted offer
and another to a rejection.

Idempotent: a company that already has an application in the round is left as it is.
"""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applicants.models import Application, Organisation
from applicants.services.documents import document_upload
from applicants.services.drafts import application_create_draft, application_update_section
from applicants.services.submission import application_submit
from applicants.workflow import application_transition
from reviews.models import Recommendation, ReviewerPoolMember
from reviews.services.assignments import assignment_create, declaration_record
from reviews.services.scoring import review_save
from subsidy.scheme.models import FundingRound

STEPS = {
    "submitted": [],
    "in_review": ["start_screening", "pass_to_review"],
    "reviewed": ["start_screening", "pass_to_review", "complete_review"],
}

# (company BR number, state, project, GPU-hours, personnel (people, cost each), equipment)
DEMO_APPLICATIONS = [
    ("61234567", "submitted", {
        "title": "Crane-camera defect detection for Kwai Tsing container terminals",
        "summary": "Computer-vision models that spot cracks and corrosion on quay cranes from "
                   "existing CCTV, so that maintenance crews act before a breakdown.",
        "category": "computer_vision", "total_eligible_cost": "2000000.00",
        "requested_subsidy": "1400000.00"}, 40000, (2, 330000), 600000),
    ("62345678", "in_review", {
        "title": "粵語醫療對話語音轉寫 / Cantonese clinical speech transcription",
        "summary": "A speech model that transcribes Cantonese and code-mixed consultations in "
                   "public clinics, with the clinician confirming every note.",
        "category": "nlp", "total_eligible_cost": "1000000.00",
        "requested_subsidy": "650000.00"}, 20000, (2, 315000), None),
    ("63456789", "reviewed", {
        "title": "Elderly-home assistance robot with fall detection",
        "summary": "A mobile robot that guides residents at night and calls staff when it "
                   "detects a fall, piloted in two residential care homes.",
        "category": "robotics", "total_eligible_cost": "3000000.00",
        "requested_subsidy": "2000000.00"}, 60000, (3, 430000), 600000),
]


def demo_pdf(title: str) -> bytes:
    """A small, valid one-page PDF."""
    text = title.encode("ascii", "replace")[:60].replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 14 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    body += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    body += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n"
             "%%EOF\n").encode()
    return body


def _sections(project, gpu_hours, personnel, equipment) -> list[tuple[str, object]]:
    start = timezone.localdate() + timedelta(days=60)
    end = start + timedelta(days=364)
    budget = [
        {"category": "compute", "description": "Model training at the AI Supercomputing Centre",
         "gpu_hours": str(gpu_hours), "justification": "Training and evaluation runs."},
        {"category": "personnel", "description": "Machine-learning engineers",
         "quantity": str(personnel[0]), "unit_cost": str(personnel[1]),
         "justification": "Engineers for the twelve months of the project."},
    ]
    if equipment:
        budget.append({"category": "equipment", "description": "Pilot hardware",
                       "quantity": "1", "unit_cost": str(equipment),
                       "justification": "Devices for the pilot sites."})
    milestones = [
        {"deliverable": "Data collected and labelled",
         "due_date": (start + timedelta(days=120)).isoformat(), "share_percent": "40"},
        {"deliverable": "Model in pilot", "due_date": (start + timedelta(days=270)).isoformat(),
         "share_percent": "30"},
        {"deliverable": "Pilot evaluated and reported", "due_date": end.isoformat(),
         "share_percent": "30"},
    ]
    return [
        ("project", {**project, "start_date": start.isoformat(), "end_date": end.isoformat()}),
        ("budget", budget),
        ("milestones", milestones),
        ("team", [{"name": "Chan Tai Man", "role": "Technical lead",
                   "expertise": "Ten years of applied machine learning."}]),
        ("responsible_ai", {
            "rai_safety": "Red-team testing and a kill switch before each release.",
            "rai_human": "People confirm every consequential output.",
            "rai_transparency": "Model cards and an audit log are published."}),
        ("declarations", {"declares_accurate": True, "declares_no_double_funding": True,
                          "declares_compliance": True, "privacy_notice": True}),
    ]


def demo_application_submit(*, owner, organisation, round_, project, gpu_hours, personnel,
                            equipment) -> Application:
    """A complete application of ``organisation``, drafted and submitted by its owner."""
    application = demo_application_draft(owner=owner, organisation=organisation, round_=round_,
                                         project=project, gpu_hours=gpu_hours,
                                         personnel=personnel, equipment=equipment)
    application_submit(actor=owner, application=application)
    return application


def demo_application_draft(*, owner, organisation, round_, project, gpu_hours, personnel,
                           equipment) -> Application:
    """A complete draft of ``organisation``, every section filled and every required
    document uploaded by its owner, ready to submit."""
    application = application_create_draft(actor=owner, organisation=organisation,
                                           round_=round_)
    for section, data in _sections(project, gpu_hours, personnel, equipment):
        application_update_section(actor=owner, application=application, section=section,
                                   data=data, expected_version=application.version)
        application.refresh_from_db()
    for code in round_.required_documents:
        document_upload(actor=owner, application=application, document_type=code,
                        uploaded_file=SimpleUploadedFile(
                            f"{code}.pdf", demo_pdf(f"{organisation.name_en}: {code}"),
                            content_type="application/pdf"))
    return application


def demo_applications_seed(*, round_: FundingRound, officer, reviewer) -> list[Application]:
    """The three demo applications, each moved to its state; existing ones are kept. The one
    in review is assigned to ``reviewer``, who declared no conflict."""
    made = []
    for br_number, state, project, gpu_hours, personnel, equipment in DEMO_APPLICATIONS:
        organisation = Organisation.objects.get(br_number=br_number)
        if Application.objects.filter(organisation=organisation, round=round_).exists():
            continue
        owner = organisation.memberships.get(role="owner").user
        application = demo_application_submit(
            owner=owner, organisation=organisation, round_=round_, project=project,
            gpu_hours=gpu_hours, personnel=personnel, equipment=equipment)
        for step in STEPS[state]:
            if step == "complete_review":
                # The last review submitted closes the review stage by itself.
                _demo_reviews_seed(application=application, officer=officer)
                application.refresh_from_db()
                if application.status != "in_review":
                    continue
            application_transition(actor=None if step == "complete_review" else officer,
                                   application=application, transition_name=step)
        if state == "in_review":
            assignment = assignment_create(actor=officer, application=application,
                                           reviewer=reviewer)
            declaration_record(actor=reviewer, assignment=assignment, has_conflict=False)
        made.append(application)
    return made


DEMO_REVIEW_SCORES = [4, 3, 5]


def _demo_reviews_seed(*, application: Application, officer) -> None:
    """The reviewed demo application has its reviews: one from each of the round's first
    pooled reviewers, each with a score and a comment per criterion."""
    round_ = application.round
    pool = (ReviewerPoolMember.objects.filter(round=round_).select_related("reviewer")
            .order_by("pk")[:round_.reviewers_per_application])
    for index, member in enumerate(pool):
        score = DEMO_REVIEW_SCORES[index % len(DEMO_REVIEW_SCORES)]
        assignment = assignment_create(actor=officer, application=application,
                                       reviewer=member.reviewer)
        declaration_record(actor=member.reviewer, assignment=assignment, has_conflict=False)
        review_save(actor=member.reviewer, assignment=assignment,
                    scores={c["code"]: {"score": min(score, round_.score_scale_max),
                                        "comment": "Clear plan; the milestones are realistic."}
                            for c in round_.rubric},
                    recommendation=Recommendation.FUND,
                    overall_comment="A credible team with a focused, well-costed project.",
                    submit=True)
