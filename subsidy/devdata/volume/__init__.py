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

from subsidy.devdata.volume.build import describe, generate_volume
from subsidy.devdata.volume.rows import reset_sequences
from subsidy.devdata.volume.spec import VolumeError, VolumeReport, VolumeSpec

__all__ = ["VolumeError", "VolumeReport", "VolumeSpec", "describe", "generate_volume",
           "reset_sequences"]
