"""Who uses the system: users with their roles, partner organisations with their people,
and the append-only audit trail of everything they do."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.auth.models import BaseUserManager as DjangoBaseUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidy.platform.roles import STAFF_ROLES, Role


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


class AuditEvent(models.Model):
    """An append-only record of a change of status, money or permission.

    Written only by ``subsidy.platform.audit.audit_record``; rows cannot be changed or
    deleted through the ORM, and on PostgreSQL triggers refuse UPDATE, DELETE and TRUNCATE
    too, while the application's database role may only INSERT and SELECT
    (docs/deployment.md). Each record carries the hash of the one before it
    (``previous_hash``) and its own (``record_hash``: SHA-256 over the previous hash and the
    record's canonical form), so ``manage.py audit_verify`` finds a record changed, removed
    or inserted out of order.
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
    previous_hash = models.CharField(max_length=64, blank=True, editable=False)
    record_hash = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"],
                                name="audit_object_idx")]
        constraints = [
            models.CheckConstraint(condition=Exact(Length("record_hash"), 64),
                                   name="audit_record_hash_sha256"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")


class PartnerOrganisation(models.Model):
    """An incubator or university programme that uses the API for the startups it supports."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    contact_email = models.EmailField(_("contact email"))
    active = models.BooleanField(
        _("active"), default=True,
        help_text=_("An inactive partner's keys are refused and its webhooks are not sent."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class PartnerMember(models.Model):
    """A person who works for a partner organisation and uses its pages on the site (the
    dashboard, webhook settings and delivery log). Linked by an administrator; a person
    belongs to one partner organisation at most. Holding the partner role without this link
    gives access to nothing."""

    partner = models.ForeignKey(PartnerOrganisation, on_delete=models.CASCADE,
                                related_name="members", verbose_name=_("partner organisation"))
    # Not named ``partner`` on the user: ``subsidy.platform.permissions`` reads a ``partner``
    # attribute as the mark of a partner's API client.
    user = models.OneToOneField(User, on_delete=models.CASCADE,
                                related_name="partner_membership", verbose_name=_("user"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("partner member")
        verbose_name_plural = _("partner members")
        ordering = ["partner", "user__email"]

    def __str__(self):
        return f"{self.user} → {self.partner}"
