"""Runs every benchmark scenario and prints one table of figures.

    python -m bench.run [--size smoke|reference] [--only 1,3]

Each scenario in ``bench/scenarios/s<N>_*.py`` runs in its own process against PostgreSQL and
Redis with production settings (see ``bench/common.py``). The exit status is non-zero when a
scenario fails to run; a missed target is reported in the table, not as a failure, because
absolute figures on a shared machine drift (``--strict`` makes a missed target fail too).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from bench.common import PY, RESULT_MARK, ROOT, SIZES

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"


def scenarios() -> list[tuple[int, str]]:
    found = []
    for path in SCENARIO_DIR.glob("s[0-9]*_*.py"):
        number = int(path.stem[1:].split("_", 1)[0])
        found.append((number, f"bench.scenarios.{path.stem}"))
    return sorted(found)


def machine() -> list[str]:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    lines = [f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores{memory}",
             f"Python {platform.python_version()}"]
    for command in (["psql", "--version"], ["redis-server", "--version"]):
        try:
            lines.append(subprocess.run(command, capture_output=True, text=True,
                                        check=False).stdout.strip())
        except OSError:
            pass
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=SIZES, default="reference")
    parser.add_argument("--only", default="", help="comma-separated scenario numbers")
    parser.add_argument("--strict", action="store_true", help="a missed target fails the run")
    args = parser.parse_args()
    only = {int(n) for n in args.only.split(",") if n.strip()}

    print(f"Benchmarks, size {args.size}")
    for line in machine():
        print(f"  {line}")
    results, failures = [], []
    for number, module in scenarios():
        if only and number not in only:
            continue
        print(f"\n--- scenario {number}: {module}", flush=True)
        started = time.monotonic()
        process = subprocess.Popen([PY, "-m", module, "--size", args.size], cwd=ROOT,
                                   stdout=subprocess.PIPE, text=True)
        got = []
        for line in process.stdout:
            if line.startswith(RESULT_MARK):
                got.append(json.loads(line[len(RESULT_MARK):]))
            else:
                print(f"  {line}", end="", flush=True)
        status = process.wait()
        print(f"  ({time.monotonic() - started:.0f}s)")
        if status != 0 or not got:
            failures.append(f"scenario {number} ({module}) exited {status}"
                            + ("" if got else " without a result"))
        results.extend(got)

    print("\n| # | scenario | figures | target | met |")
    print("| --- | --- | --- | --- | --- |")
    for r in results:
        figures = "; ".join(f"{k}: {v}" for k, v in r["figures"].items())
        met = {True: "yes", False: "**no**", None: "n/a"}[r["met"]]
        print(f"| {r['number']} | {r['title']} | {figures} | {r['target']} | {met} |")
    for r in results:
        if r.get("note"):
            print(f"\nNote on {r['number']}: {r['note']}")
    if failures:
        print("\nFAILED:\n  " + "\n  ".join(failures))
        return 1
    if args.strict and any(r["met"] is False for r in results):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
