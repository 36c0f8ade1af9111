"""Monthly accounting periods: their close, the adjustments posted after a close, and the
accruals at each period's end."""
