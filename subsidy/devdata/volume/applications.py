"""Rounds with their reviewer pools, and the applications in them."""

from __future__ import annotations

import math
import uuid
from collections import Counter
from datetime import timedelta
from decimal import ROUND_CEILING, Decimal

from applicants.models import Application, ReferenceSequence
from reviews.models import ReviewerPoolMember
from subsidy.devdata.volume.spec import (
    CATEGORIES,
    CENT,
    GRANT_STATUS,
    REVIEWED_STATES,
    WORDS,
    S,
    VolumeError,
)
from subsidy.scheme.models import FundingRound, Scheme, default_rubric


class RoundsAndApplications:
    """Stages of the build (``_Build``): the scheme, its rounds and the applications."""

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
        costs = {}  # the eligible cost behind each requested amount (70% of it)
        rng, id_rng, orgs = self.rng, self.id_rng, spec.organisations
        for i, state in enumerate(self.states):
            k, j = divmod(i, self.per_round)
            round_ = self.rounds_made[k]
            org = self.org_first + (j + k * 7) % orgs
            created = round_.opens_at + timedelta(minutes=j * 37 % (40 * 24 * 60))
            submitted = None
            reference = None
            if state != S.DRAFT:
                numbers[k] += 1
                reference = f"AISS-{round_.code}-{numbers[k]:05d}"
                submitted = created + timedelta(hours=1 + j % 48)
            changed = min(self.now, (submitted or created) + timedelta(days=j % 90))
            requested = self.requested[i]
            cost = costs.get(requested)
            if cost is None:
                cost = costs[requested] = (requested * 100 / Decimal(70)).quantize(
                    CENT, rounding=ROUND_CEILING)
            words = rng.sample(WORDS, 3)
            title = f"{words[0].capitalize()} {words[1]} {words[2]} platform {i + 1}"
            public_id = uuid.UUID(int=id_rng.getrandbits(128), version=4)
            start = (created + timedelta(days=90)).date()
            sent = state != S.DRAFT
            rows.append((first + i, round_.pk, org, reference, public_id, state, changed,
                         title, f"A project to build {title.lower()} for Hong Kong.",
                         CATEGORIES[(i * 3) % len(CATEGORIES)], start,
                         start + timedelta(days=365), cost, requested, "", "", "",
                         sent, sent, sent, submitted, 1, submitted,
                         self.owner_first + (org - self.org_first), created, changed))
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
