"""Scenario 8: the partner API's events feed (``GET /api/v1/events/``) at 10,000 and at
1,000,000 events.

Both databases come from ``generate_volume`` with the same applications; their status
changes (the feed's events) are then padded with past events spread over every
application, to 10,000 and 1,000,000 in all. The volume's partner is linked to every second
organisation, so about half of the events are its own. Two pages are read: the first one
(``page_size=50``), and the one after the event in the middle of the table
(``after=<id>``), where a partner that keeps its place resumes. Query counts are taken
in-process; timings over HTTP against gunicorn, alternating between the two databases.

Target: at 1,000,000 events each page answers within 1.5 x its time at 10,000, with the same
number of SQL queries.
"""

from __future__ import annotations

from bench.common import (
    Result,
    call_in,
    emit,
    free_port,
    gunicorn,
    http_load,
    size_argument,
    volume_database,
)
from bench.scenarios.s1_staff_lists import _combined

SIZES = {
    # applications, small and large event counts, seconds of load per page and turn, turns
    "smoke": (200, 2_000, 20_000, 1, 1),
    "reference": (2_000, 10_000, 1_000_000, 5, 3),
}
FEED_URL = "/api/v1/events/?page_size=50"
TARGET = 1.5


def pad_events(total: int) -> dict:
    """Add past status changes, spread over every application, until the table holds
    ``total``; then a key of the volume's partner, the middle event's id and the queries
    of each page."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from applicants.models import StatusChange
    from subsidy.api.services.keys import api_key_create
    from subsidy.platform.models import PartnerOrganisation, User, UserRole
    from subsidy.platform.roles import Role

    missing = total - StatusChange.objects.count()
    if missing > 0:
        table = StatusChange._meta.db_table
        applications = StatusChange._meta.get_field("application").related_model._meta.db_table
        with connection.cursor() as cursor:
            # Events from the last two years, none in the future; application ids taken
            # in turn from the table's ids, so every application gets its share.
            cursor.execute(
                f"INSERT INTO {table} (application_id, transition, from_status, to_status, "  # noqa: S608
                f"note, at) "
                f"SELECT a.id, 'request_information', 'screening', 'info_requested', '', "
                f"now() - (random() * interval '730 days') "
                f"FROM generate_series(1, %s) g "
                f"JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k, "
                f"count(*) OVER () AS n FROM {applications}) a ON a.k = g %% a.n",
                [missing])
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    admin, _created = User.objects.get_or_create(email="bench.administrator@cyberport.example.hk",
                                                 defaults={"full_name": "Bench administrator"})
    UserRole.objects.get_or_create(user=admin, role=Role.ADMINISTRATOR)
    partner = PartnerOrganisation.objects.filter(name__startswith="Volume partner").first()
    key = api_key_create(actor=admin, name="Benchmark events", scopes=["applications:read"],
                         partner=partner).plaintext
    ids = StatusChange.objects.order_by("id").values_list("id", flat=True)
    middle = ids[StatusChange.objects.count() // 2]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    figures = {"key": key, "after": middle, "events": StatusChange.objects.count()}
    for name, url in (("first", FEED_URL), ("resume", f"{FEED_URL}&after={middle}")):
        api.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = api.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        figures[name] = {"queries": len(queries), "rows": len(response.json()["results"])}
    return figures


def main() -> None:
    size = size_argument()
    applications, small, large, seconds, rounds = SIZES[size]
    probes = {}
    for n in (small, large):
        db = f"s8_events_{n}"
        volume_database(db, ["--applications", str(applications)])
        probes[n] = call_in(db, "bench.scenarios.s8_events_feed:pad_events", total=n)
        print(f"{db}: {probes[n]['events']:,} events", flush=True)
    runs = {(n, page): [] for n in (small, large) for page in ("first", "resume")}
    with gunicorn(f"s8_events_{small}", free_port(0), 2) as base_small, \
            gunicorn(f"s8_events_{large}", free_port(1), 2) as base_large:
        bases = {small: base_small, large: base_large}
        for turn in range(rounds):
            for n in (small, large):
                probe, warm = probes[n], (seconds if turn == 0 else 0)
                headers = {"Authorization": f"Bearer {probe['key']}"}
                for page, url in (("first", FEED_URL),
                                  ("resume", f"{FEED_URL}&after={probe['after']}")):
                    runs[n, page].append(http_load(bases[n] + url, headers=headers,
                                                   seconds=seconds, warmup=warm))
    figures, met, notes = {}, True, []
    for page, label in (("first", "first page"), ("resume", "page after the middle")):
        a, b = _combined(runs[small, page]), _combined(runs[large, page])
        ratio = b.p50 / a.p50
        qa, qb = probes[small][page]["queries"], probes[large][page]["queries"]
        figures[f"{label} p50"] = f"{a.p50:.1f} → {b.p50:.1f} ms (×{ratio:.2f})"
        figures[f"{label} queries"] = f"{qa} → {qb}"
        met &= ratio <= TARGET and qa == qb and a.errors == b.errors == 0
        if a.errors or b.errors:
            notes.append(f"{label}: {a.errors + b.errors} failed requests")
        for n in (small, large):
            if probes[n][page]["rows"] != 50:
                notes.append(f"{label} at {n:,}: {probes[n][page]['rows']} rows, not 50")
    emit(Result(number=8, title=f"Partner events feed, {small:,} vs {large:,} events",
                target=f"time ×≤{TARGET}, same query count", figures=figures,
                met=met and not notes, note="; ".join(notes)))


if __name__ == "__main__":
    main()
