"""Assignments, submitted reviews and criterion scores."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection

from reviews.models import Assignment, CriterionScore, Review
from subsidy.devdata.volume.spec import REVIEWED_STATES
from subsidy.scheme.models import default_rubric


class Reviews:
    """A stage of the build (``_Build``): the reviews of every reviewed application."""

    def reviews(self) -> None:
        total = self.spec.reviews
        if not total:
            return
        reviewed = [i for i, s in enumerate(self.states) if s in REVIEWED_STATES]
        per, extra = divmod(total, len(reviewed))
        rubric = default_rubric()
        weights = [int(c["weight"]) for c in rubric]  # whole numbers that sum to 100
        codes = [c["code"] for c in rubric]
        n_reviewers = len(self.reviewers)
        bias = [self.rng.gauss(0, 0.6) for _ in range(n_reviewers)]
        # Each score's own noise is drawn from a table of normal draws: one gauss() per
        # score was most of the generator's time at 9 million scores.
        noise = [self.rng.gauss(0, 0.7) for _ in range(4096)]
        choices, gauss, n_criteria = self.rng.choices, self.rng.gauss, len(rubric)
        assignment_first = self.ids.take(Assignment, total)
        review_first = self.ids.take(Review, total)
        assignments, reviews, scores = [], [], []
        with_scores = self.spec.criterion_scores
        score_first = self.ids.take(CriterionScore, total * n_criteria) if with_scores else 0
        # On PostgreSQL a review's scores travel as one string of digits, expanded into
        # rows by the database (``_expand_scores``): a ninth of the rows through Python.
        as_digits = connection.vendor == "postgresql"
        comment = "Clear plan; the compute request matches the milestones."
        submitted = Assignment.Status.SUBMITTED
        n = 0
        for position, i in enumerate(reviewed):
            quality = gauss(3.0, 0.8)
            count = per + (1 if position < extra else 0)
            base = (i * 7) % n_reviewers
            at = self.app_submitted[i] + timedelta(days=7)
            # Formatted once for the application's reviews (COPY and bulk_create take text).
            assigned, due, drafted, at = (str(at - timedelta(days=6)),
                                          str(at + timedelta(days=7)),
                                          str(at - timedelta(days=1)), str(at))
            application = self.app_first + i
            for r in range(count):
                slot = (base + r) % n_reviewers
                centre = quality + bias[slot]
                values = [0 if v < 0 else 5 if v > 5 else v
                          for v in [round(centre + x) for x in choices(noise, k=n_criteria)]]
                # The weighted total out of 100: sum(weight x score) / 5, in hundredths.
                hundredths = 20 * sum([w * v for w, v in zip(weights, values, strict=True)])
                recommendation = ("fund" if hundredths >= 7000 else "fund_with_conditions"
                                  if hundredths >= 5500 else "do_not_fund")
                assignments.append((assignment_first + n, application, self.reviewers[slot],
                                    self.officer, assigned, due, submitted, ""))
                review = review_first + n
                reviews.append((review, assignment_first + n, 1, recommendation,
                                comment, "", f"{hundredths // 100}.{hundredths % 100:02d}",
                                True, drafted, at, at))
                if with_scores and as_digits:
                    scores.append((review, "".join([DIGITS[v] for v in values])))
                elif with_scores:
                    first = score_first + n * n_criteria
                    scores.extend([(first + c, review, codes[c], values[c], "")
                                   for c in range(n_criteria)])
                n += 1
        self.write(Assignment, ["id", "application_id", "reviewer_id", "assigned_by_id",
                                "assigned_at", "due_at", "status", "removed_reason"],
                   assignments)
        self.write(Review, ["id", "assignment_id", "version", "recommendation",
                            "overall_comment", "correction_reason", "weighted_total",
                            "is_current", "created_at", "updated_at", "submitted_at"], reviews)
        self.step(f"{n:,} assignments and submitted reviews")
        if not scores:
            return
        if as_digits:
            written = _expand_scores(scores, codes, review_first, score_first)
            self.report.counts[CriterionScore._meta.label] += written
        else:
            self.write(CriterionScore, ["id", "review_id", "criterion", "score", "comment"],
                       scores)
            written = len(scores)
        self.step(f"{written:,} criterion scores")


DIGITS = "0123456789"
_EXPAND_SQL = """
INSERT INTO {table} (id, review_id, criterion, score, comment)
SELECT %(first)s + (s.review_id - %(review_first)s) * %(n)s + c.ord - 1,
       s.review_id, c.code, substr(s.digits, c.ord::int, 1)::int, ''
FROM volume_score_digits s
CROSS JOIN unnest(%(codes)s::text[]) WITH ORDINALITY AS c(code, ord)
"""


def _expand_scores(digits: list[tuple[int, str]], codes: list[str], review_first: int,
                   score_first: int) -> int:
    """Criterion scores from ``(review id, one digit per criterion)``: the rows and ids
    that one row per score would have given, written by PostgreSQL from a temporary
    table."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE volume_score_digits "
                       "(review_id bigint, digits text) ON COMMIT DROP")
        with cursor.cursor.copy("COPY volume_score_digits FROM STDIN") as copy:
            for start in range(0, len(digits), 50_000):
                copy.write("".join([f"{review}\t{values}\n"
                                    for review, values in digits[start:start + 50_000]]))
        cursor.execute(_EXPAND_SQL.format(table=CriterionScore._meta.db_table),
                       {"first": score_first, "review_first": review_first,
                        "n": len(codes), "codes": codes})
        written = cursor.rowcount
        cursor.execute("DROP TABLE volume_score_digits")
    return written
