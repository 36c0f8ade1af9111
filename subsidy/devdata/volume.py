"""Realistic volume for load tests and benchmarks: organisations, rounds, applications in
every state, reviews, grants, tranches, claims and payments, written in bulk.

Rows are written with explicit ids in large batches (PostgreSQL ``COPY``; ``bulk_create``
elsewhere), inside one transaction, so the database's own rules check them: the check and
unique constraints, the envelope and budget triggers, the deferred tranche-sum and
paid-within-approved triggers. Nothing is updated or deleted, so the append-only audit
trail is untouched. Each round's reference sequence is left at its last reference, so
applications submitted later take the next numbers.

The same parameters and seed give the same rows (apart from ids, which follow the rows
already in the database).
"""

from __future__ import annotations

import json
import math
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from applicants.models import (
    Application,
    ApplicationStatus,
    Membership,
    Organisation,
    PartnerLink,
    ReferenceSequence,
)
from applicants.workflow import bulk_load
from reviews.models import Assignment, CriterionScore, Review, ReviewerPoolMember
from subsidy.finance.models import BankAccount, Claim, Disbursement, PaymentBatch, Tranche
from subsidy.platform.models import PartnerOrganisation, User, UserRole
from subsidy.platform.roles import Role
from subsidy.scheme.models import FundingRound, Grant, Scheme, Sector, default_rubric

S = ApplicationStatus
CENT = Decimal("0.01")
PER_ROUND = 5000
BATCH_SIZE = 200  # payments per bank batch

# Application states that carry a grant, with the grant's status.
GRANT_STATUS = {
    S.APPROVED: Grant.Status.OFFERED, S.OFFERED: Grant.Status.OFFERED,
    S.ACCEPTED: Grant.Status.ACCEPTED, S.DECLINED: Grant.Status.DECLINED,
    S.LAPSED: Grant.Status.LAPSED, S.ACTIVE: Grant.Status.ACTIVE,
    S.COMPLETED: Grant.Status.COMPLETED, S.TERMINATED: Grant.Status.TERMINATED,
}
# Relative frequencies: among applications with a grant, and among the others.
GRANT_STATE_WEIGHTS = {
    S.APPROVED: 3, S.OFFERED: 5, S.ACCEPTED: 5, S.DECLINED: 4, S.LAPSED: 3, S.ACTIVE: 45,
    S.COMPLETED: 25, S.TERMINATED: 10,
}
OTHER_STATE_WEIGHTS = {
    S.DRAFT: 12, S.SUBMITTED: 8, S.SCREENING: 6, S.INELIGIBLE: 6, S.INFO_REQUESTED: 4,
    S.IN_REVIEW: 14, S.REVIEWED: 10, S.REJECTED: 25, S.WAITLISTED: 5, S.WITHDRAWN: 10,
}
# States whose applications have been reviewed (in review: the reviews are in).
REVIEWED_STATES = {S.IN_REVIEW, S.REVIEWED, S.REJECTED, S.WAITLISTED, *GRANT_STATUS}
PAYING_GRANT_STATES = (S.COMPLETED, S.TERMINATED, S.ACTIVE)  # in the order payments fill
PIPELINE = (Disbursement.Status.PREPARED, Disbursement.Status.APPROVED,
            Disbursement.Status.BATCHED, Disbursement.Status.PAID,
            Disbursement.Status.CANCELLED)
CATEGORIES = [c for c in Sector.values]
WORDS = ("adaptive", "multilingual", "edge", "federated", "clinical", "retail", "logistics",
         "Cantonese", "vision", "forecasting", "compliance", "fintech", "robotic", "speech")


class VolumeError(ValueError):
    """The parameters cannot give a consistent data set."""


@dataclass
class VolumeSpec:
    applications: int
    reviews: int | None = None
    grants: int | None = None
    payments: int | None = None
    rounds: int | None = None
    organisations: int | None = None
    seed: int = 1
    states: list[str] | None = None  # restrict the applications to these states
    criterion_scores: bool = True

    def resolved(self) -> VolumeSpec:
        """The counts with the defaults filled in: the reference ratios of 50,000
        applications to 150,000 reviews, 10,000 grants and 40,000 payments."""
        n = self.applications
        states = self.states
        grant_states = [s for s in GRANT_STATE_WEIGHTS if states is None or s in states]
        grants = self.grants if self.grants is not None else (n // 5 if grant_states else 0)
        payments = self.payments if self.payments is not None else grants * 4
        rounds = self.rounds or max(1, math.ceil(n / PER_ROUND))
        per_round = math.ceil(n / rounds) if n else 0
        organisations = self.organisations or max(per_round, n * 2 // 5, 1)
        return VolumeSpec(applications=n, reviews=self.reviews if self.reviews is not None
                          else 3 * n, grants=grants, payments=payments, rounds=rounds,
                          organisations=organisations, seed=self.seed, states=states,
                          criterion_scores=self.criterion_scores)


@dataclass
class VolumeReport:
    counts: Counter = field(default_factory=Counter)
    rounds: list[str] = field(default_factory=list)
    partner_id: int | None = None
    seconds: float = 0.0


# --- Writing rows ---------------------------------------------------------------------------

class _Ids:
    """Explicit primary keys after the rows already in each table."""

    def __init__(self):
        self._next: dict[type[models.Model], int] = {}

    def take(self, model, n: int) -> int:
        if model not in self._next:
            self._next[model] = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        first = self._next[model]
        self._next[model] += n
        return first


def _write(model, columns: list[str], rows: list[tuple]) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``, attribute names)."""
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        fields = {f.attname: f for f in model._meta.concrete_fields}
        json_at = [i for i, name in enumerate(columns)
                   if isinstance(fields[name], models.JSONField)]
        names = ", ".join(connection.ops.quote_name(fields[c].column) for c in columns)
        sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                if json_at:
                    row = list(row)
                    for i in json_at:
                        row[i] = json.dumps(row[i])
                copy.write_row(row)
    else:
        model.objects.bulk_create([model(**dict(zip(columns, row, strict=True)))
                                   for row in rows], batch_size=500)
    return len(rows)


def _spread(total: int, weights: dict[str, int]) -> dict[str, int]:
    """``total`` split by weight (largest remainder), every state at least once when the
    total allows."""
    if total <= 0 or not weights:
        return {}
    keys = list(weights)
    counts = dict.fromkeys(keys, 0)
    if total >= len(keys):
        counts = dict.fromkeys(keys, 1)
    left = total - sum(counts.values())
    weight_sum = sum(weights.values())
    shares = {k: left * weights[k] / weight_sum for k in keys}
    for k in keys:
        counts[k] += int(shares[k])
    rest = total - sum(counts.values())
    for k in sorted(keys, key=lambda k: shares[k] - int(shares[k]), reverse=True)[:rest]:
        counts[k] += 1
    return counts


def _money(value: float) -> Decimal:
    return Decimal(int(value)) if value >= 1 else CENT


# --- The build ------------------------------------------------------------------------------

def generate_volume(spec: VolumeSpec, *, progress=print) -> VolumeReport:
    """Write the data set of ``spec`` in one transaction; ``progress`` gets a line per
    stage with the elapsed time."""
    spec = spec.resolved()
    started = time.monotonic()
    report = VolumeReport()

    def step(message: str) -> None:
        progress(f"[{time.monotonic() - started:6.1f}s] {message}")

    states = _states(spec)
    with transaction.atomic(), bulk_load():
        _Build(spec, states, report, step).run()
        reset_sequences()
        step("committing (deferred constraint triggers run now)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Application, Organisation, Grant, Disbursement, Review):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    report.seconds = time.monotonic() - started
    step("done")
    return report


def _states(spec: VolumeSpec) -> list[str]:
    allowed = set(spec.states) if spec.states else None
    grant_weights = {s: w for s, w in GRANT_STATE_WEIGHTS.items()
                     if allowed is None or s in allowed}
    other_weights = {s: w for s, w in OTHER_STATE_WEIGHTS.items()
                     if allowed is None or s in allowed}
    if allowed is not None and allowed - set(GRANT_STATE_WEIGHTS) - set(OTHER_STATE_WEIGHTS):
        raise VolumeError(f"unknown states: {sorted(allowed - set(S.values))}")
    if spec.grants > spec.applications:
        raise VolumeError("there cannot be more grants than applications")
    if spec.grants and not grant_weights:
        raise VolumeError("grants need applications in a state that has a grant")
    if spec.applications - spec.grants and not other_weights:
        raise VolumeError("every application would need a grant: give --grants")
    counts = {**_spread(spec.grants, grant_weights),
              **_spread(spec.applications - spec.grants, other_weights)}
    states = [state for state, n in counts.items() for _ in range(n)]
    random.Random(spec.seed).shuffle(states)
    return states


class _Build:
    def __init__(self, spec: VolumeSpec, states: list[str], report: VolumeReport, step):
        self.spec, self.states, self.report, self.step = spec, states, report, step
        self.rng = random.Random(spec.seed)
        self.ids = _Ids()
        self.now = timezone.now().replace(microsecond=0)
        self.tag = self._tag()
        # Ids that must differ between runs in one database, yet repeat with the seed.
        self.id_rng = random.Random(f"{spec.seed}:{self.tag}")

    def _tag(self) -> str:
        """A short code that keeps this run's codes, emails and numbers apart from any
        earlier run's in the same database."""
        n = Scheme.objects.filter(code__startswith="volume-").count() + 1
        return f"V{n:02d}"

    def write(self, model, columns, rows) -> None:
        self.report.counts[model._meta.label] += _write(model, columns, rows)

    def run(self) -> None:
        self.users()
        self.organisations()
        self.rounds()
        self.applications()
        self.reviews()
        self.grants()
        self.disbursement()

    # People

    def users(self) -> None:
        spec = self.spec
        per_round_reviews = math.ceil(spec.reviews / spec.rounds) if spec.reviews else 0
        self.reviewer_count = max(12, math.ceil(per_round_reviews / 150))
        staff = [("officer", Role.PROGRAMME_OFFICER), ("finance", Role.FINANCE_OFFICER),
                 ("approver", Role.FINANCE_APPROVER)]
        people = [(f"reviewer{i + 1}", Role.REVIEWER) for i in range(self.reviewer_count)]
        people += staff
        owners = spec.organisations
        first = self.ids.take(User, len(people) + owners)
        rows = []
        for i, (name, _role) in enumerate(people):
            rows.append(self._user_row(first + i, f"{name}.{self.tag}@volume.example",
                                       name.capitalize()))
        self.owner_first = first + len(people)
        for i in range(owners):
            rows.append(self._user_row(self.owner_first + i,
                                       f"owner{i + 1}.{self.tag}@volume.example",
                                       f"Owner {i + 1}"))
        self.write(User, ["id", "email", "full_name", "language", "is_active", "is_staff",
                          "is_superuser", "date_joined", "password", "last_login"], rows)
        role_first = self.ids.take(UserRole, len(people) + owners)
        role_rows = [(role_first + i, first + i, role, self.now)
                     for i, (_name, role) in enumerate(people)]
        role_rows += [(role_first + len(people) + i, self.owner_first + i, Role.APPLICANT,
                       self.now) for i in range(owners)]
        self.write(UserRole, ["id", "user_id", "role", "granted_at"], role_rows)
        self.reviewers = list(range(first, first + self.reviewer_count))
        self.officer, self.finance, self.approver = (first + self.reviewer_count + i
                                                     for i in range(3))
        self.step(f"{len(rows):,} users")

    def _user_row(self, pk, email, name):
        return (pk, email, name, "zh-hant" if pk % 4 == 0 else "en", True, False, False,
                self.now - timedelta(days=400), "!volume", None)

    def organisations(self) -> None:
        n = self.spec.organisations
        existing = Organisation.objects.aggregate(m=Max("br_number"))["m"]
        br_first = max(int(existing or 0) + 1, 10_000_000)
        if br_first + n > 99_999_999:
            raise VolumeError("no Business Registration numbers left")
        first = self.ids.take(Organisation, n)
        sizes = Organisation.Size.values
        rows = []
        for i in range(n):
            name = f"{self.rng.choice(WORDS).capitalize()} AI Labs {self.tag}-{i + 1} Limited"
            rows.append((first + i, name,
                         f"人工智能實驗室{i + 1}有限公司" if i % 3 == 0 else "",
                         f"{br_first + i:08d}", date(2015, 1, 1) + timedelta(days=i % 3000),
                         sizes[i % len(sizes)], CATEGORIES[i % len(CATEGORIES)], i % 5 == 0,
                         "", self.now - timedelta(days=400), self.now))
        self.write(Organisation, ["id", "name_en", "name_zh", "br_number", "incorporation_date",
                                  "size", "sector", "is_cyberport_incubatee", "website",
                                  "created_at", "updated_at"], rows)
        self.org_first = first
        membership_first = self.ids.take(Membership, n)
        self.write(Membership, ["id", "organisation_id", "user_id", "role", "joined_at"],
                   [(membership_first + i, first + i, self.owner_first + i, "owner",
                     self.now - timedelta(days=400)) for i in range(n)])
        # A partner linked to every second organisation, for the partner API.
        partner = PartnerOrganisation.objects.create(
            name=f"Volume partner {self.tag}", contact_email=f"api.{self.tag}@volume.example")
        self.report.partner_id = partner.pk
        linked = list(range(0, n, 2))
        link_first = self.ids.take(PartnerLink, len(linked))
        at = self.now - timedelta(days=300)
        self.write(PartnerLink, ["id", "partner_id", "organisation_id", "created_via",
                                 "requested_at", "linked_at", "linked_by_id", "revoked_at",
                                 "revoked_by_id"],
                   [(link_first + k, partner.pk, first + i, "api", at, at, None, None, None)
                    for k, i in enumerate(linked)])
        self.step(f"{n:,} organisations with their owners; partner linked to {len(linked):,}")

    # Rounds and applications

    def rounds(self) -> None:
        spec = self.spec
        self.per_round = math.ceil(spec.applications / spec.rounds) if spec.applications else 0
        if self.per_round > 99_999:
            raise VolumeError("a round holds at most 99,999 references: give more --rounds")
        self.requested = [Decimal(self.rng.randrange(50, 1000) * 1000)
                          for _ in range(spec.applications)]
        rounds_of = [i // self.per_round for i in range(spec.applications)]
        committed = Counter()
        for i, state in enumerate(self.states):
            if state in GRANT_STATUS:
                committed[rounds_of[i]] += self.requested[i]
        most = max(self.requested, default=Decimal(1_000_000))
        reviews_per_app = self._reviews_per_application()
        envelopes = [(committed[k] * Decimal("1.25") + most * 10).quantize(Decimal(1))
                     for k in range(spec.rounds)]
        scheme = Scheme.objects.create(code=f"volume-{self.tag.lower()}",
                                       name_en=f"Volume scheme {self.tag}",
                                       name_zh=f"數據量計劃 {self.tag}",
                                       budget=sum(envelopes))
        self.rounds_made = []
        for k, envelope in enumerate(envelopes):
            opens = self.now - timedelta(days=60 * (spec.rounds - k) + 30)
            self.rounds_made.append(FundingRound.objects.create(
                scheme=scheme, code=f"{self.tag}R{k + 1:02d}",
                title_en=f"Volume round {k + 1}", title_zh=f"第{k + 1}輪",
                status=FundingRound.Status.OPEN if k == spec.rounds - 1
                else FundingRound.Status.CLOSED,
                opens_at=opens, closes_at=opens + timedelta(days=45), envelope=envelope,
                max_subsidy_per_project=most, gpu_hour_rate=Decimal("25.00"),
                eligible_categories=CATEGORIES,
                reviewers_per_application=min(10, max(1, reviews_per_app)),
                rubric=default_rubric()))
        self.report.rounds = [r.code for r in self.rounds_made]
        pool_first = self.ids.take(ReviewerPoolMember, spec.rounds * len(self.reviewers))
        rows = []
        for k, round_ in enumerate(self.rounds_made):
            for j, reviewer in enumerate(self.reviewers):
                rows.append((pool_first + k * len(self.reviewers) + j, round_.pk, reviewer,
                             [CATEGORIES[j % len(CATEGORIES)]], 200, True, round_.opens_at))
        self.write(ReviewerPoolMember, ["id", "round_id", "reviewer_id", "expertise",
                                        "capacity", "active", "added_at"], rows)
        self.step(f"{spec.rounds} rounds with {len(self.reviewers)} reviewers in each pool")

    def _reviews_per_application(self) -> int:
        reviewed = sum(1 for s in self.states if s in REVIEWED_STATES)
        if not self.spec.reviews:
            return 0
        if not reviewed:
            raise VolumeError("reviews need applications in review or beyond")
        per = math.ceil(self.spec.reviews / reviewed)
        if per > 10:
            raise VolumeError(f"{self.spec.reviews} reviews over {reviewed} reviewed "
                              "applications is more than 10 each")
        return per

    def applications(self) -> None:
        spec = self.spec
        first = self.ids.take(Application, spec.applications)
        self.app_first = first
        rows = []
        numbers = Counter()
        self.app_round, self.app_org, self.app_submitted = [], [], []
        for i, state in enumerate(self.states):
            k, j = divmod(i, self.per_round)
            round_ = self.rounds_made[k]
            org = self.org_first + (j + k * 7) % spec.organisations
            created = round_.opens_at + timedelta(minutes=j * 37 % (40 * 24 * 60))
            submitted = None
            reference = None
            if state != S.DRAFT:
                numbers[k] += 1
                reference = f"AISS-{round_.code}-{numbers[k]:05d}"
                submitted = created + timedelta(hours=1 + j % 48)
            changed = min(self.now, (submitted or created) + timedelta(days=j % 90))
            requested = self.requested[i]
            cost = (requested * 100 / Decimal(70)).quantize(CENT, rounding=ROUND_CEILING)
            words = self.rng.sample(WORDS, 3)
            title = f"{words[0].capitalize()} {words[1]} {words[2]} platform {i + 1}"
            public_id = uuid.UUID(int=self.id_rng.getrandbits(128), version=4)
            start = (created + timedelta(days=90)).date()
            rows.append((first + i, round_.pk, org, reference, public_id, state, changed,
                         title, f"A project to build {title.lower()} for Hong Kong.",
                         CATEGORIES[(i * 3) % len(CATEGORIES)], start,
                         start + timedelta(days=365), cost, requested, "", "", "",
                         state != S.DRAFT, state != S.DRAFT, state != S.DRAFT,
                         submitted, 1, submitted, self.owner_first + (org - self.org_first),
                         created, changed))
            self.app_round.append(round_.pk)
            self.app_org.append(org)
            self.app_submitted.append(submitted)
        self.write(Application, [
            "id", "round_id", "organisation_id", "reference", "public_id", "status",
            "status_changed_at", "title", "summary", "category", "start_date", "end_date",
            "total_eligible_cost", "requested_subsidy", "rai_safety", "rai_human",
            "rai_transparency", "declares_accurate", "declares_no_double_funding",
            "declares_compliance", "privacy_notice_accepted_at", "version", "submitted_at",
            "created_by_id", "created_at", "updated_at"], rows)
        self.write(ReferenceSequence, ["round_id", "last_number"],
                   [(r.pk, numbers[k]) for k, r in enumerate(self.rounds_made)])
        self.step(f"{spec.applications:,} applications in {len(set(self.states))} states")

    # Reviews

    def reviews(self) -> None:
        total = self.spec.reviews
        if not total:
            return
        reviewed = [i for i, s in enumerate(self.states) if s in REVIEWED_STATES]
        per, extra = divmod(total, len(reviewed))
        rubric = default_rubric()
        n_reviewers = len(self.reviewers)
        bias = [self.rng.gauss(0, 0.6) for _ in range(n_reviewers)]
        assignment_first = self.ids.take(Assignment, total)
        review_first = self.ids.take(Review, total)
        assignments, reviews, scores = [], [], []
        score_first = (self.ids.take(CriterionScore, total * len(rubric))
                       if self.spec.criterion_scores else 0)
        n = 0
        for position, i in enumerate(reviewed):
            quality = self.rng.gauss(3.0, 0.8)
            count = per + (1 if position < extra else 0)
            base = (i * 7) % n_reviewers
            at = self.app_submitted[i] + timedelta(days=7)
            for r in range(count):
                slot = (base + r) % n_reviewers
                reviewer = self.reviewers[slot]
                values = [max(0, min(5, round(quality + bias[slot] + self.rng.gauss(0, 0.7))))
                          for _ in rubric]
                weighted = (sum(Decimal(c["weight"]) * v for c, v in zip(rubric, values,
                                                                        strict=True))
                            / 5).quantize(CENT)
                recommendation = ("fund" if weighted >= 70 else "fund_with_conditions"
                                  if weighted >= 55 else "do_not_fund")
                assignments.append((assignment_first + n, self.app_first + i, reviewer,
                                    self.officer, at - timedelta(days=6), at + timedelta(days=7),
                                    Assignment.Status.SUBMITTED, ""))
                reviews.append((review_first + n, assignment_first + n, 1, recommendation,
                                "Clear plan; the compute request matches the milestones.",
                                "", weighted, True, at - timedelta(days=1), at, at))
                if self.spec.criterion_scores:
                    for c, (criterion, value) in enumerate(zip(rubric, values, strict=True)):
                        scores.append((score_first + n * len(rubric) + c, review_first + n,
                                       criterion["code"], value, ""))
                n += 1
        self.write(Assignment, ["id", "application_id", "reviewer_id", "assigned_by_id",
                                "assigned_at", "due_at", "status", "removed_reason"],
                   assignments)
        self.write(Review, ["id", "assignment_id", "version", "recommendation",
                            "overall_comment", "correction_reason", "weighted_total",
                            "is_current", "created_at", "updated_at", "submitted_at"], reviews)
        self.step(f"{n:,} assignments and submitted reviews")
        if scores:
            self.write(CriterionScore, ["id", "review_id", "criterion", "score", "comment"],
                       scores)
            self.step(f"{len(scores):,} criterion scores")

    # Money

    def grants(self) -> None:
        with_grant = [i for i, s in enumerate(self.states) if s in GRANT_STATUS]
        first = self.ids.take(Grant, len(with_grant))
        rows = []
        self.grant_of = {}
        for n, i in enumerate(with_grant):
            state = self.states[i]
            grant_status = GRANT_STATUS[state]
            decided = self.app_submitted[i] + timedelta(days=40)
            requested = self.requested[i]
            cost = (requested * 100 / Decimal(70)).quantize(CENT, rounding=ROUND_CEILING)
            ratio = (requested * 100 / cost).quantize(CENT)
            answered = decided + timedelta(days=10) if grant_status != "offered" else None
            activated = decided + timedelta(days=20) if state in PAYING_GRANT_STATES else None
            closed = (decided + timedelta(days=300)
                      if state in (S.COMPLETED, S.TERMINATED) else None)
            rows.append((first + n, self.app_first + i, self.app_round[i], grant_status,
                         requested, ratio, False, "", "", self.officer, decided,
                         decided + timedelta(days=30), answered, activated, closed, decided,
                         max(decided, closed or decided)))
            self.grant_of[i] = first + n
        self.write(Grant, ["id", "application_id", "round_id", "status", "approved_amount",
                           "approved_ratio_percent", "exceptional_case",
                           "exceptional_justification", "conditions", "decided_by_id",
                           "decided_at", "offer_expires_at", "responded_at", "activated_at",
                           "closed_at", "created_at", "updated_at"], rows)
        self.step(f"{len(rows):,} grants")

    def disbursement(self) -> None:
        payments = self.spec.payments
        paying = [i for state in PAYING_GRANT_STATES
                  for i, s in enumerate(self.states) if s == state]
        if payments and not paying:
            raise VolumeError("payments need active, completed or terminated grants")
        if not paying:
            return
        per_grant = max(4, math.ceil(payments / len(paying)))
        left = payments
        plan = []  # (application index, payments on its grant)
        for i in paying:
            m = min(per_grant, left)
            left -= m
            plan.append((i, m))
        tranche_first = self.ids.take(Tranche, len(paying) * per_grant)
        claim_first = self.ids.take(Claim, payments)
        payment_first = self.ids.take(Disbursement, payments)
        tranches, claims, disbursements = [], [], []
        to_batch, payee_orgs = [], []
        accounts = {}
        t = c = 0
        for g, (i, m) in enumerate(plan):
            state = self.states[i]
            grant = self.grant_of[i]
            amount = self.requested[i]
            share = (amount / per_grant).quantize(CENT)
            start = self.app_submitted[i] + timedelta(days=60)
            for number in range(1, per_grant + 1):
                tranche_amount = share if number < per_grant else amount - share * (per_grant - 1)
                status = Disbursement.Status.PAID
                if number > m:
                    status = None
                elif state == S.TERMINATED and number == m and m > 1:
                    status = Disbursement.Status.CANCELLED
                elif state == S.ACTIVE and number == m:
                    status = PIPELINE[g % len(PIPELINE)]
                if status == Disbursement.Status.PAID:
                    tranche_status = Tranche.Status.PAID
                elif state == S.TERMINATED:
                    tranche_status = Tranche.Status.CANCELLED
                else:
                    tranche_status = Tranche.Status.SCHEDULED
                due = (start + timedelta(days=90 * number)).date()
                tranches.append((tranche_first + t, grant, number, None,
                                 f"Milestone {number} delivered", due, tranche_amount,
                                 tranche_status))
                if status is not None:
                    prepared = min(self.now, start + timedelta(days=90 * number + 10))
                    claim_status = {"paid": Claim.Status.PAID,
                                    "cancelled": Claim.Status.CANCELLED}.get(
                        status, Claim.Status.VERIFIED)
                    owner = self.owner_first + (self.app_org[i] - self.org_first)
                    claims.append((claim_first + c, tranche_first + t, claim_status,
                                   tranche_amount, "Milestone delivered as planned.", "",
                                   owner, prepared - timedelta(days=5),
                                   prepared - timedelta(days=5), None, self.officer,
                                   prepared - timedelta(days=1), 1))
                    approved = status not in ("prepared", "cancelled")
                    row = [payment_first + c, claim_first + c, tranche_first + t, grant,
                           tranche_amount, status, self.finance, prepared,
                           self.approver if approved else None,
                           prepared + timedelta(hours=4) if approved else None, None,
                           "", "", "", "", None, None, None, ""]
                    if status in ("batched", "paid"):
                        accounts.setdefault(self.app_org[i], len(accounts))
                        to_batch.append(len(disbursements))
                        row[12] = "HSBC Hong Kong"
                        row[13] = f"{self.app_org[i]:03d}-{self.app_org[i] % 999999:06d}-001"
                    if status == "paid":
                        row[14] = f"BNK{payment_first + c:010d}"
                        row[15] = (prepared + timedelta(days=3)).date()
                        row[16] = self.finance
                        row[17] = prepared + timedelta(days=3)
                    disbursements.append(row)
                    payee_orgs.append(self.app_org[i])
                    c += 1
                t += 1
        batch_count = math.ceil(len(to_batch) / BATCH_SIZE)
        batch_first = self.ids.take(PaymentBatch, batch_count)
        batches = []
        for b in range(batch_count):
            members = to_batch[b * BATCH_SIZE:(b + 1) * BATCH_SIZE]
            created = min(disbursements[k][7] for k in members) + timedelta(days=1)
            batches.append((batch_first + b, f"PAY-{self.tag}-{b + 1:06d}", self.finance,
                            created))
            for k in members:
                disbursements[k][10] = batch_first + b
        org_names = dict(Organisation.objects.filter(pk__in=list(accounts))
                         .values_list("pk", "name_en"))
        for row, org in zip(disbursements, payee_orgs, strict=True):
            if row[12]:
                row[11] = org_names[org]
        account_first = self.ids.take(BankAccount, len(accounts))
        self.write(BankAccount, ["id", "organisation_id", "bank_name", "account_name",
                                 "account_number", "updated_by_id", "updated_at"],
                   [(account_first + k, org, "HSBC Hong Kong", org_names[org],
                     f"{org:03d}-{org % 999999:06d}-001", None, self.now)
                    for org, k in accounts.items()])
        self.write(Tranche, ["id", "grant_id", "number", "milestone_id", "description",
                             "due_date", "amount", "status"], tranches)
        self.step(f"{len(tranches):,} tranches ({per_grant} per paying grant)")
        self.write(Claim, ["id", "tranche_id", "status", "amount", "narrative",
                           "officer_comment", "submitted_by_id", "submitted_at",
                           "first_submitted_at", "returned_at", "verified_by_id",
                           "verified_at", "revision"], claims)
        self.write(PaymentBatch, ["id", "reference", "created_by_id", "created_at"], batches)
        self.write(Disbursement, ["id", "claim_id", "tranche_id", "grant_id", "amount",
                                  "status", "prepared_by_id", "prepared_at", "approved_by_id",
                                  "approved_at", "batch_id", "payee_name", "bank_name",
                                  "account_number", "bank_reference", "value_date",
                                  "paid_by_id", "paid_at", "failure_reason"],
                   [tuple(row) for row in disbursements])
        self.step(f"{len(claims):,} claims and payments in {batch_count:,} bank batches")


def reset_sequences() -> None:
    """Move PostgreSQL's id sequences past the explicit ids written."""
    if connection.vendor != "postgresql":
        return
    touched = [User, UserRole, Organisation, Membership, PartnerLink, ReviewerPoolMember,
               Application, Assignment, Review, CriterionScore, Grant,
               Tranche, Claim, PaymentBatch, Disbursement, BankAccount]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), touched):
            cursor.execute(sql)


def describe(report: VolumeReport) -> list[str]:
    return [f"{label}: {n:,}" for label, n in sorted(report.counts.items())]

