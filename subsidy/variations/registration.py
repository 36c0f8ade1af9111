"""What variations give the lower layers when the app is ready: the variations waiting for
a decision on the officer's dashboard."""

from subsidy.scheme.workload import workload_source_register
from subsidy.variations.selectors import variations_to_decide_queue


def register() -> None:
    # After the reports to review: a variation comes later in a grant's life.
    workload_source_register(code="variations_to_decide", order=120,
                             source=variations_to_decide_queue)
