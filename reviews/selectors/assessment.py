"""Reading assessments: a reviewer's assignments, one application's reviews, and the
round's aggregated scores and ranking.

The figures come from SQL aggregates (Avg, Min, Max, StdDev over the current submitted
versions), so every page here runs a fixed number of queries whatever the number of
applications and reviews.
"""

from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate, count, islice, repeat
from operator import itemgetter

from django.db.models import Avg, Prefetch, Q, StdDev
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from applicants.models import Application, ApplicationStatus
from reviews.models import (
    Assignment,
    Recommendation,
    Review,
    ReviewCorrectionRequest,
    RoundAssessmentSettings,
)
from subsidy.platform.choices import choice_label
from subsidy.platform.figure_cache import ASSESSMENT, FINANCE, cached_figure
from subsidy.platform.permissions import Action, can
from subsidy.scheme.ledger import round_remaining
from subsidy.scheme.models import FundingRound

CENT = Decimal("0.01")
# Applications that take part in the ranking: scored, or being scored, and not yet decided
# (a waitlisted one may still be approved when money frees up).
RANKED_STATUSES = (ApplicationStatus.IN_REVIEW, ApplicationStatus.REVIEWED,
                   ApplicationStatus.WAITLISTED)


def _dec(value) -> Decimal | None:
    if value is None:
        return None
    return _exact(value).quantize(CENT, rounding=ROUND_HALF_UP)


def criteria_for(round_: FundingRound) -> list[dict]:
    """The round's rubric with each criterion's name in the active language."""
    chinese = get_language() == "zh-hant"
    return [{**c, "name": (c.get("name_zh") if chinese and c.get("name_zh")
                           else c.get("name_en") or c["code"])} for c in round_.rubric]


def review_laid_out(review: Review, criteria: list[dict]) -> dict:
    """A review with its scores in rubric order (scores prefetched) and the label of its
    recommendation."""
    by_code = {s.criterion: s for s in review.scores.all()}
    return {"review": review,
            "recommendation": choice_label(Recommendation.choices, review.recommendation),
            "rows": [{"criterion": c, "score": by_code.get(c["code"])} for c in criteria]}


# --- Reviewers ------------------------------------------------------------------------------

def _reviewer_visible(user):
    """A reviewer's live assignments, except on applications that left the assessment
    without a decision (withdrawn): those are no longer theirs to read."""
    return (Assignment.objects.filter(reviewer=user, status__in=Assignment.LIVE_STATUSES)
            .exclude(application__status=ApplicationStatus.WITHDRAWN))


def reviewer_assignments(*, user):
    """The reviewer's assignments that still concern them, soonest due first."""
    return (_reviewer_visible(user)
            .select_related("application__organisation", "application__round")
            .order_by("status", "due_at", "pk"))


def assignment_for_reviewer(*, user, pk: int) -> Assignment:
    """The reviewer's own live assignment, or 404: a reviewer reaches an application only
    through an assignment of theirs, and nothing tells them whether others exist."""
    assignment = (_reviewer_visible(user)
                  .select_related("application__organisation", "application__round")
                  .filter(pk=pk).first())
    if assignment is None or not can(user, Action.REVIEW_ASSIGNMENT, assignment):
        raise Http404
    return assignment


def _with_scores(queryset):
    return queryset.prefetch_related(Prefetch("scores"))


def review_working_copy(*, assignment: Assignment) -> Review | None:
    """The open draft (or correction) if any, else the current submitted version."""
    reviews = list(_with_scores(assignment.reviews.filter(
        Q(submitted_at__isnull=True) | Q(is_current=True))))
    drafts = [r for r in reviews if r.submitted_at is None]
    return drafts[0] if drafts else (reviews[0] if reviews else None)


def review_current(*, assignment: Assignment) -> Review | None:
    return _with_scores(assignment.reviews.filter(is_current=True)).first()


def correction_requests(*, assignment: Assignment) -> list:
    """The assignment's correction requests, newest first."""
    return list(assignment.correction_requests.order_by("-requested_at", "-pk"))


def pending_corrections(*, application: Application) -> list:
    """Correction requests on the application's reviews waiting for an officer."""
    return list(ReviewCorrectionRequest.objects.filter(
        assignment__application=application, status=ReviewCorrectionRequest.Status.PENDING)
        .select_related("assignment__reviewer").order_by("requested_at", "pk"))


# Applications that may still be waiting for, or in, review.
NOT_YET_REVIEWED = (ApplicationStatus.SUBMITTED, ApplicationStatus.SCREENING,
                    ApplicationStatus.INFO_REQUESTED, ApplicationStatus.IN_REVIEW)


def round_review_stage_closed(round_: FundingRound) -> bool:
    """The round's review stage is closed once the round stopped taking applications and
    none of its applications is still waiting for, or in, review."""
    return (round_.closes_at <= timezone.now()
            and not Application.objects.filter(round_id=round_.pk,
                                               status__in=NOT_YET_REVIEWED).exists())


def reviews_of_others(*, assignment: Assignment) -> dict:
    """Blind review: the other reviewers' current reviews (laid out by criterion, without
    their names) are shown to a reviewer whose own review is in, and only once the round's
    review stage has closed, unless the round keeps reviews blind for good."""
    blind_for_good = not settings_for(assignment.application.round).reviews_visible_after_close
    shown = (assignment.status == Assignment.Status.SUBMITTED and not blind_for_good
             and round_review_stage_closed(assignment.application.round))
    reviews = []
    if shown:
        criteria = criteria_for(assignment.application.round)
        reviews = [review_laid_out(review, criteria) for review in _with_scores(
            Review.objects.filter(is_current=True,
                                  assignment__application_id=assignment.application_id,
                                  assignment__status=Assignment.Status.SUBMITTED)
            .exclude(assignment=assignment).order_by("submitted_at"))]
    return {"shown": shown, "blind_for_good": blind_for_good, "reviews": reviews}


# --- Aggregation ----------------------------------------------------------------------------

def settings_for(round_: FundingRound) -> RoundAssessmentSettings:
    """The round's settings, or the defaults (unsaved) when none were set."""
    found = RoundAssessmentSettings.objects.filter(round=round_).first()
    return found or RoundAssessmentSettings(round=round_)


def current_reviews(round_id: int):
    """The submitted versions that count in a round."""
    return Review.objects.filter(is_current=True, assignment__status=Assignment.Status.SUBMITTED,
                                 assignment__application__round_id=round_id)


@dataclass
class RoundScoreStats:
    """The figures z-score normalisation needs: the round's mean and standard deviation of
    review totals, and each reviewer's own (population standard deviation)."""
    mean: Decimal | None
    sd: Decimal | None
    by_reviewer: dict[int, tuple[Decimal, Decimal]] = field(default_factory=dict)

    def z(self, reviewer_id: int, total: Decimal) -> Decimal:
        """How far a total lies from its reviewer's own mean, in their standard deviations;
        0 for a reviewer whose totals do not vary (nothing to correct)."""
        mean, sd = self.by_reviewer.get(reviewer_id, (total, Decimal(0)))
        if not sd:
            return Decimal(0)
        return (Decimal(total) - mean) / sd

    def normalised(self, reviewer_id: int, total: Decimal) -> Decimal:
        """The total mapped back to the round's scale: round mean + z × round sd."""
        return (self.mean or Decimal(0)) + self.z(reviewer_id, total) * (self.sd or Decimal(0))


def round_score_stats(*, round_id: int) -> RoundScoreStats:
    """Two aggregate queries over the round's reviews, the round overall and grouped by
    reviewer, cached until an application, assignment or review changes."""
    return cached_figure(f"round-score-stats:{round_id}", (ASSESSMENT,),
                         lambda: _round_score_stats(round_id))


def _round_score_stats(round_id: int) -> RoundScoreStats:
    reviews = current_reviews(round_id)
    overall = reviews.aggregate(mean=Avg("weighted_total"),
                                sd=StdDev("weighted_total", sample=False))
    per_reviewer = (reviews.values("assignment__reviewer_id")
                    .annotate(mean=Avg("weighted_total"), sd=StdDev("weighted_total",
                                                                     sample=False))
                    .values_list("assignment__reviewer_id", "mean", "sd"))
    return RoundScoreStats(
        mean=_exact(overall["mean"]), sd=_exact(overall["sd"]),
        by_reviewer={rid: (_exact(mean), _exact(sd) or Decimal(0))
                     for rid, mean, sd in per_reviewer})


def _exact(value) -> Decimal | None:
    # PostgreSQL gives numerics as Decimals already; SQLite gives floats.
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


@dataclass
class ApplicationScore:
    review_count: int = 0
    raw: Decimal | None = None
    normalised: Decimal | None = None
    mean_z: Decimal | None = None
    spread: Decimal | None = None
    disagreement: bool = False


def _reviews_score(reviews: list[Review], stats: RoundScoreStats,
                   threshold: Decimal) -> ApplicationScore:
    """One application's score from its current reviews, already read for the page (no
    query): the raw mean, the spread (max − min), the count, and the mean of the reviews'
    totals normalised by their reviewers' statistics."""
    scored = [r for r in reviews if r.weighted_total is not None]
    if not scored:
        return ApplicationScore(review_count=len(reviews))
    totals = [r.weighted_total for r in scored]
    spread = max(totals) - min(totals)
    pairs = [(stats.normalised(r.assignment.reviewer_id, r.weighted_total),
              stats.z(r.assignment.reviewer_id, r.weighted_total)) for r in scored]
    return ApplicationScore(
        review_count=len(reviews), raw=_dec(sum(totals) / len(totals)), spread=_dec(spread),
        disagreement=len(reviews) > 1 and spread > threshold,
        normalised=_dec(sum(p[0] for p in pairs) / len(pairs)),
        mean_z=_dec(sum(p[1] for p in pairs) / len(pairs)))


def reviews_for_application(*, application: Application) -> dict:
    """Everything the staff application page shows about the assessment, in a fixed number
    of queries: assignments with declarations, the current reviews with their scores laid
    out by rubric criterion, per-criterion means, and the aggregate with its normalised
    figure and disagreement flag."""
    round_ = application.round
    settings = settings_for(round_)
    stats = round_score_stats(round_id=round_.pk)
    reviews = list(_with_scores(
        current_reviews(round_.pk).filter(assignment__application=application)
        .select_related("assignment__reviewer").order_by("submitted_at")))
    aggregate = _reviews_score(reviews, stats, settings.disagreement_threshold)
    by_review = [{s.criterion: s for s in r.scores.all()} for r in reviews]
    criteria = []
    for criterion in criteria_for(round_):
        # Each review's score of the criterion (None where it has none), in the order of
        # ``reviews``: the row of the criterion in the table of scores.
        cells = [scores.get(criterion["code"]) for scores in by_review]
        values = [s.score for s in cells if s is not None and s.score is not None]
        criteria.append({**criterion, "cells": cells,
                         "mean": _dec(sum(values) / len(values)) if values else None})
    laid_out = []
    for review in reviews:
        laid_out.append({
            **review_laid_out(review, criteria),
            "normalised": _dec(stats.normalised(review.assignment.reviewer_id,
                                                review.weighted_total)),
            "z": _dec(stats.z(review.assignment.reviewer_id, review.weighted_total)),
        })
    assignments = list(application.review_assignments.select_related(
        "reviewer", "declaration__replacement__reviewer").order_by("assigned_at", "pk"))
    for assignment in assignments:
        assignment.status_label = choice_label(Assignment.Status.choices, assignment.status)
    return {"criteria": criteria, "reviews": laid_out, "assignments": assignments,
            "aggregate": aggregate, "settings": settings,
            "scale": round_.score_scale_max}


# --- Ranking --------------------------------------------------------------------------------

# The columns of a ranked row, as ``_RANKING_SQL`` selects them.
(_PK, _REFERENCE, _TITLE, _STATUS, _REQUESTED, _NAME_EN, _NAME_ZH, _COUNT, _RAW, _SPREAD,
 _NORMALISED, _MEAN_Z) = range(12)


class _Standing:
    """What every row of one ranking shares: how its rows are ordered and judged."""

    __slots__ = ("normalised", "threshold", "ranked", "within")

    def __init__(self, normalised: bool, threshold: Decimal, ranked: int, within: int):
        # ``ranked``: how many rows have a score (and a rank); ``within``: how many rows
        # fit in the remaining envelope.
        self.normalised, self.threshold = normalised, threshold
        self.ranked, self.within = ranked, within


class RankingRow:
    """One ranked application at its position (from 1): its row of the ranking statement,
    and the running total of requested subsidy up to it. The ``application`` and ``score``
    a page or an export shows are made from the row when first asked for: a page shows 50
    of a round's thousands."""

    __slots__ = ("_row", "_standing", "position", "running_total", "_application", "_score")

    def __init__(self, row: tuple, standing: _Standing, position: int,
                 running_total: Decimal):
        self._row, self._standing = row, standing
        self.position, self.running_total = position, running_total

    @property
    def rank(self) -> int | None:
        return self.position if self.position <= self._standing.ranked else None

    @property
    def within_envelope(self) -> bool:
        return self.position <= self._standing.within

    @property
    def first_beyond_envelope(self) -> bool:
        return self.position == self._standing.within + 1

    @property
    def ranking_score(self) -> Decimal | None:
        return self._row[_NORMALISED if self._standing.normalised else _RAW]

    @property
    def application(self) -> "RankedApplication":
        try:
            return self._application
        except AttributeError:
            row = self._row
            self._application = RankedApplication(
                pk=row[_PK], reference=row[_REFERENCE], title=row[_TITLE],
                status=row[_STATUS], requested_subsidy=row[_REQUESTED],
                organisation=RankedOrganisation(name_en=row[_NAME_EN], name_zh=row[_NAME_ZH]))
            return self._application

    @property
    def score(self) -> ApplicationScore:
        try:
            return self._score
        except AttributeError:
            row = self._row
            n = row[_COUNT]
            self._score = ApplicationScore() if not n else ApplicationScore(
                review_count=n, raw=row[_RAW], spread=row[_SPREAD],
                disagreement=n > 1 and row[_SPREAD] > self._standing.threshold,
                normalised=row[_NORMALISED], mean_z=row[_MEAN_Z])
            return self._score


@dataclass
class Ranking:
    round: FundingRound
    rows: list[RankingRow]
    remaining: Decimal
    normalised: bool
    threshold: Decimal
    # The position (from 1) of the first row beyond the remaining envelope, if any.
    envelope_runs_out_at: int | None = None


@dataclass
class RankedOrganisation:
    name_en: str
    name_zh: str

    @property
    def name(self) -> str:
        return self.name_zh if get_language() == "zh-hant" and self.name_zh else self.name_en


@dataclass
class RankedApplication:
    """The fields of an application the ranking shows: plain values, not a model
    instance, so that a round of thousands is read in one light query."""
    pk: int
    reference: str | None
    title: str
    status: str
    requested_subsidy: Decimal
    organisation: RankedOrganisation

    def __str__(self) -> str:
        # As ``Application.__str__``: the reference, or the title and id before one.
        return self.reference or f"{self.title or _('Untitled application')} (#{self.pk})"

    def get_status_display(self) -> str:
        return str(ApplicationStatus(self.status).label)


# Per ranked application, from the current reviews of its round: the count, the mean of
# their totals, their spread (highest − lowest), the normalised score (the round's mean +
# the mean z-score of the reviews × the round's standard deviation; each review's z-score
# is its total against its reviewer's own mean and population standard deviation in the
# round) and the mean z-score. One statement, portable to SQLite (whose Django connections
# provide STDDEV_POP). On PostgreSQL the statement rounds each figure to cents, as the
# page shows it: ROUND(numeric, 2) rounds ties away from zero, exactly as ROUND_HALF_UP,
# so no row needs Python arithmetic; SQLite's floats are rounded in Python (``_in_cents``).
_RANKING_SQL = """
WITH cur AS (
    SELECT a.application_id AS app, a.reviewer_id AS reviewer, r.weighted_total AS total
    FROM {review} r
    JOIN {assignment} a ON a.id = r.assignment_id
    JOIN {application} p ON p.id = a.application_id
    WHERE r.is_current AND a.status = %(submitted)s AND p.round_id = %(round)s
), overall AS (
    SELECT AVG(total) AS mean, STDDEV_POP(total) AS sd FROM cur
), per_reviewer AS (
    SELECT reviewer, AVG(total) AS mean, STDDEV_POP(total) AS sd FROM cur GROUP BY reviewer
), scored AS (
    SELECT cur.app, COUNT(*) AS n, AVG(cur.total) AS raw,
           MAX(cur.total) - MIN(cur.total) AS spread,
           AVG(CASE WHEN pr.sd > 0 THEN (cur.total - pr.mean) / pr.sd ELSE 0 END) AS mean_z
    FROM cur JOIN per_reviewer pr ON pr.reviewer = cur.reviewer
    GROUP BY cur.app
)
SELECT p.id, p.reference, p.title, p.status, p.requested_subsidy, o.name_en, o.name_zh,
       s.n, {raw}, {spread}, {normalised}, {mean_z}
FROM {application} p
JOIN {organisation} o ON o.id = p.organisation_id
LEFT JOIN scored s ON s.app = p.id
CROSS JOIN overall ov
WHERE p.round_id = %(round)s AND p.status IN ({statuses})
ORDER BY p.submitted_at, p.id
"""
_RANKED_FIGURES = {"raw": "s.raw", "spread": "s.spread", "mean_z": "s.mean_z",
                   "normalised": "COALESCE(ov.mean, 0) + s.mean_z * COALESCE(ov.sd, 0)"}


def _in_cents(row: tuple) -> tuple:
    # SQLite's floats, rounded to cents half up from their shortest decimal form. A figure
    # that rounds to zero reads 0.00, never -0.00, as PostgreSQL's numeric (no negative
    # zero) gives it.
    return (*row[:_REQUESTED], _exact(row[_REQUESTED]), *row[_REQUESTED + 1:_RAW],
            *(None if value is None else _dec(value) + 0 for value in row[_RAW:]))


def _ranked_rows(round_id: int) -> list[tuple]:
    """The row of each ranked application of the round (the columns ``_PK`` to
    ``_MEAN_Z``), oldest submission first, its figures in cents: one query."""
    from django.db import connection

    from applicants.models import Organisation

    in_sql = connection.vendor == "postgresql"
    statuses = {f"status{i}": str(status) for i, status in enumerate(RANKED_STATUSES)}
    sql = _RANKING_SQL.format(
        review=Review._meta.db_table, assignment=Assignment._meta.db_table,
        application=Application._meta.db_table, organisation=Organisation._meta.db_table,
        statuses=", ".join(f"%({name})s" for name in statuses),
        **{name: f"ROUND({figure}, 2)" if in_sql else figure
           for name, figure in _RANKED_FIGURES.items()})
    with connection.cursor() as cursor:
        cursor.execute(sql, {"round": round_id, "submitted": Assignment.Status.SUBMITTED,
                             **statuses})
        rows = cursor.fetchall()
    return rows if in_sql else [_in_cents(row) for row in rows]


def round_ranking(*, round_: FundingRound, normalised: bool | None = None,
                  settings: RoundAssessmentSettings | None = None) -> Ranking:
    """The round's applications in review or awaiting a decision, best score first (the
    normalised score when the round ranks by it, or when asked), with the running total of
    requested subsidy and where the remaining envelope runs out. Unscored applications come
    last. The scores are aggregated in SQL, one query for the whole round; a fixed number
    of queries whatever the size of the round. ``settings``: the round's, when the caller
    has just read them (``settings_for``)."""
    settings = settings or settings_for(round_)
    if normalised is None:
        normalised = settings.normalise_scores
    threshold = settings.disagreement_threshold
    # The round's remaining envelope and its ranked rows, cached until what they read
    # changes (subsidy.platform.figure_cache).
    remaining, found = cached_figure(
        f"round-ranked-rows:{round_.pk}:{round_.envelope}", (ASSESSMENT, FINANCE),
        lambda: (round_remaining(round_=round_), _ranked_rows(round_.pk)))
    # Best score first; equal scores, and the unscored at the end, stay in submission order
    # (a stable sort keeps it, reversed too).
    column = _NORMALISED if normalised else _RAW
    scored = [row for row in found if row[column] is not None]
    scored.sort(key=itemgetter(column), reverse=True)
    ordered = scored + [row for row in found if row[column] is None]
    totals = list(accumulate(map(itemgetter(_REQUESTED), ordered), initial=Decimal("0.00")))
    # Requested amounts are never negative (a constraint), so the running totals never
    # fall: the rows within the envelope are the first ``within``.
    within = max(bisect_right(totals, remaining) - 1, 0)
    standing = _Standing(normalised, threshold, len(scored), within)
    rows = list(map(RankingRow, ordered, repeat(standing), count(1), islice(totals, 1, None)))
    return Ranking(round=round_, rows=rows, remaining=remaining, normalised=normalised,
                   threshold=threshold,
                   envelope_runs_out_at=within + 1 if within < len(rows) else None)
