"""The one order in which money rows are locked.

Application (only when a lifecycle step is involved: the workflow engine locks it first),
then grant, then tranche, then claim, then payment; several rows of one kind in order of
their primary key. Every service that changes a claim or a payment of a grant locks the
grant first and refuses unless it is active, so a termination (which locks the grant, then
everything under it) and any money step on the same grant take turns: neither can act on
what the other is about to change.
"""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from subsidy.platform.errors import DomainError
from subsidy.scheme.models import Grant


def grants_lock(*, grant_ids: Iterable[int]) -> dict[int, Grant]:
    """Lock the grants, lowest primary key first (two batches over the same grants then
    queue instead of deadlocking), and return them by primary key."""
    grants = (Grant.objects.select_for_update(of=("self",))
              .filter(pk__in=set(grant_ids)).order_by("pk"))
    return {grant.pk: grant for grant in grants}


def grant_lock(*, grant_id: int) -> Grant:
    """Lock one grant, the first row a money step on it locks."""
    return grants_lock(grant_ids=[grant_id])[grant_id]


def grant_require_active(grant: Grant) -> None:
    """Money moves only on an active grant: not before it starts, nor once it is
    completed or terminated."""
    if grant.status != Grant.Status.ACTIVE:
        raise DomainError(_("The grant is not active."), code="grant_not_active")
