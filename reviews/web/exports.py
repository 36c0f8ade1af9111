"""The round ranking as CSV and as an Excel workbook, with the same columns as the page.
The cells are written by ``subsidy.platform.exports``, as every download is."""

from django.utils.translation import gettext as _

from reviews.selectors.assessment import Ranking
from subsidy.platform import exports

# Scores with two decimals (columns G–J), amounts with thousands separators (L, M).
NUMBER_FORMATS = {6: "0.00", 7: "0.00", 8: "0.00", 9: "0.00", 11: "#,##0.00", 12: "#,##0.00"}


def _header() -> list[str]:
    return [_("Rank"), _("Reference"), _("Title"), _("Applicant"), _("Status"), _("Reviews"),
            _("Score (0–100)"), _("Normalised score"), _("Mean z-score"), _("Spread"),
            _("Reviewers disagree"), _("Requested (HK$)"), _("Running total (HK$)"),
            _("Within remaining envelope")]


def _rows(ranking: Ranking):
    for row in ranking.rows:
        app, score = row.application, row.score
        yield [row.rank, app.reference or "", app.title, app.organisation.name_en,
               app.get_status_display(), score.review_count, score.raw, score.normalised,
               score.mean_z, score.spread, _("yes") if score.disagreement else _("no"),
               app.requested_subsidy, row.running_total,
               _("yes") if row.within_envelope else _("no")]


def ranking_csv_response(ranking: Ranking, filename: str):
    return exports.csv_download(exports.csv_chunks(_header(), _rows(ranking)), filename,
                                content_type="text/csv; charset=utf-8")


def ranking_xlsx_response(ranking: Ranking, filename: str):
    handle = exports.xlsx_file(_header(), _rows(ranking), sheet=ranking.round.code,
                               number_formats=NUMBER_FORMATS)
    return exports.xlsx_download(handle, filename)
