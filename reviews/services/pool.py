"""Reviewer pools per round and the round's assessment settings."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from reviews.models import ReviewerPoolMember, RoundAssessmentSettings
from subsidy.platform.audit import audit_record, snapshot
from subsidy.platform.errors import DomainError
from subsidy.platform.models import User
from subsidy.platform.permissions import Action, require
from subsidy.platform.roles import Role
from subsidy.scheme.models import FundingRound

POOL_FIELDS = ["expertise", "capacity", "active"]


def expertise_tags(value) -> list[str]:
    """Tags from a list or a comma-separated string: trimmed, lower-case, unique, in order."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    tags: list[str] = []
    for item in items:
        tag = str(item).strip().lower()
        if tag and tag not in tags:
            tags.append(tag[:40])
    return tags


def _check_capacity(capacity: int) -> None:
    if not 1 <= int(capacity) <= 200:
        raise DomainError(_("Capacity must be between 1 and 200 applications."),
                          field="capacity")


def pool_member_add(*, actor, round_: FundingRound, reviewer: User, expertise=(),
                    capacity: int = 10) -> ReviewerPoolMember:
    """Add a reviewer to a round's pool. Only holders of the reviewer role qualify; a
    reviewer is in a round's pool at most once (adding again reactivates them)."""
    require(actor, Action.MANAGE_REVIEWER_POOL)
    if not reviewer.is_active or Role.REVIEWER not in reviewer.roles:
        raise DomainError(_("Only an active user with the reviewer role can join the pool."),
                          field="reviewer")
    _check_capacity(capacity)
    with transaction.atomic():
        member, created = ReviewerPoolMember.objects.select_for_update().get_or_create(
            round=round_, reviewer=reviewer,
            defaults={"expertise": expertise_tags(expertise), "capacity": capacity})
        before = None if created else snapshot(member, POOL_FIELDS)
        if not created:
            member.expertise = expertise_tags(expertise)
            member.capacity = capacity
            member.active = True
            member.save(update_fields=POOL_FIELDS)
        audit_record(actor=actor, action="reviewer_pool.add", obj=member, before=before,
                     after={**snapshot(member, POOL_FIELDS), "round": round_.code,
                            "reviewer": reviewer.email})
    return member


def pool_member_update(*, actor, member: ReviewerPoolMember, expertise, capacity: int,
                       active: bool) -> ReviewerPoolMember:
    """Change a pool member's tags, capacity or whether they take new assignments; existing
    assignments stay as they are."""
    require(actor, Action.MANAGE_REVIEWER_POOL)
    _check_capacity(capacity)
    with transaction.atomic():
        locked = ReviewerPoolMember.objects.select_for_update().get(pk=member.pk)
        before = snapshot(locked, POOL_FIELDS)
        locked.expertise = expertise_tags(expertise)
        locked.capacity = capacity
        locked.active = active
        locked.save(update_fields=POOL_FIELDS)
        audit_record(actor=actor, action="reviewer_pool.update", obj=locked, before=before,
                     after=snapshot(locked, POOL_FIELDS))
    return locked


def pool_member_remove(*, actor, member: ReviewerPoolMember) -> None:
    """Take a reviewer out of the pool. Their existing assignments are kept (an officer
    removes those one by one), but automatic assignment no longer picks them."""
    require(actor, Action.MANAGE_REVIEWER_POOL)
    with transaction.atomic():
        locked = ReviewerPoolMember.objects.select_for_update().select_related(
            "round", "reviewer").get(pk=member.pk)
        audit_record(actor=actor, action="reviewer_pool.remove", obj=locked,
                     before={**snapshot(locked, POOL_FIELDS), "round": locked.round.code,
                             "reviewer": locked.reviewer.email})
        locked.delete()


def assessment_settings_get(*, round_: FundingRound) -> RoundAssessmentSettings:
    """The round's settings, created with the defaults the first time they are asked for."""
    settings, _created = RoundAssessmentSettings.objects.get_or_create(round=round_)
    return settings


def assessment_settings_update(*, actor, round_: FundingRound, normalise_scores: bool,
                               disagreement_threshold: Decimal,
                               reviews_visible_after_close: bool = True,
                               panel_quorum: int | None = None) -> RoundAssessmentSettings:
    """Set how the round ranks (normalised or raw, and when reviewers disagree), whether
    its reviewers see each other's reviews once the review stage closes, and the quorum of
    its panel meetings (at least one member)."""
    require(actor, Action.MANAGE_REVIEWER_POOL)
    threshold = Decimal(disagreement_threshold)
    if not Decimal("0") <= threshold <= Decimal("100"):
        raise DomainError(_("The threshold must be between 0 and 100 points."),
                          field="disagreement_threshold")
    if panel_quorum is not None and not 1 <= int(panel_quorum) <= 50:
        raise DomainError(_("The quorum must be between 1 and 50 members."),
                          field="panel_quorum")
    with transaction.atomic():
        assessment_settings_get(round_=round_)
        settings = RoundAssessmentSettings.objects.select_for_update().get(round=round_)
        fields = ["normalise_scores", "disagreement_threshold", "reviews_visible_after_close",
                  "panel_quorum"]
        before = snapshot(settings, fields)
        settings.normalise_scores = bool(normalise_scores)
        settings.disagreement_threshold = threshold.quantize(Decimal("0.01"))
        settings.reviews_visible_after_close = bool(reviews_visible_after_close)
        if panel_quorum is not None:
            settings.panel_quorum = int(panel_quorum)
        settings.save(update_fields=fields)
        audit_record(actor=actor, action="assessment_settings.update", obj=settings,
                     before=before, after=snapshot(settings, fields))
    return settings
