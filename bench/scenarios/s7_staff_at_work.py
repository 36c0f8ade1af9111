"""Scenario 7: staff at work, 50 sessions on the 50,000-application volume.

Fifty members of staff, each with a session of their own (programme officer and finance
officer roles), go from page to page with no pause: the application queue, an application
under review, its round's ranking, the finance dashboard and the inbox (locust,
``bench/load/staff.py``). On the same server and with the same 50 sessions, the smallest
signed-in page (the profile) is measured before and after: the trivial page.

Target: the 95th percentile of each page at most 3 x the 95th percentile of the trivial
page.
"""

from __future__ import annotations

import json
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.common import (
    ROOT,
    Result,
    call_in,
    collect_static,
    emit,
    free_port,
    gunicorn,
    size_argument,
    volume_database,
)
from bench.scenarios.s4_deadline_surge import locust, percentile

SIZES = {
    # applications (the volume of scenario 1), sessions, seconds per run, gunicorn workers
    "smoke": (2000, 5, 2, 2),
    "reference": (50_000, 50, 30, 4),
}
TARGET = 3.0
LOCUSTFILE = ROOT / "bench" / "load" / "staff.py"


def prepare(sessions: int) -> dict:
    """Signed-in sessions of ``sessions`` members of staff, and the pages they open."""
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from applicants.models import Application, ApplicationStatus
    from subsidy.platform.models import User, UserRole
    from subsidy.platform.roles import Role

    cookies = []
    for n in range(sessions):
        user, _created = User.objects.get_or_create(
            email=f"bench.staff{n}@cyberport.example.hk",
            defaults={"full_name": f"Bench staff {n}"})
        for role in (Role.PROGRAMME_OFFICER, Role.FINANCE_OFFICER):
            UserRole.objects.get_or_create(user=user, role=role)
        client = Client()
        client.force_login(user)
        cookies.append(f"{settings.SESSION_COOKIE_NAME}="
                       f"{client.cookies[settings.SESSION_COOKIE_NAME].value}")
    application = (Application.objects.filter(status=ApplicationStatus.IN_REVIEW)
                   .select_related("round").order_by("id").first())
    pages = {
        "queue": reverse("staff:queue") + "?status=in_review",
        "application": reverse("staff:application", args=[application.pk]),
        "ranking": reverse("reviews:ranking", args=[application.round.code]),
        "finance dashboard": reverse("finance:dashboard"),
        "inbox": reverse("notifications:inbox"),
    }
    probe = Client()
    probe.force_login(User.objects.get(email="bench.staff0@cyberport.example.hk"))
    for name, url in {**pages, "trivial": reverse("core:profile")}.items():
        status = probe.get(url).status_code
        if status != 200:
            raise RuntimeError(f"{name} ({url}) answered {status}")
    return {"cookies": cookies, "pages": pages, "trivial": reverse("core:profile")}


def settle(url: str, cookie: str, *, quick: float = 1.0, limit: float = 600) -> None:
    """Wait until the server answers one request at a time again (the trivial page within
    ``quick`` seconds): locust stops its users, but the requests already queued at
    gunicorn still run and would be counted against the next run."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        started = time.monotonic()
        request = urllib.request.Request(url, headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=limit) as response:
            response.read()
        if time.monotonic() - started < quick:
            return


def main() -> None:
    applications, sessions, seconds, workers = SIZES[size_argument()]
    db = f"s1_volume_{applications}"
    volume_database(db, ["--applications", str(applications)])
    collect_static(db)  # the pages render with the static files' manifest
    plan = call_in(db, "bench.scenarios.s7_staff_at_work:prepare", sessions=sessions)
    with tempfile.TemporaryDirectory(prefix="bench-staff-") as tmp, \
            gunicorn(db, free_port(0), workers) as url:
        plan_file = Path(tmp) / "plan.json"
        plan_file.write_text(json.dumps(plan))
        env = {"STAFF_PLAN": str(plan_file)}

        def run(user_class: str, label: str) -> list[dict]:
            print(f"{label}: {sessions} sessions for {seconds}s", flush=True)
            stats = locust(url, env, user_class=user_class, users=sessions, seconds=seconds,
                           out=Path(tmp) / label, locustfile=LOCUSTFILE)
            settle(url + plan["trivial"], plan["cookies"][0])
            return stats

        # Fresh workers load the URL table and templates on their first requests: not
        # counted in the trivial page's figure, which every page is judged against.
        run("StaffTrivial", "warm-up")
        trivial = run("StaffTrivial", "trivial-before")
        work = run("StaffAtWork", "work")
        trivial += run("StaffTrivial", "trivial-after")

    merged: dict = {}
    for entry in trivial:
        for ms, count in entry["response_times"].items():
            merged[ms] = merged.get(ms, 0) + count
    trivial_p95 = percentile(merged, 0.95)
    failures = sum(entry["num_failures"] for entry in trivial + work)
    figures = {"trivial page p95": f"{trivial_p95:.0f} ms"}
    met = failures == 0
    for entry in sorted(work, key=lambda e: list(plan["pages"]).index(e["name"])):
        p95 = percentile(entry["response_times"], 0.95)
        ratio = p95 / trivial_p95 if trivial_p95 else float("inf")
        figures[f"{entry['name']} p95"] = (f"{p95:.0f} ms (×{ratio:.1f}, "
                                           f"{entry['num_requests']:,} requests)")
        met &= ratio <= TARGET
    for name in set(plan["pages"]) - {entry["name"] for entry in work}:
        figures[f"{name} p95"] = "no request completed"
        met = False
    figures["errors"] = str(failures)
    emit(Result(number=7, title=f"Staff at work ({sessions} sessions, {applications:,} "
                                f"applications, gunicorn {workers} workers)",
                target=f"p95 of each page ≤ {TARGET:.0f}× the trivial page's p95; no error",
                figures=figures, met=met))


if __name__ == "__main__":
    main()
