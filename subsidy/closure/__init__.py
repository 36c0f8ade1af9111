"""Closure and the portfolio: the closure checklist, completing or terminating a grant, and the
officers' view of every active grant with its health (docs/closure.md)."""
