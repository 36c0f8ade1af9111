"""Scenario 1: the staff application queue and the partner API's application list (50 a
page, filtered) at 500 and at 500,000 applications (a hundred rounds: twenty years at
five rounds a year).

Both databases come from ``generate_volume``. Query counts and a time per request (the
median of 5, printed, not judged) are taken in-process (Django's test client on the same
settings); timings over HTTP against gunicorn with wrk, the
median latency of 4 connections after a warm-up, both servers running side by side and
the measurements alternating between them (the median over the turns).

Target: at 500,000 applications each list answers within 1.5 x its time at 500, with the
same number of SQL queries.
"""

from __future__ import annotations

import statistics
import time

from bench.common import (
    Load,
    Result,
    call_in,
    collect_static,
    emit,
    free_port,
    gunicorn,
    http_load,
    size_argument,
    volume_database,
)

SIZES = {
    # small, large (applications), seconds of load per list and turn, turns, gunicorn workers
    "smoke": (200, 2000, 2, 1, 2),
    "reference": (500, 500_000, 5, 3, 4),
}
QUEUE_URL = "/staff/applications/?status=in_review"
API_URL = "/api/v1/applications/?status=under_assessment&page_size=50"
TARGET = 1.5
IN_PROCESS_RUNS = 5  # requests timed in-process (median) after the counted one


def _combined(loads: list[Load]) -> Load:
    """The median of each figure over the turns; errors and requests summed."""
    def median(attribute):
        return statistics.median(getattr(load, attribute) for load in loads)
    return Load(p50=median("p50"), p90=median("p90"), mean=median("mean"), rps=median("rps"),
                requests=sum(load.requests for load in loads),
                errors=sum(load.errors for load in loads), tool=loads[0].tool)


def prepare() -> dict:
    """In a process set up on one database: an officer's session, a key of the volume's
    partner, and the SQL queries each list runs (and its row count)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from subsidy.api.services.keys import api_key_create
    from subsidy.platform.models import PartnerOrganisation, User, UserRole
    from subsidy.platform.roles import Role

    def person(role: str):
        user, _created = User.objects.get_or_create(email=f"bench.{role}@cyberport.example.hk",
                                                    defaults={"full_name": f"Bench {role}"})
        UserRole.objects.get_or_create(user=user, role=role)
        return user

    officer = person(Role.PROGRAMME_OFFICER)
    partner = PartnerOrganisation.objects.filter(name__startswith="Volume partner").first()
    key = api_key_create(actor=person(Role.ADMINISTRATOR), name="Benchmark",
                         scopes=["applications:read"], partner=partner).plaintext
    browser = Client()
    browser.force_login(officer)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    figures = {}
    for name, client, url in (("queue", browser, QUEUE_URL), ("api", api, API_URL)):
        client.get(url)  # a warm connection and caches, as in a running server
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        rows = (len(response.json()["results"]) if name == "api"
                else response.content.count(b'href="/staff/applications/') - 1)
        counted = len(queries)  # before the next request resets the connection's log
        timings = []
        for _ in range(IN_PROCESS_RUNS):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        figures[name] = {"queries": counted, "rows": rows,
                         "in_process_ms": statistics.median(timings)}
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
    return {"cookie": cookie, "key": key, **figures}


def main() -> None:
    size = size_argument()
    small, large, seconds, rounds, workers = SIZES[size]
    probes = {}
    for n in (small, large):
        db = f"s1_volume_{n}"
        volume_database(db, ["--applications", str(n)])
        if n == small:
            collect_static(db)  # the pages the probe renders need the manifest
        probes[n] = call_in(db, "bench.scenarios.s1_staff_lists:prepare")
    # Both servers run side by side and the measurements alternate, so that a change in
    # the machine's load during the run falls on both sizes alike.
    runs = {(n, name): [] for n in (small, large) for name in ("queue", "api")}
    with gunicorn(f"s1_volume_{small}", free_port(0), workers) as base_small, \
            gunicorn(f"s1_volume_{large}", free_port(1), workers) as base_large:
        bases = {small: base_small, large: base_large}
        for turn in range(rounds):
            for n in (small, large):
                probe, warm = probes[n], (seconds if turn == 0 else 0)
                runs[n, "queue"].append(http_load(
                    bases[n] + QUEUE_URL, headers={"Cookie": probe["cookie"]},
                    seconds=seconds, warmup=warm))
                runs[n, "api"].append(http_load(
                    bases[n] + API_URL, headers={"Authorization": f"Bearer {probe['key']}"},
                    seconds=seconds, warmup=warm))
    measured = {n: {"probe": probes[n], **{name: _combined(runs[n, name])
                                           for name in ("queue", "api")}}
                for n in (small, large)}
    for n in (small, large):
        probe = probes[n]
        print(f"{n} applications in-process (median of {IN_PROCESS_RUNS}): queue "
              f"{probe['queue']['in_process_ms']:.1f} ms, API "
              f"{probe['api']['in_process_ms']:.1f} ms", flush=True)
    for n in (small, large):
        queue, api, probe = measured[n]["queue"], measured[n]["api"], probes[n]
        print(f"{n} applications: queue p50 {queue.p50:.1f} ms ({queue.rps:.0f}/s, "
              f"{probe['queue']['queries']} queries, {probe['queue']['rows']} rows); "
              f"API p50 {api.p50:.1f} ms ({api.rps:.0f}/s, {probe['api']['queries']} queries, "
              f"{probe['api']['rows']} rows)", flush=True)

    figures, met, notes = {}, True, []
    for name, label in (("queue", "queue page"), ("api", "API list")):
        a, b = measured[small][name], measured[large][name]
        ratio = b.p50 / a.p50
        qa = measured[small]["probe"][name]["queries"]
        qb = measured[large]["probe"][name]["queries"]
        figures[f"{label} p50"] = f"{a.p50:.1f} → {b.p50:.1f} ms (×{ratio:.2f})"
        figures[f"{label} queries"] = f"{qa} → {qb}"
        ia = measured[small]["probe"][name]["in_process_ms"]
        ib = measured[large]["probe"][name]["in_process_ms"]
        figures[f"{label} in-process"] = f"{ia:.1f} → {ib:.1f} ms (×{ib / ia:.2f})"
        met &= ratio <= TARGET and qa == qb and a.errors == b.errors == 0
        if a.errors or b.errors:
            notes.append(f"{label}: {a.errors + b.errors} failed requests")
        if measured[large]["probe"][name]["rows"] != 50:
            notes.append(f"{label}: {measured[large]['probe'][name]['rows']} rows, not 50")
    figures["load"] = (f"{measured[large]['queue'].tool}, 4 connections, {rounds} x {seconds}s "
                       "alternating")
    emit(Result(number=1, title=f"Staff queue and API list, {small:,} vs {large:,} applications",
                target=f"time ×≤{TARGET}, same query count", figures=figures, met=met,
                note="; ".join(notes)))


if __name__ == "__main__":
    main()
