"""Screening, reviewer assignments, conflicts, scores and decisions live here."""
