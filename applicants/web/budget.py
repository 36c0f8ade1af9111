"""The budget section's live figures: each line's amount and the total eligible cost they
come to, worked out by the server's own rule (``budget_line_priced``) from the lines on the
page, saved or not, so the page never computes money itself."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from applicants.services.drafts import budget_preview
from applicants.web.applications import _application_or_404, _editable_or_redirect
from applicants.web.forms import SectionPage
from subsidy.platform.money import money


@login_required
@require_POST
def budget_total(request, application_id):
    application = _application_or_404(request.user, application_id)
    if _editable_or_redirect(request, application, "budget"):
        return JsonResponse({"error": "not_editable"}, status=409)
    page = SectionPage("budget", application, request.POST)
    page.formset.is_valid()
    rows = page.service_data()
    amounts, total = budget_preview(application=application, rows=rows)
    return JsonResponse({
        # Keyed by the row's index on the page; deleted and empty rows have none.
        "lines": {str(index): money(amount, currency=False)
                  for index, amount in zip(page.sent_rows, amounts, strict=True)},
        "total": money(total, currency=False),
    })
