"""Progress and outcomes: reporting requirements fixed to the milestones, the round's outcome
indicators, progress and final reports and their review (docs/progress.md)."""
