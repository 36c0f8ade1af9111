"""The round ranking as CSV and as an Excel workbook, with the same columns as the page."""

import csv
import io
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook

from reviews.selectors.assessment import Ranking


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


def ranking_csv(ranking: Ranking) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_header())
    for values in _rows(ranking):
        writer.writerow(["" if v is None else v for v in values])
    return out.getvalue()


def ranking_xlsx(ranking: Ranking) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = ranking.round.code
    sheet.append(_header())
    for values in _rows(ranking):
        sheet.append([str(v) if v is not None and not isinstance(v, int | Decimal | str)
                      else v for v in values])
    for column in ("G", "H", "I", "J"):
        for cell in sheet[column][1:]:
            cell.number_format = "0.00"
    for column in ("L", "M"):
        for cell in sheet[column][1:]:
            cell.number_format = "#,##0.00"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
