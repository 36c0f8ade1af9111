"""Scenario 2: ranking one round of 5,000 applications with 15,000 reviews, weighted and
z-normalised, against a hand-written SQL aggregate that computes the same figures from the
same rows in one statement.

The round comes from ``generate_volume`` (all of it in review, reviewed or waitlisted, three
current reviews each). Both are timed in one process, on one warm connection: the
selector ``reviews.selectors.assessment.round_ranking(normalised=True)`` as the ranking page calls
it, and the SQL statement with its rows fetched. Each is run repeatedly; the medians are
compared. The two must agree on every application's normalised score and on the order.

Target: the selector within 2 x the SQL aggregate.
"""

from __future__ import annotations

import statistics
import time

from bench.common import Result, emit, size_argument, use_database, volume_database

SIZES = {
    # applications (3 reviews each), timed runs
    "smoke": (500, 5),
    "reference": (5_000, 15),
}
TARGET = 2.0
RANKED = ("in_review", "reviewed", "waitlisted")

SQL = """
WITH cur AS (
    SELECT a.application_id AS app, a.reviewer_id AS reviewer, r.weighted_total AS total
    FROM reviews_review r
    JOIN reviews_assignment a ON a.id = r.assignment_id
    JOIN applicants_application p ON p.id = a.application_id
    WHERE r.is_current AND a.status = 'submitted' AND p.round_id = %(round)s
), overall AS (
    SELECT avg(total) AS mean, stddev_pop(total) AS sd FROM cur
), per_reviewer AS (
    SELECT reviewer, avg(total) AS mean, stddev_pop(total) AS sd FROM cur GROUP BY reviewer
), scored AS (
    SELECT cur.app, count(*) AS n, avg(cur.total) AS raw,
           max(cur.total) - min(cur.total) AS spread,
           avg(CASE WHEN pr.sd > 0 THEN (cur.total - pr.mean) / pr.sd ELSE 0 END) AS mean_z
    FROM cur JOIN per_reviewer pr USING (reviewer)
    GROUP BY cur.app
), ranked AS (
    SELECT p.id, p.reference, o.name_en, p.requested_subsidy, p.submitted_at, s.n,
           round(s.raw, 2) AS raw, s.spread, s.n > 1 AND s.spread > %(threshold)s AS disagrees,
           round(ov.mean + s.mean_z * ov.sd, 2) AS normalised
    FROM applicants_application p
    JOIN applicants_organisation o ON o.id = p.organisation_id
    LEFT JOIN scored s ON s.app = p.id
    CROSS JOIN overall ov
    WHERE p.round_id = %(round)s AND p.status = ANY(%(statuses)s)
)
SELECT id, reference, name_en, requested_subsidy, n, raw, spread, disagrees, normalised,
       rank() OVER w AS position,
       sum(requested_subsidy) OVER (w ROWS UNBOUNDED PRECEDING) AS running_total
FROM ranked
WINDOW w AS (ORDER BY normalised DESC NULLS LAST, submitted_at, id)
ORDER BY normalised DESC NULLS LAST, submitted_at, id
"""


def _median_ms(function, runs: int) -> float:
    function()  # warm: connection, plans, imports
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    size = size_argument()
    applications, runs = SIZES[size]
    db = f"s2_ranking_{applications}"
    volume_database(db, ["--applications", str(applications), "--rounds", "1",
                         "--states", ",".join(RANKED), "--grants", "0",
                         "--reviews", str(3 * applications)])
    use_database(db)
    from django.db import connection
    from django.test import override_settings

    from reviews.models import Review
    from reviews.selectors.assessment import round_ranking, settings_for
    from subsidy.scheme.models import FundingRound

    round_ = FundingRound.objects.get()
    threshold = settings_for(round_).disagreement_threshold
    reviews = Review.objects.filter(assignment__application__round=round_,
                                    is_current=True).count()

    def selector():
        # The pages cache the ranking (subsidy.platform.figure_cache): measured here is
        # computing it, with no cache to answer from.
        with override_settings(CACHES={"default": {
                "BACKEND": "django.core.cache.backends.dummy.DummyCache"}}):
            return round_ranking(round_=round_, normalised=True)

    def aggregate():
        with connection.cursor() as cursor:
            cursor.execute(SQL, {"round": round_.pk, "threshold": threshold,
                                 "statuses": list(RANKED)})
            return cursor.fetchall()

    ranking, rows = selector(), aggregate()
    agree = (len(ranking.rows) == len(rows) and all(
        r.application.pk == row[0] and r.score.normalised == row[8]
        for r, row in zip(ranking.rows, rows, strict=True)))
    ours = _median_ms(selector, runs)
    sql = _median_ms(aggregate, runs)
    ratio = ours / sql
    print(f"{len(rows)} applications, {reviews} reviews: selector {ours:.1f} ms, "
          f"SQL {sql:.1f} ms (x{ratio:.2f}); same ranking: {agree}", flush=True)
    emit(Result(
        number=2, title=f"Ranking of one round, {len(rows):,} applications, "
                        f"{reviews:,} reviews (z-normalised)",
        target=f"selector ≤ {TARGET:g}× SQL aggregate",
        figures={"selector (median)": f"{ours:.1f} ms", "SQL aggregate (median)": f"{sql:.1f} ms",
                 "ratio": f"×{ratio:.2f}", "same ranking": "yes" if agree else "NO",
                 "runs": str(runs)},
        met=ratio <= TARGET and agree,
        note="" if agree else "the selector and the SQL aggregate disagree"))


if __name__ == "__main__":
    main()
