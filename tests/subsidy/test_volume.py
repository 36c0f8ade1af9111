"""The volume generator: the counts asked for, every state, the database's rules kept, and
references that carry on from where the generated ones stop."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Sum

from applicants.models import Application, ApplicationStatus, ReferenceSequence
from applicants.versions import reference_assign
from reviews.models import Review
from subsidy.devdata.volume import VolumeSpec
from subsidy.finance.models import Claim, Disbursement, Tranche
from subsidy.scheme.models import FundingRound, Grant, Scheme

# Committed, so that PostgreSQL's deferred triggers (tranche sums, paid within approved)
# and the envelope triggers judge the rows.
pytestmark = pytest.mark.django_db(transaction=True)


def _generate(*args):
    out = StringIO()
    call_command("generate_volume", *args, stdout=out)
    return out.getvalue()


def test_counts_states_and_rules():
    output = _generate("--applications", "400", "--rounds", "2", "--seed", "7")

    assert "built in" in output and "400 applications" in output
    assert Application.objects.count() == 400
    assert Review.objects.count() == 1200
    assert Grant.objects.count() == 80
    assert Disbursement.objects.count() == 320
    assert set(Application.objects.values_list("status", flat=True)) == set(
        ApplicationStatus.values)
    assert set(Grant.objects.values_list("status", flat=True)) == set(Grant.Status.values)
    assert set(Disbursement.objects.values_list("status", flat=True)) == set(
        Disbursement.Status.values)

    references = list(Application.objects.exclude(reference=None)
                      .values_list("reference", flat=True))
    assert len(references) == len(set(references)) == Application.objects.exclude(
        status=ApplicationStatus.DRAFT).count()
    assert not Application.objects.filter(status=ApplicationStatus.DRAFT,
                                          reference__isnull=False).exists()

    for grant in Grant.objects.annotate(n=Count("tranches")).filter(n__gt=0):
        assert grant.tranches.aggregate(s=Sum("amount"))["s"] == grant.approved_amount
        paid = grant.disbursements.filter(status="paid").aggregate(s=Sum("amount"))["s"] or 0
        assert paid <= grant.approved_amount
    for payment in Disbursement.objects.select_related("tranche", "claim"):
        assert payment.amount <= payment.tranche.amount
        assert payment.claim.tranche_id == payment.tranche_id
        if payment.status == "paid":
            assert payment.tranche.status == Tranche.Status.PAID
            assert payment.claim.status == Claim.Status.PAID
            assert payment.approved_by_id != payment.prepared_by_id
    for round_ in FundingRound.objects.all():
        committed = (Grant.objects.filter(round=round_, status__in=Grant.COMMITTING_STATUSES)
                     .aggregate(s=Sum("approved_amount"))["s"])
        assert committed <= round_.envelope
    for scheme in Scheme.objects.all():
        assert scheme.rounds.aggregate(s=Sum("envelope"))["s"] <= scheme.budget
    # Every reviewed application has distinct reviewers, one current review each.
    per_reviewer = Counter(Review.objects.values_list("assignment__application_id",
                                                      "assignment__reviewer_id"))
    assert max(per_reviewer.values()) == 1


def test_later_submissions_take_the_next_reference():
    _generate("--applications", "60", "--rounds", "1")
    round_ = FundingRound.objects.get()
    sequence = ReferenceSequence.objects.get(round=round_)
    submitted = Application.objects.exclude(status=ApplicationStatus.DRAFT).count()
    assert sequence.last_number == submitted
    draft = Application.objects.filter(status=ApplicationStatus.DRAFT).first()

    with transaction.atomic():
        reference = reference_assign(draft)

    assert reference == f"AISS-{round_.code}-{submitted + 1:05d}"


def test_same_seed_same_rows_and_a_second_run_adds_beside_the_first():
    _generate("--applications", "50", "--seed", "3")
    first = list(Application.objects.order_by("pk").values_list("status", "title"))
    _generate("--applications", "50", "--seed", "3")

    second = list(Application.objects.order_by("pk").values_list("status", "title"))[50:]
    assert [s for s, _t in first] == [s for s, _t in second]
    assert Application.objects.count() == 100
    assert Scheme.objects.count() == 2


def test_restricted_states_and_explicit_counts():
    _generate("--applications", "90", "--states", "in_review,reviewed,waitlisted",
              "--grants", "0", "--reviews", "270", "--without-criterion-scores")

    assert set(Application.objects.values_list("status", flat=True)) == {
        "in_review", "reviewed", "waitlisted"}
    assert Review.objects.filter(is_current=True).count() == 270
    assert not Grant.objects.exists()


def test_refuses_what_cannot_be_consistent():
    with pytest.raises(CommandError, match="more than 10"):
        _generate("--applications", "10", "--reviews", "500")
    with pytest.raises(CommandError, match="more grants"):
        _generate("--applications", "10", "--grants", "11")


def test_spec_defaults_follow_the_reference_ratios():
    spec = VolumeSpec(applications=50_000).resolved()
    assert (spec.reviews, spec.grants, spec.payments, spec.rounds) == (150_000, 10_000,
                                                                       40_000, 10)


# Times that name a deadline or a plan may lie ahead; every other time records an event.
PLANNED_FIELDS = {"offer_expires_at", "closes_at", "opens_at", "due_date", "expires_at",
                  "start_date", "end_date",
                  "deadline"}


def test_no_event_is_dated_after_now():
    from django.apps import apps
    from django.db import models
    from django.utils import timezone

    _generate("--applications", "200", "--rounds", "2", "--seed", "3")
    now, today = timezone.now(), timezone.localdate()

    future = []
    for model in list(apps.get_app_config("subsidy").get_models()) + list(
            apps.get_app_config("applicants").get_models()) + list(
            apps.get_app_config("reviews").get_models()):
        for field in model._meta.concrete_fields:
            if field.name in PLANNED_FIELDS or field.name.endswith(("_until", "_due")):
                continue
            if isinstance(field, models.DateTimeField):
                limit = now
            elif isinstance(field, models.DateField):
                limit = today
            else:
                continue
            if model.objects.filter(**{f"{field.name}__gt": limit}).exists():
                future.append(f"{model.__name__}.{field.name}")

    assert future == []


def test_claims_ageing_has_no_negative_waits():
    from subsidy.finance.reports.figures import claims_ageing

    _generate("--applications", "200", "--rounds", "2", "--seed", "3")

    assert all(step["oldest_days"] is None or step["oldest_days"] >= 0
               for step in claims_ageing())
