"""The scheme and its money: schemes with their budget, funding rounds with their envelope
and rules, and grants (an approved application's offer, commitment and completion).
The ledger's figures are computed from these rows in SQL, never kept as running totals."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from subsidy.platform.money import MONEY, money


class Sector(models.TextChoices):
    """Project categories of DOMAIN.md; a round lists the ones it funds."""

    NLP = "nlp", _("Natural language processing")
    COMPUTER_VISION = "computer_vision", _("Computer vision")
    PREDICTIVE_ANALYTICS = "predictive_analytics", _("Predictive analytics")
    GENERATIVE_AI = "generative_ai", _("Generative AI")
    ROBOTICS = "robotics", _("Robotics")
    AI_OTHER = "ai_other", _("Other AI")
    DEFI = "defi", _("DeFi")
    NFT = "nft", _("NFTs")
    METAVERSE = "metaverse", _("Metaverse")
    BLOCKCHAIN_INFRASTRUCTURE = "blockchain_infrastructure", _("Blockchain infrastructure")


# The AI Subsidy Scheme funds AI projects: the categories an application may take. (The
# Web3 sectors describe companies; a later Web3 scheme would list its own.)
AI_SECTORS = (Sector.NLP, Sector.COMPUTER_VISION, Sector.PREDICTIVE_ANALYTICS,
              Sector.GENERATIVE_AI, Sector.ROBOTICS, Sector.AI_OTHER)


class DocumentType(models.TextChoices):
    BUSINESS_PLAN = "business_plan", _("Business plan")
    FINANCIAL_STATEMENTS = "financial_statements", _("Financial statements")
    BR_CERTIFICATE = "br_certificate", _("Business Registration certificate")
    OTHER = "other", _("Other supporting document")


class Scheme(models.Model):
    """A funding scheme with its total budget, e.g. the HK$500M AI Subsidy Scheme."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    budget = models.DecimalField(_("budget (HKD)"), **MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("scheme")
        verbose_name_plural = _("schemes")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gt=0), name="scheme_budget_positive"),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.name_zh if get_language() == "zh-hant" and self.name_zh else self.name_en


def default_rubric():
    """The default rubric of DOMAIN.md (weights sum to 100)."""
    return [
        {"code": "alignment", "weight": 25,
         "name_en": "Alignment with Hong Kong's innovation, technology and AI needs",
         "name_zh": "配合香港創新科技及人工智能發展需要"},
        {"code": "compute", "weight": 20,
         "name_en": "Reasonableness of the computing-power request",
         "name_zh": "算力申請的合理性"},
        {"code": "capability", "weight": 20,
         "name_en": "Technical and financial capability",
         "name_zh": "技術及財務能力"},
        {"code": "innovation", "weight": 15,
         "name_en": "Innovation and technical merit",
         "name_zh": "創新性及技術價值"},
        {"code": "commercial", "weight": 10,
         "name_en": "Commercial potential and impact",
         "name_zh": "商業潛力及影響"},
        {"code": "responsible_ai", "weight": 10,
         "name_en": "Responsible AI",
         "name_zh": "負責任的人工智能"},
    ]


class FundingRound(models.Model):
    """A call for applications with its envelope and rules.

    Database constraints keep each row consistent; the sum of a scheme's envelopes is kept
    within its budget by ``subsidy.scheme.services.rounds`` under a lock on the scheme row, and on
    PostgreSQL also by a constraint trigger checked at commit.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="rounds")
    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9]{2,20}$",
                                   _("Use 2 to 20 capital letters and digits, e.g. 2026R1."))],
        help_text=_("Used in application references, e.g. AISS-2026R1-00042."),
    )
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PLANNED)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    envelope = models.DecimalField(_("envelope (HKD)"), **MONEY)
    max_subsidy_per_project = models.DecimalField(_("maximum subsidy per project (HKD)"), **MONEY)
    max_ratio_percent = models.DecimalField(
        _("maximum subsidy ratio (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("70.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("90"))],
    )
    eligible_categories = models.JSONField(_("eligible categories"), default=list, blank=True)
    required_documents = models.JSONField(_("required documents"), default=list, blank=True)
    gpu_hour_rate = models.DecimalField(
        _("AI Supercomputing Centre list rate per GPU-hour (HKD)"), **MONEY
    )
    reviewers_per_application = models.PositiveSmallIntegerField(
        _("reviewers per application"), default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    rubric = models.JSONField(
        _("scoring rubric"), default=default_rubric,
        help_text=_("Criteria with weights that sum to 100."),
    )
    score_scale_max = models.PositiveSmallIntegerField(_("top of the score scale"), default=5)
    final_report_due_days = models.PositiveSmallIntegerField(
        _("final report due (days after the project ends)"), default=60,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    report_reminder_days = models.PositiveSmallIntegerField(
        _("report reminder (days before the due date)"), default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    report_escalation_days = models.PositiveSmallIntegerField(
        _("report escalation (days after the due date)"), default=1,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("funding round")
        verbose_name_plural = _("funding rounds")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")),
                                   name="round_closes_after_opening"),
            models.CheckConstraint(condition=Q(envelope__gt=0), name="round_envelope_positive"),
            models.CheckConstraint(
                condition=Q(max_subsidy_per_project__gt=0)
                & Q(max_subsidy_per_project__lte=F("envelope")),
                name="round_project_cap_within_envelope",
            ),
            models.CheckConstraint(
                condition=Q(max_ratio_percent__gt=0) & Q(max_ratio_percent__lte=90),
                name="round_ratio_cap_0_to_90",
            ),
            models.CheckConstraint(condition=Q(gpu_hour_rate__gte=0),
                                   name="round_gpu_rate_not_negative"),
            models.CheckConstraint(
                condition=Q(reviewers_per_application__gte=1)
                & Q(reviewers_per_application__lte=10),
                name="round_reviewers_1_to_10",
            ),
            models.CheckConstraint(
                condition=Q(score_scale_max__gte=2) & Q(score_scale_max__lte=10),
                name="round_score_scale_2_to_10",
            ),
            models.CheckConstraint(condition=Q(status__in=["planned", "open", "closed"]),
                                   name="round_status_known"),
            models.CheckConstraint(
                condition=Q(final_report_due_days__gte=1) & Q(final_report_due_days__lte=365),
                name="round_final_report_days_1_to_365"),
            models.CheckConstraint(
                condition=Q(report_reminder_days__gte=1) & Q(report_reminder_days__lte=90),
                name="round_report_reminder_days_1_to_90"),
            models.CheckConstraint(
                condition=Q(report_escalation_days__gte=1) & Q(report_escalation_days__lte=90),
                name="round_report_escalation_days_1_to_90"),
        ]

    def __str__(self):
        return f"{self.code} – {self.title}"

    @property
    def title(self):
        return self.title_zh if get_language() == "zh-hant" and self.title_zh else self.title_en

    def is_accepting_submissions(self, at=None) -> bool:
        at = at or timezone.now()
        return self.status == self.Status.OPEN and self.opens_at <= at < self.closes_at


class Grant(models.Model):
    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        LAPSED = "lapsed", _("Lapsed")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        TERMINATED = "terminated", _("Terminated")

    # Grants whose whole approved amount counts against the round's envelope. A closed
    # grant (completed or terminated) counts only its net paid (paid less recovered): the
    # unclaimed rest was released when it closed. A declined or lapsed offer counts nothing.
    COMMITTING_STATUSES = (Status.OFFERED, Status.ACCEPTED, Status.ACTIVE)
    CLOSED_STATUSES = (Status.COMPLETED, Status.TERMINATED)

    application = models.OneToOneField("applicants.Application", on_delete=models.PROTECT,
                                       related_name="grant", verbose_name=_("application"))
    round = models.ForeignKey(FundingRound, on_delete=models.PROTECT, related_name="grants",
                              verbose_name=_("round"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.OFFERED, db_index=True)
    approved_amount = models.DecimalField(_("approved amount (HKD)"), **MONEY)
    approved_ratio_percent = models.DecimalField(
        _("approved subsidy ratio (%)"), max_digits=5, decimal_places=2)
    exceptional_case = models.BooleanField(
        _("exceptional case above the round's ratio cap"), default=False)
    exceptional_justification = models.TextField(_("justification of the exceptional case"),
                                                 blank=True, max_length=4000)
    conditions = models.TextField(_("conditions"), blank=True, max_length=8000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("approved at"), default=timezone.now)
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("offer answered at"), null=True, blank=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("completed or terminated at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["round", "status"], name="grant_round_status_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(approved_amount__gt=Decimal("0")),
                                   name="grant_amount_positive"),
            models.CheckConstraint(
                condition=Q(approved_ratio_percent__gt=0) & Q(approved_ratio_percent__lte=90),
                name="grant_ratio_0_to_90",
            ),
            models.CheckConstraint(
                condition=Q(exceptional_case=False) | ~Q(exceptional_justification=""),
                name="grant_exceptional_case_justified",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["offered", "accepted", "declined", "lapsed", "active",
                                        "completed", "terminated"]),
                name="grant_status_known",
            ),
        ]

    def __str__(self):
        return f"{self.application} – {money(self.approved_amount)}"
