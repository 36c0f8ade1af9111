"""Screening many applications at once: every application in screening with its automatic
results, passed to review in one step with those results confirmed. Each row may be left
for screening one by one, or have what is not met overridden with a reason; a
confirmation page comes before anything is recorded."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from applicants.models import Application, ApplicationStatus
from reviews.services import screening
from subsidy.platform.permissions import Action, can

# Applications shown at once, oldest in screening first.
ROWS_SHOWN = 100
PASS, LEAVE = "pass", "leave"


def screening_rows() -> list[dict]:
    applications = (Application.objects.filter(status=ApplicationStatus.SCREENING)
                    .select_related("round", "organisation")
                    .order_by("status_changed_at", "pk")[:ROWS_SHOWN])
    rows = []
    for application in applications:
        checks = screening.screening_checks(application)
        rows.append({"application": application, "checks": checks,
                     "not_met": [c for c in checks if not c.passed]})
    return rows


class ScreeningBulkForm(forms.Form):
    """For each row: pass it to review (the default when every rule is met) or leave it,
    and the reason overriding what is not met."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            application = row["application"]
            self.fields[f"action-{application.pk}"] = forms.ChoiceField(
                label=_("What to do with %(reference)s") % {"reference": application.reference},
                choices=[(PASS, gettext_lazy("Pass to review")),
                         (LEAVE, gettext_lazy("Leave for screening one by one"))],
                initial=LEAVE if row["not_met"] else PASS, widget=forms.RadioSelect)
            if row["not_met"]:
                self.fields[f"reason-{application.pk}"] = forms.CharField(
                    label=_("%(reference)s: reason for overriding what is not met")
                    % {"reference": application.reference},
                    required=False, max_length=2000)

    def bound_rows(self):
        for row in self.rows:
            pk = row["application"].pk
            yield {**row, "action": self[f"action-{pk}"],
                   "reason": self[f"reason-{pk}"] if row["not_met"] else None}

    def clean(self):
        data = super().clean()
        for row in self.rows:
            pk = row["application"].pk
            if data.get(f"action-{pk}") != PASS:
                continue
            reason = data.get(f"reason-{pk}", "")
            judgements = screening.screening_automatic_judgements(row["checks"],
                                                                  override_reason=reason)
            _rows, problems = screening.screening_judged(row["checks"], judgements,
                                                         outcome="pass_to_review")
            if problems:
                self.add_error(f"reason-{pk}", _(
                    "Give the reason for overriding what is not met, or leave the "
                    "application for screening one by one.") if not reason.strip()
                    else problems[0][1])
        return data

    def passes(self) -> dict[int, str]:
        return {row["application"].pk: self.cleaned_data.get(f"reason-{row['application'].pk}",
                                                              "")
                for row in self.rows
                if self.cleaned_data[f"action-{row['application'].pk}"] == PASS}


@login_required
@require_http_methods(["GET", "POST"])
def screening_bulk(request):
    """Choose, confirm, then record: nothing is written before the confirmation."""
    if not can(request.user, Action.SCREEN_APPLICATIONS):
        raise PermissionDenied
    rows = screening_rows()
    form = ScreeningBulkForm(request.POST or None, rows=rows)
    # "Change" on the confirmation page comes back here with the choices kept.
    if request.method == "POST" and "change" not in request.POST and form.is_valid():
        passes = form.passes()
        if "confirmed" in request.POST and passes:
            results = screening.screening_pass_confirmed(actor=request.user, passes=passes)
            return render(request, "reviews/screening/bulk_done.html", {"results": results})
        if passes:
            chosen = [row for row in form.bound_rows() if row["application"].pk in passes]
            return render(request, "reviews/screening/bulk_confirm.html", {
                "form": form, "chosen": chosen, "left": len(rows) - len(chosen)})
        form.add_error(None, _("Choose at least one application to pass to review."))
    return render(request, "reviews/screening/bulk.html", {"form": form, "rows": rows,
                                                            "limit": ROWS_SHOWN})
