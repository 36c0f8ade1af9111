"""Scenario 4, the deadline surge: 200 concurrent partner-portal clients create, fill, document
and submit applications through the partner API, against gunicorn on PostgreSQL.

Load comes from locust (``bench/load/surge.py``): first 200 clients read one round over and
over (the trivial authenticated request), then 200 clients send one complete application
after another until every company has sent one. Both runs hit the same gunicorn server.

Target: no failed request, every application submitted with a unique reference numbered
1..N without gaps, and the surge's throughput (requests per second) at least 40% of the
trivial request's. Latency percentiles are printed per step and over the whole surge.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from bench.common import (
    BIN,
    ROOT,
    Result,
    emit,
    free_port,
    gunicorn,
    recreate_database,
    size_argument,
    use_database,
)

DB = "surge"
PORT = free_port(20)
# Production-like on 2 cores: (2 x cores) + 1 synchronous workers, one connection each
# (BENCH_SURGE_WORKERS and BENCH_SURGE_THREADS try other configurations).
WORKERS = int(os.environ.get("BENCH_SURGE_WORKERS", "5"))
THREADS = int(os.environ.get("BENCH_SURGE_THREADS", "1"))
SIZES = {
    # clients, applications, seconds of the trivial-request run
    "smoke": (50, 100, 5),
    "reference": (200, 600, 30),
}
TARGET_RATIO = 0.40
LOCUSTFILE = ROOT / "bench" / "load" / "surge.py"


def prepare(applications: int) -> tuple[str, str, list[int]]:
    """The round, a partner with a key and its linked companies; returns the key, the
    round's code and the company ids."""
    from bench import world
    from subsidy.platform.roles import Role

    round_ = world.open_round()
    world.staff(Role.PROGRAMME_OFFICER, 3)
    key = world.partner_key(["rounds:read", "applications:read", "applications:write"])
    from subsidy.platform.models import PartnerOrganisation

    partner = PartnerOrganisation.objects.get()
    organisations = world.companies(applications, partner=partner)
    return key, round_.code, [organisation.pk for organisation in organisations]


def locust(url: str, env: dict, *, user_class: str, users: int, seconds: int,
           out: Path, locustfile: Path = LOCUSTFILE) -> list[dict]:
    """Run locust headless; its per-request statistics."""
    subprocess.run(
        [str(BIN / "locust"), "-f", str(locustfile), "--headless", "--host", url,
         "-u", str(users), "-r", "50", "--run-time", f"{seconds}s", "--stop-timeout", "120",
         "--only-summary", "--loglevel", "WARNING", "--json-file", str(out), user_class],
        cwd=ROOT, env={**os.environ, **env}, check=False, stdout=subprocess.DEVNULL)
    return json.loads(out.with_suffix(".json").read_text())


def percentile(response_times: dict, fraction: float) -> float:
    """The response time (ms) below which ``fraction`` of the requests fell."""
    times = sorted((float(ms), count) for ms, count in response_times.items())
    total = sum(count for _ms, count in times)
    seen = 0
    for ms, count in times:
        seen += count
        if seen >= fraction * total:
            return ms
    return times[-1][0] if times else 0.0


def summary(entries: list[dict]) -> dict:
    """Totals over ``entries``: requests, failures, requests per second, p50 and p99."""
    requests = sum(e["num_requests"] for e in entries)
    failures = sum(e["num_failures"] for e in entries)
    start = min(e["start_time"] for e in entries)
    end = max(e["last_request_timestamp"] for e in entries)
    merged: dict = {}
    for entry in entries:
        for ms, count in entry["response_times"].items():
            merged[ms] = merged.get(ms, 0) + count
    return {"requests": requests, "failures": failures,
            "rps": requests / max(end - start, 1e-9), "seconds": end - start,
            "p50": percentile(merged, 0.50), "p99": percentile(merged, 0.99)}


def check_references(round_code: str, expected: int) -> tuple[bool, str]:
    from applicants.models import Application

    references = list(Application.objects.filter(round__code=round_code,
                                                 reference__isnull=False)
                      .values_list("reference", flat=True))
    submitted = Application.objects.filter(round__code=round_code,
                                           status="submitted").count()
    wanted = [f"AISS-{round_code}-{n:05d}" for n in range(1, expected + 1)]
    ok = sorted(references) == wanted and submitted == expected
    return ok, f"{submitted}/{expected} submitted, references {len(set(references))} unique" + (
        ", 1..N without gaps" if ok else ", NOT 1..N")


def main() -> None:
    size = size_argument()
    users, applications, baseline_seconds = SIZES[size]
    recreate_database(DB)
    use_database(DB)
    from bench import world

    key, round_code, company_ids = prepare(applications)
    documents = {code: world.document_pdf(f"Harbour AI: {code}").decode("latin-1")
                 for code in world.REQUIRED_DOCUMENTS}
    from django.db import connections

    connections.close_all()

    with tempfile.TemporaryDirectory(prefix="bench-surge-") as tmp:
        plan = Path(tmp) / "plan.json"
        plan.write_text(json.dumps({
            "companies": [{"id": pk, "body": world.application_body(n)}
                          for n, pk in enumerate(company_ids)],
            "documents": documents, "required_documents": world.REQUIRED_DOCUMENTS}))
        env = {"SURGE_KEY": key, "SURGE_ROUND": round_code, "SURGE_COMPANIES": str(plan)}
        media = str(Path(tmp) / "media")
        with gunicorn(DB, PORT, workers=WORKERS, threads=THREADS, MEDIA_ROOT=media) as url:
            print(f"gunicorn: {WORKERS} workers x {THREADS} threads; trivial request for "
                  f"{baseline_seconds}s with {users} clients", flush=True)
            # The trivial request runs before and after the surge; the mean of the two evens
            # out a machine whose speed drifts during the run.
            before = summary(locust(url, env, user_class="RoundReader", users=users,
                                    seconds=baseline_seconds, out=Path(tmp) / "trivial-1"))
            print(f"surge: {users} clients, {applications} applications", flush=True)
            started = time.monotonic()
            entries = locust(url, env, user_class="PortalUser", users=users,
                             seconds=max(600, applications * 2), out=Path(tmp) / "surge")
            wall = time.monotonic() - started
            after = summary(locust(url, env, user_class="RoundReader", users=users,
                                   seconds=baseline_seconds, out=Path(tmp) / "trivial-2"))
    trivial = {key: (before[key] + after[key]) / 2 for key in ("rps", "p50", "p99")}
    trivial["failures"] = before["failures"] + after["failures"]
    surge = summary(entries)
    by_step = {e["name"]: summary([e]) for e in sorted(entries, key=lambda e: e["name"])}
    references_ok, references = check_references(round_code, applications)
    ratio = surge["rps"] / trivial["rps"] if trivial["rps"] else 0.0
    errors = surge["failures"] + trivial["failures"]

    figures = {
        "trivial GET /rounds/{code}/": f"{trivial['rps']:.0f} req/s (before "
                                       f"{before['rps']:.0f}, after {after['rps']:.0f}; p50 "
                                       f"{trivial['p50']:.0f} ms, p99 {trivial['p99']:.0f} ms)",
        "surge": f"{surge['rps']:.1f} req/s, {applications / surge['seconds']:.1f} "
                 f"applications/s",
        "ratio": f"{ratio:.0%}",
        "surge p50 / p99": f"{surge['p50']:.0f} ms / {surge['p99']:.0f} ms",
    }
    for name, step in by_step.items():
        figures[name] = f"p50 {step['p50']:.0f} ms, p99 {step['p99']:.0f} ms"
    figures["errors"] = str(errors)
    figures["references"] = references
    emit(Result(
        number=4, title=f"Deadline surge ({users} clients, {applications} applications, "
                        f"gunicorn {WORKERS}x{THREADS})",
        target="0 errors; references unique and sequential; surge req/s >= 40% of a trivial "
               "authenticated GET",
        figures=figures,
        met=errors == 0 and references_ok and ratio >= TARGET_RATIO,
        note=f"surge wall time {wall:.0f}s including locust start-up",
    ))


if __name__ == "__main__":
    main()
