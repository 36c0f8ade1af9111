import csv
import io
import math
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from applicants.models import Application
from reviews.models import Review
from reviews.selectors.assessment import reviews_for_application, round_ranking
from reviews.services.assignments import assignment_create
from reviews.services.pool import assessment_settings_update
from reviews.web import assessment as assessment_views
from subsidy.devdata.volume import VolumeSpec, generate_volume
from subsidy.scheme.models import FundingRound
from tests.builders.reviews import application_in_review, pooled_reviewer, submit_review
from tests.factories import FundingRoundFactory

pytestmark = pytest.mark.django_db


def review(officer, application, reviewer, score):
    """One review giving ``score`` on every criterion: total = score / 5 × 100."""
    assignment = assignment_create(actor=officer, application=application, reviewer=reviewer)
    return submit_review(assignment, score)


@pytest.fixture
def two_by_two(officer):
    """Reviewer A scores X 80 and Y 40 (mean 60, sd 20); reviewer B scores X 100 and Y 80
    (mean 90, sd 10). Round totals 80, 40, 100, 80: mean 75, population sd √475."""
    round_ = FundingRoundFactory(reviewers_per_application=2)
    a, b = pooled_reviewer(round_, officer), pooled_reviewer(round_, officer)
    x, y = application_in_review(round_), application_in_review(round_)
    review(officer, x, a, 4)
    review(officer, y, a, 2)
    review(officer, x, b, 5)
    review(officer, y, b, 4)
    return round_, x, y


def row_for(ranking, application):
    return next(r for r in ranking.rows if r.application.pk == application.pk)


def test_application_score_is_the_mean_of_its_reviewers_totals(two_by_two):
    round_, x, y = two_by_two
    ranking = round_ranking(round_=round_)
    assert row_for(ranking, x).score.raw == Decimal("90.00")
    assert row_for(ranking, y).score.raw == Decimal("60.00")


def test_normalised_scores_match_a_hand_computation(two_by_two):
    round_, x, y = two_by_two
    sd = Decimal(math.sqrt(475))
    ranking = round_ranking(round_=round_)
    # every review is one of its reviewer's sd above (X) or below (Y) their own mean
    assert row_for(ranking, x).score.mean_z == Decimal("1.00")
    assert row_for(ranking, y).score.mean_z == Decimal("-1.00")
    assert row_for(ranking, x).score.normalised == (75 + sd).quantize(Decimal("0.01"))
    assert row_for(ranking, y).score.normalised == (75 - sd).quantize(Decimal("0.01"))


def test_disagreement_is_flagged_when_the_spread_exceeds_the_threshold(two_by_two, officer):
    round_, x, y = two_by_two
    assessment_settings_update(actor=officer, round_=round_, normalise_scores=False,
                               disagreement_threshold=Decimal("20"))
    ranking = round_ranking(round_=round_)
    assert (row_for(ranking, x).score.spread, row_for(ranking, x).score.disagreement) == (
        Decimal("20.00"), False)
    assert (row_for(ranking, y).score.spread, row_for(ranking, y).score.disagreement) == (
        Decimal("40.00"), True)


def test_default_threshold_is_twenty_points(two_by_two):
    round_, x, y = two_by_two
    assert round_ranking(round_=round_).threshold == Decimal("20.00")


def test_normalisation_can_change_the_order(officer):
    """A harsh reviewer (60 and 20) and a lenient one (100 and 80): raw, the lenient
    reviewer's weaker application outranks the harsh reviewer's better one; normalised,
    each reviewer's better application comes first."""
    round_ = FundingRoundFactory(reviewers_per_application=1)
    harsh, lenient = pooled_reviewer(round_, officer), pooled_reviewer(round_, officer)
    a, b, c, d = (application_in_review(round_) for _ in range(4))
    review(officer, a, harsh, 3)
    review(officer, b, harsh, 1)
    review(officer, c, lenient, 5)
    review(officer, d, lenient, 4)
    raw = [r.application.pk for r in round_ranking(round_=round_, normalised=False).rows]
    assert raw == [c.pk, d.pk, a.pk, b.pk]
    normalised = [r.application.pk for r in round_ranking(round_=round_, normalised=True).rows]
    assert normalised.index(a.pk) < normalised.index(d.pk)


def test_the_rounds_setting_chooses_the_ranking_order(two_by_two, officer):
    round_, x, y = two_by_two
    assert round_ranking(round_=round_).normalised is False
    assessment_settings_update(actor=officer, round_=round_, normalise_scores=True,
                               disagreement_threshold=Decimal("20"))
    assert round_ranking(round_=round_).normalised is True


def test_running_total_and_the_envelope_line(officer):
    round_ = FundingRoundFactory(reviewers_per_application=1, envelope=Decimal("2500000.00"),
                                 max_subsidy_per_project=Decimal("2000000.00"))
    reviewer = pooled_reviewer(round_, officer)
    apps = [application_in_review(round_, requested=Decimal("1000000.00")) for _ in range(3)]
    for app, score in zip(apps, [5, 4, 3], strict=True):
        review(officer, app, reviewer, score)
    ranking = round_ranking(round_=round_)
    assert ranking.remaining == Decimal("2500000.00")
    assert [r.running_total for r in ranking.rows] == [
        Decimal("1000000.00"), Decimal("2000000.00"), Decimal("3000000.00")]
    assert [r.within_envelope for r in ranking.rows] == [True, True, False]
    assert [r.first_beyond_envelope for r in ranking.rows] == [False, False, True]
    assert [r.rank for r in ranking.rows] == [1, 2, 3]


def test_unscored_applications_come_last_without_a_rank(officer):
    round_ = FundingRoundFactory(reviewers_per_application=1)
    reviewer = pooled_reviewer(round_, officer)
    unscored = application_in_review(round_)
    scored = application_in_review(round_)
    review(officer, scored, reviewer, 2)
    rows = round_ranking(round_=round_).rows
    assert [(r.application.pk, r.rank) for r in rows] == [(scored.pk, 1), (unscored.pk, None)]



def test_ranking_rounds_its_figures_to_the_cent_as_the_application_page_does():
    """The ranking rounds its figures in its one statement, the application page in
    Python from the reviews; both round half up to cents, so every application reads the
    same on both, a mean that falls on a half cent (80.005 → 80.01) included."""
    report = generate_volume(VolumeSpec(applications=40, reviews=80, rounds=1,
                                        states=["in_review", "reviewed", "waitlisted"],
                                        criterion_scores=False), progress=lambda _line: None)
    round_ = FundingRound.objects.get(code=report.rounds[0])
    tie = Application.objects.filter(round=round_, review_assignments__isnull=False).first()
    for review_, total in zip(Review.objects.filter(assignment__application=tie, is_current=True),
                              ["80.01", "80.00"], strict=True):
        Review.objects.filter(pk=review_.pk).update(weighted_total=Decimal(total))
    ranking = round_ranking(round_=round_)
    assert row_for(ranking, tie).score.raw == Decimal("80.01")
    for row in ranking.rows:
        page = reviews_for_application(application=Application.objects.get(
            pk=row.application.pk))["aggregate"]
        assert (row.score.review_count, row.score.raw, row.score.normalised,
                row.score.mean_z, row.score.spread, row.score.disagreement) == (
            page.review_count, page.raw, page.normalised, page.mean_z, page.spread,
            page.disagreement), row.application

def _download(client, officer, round_, fmt):
    client.force_login(officer)
    response = client.get(reverse("reviews:ranking_export", args=[round_.code, fmt]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _csv(client, officer, round_) -> list[list[str]]:
    text = _download(client, officer, round_, "csv").decode()
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def _xlsx(client, officer, round_) -> list[tuple]:
    return list(load_workbook(io.BytesIO(_download(client, officer, round_, "xlsx"))).active.values)


def test_csv_export_parses_back(client, officer, two_by_two):
    round_, x, y = two_by_two
    rows = _csv(client, officer, round_)
    assert rows[0][:3] == ["Rank", "Reference", "Title"]
    assert [(r[0], r[1], r[6]) for r in rows[1:]] == [
        ("1", x.reference, "90.00"), ("2", y.reference, "60.00")]


def test_csv_export_ends_lines_with_crlf(client, officer, two_by_two):
    round_, _x, _y = two_by_two
    text = _download(client, officer, round_, "csv").decode()
    assert text.count("\r\n") == 3 and "\n" not in text.replace("\r\n", "")


def test_xlsx_export_parses_back(client, officer, two_by_two):
    round_, x, y = two_by_two
    values = _xlsx(client, officer, round_)
    assert values[0][1] == "Reference"
    assert [(v[0], v[1], v[6], v[11]) for v in values[1:]] == [
        (1, x.reference, 90, 1000000), (2, y.reference, 60, 1000000)]


FORMULA_TITLE = '=HYPERLINK("http://x","y")'


def test_csv_export_quotes_a_title_that_would_run_as_a_formula(client, officer, two_by_two):
    round_, x, _y = two_by_two
    Application.objects.filter(pk=x.pk).update(title=FORMULA_TITLE)
    rows = _csv(client, officer, round_)
    assert rows[1][2] == "'" + FORMULA_TITLE


def test_xlsx_export_quotes_a_title_that_would_run_as_a_formula(client, officer, two_by_two):
    round_, x, _y = two_by_two
    Application.objects.filter(pk=x.pk).update(title=FORMULA_TITLE)
    values = _xlsx(client, officer, round_)
    assert values[1][2] == "'" + FORMULA_TITLE


def test_application_reviews_lay_out_scores_by_criterion(two_by_two):
    round_, x, y = two_by_two
    data = reviews_for_application(application=x)
    assert [c["mean"] for c in data["criteria"]] == [Decimal("4.50")] * 6
    assert len(data["reviews"]) == 2
    assert [row["score"].score for row in data["reviews"][0]["rows"]] == [4] * 6
    assert data["aggregate"].raw == Decimal("90.00")


def test_the_application_page_gives_each_application_the_score_its_ranking_row_has(
        two_by_two, officer):
    """The page computes the score from the reviews it shows, the ranking in SQL: the
    same raw and normalised means, z, spread, count and disagreement."""
    round_, x, y = two_by_two
    assessment_settings_update(actor=officer, round_=round_, normalise_scores=True,
                               disagreement_threshold=Decimal("20"))
    ranking = round_ranking(round_=round_)
    for application in (x, y):
        assert reviews_for_application(application=application)["aggregate"] == row_for(
            ranking, application).score


def test_ranking_page_shows_one_page_of_a_ranking_computed_over_the_whole_round(
        client, officer, monkeypatch):
    """A round of thousands is shown a page at a time; ranks, running totals and where the
    envelope runs out are those of the whole round."""
    monkeypatch.setattr(assessment_views, "RANKING_PAGE_SIZE", 2)
    round_ = FundingRoundFactory(reviewers_per_application=1, envelope=Decimal("2500000.00"),
                                 max_subsidy_per_project=Decimal("2000000.00"))
    reviewer = pooled_reviewer(round_, officer)
    apps = [application_in_review(round_, requested=Decimal("1000000.00")) for _ in range(5)]
    for app, score in zip(apps, [5, 4, 3, 2, 1], strict=True):
        review(officer, app, reviewer, score)
    client.force_login(officer)
    url = reverse("reviews:ranking", args=[round_.code])

    first = client.get(url, {"scores": "raw"})
    second = client.get(url, {"scores": "raw", "page": "2"})

    assert [(r.application.pk, r.rank) for r in first.context["page"].object_list] == [
        (apps[0].pk, 1), (apps[1].pk, 2)]
    assert [(r.rank, r.running_total) for r in second.context["page"].object_list] == [
        (3, Decimal("3000000.00")), (4, Decimal("4000000.00"))]
    assert "runs out here" not in first.content.decode()
    assert ('<a href="?scores=raw&amp;page=2">at position 3, on page 2</a>'
            in first.content.decode())
    assert "runs out here" in second.content.decode()
    assert "at position 3, on this page" in second.content.decode()
    client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})
    assert "第 3 位，在第 2 頁" in client.get(url, {"scores": "raw"}).content.decode()
