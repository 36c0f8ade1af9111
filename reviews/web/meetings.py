"""Panel meeting pages: a round's meetings, one meeting's agenda, an item with its votes,
minutes and decision (after a check page), closing the meeting, and its printable minutes.

Views parse input, ask ``permissions`` and call one service of
``reviews.services.meetings``; the rules (quorum, recusal, who may do what) are the
services'.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reviews.models import PanelAgendaItem, PanelMeeting
from reviews.selectors import assessment as assessment_selectors
from reviews.selectors import meetings as selectors
from reviews.services import meetings as services
from reviews.services import panel
from reviews.services.decisions import Decision
from reviews.web.confirm import changing, confirm_page, confirmed
from reviews.web.decisions import DecisionForm, decision_facts
from reviews.web.forms import DeclarationForm
from reviews.web.meeting_forms import (
    AttendanceForm,
    CloseForm,
    ConveneForm,
    ItemMinutesForm,
    VoteForm,
)
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, can
from subsidy.platform.web.errors import add_domain_error, add_problems
from subsidy.scheme.models import FundingRound


def _require(request, action):
    if not can(request.user, action):
        raise PermissionDenied


def _page(request, meeting_id):
    try:
        return selectors.meeting_page(meeting_id=meeting_id, user=request.user)
    except PanelMeeting.DoesNotExist:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def meetings(request, code):
    """The round's meetings; a panel member convenes a new one from the ranking."""
    _require(request, Action.VIEW_REVIEWS)
    round_ = get_object_or_404(FundingRound, code=code)
    may_convene = can(request.user, Action.DECIDE_APPLICATIONS)
    form = ConveneForm(request.POST or None, initial={
        "title": _("Panel meeting"), "held_on": timezone.localdate()})
    if request.method == "POST":
        _require(request, Action.DECIDE_APPLICATIONS)
        if form.is_valid():
            ranking = assessment_selectors.round_ranking(round_=round_)
            try:
                meeting = services.meeting_convene(
                    actor=request.user, round_=round_, title=form.cleaned_data["title"],
                    held_on=form.cleaned_data["held_on"],
                    ranking=selectors.ranking_entries(ranking.rows))
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Meeting convened: its agenda is the ranking."))
                return redirect("reviews:meeting", meeting.pk)
    return render(request, "reviews/meetings/list.html", {
        "round": round_, "meetings": selectors.round_meetings(round_=round_), "form": form,
        "may_convene": may_convene})


@login_required
@require_http_methods(["GET", "POST"])
def meeting(request, pk):
    """The agenda, who is present, and for the chair the attendance and closing forms."""
    _require(request, Action.VIEW_REVIEWS)
    page = _page(request, pk)
    attendance = None
    if page.panel_members:
        attendance = AttendanceForm(request.POST or None, panel_members=page.panel_members,
                                    initial={"members": [str(m.pk) for m in page.present]})
    if request.method == "POST":
        if attendance is None:
            raise PermissionDenied
        if attendance.is_valid():
            try:
                services.meeting_attendance_set(actor=request.user, meeting=page.meeting,
                                                members=attendance.chosen())
            except DomainError as exc:
                add_domain_error(attendance, exc)
            else:
                messages.success(request, _("Attendance recorded."))
                return redirect("reviews:meeting", pk)
    return render(request, "reviews/meetings/meeting.html", {
        "page": page, "meeting": page.meeting, "attendance": attendance,
        "close_form": CloseForm(initial={"minutes": page.meeting.minutes}),
        "is_chair": page.meeting.chair_id == request.user.pk,
        "is_open": page.meeting.status == PanelMeeting.Status.OPEN,
        "may_decide": can(request.user, Action.DECIDE_APPLICATIONS)})


def _item_row(page, item_pk):
    for index, row in enumerate(page.rows):
        if row.item.pk == item_pk:
            before = page.rows[index - 1].item if index else None
            after = page.rows[index + 1].item if index + 1 < len(page.rows) else None
            return row, before, after
    raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def meeting_item(request, pk, item_pk):
    """One item: the application, each present member's vote, the member's own vote or
    declaration, the chair's minutes, and the decision after its check page."""
    _require(request, Action.VIEW_REVIEWS)
    page = _page(request, pk)
    row, before, after = _item_row(page, item_pk)
    item = row.item
    item.meeting = page.meeting
    kind = request.POST.get("form", "") if request.method == "POST" else ""
    if kind and not can(request.user, Action.DECIDE_APPLICATIONS):
        raise PermissionDenied
    forms = {
        "declare": DeclarationForm(request.POST if kind == "declare" else None),
        "vote": VoteForm(request.POST if kind == "vote" else None,
                         initial={"choice": row.my_vote}),
        "minutes": ItemMinutesForm(request.POST if kind == "minutes" else None, initial={
            "minutes": item.minutes, "recommended_amount": item.recommended_amount}),
        "decide": DecisionForm(request.POST if kind == "decide" else None, initial={
            "amount": item.recommended_amount}),
    }
    form = forms.get(kind)
    if form is not None and form.is_valid():
        response = _item_post(request, kind, form, item)
        if response is not None:
            return response
    return render(request, "reviews/meetings/item.html", {
        "page": page, "meeting": page.meeting, "row": row, "item": item, "before": before,
        "after": after, "forms": forms,
        "is_chair": page.meeting.chair_id == request.user.pk,
        "is_open": page.meeting.status == PanelMeeting.Status.OPEN,
        "is_present": any(m.pk == request.user.pk for m in page.present),
        "may_decide": can(request.user, Action.DECIDE_APPLICATIONS)},
        status=400 if form is not None and form.errors else 200)


def _item_post(request, kind, form, item):
    """The item page's forms; a response when done, ``None`` to show the form again."""
    here = reverse("reviews:meeting_item", args=[item.meeting_id, item.pk])
    data = form.cleaned_data
    try:
        if kind == "declare":
            panel.panel_declaration_record(actor=request.user, application=item.application,
                                           has_conflict=data["has_conflict"],
                                           reason=data["reason"])
            messages.success(request, _("Your declaration is recorded."))
        elif kind == "vote":
            services.meeting_vote_cast(actor=request.user, item=item, choice=data["choice"])
            messages.success(request, _("Your vote is recorded."))
        elif kind == "minutes":
            services.meeting_item_record(actor=request.user, item=item,
                                         minutes=data["minutes"],
                                         recommended_amount=data["recommended_amount"])
            messages.success(request, _("Minutes saved."))
        else:
            return _item_decide(request, form, item, here)
    except DomainError as exc:
        add_domain_error(form, exc)
        return None
    return redirect(here)


def _item_decide(request, form, item, here):
    data = form.cleaned_data
    if changing(request):
        return None
    decision = {"decision": data["decision"], "amount": data["amount"],
                "conditions": data["conditions"], "reason": data["reason"],
                "exceptional_justification": data["exceptional_justification"]}
    if not confirmed(request):
        problems = services.meeting_item_problems(actor=request.user, item=item, **decision)
        if problems:
            add_problems(form, problems)
            return None
        return confirm_page(
            request, title=_("Check the panel's decision"),
            lead=_("The decision is recorded in the minutes and takes effect at once: an "
                   "approval sends the offer and commits the amount against the round's "
                   "envelope."),
            facts=decision_facts(item.application, data), confirm_label=_("Confirm the decision"),
            danger=data["decision"] == Decision.REJECT, back_url=here)
    services.meeting_item_decide(actor=request.user, item=item, **decision)
    messages.success(request, _("The decision on %(ref)s is recorded.")
                     % {"ref": item.application.reference})
    return redirect("reviews:meeting", item.meeting_id)


@login_required
@require_http_methods(["POST"])
def meeting_close(request, pk):
    """The chair closes the meeting with its minutes, after a check page."""
    _require(request, Action.DECIDE_APPLICATIONS)
    meeting = get_object_or_404(PanelMeeting, pk=pk)
    form = CloseForm(request.POST)
    if form.is_valid() and not changing(request):
        if confirmed(request):
            try:
                services.meeting_close(actor=request.user, meeting=meeting,
                                       minutes=form.cleaned_data["minutes"])
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("The meeting is closed; its minutes are final."))
                return redirect("reviews:meeting", pk)
        elif meeting.chair_id == request.user.pk:
            undecided = meeting.items.filter(outcome=PanelAgendaItem.Outcome.PENDING).count()
            return confirm_page(
                request, title=_("Close the meeting?"),
                lead=_("Once closed, the meeting's votes, decisions and minutes are final "
                       "and cannot be changed."),
                facts=[(_("Meeting"), str(meeting)),
                       (_("Items not decided"), str(undecided)),
                       (_("Minutes of the meeting"), form.cleaned_data["minutes"] or "—")],
                confirm_label=_("Close the meeting"), danger=True,
                back_url=reverse("reviews:meeting", args=[pk]))
        else:
            raise PermissionDenied
    page = _page(request, pk)
    return render(request, "reviews/meetings/meeting.html", {
        "page": page, "meeting": page.meeting, "close_form": form,
        "is_chair": page.meeting.chair_id == request.user.pk,
        "is_open": page.meeting.status == PanelMeeting.Status.OPEN,
        "may_decide": True}, status=400 if form.errors else 200)


@login_required
def meeting_minutes(request, pk):
    """The minutes, to print (HTML) or to download as text (``?download=txt``)."""
    _require(request, Action.VIEW_REVIEWS)
    page = _page(request, pk)
    context = {"page": page, "meeting": page.meeting}
    if request.GET.get("download") == "txt":
        response = HttpResponse(render_to_string("reviews/meetings/minutes.txt", context,
                                                 request=request),
                                content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="minutes-{page.meeting.round.code}-{page.meeting.pk}.txt"')
        return response
    return render(request, "reviews/meetings/minutes.html", context)
