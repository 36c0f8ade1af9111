"""Figures computed from many rows, cached under the version of the data they read.

Each scope (``ASSESSMENT``: applications, organisations, assignments and reviews;
``FINANCE``: schemes, rounds, grants, applications, organisations, compute allocations and
charges, tranches, payments, recovery receipts and accounting periods) has a version that
PostgreSQL changes in the commit of every transaction that writes one of its tables,
whatever the statement (triggers, migration ``subsidy 0027``). A cache key includes the
versions, so a figure cached before a change is never found after it: nothing to
invalidate, nothing a bulk ``UPDATE`` can bypass.

The versions are read before the figure is computed, so what is stored under them is never
older than they are. A transaction that has itself changed a scope (not yet committed) reads
the figure from the tables and stores nothing. On SQLite (``make run``) there are no
triggers: figures are computed every time.
"""

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection

ASSESSMENT = "assessment"
FINANCE = "finance"

# Old versions' entries are never read again; they leave with their timeout.
TIMEOUT = 24 * 60 * 60
_MISSING = object()

T = TypeVar("T")

# A scope's version, or NULL when this transaction has changed it and not yet committed.
_VERSIONS_SQL = """
SELECT v.scope, CASE WHEN EXISTS (SELECT 1 FROM aiss_figure_change c WHERE c.scope = v.scope)
                     THEN NULL ELSE v.token::text END
FROM aiss_figure_version v WHERE v.scope IN ({scopes})
"""


def versions(scopes: tuple[str, ...]) -> str | None:
    """The scopes' versions as one string, or None when the figure must be read from the
    tables: on SQLite, or when this transaction has changed one of the scopes. One query."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(_VERSIONS_SQL.format(scopes=", ".join(["%s"] * len(scopes))),
                       list(scopes))
        found = dict(cursor.fetchall())
    if set(found) != set(scopes) or None in found.values():
        return None
    return ":".join(found[scope] for scope in scopes)


def cached_figure(name: str, scopes: tuple[str, ...], compute: Callable[[], T]) -> T:
    """``compute()``, or what it returned for the current versions of ``scopes``. ``name``
    says which figure (and of what: a round's, a scheme's) and must hold whatever else the
    figure depends on."""
    version = versions(scopes)
    if version is None:
        return compute()
    key = f"figure:{name}:{version}"
    found = cache.get(key, _MISSING)
    if found is not _MISSING:
        return found
    figure = compute()
    cache.set(key, figure, TIMEOUT)
    return figure
