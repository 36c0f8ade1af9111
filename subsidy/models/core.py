"""Core records: users and roles, schemes and funding rounds, the audit trail and the
notification outbox. Everything else in the product stands on these."""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.auth.models import BaseUserManager as DjangoBaseUserManager
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from subsidy.roles import STAFF_ROLES, Role

MONEY = {"max_digits": 14, "decimal_places": 2}


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


class DocumentType(models.TextChoices):
    BUSINESS_PLAN = "business_plan", _("Business plan")
    FINANCIAL_STATEMENTS = "financial_statements", _("Financial statements")
    BR_CERTIFICATE = "br_certificate", _("Business Registration certificate")
    OTHER = "other", _("Other supporting document")


class UserManager(DjangoBaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        user = self.create_user(email, password, **extra)
        UserRole.objects.get_or_create(user=user, role=Role.ADMINISTRATOR)
        return user


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("admin site access"),
        default=False,
        help_text=_("Lets the user sign in to the Django admin site."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def roles(self) -> frozenset[str]:
        """The user's role codes, loaded once per user object."""
        cached = getattr(self, "_role_cache", None)
        if cached is None:
            cached = frozenset(self.role_grants.values_list("role", flat=True))
            self._role_cache = cached
        return cached

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_staff_role(self) -> bool:
        return bool(self.roles & STAFF_ROLES)


class UserRole(models.Model):
    """One role granted to one user; a person may hold several (e.g. officer and reviewer)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="unique_user_role"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_known"),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}"


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
    within its budget by ``subsidy.services.rounds`` under a lock on the scheme row, and on
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
        ]

    def __str__(self):
        return f"{self.code} – {self.title}"

    @property
    def title(self):
        return self.title_zh if get_language() == "zh-hant" and self.title_zh else self.title_en

    def is_accepting_submissions(self, at=None) -> bool:
        at = at or timezone.now()
        return self.status == self.Status.OPEN and self.opens_at <= at < self.closes_at


class AuditEvent(models.Model):
    """An append-only record of a change of status, money or permission.

    Written only by ``subsidy.services.audit.audit_record``; rows cannot be changed or
    deleted through the ORM, and on PostgreSQL a trigger refuses UPDATE and DELETE too.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_label = models.CharField(max_length=254, blank=True,
                                   help_text=_("Who acted, kept even if the account changes."))
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=255, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"],
                                name="audit_object_idx")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")


class Notification(models.Model):
    """The outbox and the in-app inbox in one row per message to one person.

    It is written in the caller's transaction; delivery happens on commit through Celery, and
    the sweeper re-enqueues what was left pending, so nothing is lost when the broker is down.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        UNDELIVERABLE = "undeliverable", _("Undeliverable")
        # In the inbox only: the recipient switched email off for this optional event.
        EMAIL_OFF = "email_off", _("Email turned off")

    recipient = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="notifications")
    to_email = models.EmailField(max_length=254)
    event = models.CharField(max_length=80, db_index=True)
    context = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, default="en")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    subject = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="notification_outbox_idx"),
            models.Index(fields=["recipient", "read_at"], name="notification_inbox_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sent", "failed", "undeliverable",
                                         "email_off"]),
                name="notification_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="notification_sent_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.event} → {self.to_email} ({self.status})"


class NotificationPreference(models.Model):
    """Whether a user wants email for one optional notification event.

    No row means the event's default (``subsidy.notification_events``): email on, except the
    staff daily digest, which is opt-in. Mandatory events ignore these rows. Preferences
    govern email only: every notification still appears in the in-app inbox.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    event = models.CharField(max_length=80)
    email_enabled = models.BooleanField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "event"],
                                    name="notification_preference_once_per_event"),
        ]

    def __str__(self):
        return f"{self.user} {self.event}: {'on' if self.email_enabled else 'off'}"
