"""Scenario 3: the disbursement register downloaded as CSV, 200,000 payments, against
PostgreSQL's own ``COPY (the same query) TO STDOUT``; and the same register as an Excel
workbook.

The payments come from ``generate_volume``. The baseline runs the register's own SQL
(``subsidy.finance.reports.registers.disbursement_register``, compiled by Django) under ``COPY ...
TO STDOUT (FORMAT csv)`` and reads every byte on the client. The export is downloaded by
curl from gunicorn (one worker, so the exporting process is known) as a finance officer.
The worker's memory is read from /proc: its resident size after a warm-up download, and
its peak (VmHWM) after the full downloads. The workbook is downloaded the same way from a
second server of one worker, so that each format's peak memory is its own.

Target: CSV throughput (rows a second) at least 0.7 of COPY's, the workbook at least
20,000 rows a second, and each exporting process's peak memory less than 100 MB above
where it started.
"""

from __future__ import annotations

import statistics
import subprocess
import time

from bench.common import (
    Result,
    call_in,
    collect_static,
    emit,
    free_port,
    gunicorn_process,
    memory_kib,
    size_argument,
    volume_database,
    worker_pids,
)

SIZES = {
    # payments, grants, applications, runs of each measurement
    "smoke": (5_000, 500, 1_000, 1),
    "reference": (200_000, 10_000, 20_000, 3),
}
URL = "/finance/registers/disbursements/?format={fmt}"
WARM_URL = "/finance/registers/disbursements/?format={fmt}&status=prepared"
TARGET_RATIO = 0.7
TARGET_XLSX_ROWS = 20_000
TARGET_MEMORY_MB = 100


def baseline(runs: int) -> dict:
    """In a process on the database: the finance officer's session, the number of rows,
    and COPY's time over the register's query."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from subsidy.finance.reports.registers import disbursement_register
    from subsidy.platform.models import User, UserRole
    from subsidy.platform.roles import Role

    user, _created = User.objects.get_or_create(email="bench.finance@cyberport.example.hk",
                                                defaults={"full_name": "Bench finance"})
    UserRole.objects.get_or_create(user=user, role=Role.FINANCE_OFFICER)
    browser = Client()
    browser.force_login(user)
    cookie = browser.cookies[settings.SESSION_COOKIE_NAME].value

    sql, params = disbursement_register().query.sql_with_params()
    with connection.cursor() as cursor:
        query = connection.ops.compose_sql(sql, params)
        rows = cursor.execute(f"SELECT count(*) FROM ({query}) q").fetchone()[0]
        times, size = [], 0
        for _ in range(runs + 1):  # the first run warms the cache
            started = time.perf_counter()
            size = 0
            with cursor.cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT csv, HEADER)") as copy:
                for block in copy:
                    size += len(block)
            times.append(time.perf_counter() - started)
    return {"cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}", "rows": rows,
            "seconds": statistics.median(times[1:]), "bytes": size}


def _download(url: str, cookie: str) -> tuple[float, int, int]:
    out = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-H", f"Cookie: {cookie}", "-w",
                          "%{http_code} %{size_download} %{time_total}", url],
                         check=True, capture_output=True, text=True).stdout.split()
    return float(out[2]), int(out[1]), int(out[0])


def main() -> None:
    size = size_argument()
    payments, grants, applications, runs = SIZES[size]
    db = f"s3_payments_{payments}"
    volume_database(db, ["--applications", str(applications), "--grants", str(grants),
                         "--payments", str(payments), "--reviews", "0"])
    collect_static(db)
    base_line = call_in(db, "bench.scenarios.s3_register_export:baseline", runs=runs)
    rows, copy_seconds = base_line["rows"], base_line["seconds"]
    csv, xlsx = (_measure(db, fmt, offset, base_line["cookie"], runs)
                 for fmt, offset in (("csv", 2), ("xlsx", 3)))
    statuses = csv["statuses"] | xlsx["statuses"]
    copy_rate = rows / copy_seconds
    csv_rate, xlsx_rate = rows / csv["seconds"], rows / xlsx["seconds"]
    ratio = csv_rate / copy_rate
    print(f"{rows} rows: COPY {copy_seconds:.2f}s ({base_line['bytes'] / 1e6:.1f} MB), "
          f"CSV {csv['seconds']:.2f}s, XLSX {xlsx['seconds']:.2f}s (HTTP {statuses}); "
          f"growth CSV +{csv['growth']:.0f} MB, XLSX +{xlsx['growth']:.0f} MB", flush=True)
    met = (ratio >= TARGET_RATIO and xlsx_rate >= TARGET_XLSX_ROWS and statuses == {200}
           and max(csv["growth"], xlsx["growth"]) < TARGET_MEMORY_MB)
    emit(Result(
        number=3, title=f"Disbursement register CSV and XLSX, {rows:,} payments",
        target=f"CSV ≥ {TARGET_RATIO:g} of COPY's rows/s; XLSX ≥ {TARGET_XLSX_ROWS:,} rows/s; "
               f"peak memory +< {TARGET_MEMORY_MB} MB for both",
        figures={"COPY": f"{copy_rate:,.0f} rows/s ({copy_seconds:.2f}s)",
                 "CSV export": f"{csv_rate:,.0f} rows/s ({csv['seconds']:.2f}s, "
                               f"{csv['bytes'] / 1e6:.1f} MB)",
                 "ratio": f"{ratio:.2f}",
                 "XLSX export": f"{xlsx_rate:,.0f} rows/s ({xlsx['seconds']:.2f}s, "
                                f"{xlsx['bytes'] / 1e6:.1f} MB)",
                 "worker memory": f"CSV {csv['memory']}; XLSX {xlsx['memory']}"},
        met=met, note="" if statuses == {200} else f"HTTP statuses {sorted(statuses)}"))


def _measure(db: str, fmt: str, offset: int, cookie: str, runs: int) -> dict:
    """One format downloaded ``runs`` times from a server of its own (one worker): the
    median time, the size, and the worker's growth from after a warm-up to its peak."""
    with gunicorn_process(db, free_port(offset), workers=1) as (base, process):
        worker = worker_pids(process)[0]
        _download(base + WARM_URL.format(fmt=fmt), cookie)
        start_kib = memory_kib(worker)
        results = [_download(base + URL.format(fmt=fmt), cookie) for _ in range(runs)]
        peak_kib = memory_kib(worker, "VmHWM")
    growth = (peak_kib - start_kib) / 1024
    return {"seconds": statistics.median(t for t, _b, _s in results),
            "bytes": results[-1][1], "statuses": {status for _t, _b, status in results},
            "growth": growth,
            "memory": f"{start_kib / 1024:.0f} → peak {peak_kib / 1024:.0f} MB "
                      f"(+{growth:.0f} MB)"}


if __name__ == "__main__":
    main()
