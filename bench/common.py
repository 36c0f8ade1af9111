"""Plumbing shared by the benchmarks: databases, production-like environments, servers and
the result records that ``bench/run.py`` collects into its table.

Every scenario runs in its own process (``python -m bench.scenarios.<name> --size <size>``)
against PostgreSQL and Redis with production settings: DEBUG off, persistent connections,
gunicorn for anything measured over HTTP.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BIN = Path(PY).parent

PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "aiss_bench_")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
PORT_BASE = int(os.environ.get("BENCH_PORT_BASE", "8300"))

SIZES = ("smoke", "reference")
RESULT_MARK = "BENCH-RESULT "


def database_url(name: str) -> str:
    return f"{PG_SERVER}/{DB_PREFIX}{name}"


def django_env(db: str, **extra: str) -> dict[str, str]:
    """The environment of a production process on database ``db`` (a name without prefix)."""
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    env.update({
        "DATABASE_URL": database_url(db),
        # Reports read through the replica router, on the same server (docs/scaling.md).
        "REPLICA_DATABASE_URL": database_url(db),
        "CELERY_BROKER_URL": REDIS_URL,
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": "bench-" + "x" * 60,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STAFF_REQUIRE_2FA": "0",
        "AXES_ENABLED": "0",
        "CONN_MAX_AGE": "600",
        "API_THROTTLE_RATE": "1000000/min",
        "API_PARTNER_THROTTLE_RATE": "1000000/min",
        "LOG_LEVEL": "WARNING",
        "EMAIL_URL": "memorymail://",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
    })
    env.update(extra)
    return env


def use_database(db: str, **extra: str) -> None:
    """Point this process's Django at ``db`` with production settings, then set it up."""
    os.environ.update(django_env(db, **extra))
    import django

    django.setup()


def _admin_connection():
    import psycopg

    return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True)


def database_exists(db: str) -> bool:
    with _admin_connection() as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                           (DB_PREFIX + db,)).fetchone()
    return row is not None


def recreate_database(db: str) -> None:
    """Drop and create ``db`` empty, then migrate it (copied from a migrated template
    database kept per set of migrations, which is much quicker than migrating each time)."""
    name = DB_PREFIX + db
    template = _migrated_template()
    with _admin_connection() as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{DB_PREFIX}{template}"')


def _migrated_template() -> str:
    """The name (without prefix) of an empty database migrated with the current
    migrations, created on first use; older ones are dropped."""
    template = "template_" + _fingerprint(sorted(ROOT.glob("*/migrations/0*.py")))
    with _admin_connection() as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext('aiss-bench-template'))")
        try:
            found = {row[0] for row in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s",
                (DB_PREFIX + "template\\_%",))}
            if DB_PREFIX + template not in found:
                conn.execute(f'CREATE DATABASE "{DB_PREFIX}{template}"')
                try:
                    manage(template, "migrate", "--noinput", quiet=True)
                except BaseException:
                    conn.execute(f'DROP DATABASE IF EXISTS "{DB_PREFIX}{template}"')
                    raise
            for old in found - {DB_PREFIX + template}:
                conn.execute(f'DROP DATABASE IF EXISTS "{old}"')
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext('aiss-bench-template'))")
    return template


def manage(db: str, *args: str, quiet: bool = False, **extra: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=django_env(db, **extra), check=True,
                   stdout=subprocess.DEVNULL if quiet else None)


def collect_static(db: str) -> None:
    """Collect the static files with their hashed names, as a deployment does: production
    pages refer to them through the manifest. Skipped when the manifest is newer than
    every source file."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    sources = [path for path in (ROOT / "static").rglob("*") if path.is_file()]
    if manifest.exists() and all(path.stat().st_mtime <= manifest.stat().st_mtime
                                 for path in sources):
        return
    manage(db, "collectstatic", "--noinput", "-v0")


def free_port(offset: int) -> int:
    return PORT_BASE + offset


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not start within {timeout}s")


@contextlib.contextmanager
def gunicorn(db: str, port: int, workers: int = 4, threads: int = 1, **extra: str):
    """A gunicorn server with production settings on ``db``; yields its base URL."""
    with gunicorn_process(db, port, workers, threads, **extra) as (url, _process):
        yield url


@contextlib.contextmanager
def gunicorn_process(db: str, port: int, workers: int = 4, threads: int = 1, **extra: str):
    """As ``gunicorn``, yielding ``(base URL, master process)`` for scenarios that watch
    the workers (``worker_pids``)."""
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads), "--log-level", "warning",
         "--timeout", "120"],
        cwd=ROOT, env=django_env(db, **extra))
    try:
        _wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def worker_pids(process: subprocess.Popen) -> list[int]:
    """The worker processes of a gunicorn master (Linux)."""
    path = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    return [int(pid) for pid in path.read_text().split()]


def memory_kib(pid: int, field: str = "VmRSS") -> int:
    """A process's resident memory (``VmRSS``) or its peak so far (``VmHWM``), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


# --- Databases built by generate_volume ----------------------------------------------------

def _fingerprint(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _database_comment(db: str) -> dict | None:
    with _admin_connection() as conn:
        row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                           "WHERE datname = %s", (DB_PREFIX + db,)).fetchone()
    try:
        return json.loads(row[0]) if row and row[0] else None
    except ValueError:
        return None


def _set_database_comment(db: str, marker: dict) -> None:
    text = json.dumps(marker).replace("'", "''")
    with _admin_connection() as conn:
        conn.execute(f"COMMENT ON DATABASE \"{DB_PREFIX}{db}\" IS '{text}'")


def vacuum(db: str) -> None:
    """VACUUM ANALYZE, as autovacuum does soon after a bulk load in production: planner
    statistics, and visibility maps for index-only scans."""
    import psycopg

    with psycopg.connect(database_url(db), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def volume_database(db: str, args: list[str]) -> bool:
    """Make ``db`` hold ``manage.py generate_volume <args>``. A database built earlier with
    the same arguments and generator is kept (its comment records them), and migrated when
    migrations were added since, as a deployment would; otherwise it is recreated and
    built. Returns True when it was built now."""
    marker = {"generate_volume": args,
              "generator": _fingerprint(sorted((ROOT / "subsidy/devdata/volume").glob("*.py"))),
              "migrations": _fingerprint(sorted(ROOT.glob("*/migrations/0*.py")))}
    found = _database_comment(db)
    if found == marker:
        print(f"{DB_PREFIX}{db}: kept (built earlier with {' '.join(args)})", flush=True)
        return False
    if found and {k: found.get(k) for k in ("generate_volume", "generator")} == {
            k: marker[k] for k in ("generate_volume", "generator")}:
        print(f"{DB_PREFIX}{db}: kept, applying new migrations", flush=True)
        manage(db, "migrate", "--noinput", quiet=True)
        vacuum(db)
        _set_database_comment(db, marker)
        return False
    started = time.monotonic()
    print(f"{DB_PREFIX}{db}: building with generate_volume {' '.join(args)}", flush=True)
    recreate_database(db)
    manage(db, "generate_volume", *args, quiet=True)
    vacuum(db)
    _set_database_comment(db, marker)
    print(f"{DB_PREFIX}{db}: built in {time.monotonic() - started:.0f}s", flush=True)
    return True


def call_in(db: str, target: str, **kwargs):
    """Run ``module:function(**kwargs)`` in a fresh process set up on ``db`` (see
    ``bench/call.py``) and return its JSON-able result. One process is set up on one
    database; a scenario comparing two databases calls into each."""
    process = subprocess.run([PY, "-m", "bench.call", db, target, json.dumps(kwargs)],
                             cwd=ROOT, env=django_env(db), check=True, text=True,
                             stdout=subprocess.PIPE)
    for line in process.stdout.splitlines():
        if line.startswith(CALL_MARK):
            return json.loads(line[len(CALL_MARK):])
        print(line, flush=True)
    raise RuntimeError(f"{target} on {db} returned nothing")


CALL_MARK = "BENCH-CALL "


# --- HTTP load ------------------------------------------------------------------------------

def ensure_wrk() -> str | None:
    """The wrk load generator: found on PATH, else installed from Debian when this runs as
    root with apt-get (as .ci/run installs chromium), else None."""
    found = shutil.which("wrk")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print("wrk missing: installing Debian's wrk", flush=True)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "check": False}
    subprocess.run(["apt-get", "update", "-qq"], **quiet)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], **quiet,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return shutil.which("wrk")


@dataclass
class Load:
    """What a load run measured: latency percentiles and mean (ms), throughput, errors."""

    p50: float
    p90: float
    mean: float
    rps: float
    requests: int
    errors: int
    tool: str


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(text)
    return float(match.group(1)) * _UNITS[match.group(2)]


def http_load(url: str, *, headers: dict[str, str] | None = None, seconds: float = 10,
              connections: int = 4, threads: int = 2, warmup: float = 3) -> Load:
    """GET ``url`` over keep-alive connections for ``seconds`` with wrk (after a warm-up
    run), or with a plain Python client when wrk is unavailable (said in ``tool``)."""
    headers = headers or {}
    wrk = ensure_wrk()
    if wrk is None:
        print("wrk unavailable: measuring with the Python fallback client", flush=True)
        _python_load(url, headers, warmup, connections)
        return _python_load(url, headers, seconds, connections)
    # A generous timeout: a fresh worker's first request loads the URL table and templates.
    command = [wrk, f"-t{min(threads, connections)}", f"-c{connections}", "--latency",
               "--timeout", "30s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if warmup:
        # Enough connections to reach every worker: each one's first requests are slow.
        # Repeated until requests complete (a loaded machine may need a second round).
        warm = [wrk, "-t2", f"-c{max(2 * connections, 8)}", "--timeout", "30s",
                *command[6:], f"-d{warmup:g}s", url]
        for _attempt in range(5):
            done = re.search(r"^\s+(\d+) requests in",
                             subprocess.run(warm, check=True, capture_output=True,
                                            text=True).stdout, re.M)
            if done and int(done.group(1)) >= 2 * connections:
                break
    # On a busy machine a smoke run's short window can end before any answer comes (a page
    # took 10 s on a 2-core machine under a load of 12): each new try waits twice as long.
    for attempt in range(6):
        window = seconds * 2 ** attempt
        out = subprocess.run([*command, f"-d{window:g}s", url], check=True,
                             capture_output=True, text=True).stdout
        total = re.search(r"^\s+(\d+) requests in", out, re.M)
        if total and int(total.group(1)) > 0:
            break
        print(f"no request completed in {window:g}s: measuring again", flush=True)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p90 = re.search(r"^\s+90%\s+(\S+)", out, re.M)
    mean = re.search(r"^\s+Latency\s+(\S+)", out, re.M)
    rps = re.search(r"^Requests/sec:\s+([0-9.]+)", out, re.M)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                              r"timeout (\d+)", out)
    if not (p50 and p90 and mean and total and rps) or not int(total.group(1)):
        raise RuntimeError(f"could not read wrk's output:\n{out}")
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Load(p50=_ms(p50.group(1)), p90=_ms(p90.group(1)), mean=_ms(mean.group(1)),
                rps=float(rps.group(1)), requests=int(total.group(1)), errors=errors,
                tool="wrk")


def _python_load(url: str, headers: dict[str, str], seconds: float, connections: int) -> Load:
    import http.client
    import statistics
    import threading
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        mine, failed = [], 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append((time.perf_counter() - started) * 1000)
            failed += response.status >= 400
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    workers = [threading.Thread(target=client) for _ in range(connections)]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    return Load(p50=statistics.median(latencies),
                p90=latencies[int(len(latencies) * 0.9)], mean=statistics.fmean(latencies),
                rps=len(latencies) / elapsed, requests=len(latencies), errors=errors[0],
                tool="python fallback (wrk missing)")


@dataclass
class Result:
    """One scenario's outcome: the figures it measured and whether its target was met."""

    number: int
    title: str
    target: str
    figures: dict[str, str] = field(default_factory=dict)
    met: bool | None = None
    note: str = ""


def emit(result: Result) -> None:
    """Hand a result to ``bench/run.py`` (one marked JSON line on stdout)."""
    print(RESULT_MARK + json.dumps(asdict(result)), flush=True)


def size_argument() -> str:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=SIZES, default="reference")
    return parser.parse_args().size
