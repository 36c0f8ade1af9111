"""Grants, tranches, claims, payments, bank batches and bank accounts."""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import ROUND_CEILING, Decimal

from django.utils import timezone

from applicants.models import Organisation
from subsidy.devdata.volume.spec import (
    BATCH_SIZE,
    CENT,
    GRANT_STATUS,
    PAYING_GRANT_STATES,
    PIPELINE,
    S,
    VolumeError,
)
from subsidy.finance.models import (
    BankAccount,
    Claim,
    Disbursement,
    PaymentBatch,
    PaymentOutcome,
    Tranche,
)
from subsidy.scheme.models import Grant


class Money:
    """Stages of the build (``_Build``): grants, then the payment pipeline behind them.
    Every event is at the latest now (``past``): a grant's or a payment's history never
    runs into the future, whatever the round's dates."""

    def past(self, moment):
        """``moment``, or now if it is later (None stays None). Clamping keeps the order of
        events: what came first still does."""
        return None if moment is None else min(moment, self.now)

    def grants(self) -> None:
        with_grant = [i for i, s in enumerate(self.states) if s in GRANT_STATUS]
        first = self.ids.take(Grant, len(with_grant))
        rows = []
        self.grant_of = {}
        for n, i in enumerate(with_grant):
            state = self.states[i]
            grant_status = GRANT_STATUS[state]
            decided = self.past(self.app_submitted[i] + timedelta(days=40))
            requested = self.requested[i]
            cost = (requested * 100 / Decimal(70)).quantize(CENT, rounding=ROUND_CEILING)
            ratio = (requested * 100 / cost).quantize(CENT)
            answered = (self.past(decided + timedelta(days=10))
                        if grant_status != "offered" else None)
            activated = (self.past(decided + timedelta(days=20))
                         if state in PAYING_GRANT_STATES else None)
            closed = (self.past(decided + timedelta(days=300))
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

    def payments(self) -> None:
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
        tranches, claims, payment_rows = [], [], []
        to_batch, payee_orgs, outcomes = [], [], []
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
                           self.past(prepared + timedelta(hours=4)) if approved else None,
                           None,
                           "", "", "", "", None, None, None, ""]
                    # The payee is fixed when a payment is prepared: every payment has one.
                    accounts.setdefault(self.app_org[i], len(accounts))
                    row[12] = "HSBC Hong Kong"
                    row[13] = f"{self.app_org[i]:03d}-{self.app_org[i] % 999999:06d}-001"
                    if status in ("batched", "paid", "failed"):
                        to_batch.append(len(payment_rows))
                    if status == "failed":
                        # The bank refused it; the claim waits for a new payment.
                        row[18] = "AC04 Account closed"
                        outcomes.append((payment_first + c, "failed", "", None, row[18],
                                         self.finance,
                                         self.past(prepared + timedelta(days=3))))
                    if status == "paid":
                        row[14] = f"BNK{payment_first + c:010d}"
                        paid = self.past(prepared + timedelta(days=3))
                        row[15] = timezone.localdate(paid)
                        row[16] = self.finance
                        row[17] = paid
                        outcomes.append((payment_first + c, "paid", row[14], row[15], "",
                                         self.finance, row[17]))
                    payment_rows.append(row)
                    payee_orgs.append(self.app_org[i])
                    c += 1
                t += 1
        batch_count = math.ceil(len(to_batch) / BATCH_SIZE)
        batch_first = self.ids.take(PaymentBatch, batch_count)
        batches = []
        for b in range(batch_count):
            members = to_batch[b * BATCH_SIZE:(b + 1) * BATCH_SIZE]
            created = self.past(min(payment_rows[k][7] for k in members) + timedelta(days=1))
            batches.append((batch_first + b, f"PAY-{self.tag}-{b + 1:06d}", self.finance,
                            created))
            for k in members:
                payment_rows[k][10] = batch_first + b
        org_names = dict(Organisation.objects.filter(pk__in=list(accounts))
                         .values_list("pk", "name_en"))
        for row, org in zip(payment_rows, payee_orgs, strict=True):
            if row[12]:
                row[11] = org_names[org]
        account_first = self.ids.take(BankAccount, len(accounts))
        self.write(BankAccount, ["id", "organisation_id", "bank_name", "account_name",
                                 "account_number", "updated_by_id", "updated_at",
                                 "usable_from", "verified_by_id", "verified_at"],
                   [(account_first + k, org, "HSBC Hong Kong", org_names[org],
                     f"{org:03d}-{org % 999999:06d}-001", None, self.now, self.now,
                     self.approver, self.now)
                    for org, k in accounts.items()])
        self.write(Tranche, ["id", "grant_id", "number", "milestone_id", "description",
                             "due_date", "amount", "status"], tranches)
        self.step(f"{len(tranches):,} tranches ({per_grant} per paying grant)")
        self.write(Claim, ["id", "tranche_id", "status", "amount", "narrative",
                           "officer_comment", "submitted_by_id", "submitted_at",
                           "first_submitted_at", "returned_at", "verified_by_id",
                           "verified_at", "revision"], claims)
        # Batches as put together, not released: no bank file (COPY takes no defaults).
        self.write(PaymentBatch, ["id", "reference", "created_by_id", "created_at",
                                  "debit_account", "file_xml", "file_sha256"],
                   [(*batch, "", "", "") for batch in batches])
        self.write(Disbursement, ["id", "claim_id", "tranche_id", "grant_id", "amount",
                                  "status", "prepared_by_id", "prepared_at", "approved_by_id",
                                  "approved_at", "batch_id", "payee_name", "bank_name",
                                  "account_number", "bank_reference", "value_date",
                                  "paid_by_id", "paid_at", "failure_reason",
                                  "release_separate"],
                   [(*row, False) for row in payment_rows])
        self.write(PaymentOutcome, ["payment_id", "kind", "bank_reference", "value_date",
                                    "reason", "recorded_by_id", "recorded_at"], outcomes)
        self.step(f"{len(claims):,} claims and payments in {batch_count:,} bank batches")
