"""What a volume data set holds: the counts asked for, the spread of application
states, and the report of what was written."""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from applicants.models import ApplicationStatus
from subsidy.finance.models import Disbursement
from subsidy.scheme.models import Grant, Sector

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
            Disbursement.Status.FAILED, Disbursement.Status.CANCELLED)
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


def spread(total: int, weights: dict[str, int]) -> dict[str, int]:
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


def application_states(spec: VolumeSpec) -> list[str]:
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
    counts = {**spread(spec.grants, grant_weights),
              **spread(spec.applications - spec.grants, other_weights)}
    states = [state for state, n in counts.items() for _ in range(n)]
    random.Random(spec.seed).shuffle(states)
    return states
