"""Assignments, submitted reviews and criterion scores."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from reviews.models import Assignment, CriterionScore, Review
from subsidy.devdata.volume.spec import CENT, REVIEWED_STATES
from subsidy.scheme.models import default_rubric


class Reviews:
    """A stage of the build (``_Build``): the reviews of every reviewed application."""

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
