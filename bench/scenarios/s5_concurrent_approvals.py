"""Scenario 5: 100 concurrent approvals against one round's envelope.

100 reviewed applications wait for the panel in one round whose envelope holds only about
60% of what they ask. 100 threads, each with its own PostgreSQL connection, are released
together and each approves one application for the amount requested through the decision
service (``reviews.services.decisions.application_approve``: caps, grant, envelope commitment under
the round's lock, offer). Those that no longer fit must be refused with
``envelope_exhausted`` and change nothing.

Then the same with 1,000 approvals in a second round, shared by as many clients as the
server has connections for, for the throughput of a long run.

Target: at the end of each run the database's committed total is within the envelope and
equals the sum of the grants made; every refusal is the envelope rule's (the amount did not
fit in what was left); no deadlock or other database error. Throughput is printed.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

from bench.common import Result, call_in, emit, recreate_database, size_argument

DB = "approvals"
# The race (approvals, as many clients), then ten times the approvals for throughput.
SIZES = {"smoke": (30, 100), "reference": (100, 1000)}
ENVELOPE_SHARE = Decimal("0.6")
# Connections kept free for everything else on the server while the clients hold theirs.
SPARE_CONNECTIONS = 2


def prepare(count: int):
    from bench import world
    from subsidy.platform.roles import Role

    round_ = world.open_round(required_documents=[])
    officer = world.staff(Role.PROGRAMME_OFFICER)[0]
    panel = world.staff(Role.PANEL_MEMBER)[0]
    applications = world.reviewed_applications(
        round_=round_, organisations=world.companies(count), officer=officer)
    asked = sum((a.requested_subsidy for a in applications), Decimal(0))
    # The panel member declares no conflict in each, as before any decision.
    from reviews.services.panel import panel_declaration_record

    for application in applications:
        panel_declaration_record(actor=panel, application=application, has_conflict=False)
    # The envelope must stay at least the per-project maximum (a database constraint).
    round_.envelope = max((asked * ENVELOPE_SHARE).quantize(Decimal("1")),
                          round_.max_subsidy_per_project)
    round_.save(update_fields=["envelope"])
    return round_, panel, applications, asked


def free_connections() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('max_connections')::int - "
                       "(SELECT count(*) FROM pg_stat_activity "
                       " WHERE backend_type = 'client backend')")
        return cursor.fetchone()[0]


def approve_all(applications, panel, clients: int) -> tuple[list[tuple], float]:
    """Approve every application from ``clients`` threads, each with its own connection,
    all released at once (one application each when there are as many clients as
    applications); each outcome is ``(application, kind, detail, seconds)``."""
    from django.db import connection

    from reviews.services.decisions import application_approve
    from subsidy.platform.errors import DomainError

    ready = threading.Barrier(clients + 1)
    waiting = iter(applications)  # next() on a list iterator is atomic under the GIL
    outcomes: list[tuple] = []

    def approve_one(application):
        started = time.perf_counter()
        try:
            application_approve(actor=panel, application=application,
                                amount=application.requested_subsidy)
            outcome = ("granted", "")
        except DomainError as exc:
            outcome = ("refused" if exc.code == "envelope_exhausted" else "other-refusal",
                       f"{exc.code}: {exc}")
        except Exception as exc:  # noqa: BLE001 - every database error is a finding
            outcome = ("error", f"{type(exc).__name__}: {exc}")
        outcomes.append((application, *outcome, time.perf_counter() - started))

    def client():
        try:
            connection.ensure_connection()  # the client's own connection, opened beforehand
            ready.wait()
            for application in waiting:
                approve_one(application)
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return outcomes, time.perf_counter() - started


def measure(count: int) -> dict:
    """Approve ``count`` reviewed applications of a round from as many concurrent clients as
    PostgreSQL has connections for; what the ledger says afterwards (JSON-able, for
    ``call_in``)."""
    from django.db import connection

    round_, panel, applications, asked = prepare(count)
    # One connection per client; a server with fewer free connections (PostgreSQL's
    # default max_connections is 100) gets as many clients as it can take, and says so.
    free = free_connections() + 1  # this process's own, closed below
    clients = min(len(applications), free - SPARE_CONNECTIONS)
    connection.close()
    print(f"{len(applications)} approvals from {clients} concurrent clients: "
          f"HK${asked:,.0f} asked against an envelope of HK${round_.envelope:,.0f}", flush=True)

    outcomes, seconds = approve_all(applications, panel, clients)

    from subsidy.scheme.ledger import round_committed
    from subsidy.scheme.models import Grant

    committed = round_committed(round_id=round_.pk)
    grants = Grant.objects.filter(round=round_)
    granted = [o for o in outcomes if o[1] == "granted"]
    refused = [o for o in outcomes if o[1] == "refused"]
    errors = [o for o in outcomes if o[1] in ("error", "other-refusal")]
    granted_sum = sum((o[0].requested_subsidy for o in granted), Decimal(0))
    remaining = round_.envelope - committed
    for application, kind, detail, _seconds in errors[:5]:
        print(f"  {kind} on application {application.pk}: {detail}")
    latencies = sorted(o[3] for o in outcomes)
    return {
        "approvals": len(outcomes), "clients": clients, "free": free, "seconds": seconds,
        "envelope": f"{round_.envelope:,.0f}", "asked": f"{asked:,.0f}",
        "committed": f"{committed:,.0f}", "granted": len(granted), "refused": len(refused),
        "errors": len(errors),
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
        "refusals_right": all(o[0].requested_subsidy > remaining for o in refused),
        "ledger_right": (committed <= round_.envelope and committed == granted_sum
                         and grants.count() == len(granted)),
    }


def _holds(run: dict) -> bool:
    return (run["ledger_right"] and run["refusals_right"] and not run["errors"]
            and run["refused"] > 0)


def _run(count: int) -> dict:
    db = f"{DB}_{count}"
    recreate_database(db)
    return call_in(db, "bench.scenarios.s5_concurrent_approvals:measure", count=count)


def main() -> None:
    race, volume = SIZES[size_argument()]
    first = _run(race)
    # Ten times the approvals, for the throughput of a long run: as many clients as the
    # server takes, sharing the approvals.
    second = _run(volume)
    emit(Result(
        number=5, title=f"Concurrent approvals ({race} approvals, {first['clients']} "
                        f"concurrent clients, one round; then {volume:,} from "
                        f"{second['clients']} clients)",
        target="committed <= envelope at the end; refusals only by the envelope rule; no "
               "deadlock or database error; throughput printed",
        figures={
            "envelope": f"HK${first['envelope']} (asked HK${first['asked']})",
            "committed": f"HK${first['committed']} ({first['granted']} grants)",
            "refused (envelope)": str(first["refused"]),
            "errors": str(first["errors"]),
            "throughput": f"{first['approvals'] / first['seconds']:.0f} decisions/s "
                          f"({first['seconds']:.2f}s)",
            "latency p50 / p99": f"{first['p50_ms']:.0f} ms / {first['p99_ms']:.0f} ms",
            f"{volume:,} approvals": (
                f"{second['approvals'] / second['seconds']:.0f} decisions/s "
                f"({second['seconds']:.1f}s, p50 {second['p50_ms']:.0f} ms); "
                f"{second['granted']} granted, {second['refused']} refused by the envelope, "
                f"{second['errors']} errors; committed HK${second['committed']} of "
                f"HK${second['envelope']}"),
        },
        met=_holds(first) and _holds(second),
        note=" ".join(filter(None, [
            "" if first["refusals_right"] and second["refusals_right"] else
            "A refused approval would have fitted in what was left.",
            "" if first["clients"] == race else
            f"Only {first['free']} PostgreSQL connections were free, so {first['clients']} "
            f"clients shared the {race} approvals.",
        ])),
    ))


if __name__ == "__main__":
    main()
