"""Panel decision pages: one application (the member's declaration, then the decision), and
several at once, each row with its own amount and conditions, from the round's candidates
or a meeting's agenda. Every decision is shown on a check page before it is taken.

Views parse input, ask ``reviews.services.decisions`` (or ``meetings`` for a meeting's
items) what would refuse it, show the check page, and call the service on confirmation.
"""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from applicants.workflow import available_transitions
from reviews.models import PanelAgendaItem, PanelMeeting
from reviews.permissions import panel_declaration
from reviews.selectors import queues as staff_selectors
from reviews.services import decisions, meetings, panel
from reviews.web.applications import (
    DECISION_STEPS,
    _application_or_404,
    _require,
    _reviews_context,
)
from reviews.web.confirm import changing, confirm_page, confirmed
from reviews.web.forms import DeclarationForm
from subsidy.platform.errors import DomainError
from subsidy.platform.money import money
from subsidy.platform.permissions import Action
from subsidy.platform.web.errors import add_domain_error, add_problems
from subsidy.scheme.ledger import round_remaining

D = decisions.Decision
DECISION_LABELS = {D.APPROVE: gettext_lazy("Approve"), D.REJECT: gettext_lazy("Reject"),
                   D.WAITLIST: gettext_lazy("Put on the reserve list")}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("Decision"), widget=forms.RadioSelect,
                                 choices=list(DECISION_LABELS.items()))
    amount = forms.DecimalField(label=gettext_lazy("Approved amount (HK$)"), required=False,
                                max_digits=14, decimal_places=2, min_value=0)
    conditions = forms.CharField(label=gettext_lazy("Conditions of the offer"), required=False,
                                 max_length=8000, widget=forms.Textarea(attrs={"rows": 3}))
    exceptional_justification = forms.CharField(
        label=gettext_lazy("Justification of an exceptional case"), required=False,
        max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Needed only to go above the round's ratio cap, up to 90%."))
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required to reject; the applicant sees it."))


def decision_facts(application, data) -> list:
    """What a check page says of one decision."""
    facts = [(_("Application"), f"{application.reference}: {application.title}"),
             (_("Company"), application.organisation.name),
             (_("Decision"), DECISION_LABELS[data["decision"]])]
    if data["decision"] == D.APPROVE:
        facts += [(_("Approved amount"), money(data["amount"] or Decimal(0))),
                  (_("Conditions of the offer"), data.get("conditions") or "—")]
        if data.get("exceptional_justification"):
            facts.append((_("Justification of an exceptional case"),
                          data["exceptional_justification"]))
    else:
        facts.append((_("Reason"), data.get("reason") or "—"))
    return facts


DECISION_LEAD = gettext_lazy(
    "The decision takes effect at once: an approval sends the offer to the applicant and "
    "commits the amount against the round's envelope; a rejection is final and the "
    "applicant sees the reason.")


@login_required
@require_http_methods(["GET", "POST"])
def application_decision(request, application_id):
    """The member's declaration of interests first; then, unless recused, the decision,
    checked on its own page before it is taken."""
    application = _application_or_404(application_id)
    _require(request, Action.DECIDE_APPLICATIONS)
    declaration = panel_declaration(request.user, application)
    if declaration is None:
        return _decision_page(request, application, declaration_form=DeclarationForm())
    names = {t.name for t in available_transitions(request.user, application)}
    form = DecisionForm(request.POST or None,
                        initial={"amount": application.requested_subsidy})
    allowed = names & DECISION_STEPS
    form.fields["decision"].choices = [c for c in form.fields["decision"].choices
                                       if c[0] in allowed]
    if request.method == "POST" and allowed and form.is_valid() and not changing(request):
        data = form.cleaned_data
        if not confirmed(request):
            problems = decisions.decision_problems(actor=request.user,
                                                   application=application, **data)
            if not problems:
                return confirm_page(
                    request, title=_("Check the decision"), lead=DECISION_LEAD,
                    facts=decision_facts(application, data),
                    confirm_label=_("Confirm the decision"),
                    danger=data["decision"] == D.REJECT,
                    back_url=reverse("staff:decision", args=[application.pk]))
            add_problems(form, problems)
        else:
            try:
                message = decisions.decision_take(actor=request.user, application=application,
                                                  **data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, message)
                return redirect("staff:application", application.pk)
    return _decision_page(request, application, form=form, allowed=bool(allowed),
                          declaration=declaration)


def _decision_page(request, application, *, form=None, allowed=False, declaration=None,
                   declaration_form=None, status=200):
    return render(request, "reviews/decisions/decision.html", {
        "application": application, "form": form, "allowed": allowed,
        "declaration": declaration, "declaration_form": declaration_form,
        "remaining": round_remaining(round_=application.round),
        **_reviews_context(application),
    }, status=status)


@login_required
@require_POST
def panel_declare(request, application_id):
    """A panel member's declaration of interests in one application."""
    application = _application_or_404(application_id)
    _require(request, Action.DECIDE_APPLICATIONS)
    form = DeclarationForm(request.POST)
    if form.is_valid():
        try:
            declaration = panel.panel_declaration_record(
                actor=request.user, application=application,
                has_conflict=form.cleaned_data["has_conflict"],
                reason=form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your conflict of interest is recorded: you are "
                                        "recused from deciding this application.")
                             if declaration.has_conflict
                             else _("Thank you. You may now decide this application."))
            return redirect("staff:decision", application.pk)
    return _decision_page(request, application, declaration_form=form, status=400)


# --- Several at once -------------------------------------------------------------------------

class BulkDecisionForm(forms.Form):
    """A decision, amount, conditions and reason per candidate (fields ``decision-<id>``,
    ``amount-<id>``, ``conditions-<id>``, ``reason-<id>``); rows left without a decision
    are left alone."""

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        for c in candidates:
            ref = c.application.reference
            self.fields[f"decision-{c.pk}"] = forms.ChoiceField(
                label=_("Decision for %(ref)s") % {"ref": ref}, required=False,
                choices=[("", _("No decision now"))] + list(DECISION_LABELS.items()))
            self.fields[f"amount-{c.pk}"] = forms.DecimalField(
                label=_("Amount for %(ref)s (HK$)") % {"ref": ref}, required=False,
                max_digits=14, decimal_places=2, min_value=0)
            self.fields[f"conditions-{c.pk}"] = forms.CharField(
                label=_("Conditions or reason for %(ref)s") % {"ref": ref}, required=False,
                max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
            self.initial.setdefault(f"amount-{c.pk}", c.amount)

    def rows(self) -> list[decisions.BulkRow]:
        data = self.cleaned_data
        rows = []
        for c in self.candidates:
            decision = data.get(f"decision-{c.pk}")
            if not decision:
                continue
            text = data.get(f"conditions-{c.pk}") or ""
            rows.append(decisions.BulkRow(
                application_id=c.application.pk, decision=decision,
                amount=data.get(f"amount-{c.pk}") if decision == D.APPROVE else None,
                conditions=text if decision == D.APPROVE else "",
                reason="" if decision == D.APPROVE else text))
        return rows

    def table(self):
        return [{"candidate": c, "decision": self[f"decision-{c.pk}"],
                 "amount": self[f"amount-{c.pk}"], "conditions": self[f"conditions-{c.pk}"]}
                for c in self.candidates]

    def add_row_problems(self, application_id: int, problems) -> None:
        """Each problem of a row next to that row's field it names."""
        pk = next(c.pk for c in self.candidates if c.application.pk == application_id)
        fields = {"amount": f"amount-{pk}", "conditions": f"conditions-{pk}",
                  "reason": f"conditions-{pk}", "exceptional_justification": f"amount-{pk}"}
        for field, message in problems:
            self.add_error(fields.get(field, f"decision-{pk}"), message)


class Candidate:
    """A row of the bulk form: an application, its key in the form and the amount offered
    by default (the meeting's recommendation, or the amount requested)."""

    def __init__(self, application, *, pk, amount, item=None):
        self.application, self.pk, self.amount, self.item = application, pk, amount, item


def _candidates(meeting, round_code):
    if meeting is not None:
        items = meeting.items.filter(outcome=PanelAgendaItem.Outcome.PENDING).select_related(
            "application__round", "application__organisation", "meeting").order_by("position")
        return [Candidate(i.application, pk=i.application_id, amount=i.recommended_amount,
                          item=i) for i in items]
    return [Candidate(a, pk=a.pk, amount=a.requested_subsidy)
            for a in staff_selectors.decision_candidates(round_code=round_code)]


def _bulk_problems(request, meeting, candidate, row):
    decision = {"decision": row.decision, "amount": row.amount,
                "conditions": row.conditions, "reason": row.reason}
    if candidate.item is not None:
        return meetings.meeting_item_problems(actor=request.user, item=candidate.item,
                                              **decision)
    return decisions.decision_problems(actor=request.user, application=candidate.application,
                                       **decision)


def _bulk_confirm(request, form, rows, back_url):
    by_id = {c.application.pk: c.application for c in form.candidates}
    cells = [[by_id[r.application_id].reference, str(DECISION_LABELS[r.decision]),
              money(r.amount) if r.amount is not None else "—",
              r.conditions or r.reason or "—"] for r in rows]
    return confirm_page(
        request, title=_("Check the decisions"),
        lead=_("%(count)s decisions will be taken, each on its own: one that is refused "
               "stays on the form with the reason, and the others are taken.")
        % {"count": len(rows)},
        facts=[], confirm_label=_("Confirm %(count)s decisions") % {"count": len(rows)},
        back_url=back_url,
        rows={"caption": _("Decisions to take"), "numeric": [3],
              "headers": [_("Application"), _("Decision"), _("Amount"),
                          _("Conditions or reason")], "cells": cells})


@login_required
@require_http_methods(["GET", "POST"])
def bulk_decisions(request):
    """Several decisions at once, each row with its own decision, amount and conditions,
    from the round's candidates (``?round=``) or a meeting's undecided items
    (``?meeting=``); checked on one page, then each taken on its own, a refused row kept
    on the form with its reason."""
    _require(request, Action.DECIDE_APPLICATIONS)
    round_code = request.GET.get("round", "")
    meeting = None
    if request.GET.get("meeting", "").isdigit():
        meeting = get_object_or_404(PanelMeeting.objects.select_related("round"),
                                    pk=int(request.GET["meeting"]))
        if meeting.status != PanelMeeting.Status.OPEN:
            raise Http404
    candidates = _candidates(meeting, round_code)
    form = BulkDecisionForm(request.POST or None, candidates=candidates)
    results = None
    if request.method == "POST" and form.is_valid() and not changing(request):
        rows = form.rows()
        by_id = {c.application.pk: c for c in candidates}
        if not rows:
            form.add_error(None, _("Choose a decision for at least one application."))
        elif not confirmed(request):
            for row in rows:
                problems = _bulk_problems(request, meeting, by_id[row.application_id], row)
                if problems:
                    form.add_row_problems(row.application_id, problems)
            if not form.errors:
                return _bulk_confirm(request, form, rows, request.get_full_path())
        else:
            if meeting is not None:
                results = meetings.meeting_decide_bulk(actor=request.user, meeting=meeting,
                                                       rows=rows)
            else:
                results = decisions.decisions_bulk(actor=request.user, rows=rows)
            failed = {r.application.pk: r for r in results if not r.ok}
            # The rows refused keep what was entered, with their reasons; the rest are done.
            form = BulkDecisionForm(request.POST, candidates=_candidates(meeting, round_code))
            form.is_valid()
            for pk, result in failed.items():
                if any(c.application.pk == pk for c in form.candidates):
                    form.add_row_problems(pk, result.problems)
    rounds = {c.application.round.code: c.application.round for c in form.candidates}
    return render(request, "reviews/decisions/bulk.html", {
        "form": form, "results": results, "round_code": round_code, "meeting": meeting,
        "positions": [{"round": r, "remaining": round_remaining(round_=r)}
                      for r in rounds.values()],
        "queue_url": reverse("staff:queue"),
    }, status=400 if form.errors and not results else 200)

