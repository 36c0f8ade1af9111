"""Variations: a grantee's request to change dates, milestones, budget lines or the amount,
decided by the officer or the panel, re-profiling the unpaid tranches (docs/variations.md)."""
