"""Panel meetings: the agenda from the round's ranking, who is present, each member's vote,
the decision of each item and the minutes.

A decision taken at a meeting is the same decision as anywhere else: it goes through
``reviews.services.decisions`` (the engine's guard, the envelope under the round's lock, the
offer), and the item records it in the same transaction, so the minutes never show a
decision the application did not take. A meeting decides only with its quorum: members
present who declared no conflict in that application. A recused member neither votes nor
counts. Only the chair records the minutes and closes the meeting; a closed meeting is the
record and does not change.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import Application, ApplicationStatus
from reviews.models import (
    PanelAgendaItem,
    PanelAttendance,
    PanelDeclaration,
    PanelMeeting,
    PanelVote,
    RoundAssessmentSettings,
)
from reviews.services import decisions
from subsidy.platform.audit import audit_record, snapshot
from subsidy.platform.errors import DomainError, PermissionDeniedError
from subsidy.platform.models import User
from subsidy.platform.permissions import Action, can, require
from subsidy.platform.roles import Role
from subsidy.scheme.models import FundingRound

# What the panel may still decide: reviewed, or on the reserve list.
DECIDABLE = (ApplicationStatus.REVIEWED, ApplicationStatus.WAITLISTED)
# A vote and the decision it stands for.
VOTE_FOR_DECISION = {decisions.Decision.APPROVE: PanelVote.Choice.APPROVE,
                     decisions.Decision.REJECT: PanelVote.Choice.REJECT,
                     decisions.Decision.WAITLIST: PanelVote.Choice.RESERVE}
MINUTES_MAX = 20000
ITEM_MINUTES_MAX = 8000


@dataclass(frozen=True)
class RankedEntry:
    """One row of the ranking as the panel saw it when convening."""

    application_id: int
    rank: int | None
    score: Decimal | None


def _require_open(meeting: PanelMeeting) -> None:
    if meeting.status != PanelMeeting.Status.OPEN:
        raise DomainError(_("This meeting is closed; its record no longer changes."),
                          code="meeting_closed")


def _require_chair(actor, meeting: PanelMeeting) -> None:
    if meeting.chair_id != actor.pk:
        raise PermissionDeniedError(_("Only the chair of the meeting may do this."),
                                    code="not_chair")


def _locked_meeting(meeting: PanelMeeting) -> PanelMeeting:
    # The meeting's row only: the round is locked by an approval, in its turn.
    return (PanelMeeting.objects.select_for_update(of=("self",)).select_related("round")
            .get(pk=meeting.pk))


def _is_present(meeting: PanelMeeting, member) -> bool:
    return PanelAttendance.objects.filter(meeting=meeting, member=member).exists()


def meeting_convene(*, actor, round_: FundingRound, title: str, held_on: date,
                    ranking: list[RankedEntry]) -> PanelMeeting:
    """Convene a meeting chaired by the actor (a panel member, present from the start) on the
    applications of the round's ranking that await the panel, in rank order, each
    recommended at the amount requested. The quorum is the round's setting at this time.
    Refused when nothing awaits the panel."""
    require(actor, Action.DECIDE_APPLICATIONS)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the meeting a title."), field="title")
    # The ranking says the order; the applications as they stand now say what is on it.
    awaiting = Application.objects.in_bulk([e.application_id for e in ranking])
    entries = [e for e in ranking if e.application_id in awaiting
               and awaiting[e.application_id].round_id == round_.pk
               and awaiting[e.application_id].status in DECIDABLE]
    if not entries:
        raise DomainError(_("No application of this round awaits the panel."),
                          code="empty_agenda")
    settings = RoundAssessmentSettings.objects.filter(round=round_).first()
    quorum = settings.panel_quorum if settings else RoundAssessmentSettings().panel_quorum
    with transaction.atomic():
        meeting = PanelMeeting.objects.create(round=round_, title=title[:200], held_on=held_on,
                                              chair=actor, quorum=quorum)
        PanelAttendance.objects.create(meeting=meeting, member=actor)
        PanelAgendaItem.objects.bulk_create([
            PanelAgendaItem(meeting=meeting, application_id=e.application_id,
                            position=position, rank=e.rank, score=e.score,
                            requested_amount=awaiting[e.application_id].requested_subsidy,
                            recommended_amount=awaiting[e.application_id].requested_subsidy)
            for position, e in enumerate(entries, start=1)])
        audit_record(actor=actor, action="panel_meeting.convene", obj=meeting,
                     after={"round": round_.code, "title": meeting.title,
                            "held_on": held_on.isoformat(), "quorum": quorum,
                            "agenda": [e.application_id for e in entries]})
    return meeting


def meeting_attendance_set(*, actor, meeting: PanelMeeting, members) -> list[int]:
    """The chair records who is present: panel members only, the chair always. A member who
    has voted on an item still to be decided cannot be marked absent (their vote would be
    lost); the chair says so in the minutes instead."""
    wanted = {m.pk for m in members} | {meeting.chair_id}
    panel_ids = set(User.objects.filter(pk__in=wanted, role_grants__role=Role.PANEL_MEMBER)
                    .values_list("pk", flat=True))
    if wanted - panel_ids - {meeting.chair_id}:
        raise DomainError(_("Only panel members attend a panel meeting."), field="members")
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        _require_chair(actor, meeting)
        _require_open(meeting)
        before = sorted(meeting.attendance.values_list("member_id", flat=True))
        leaving = set(before) - wanted
        voted = (PanelVote.objects.filter(item__meeting=meeting, member_id__in=leaving,
                                          item__outcome=PanelAgendaItem.Outcome.PENDING)
                 .select_related("member").order_by("member_id").first())
        if voted is not None:
            raise DomainError(_("%(name)s has voted on an item still to be decided and "
                                "cannot be marked absent.") % {"name": voted.member},
                              field="members")
        PanelAttendance.objects.filter(meeting=meeting, member_id__in=leaving).delete()
        PanelAttendance.objects.bulk_create(
            [PanelAttendance(meeting=meeting, member_id=pk)
             for pk in sorted(wanted - set(before))])
        after = sorted(wanted)
        audit_record(actor=actor, action="panel_meeting.attendance", obj=meeting,
                     before={"present": before}, after={"present": after})
    return after


def meeting_vote_cast(*, actor, item: PanelAgendaItem, choice: str) -> PanelVote:
    """A present member's vote on an undecided item, changed as often as they like until it
    is decided. A member who has not declared their interests in the application, or who
    declared a conflict, cannot vote on it."""
    if choice not in PanelVote.Choice.values:
        raise DomainError(_("Choose your vote."), field="choice")
    with transaction.atomic():
        meeting = _locked_meeting(item.meeting)
        _require_open(meeting)
        item = PanelAgendaItem.objects.select_for_update().get(pk=item.pk)
        if item.outcome:
            raise DomainError(_("This item has been decided; votes are closed."),
                              code="item_decided")
        if not _is_present(meeting, actor):
            raise PermissionDeniedError(_("Only members present at the meeting vote."),
                                        code="not_present")
        _require_free(actor, item.application)
        previous = PanelVote.objects.filter(item=item, member=actor).first()
        vote, _created = PanelVote.objects.update_or_create(
            item=item, member=actor, defaults={"choice": choice, "cast_at": timezone.now()})
        audit_record(actor=actor, action="panel_meeting.vote", obj=vote,
                     before={"choice": previous.choice} if previous else None,
                     after={"item": item.pk, "application": item.application_id,
                            "choice": choice})
    return vote


def _require_free(actor, application: Application) -> None:
    """The member declared their interests in the application and has no conflict."""
    if can(actor, Action.DECIDE_APPLICATIONS, application):
        return
    declared = PanelDeclaration.objects.filter(application=application, member=actor).first()
    if declared is None:
        raise PermissionDeniedError(_("Declare your interests in this application first."),
                                    code="not_declared")
    raise PermissionDeniedError(_("You declared a conflict of interest in this application: "
                                  "you are recused from it."), code="recused")


def meeting_item_record(*, actor, item: PanelAgendaItem, minutes: str,
                        recommended_amount: Decimal | None = None) -> PanelAgendaItem:
    """The chair writes an item's minutes (and, until it is decided, the amount recommended
    to the panel) while the meeting is open."""
    minutes = (minutes or "").strip()
    if len(minutes) > ITEM_MINUTES_MAX:
        raise DomainError(_("Keep the minutes of an item to 8,000 characters or fewer."),
                          field="minutes")
    with transaction.atomic():
        meeting = _locked_meeting(item.meeting)
        _require_chair(actor, meeting)
        _require_open(meeting)
        item = PanelAgendaItem.objects.select_for_update().get(pk=item.pk)
        fields = ["minutes", "recommended_amount"]
        before = snapshot(item, fields)
        item.minutes = minutes
        if recommended_amount is not None and not item.outcome:
            if recommended_amount < 0:
                raise DomainError(_("The amount cannot be negative."),
                                  field="recommended_amount")
            item.recommended_amount = recommended_amount
        item.save(update_fields=fields)
        audit_record(actor=actor, action="panel_meeting.item_minutes", obj=item,
                     before=before, after=snapshot(item, fields))
    return item


def meeting_item_eligible(*, item: PanelAgendaItem) -> int:
    """How many members present may decide the item: declared, without a conflict."""
    present = PanelAttendance.objects.filter(meeting_id=item.meeting_id).values("member_id")
    return PanelDeclaration.objects.filter(application_id=item.application_id,
                                           has_conflict=False,
                                           member_id__in=present).count()


def _may_decide_item_or_raise(actor, meeting: PanelMeeting, item: PanelAgendaItem) -> None:
    _require_open(meeting)
    if item.outcome:
        raise DomainError(_("This item has already been decided."), code="item_decided")
    if not _is_present(meeting, actor):
        raise PermissionDeniedError(_("Only members present at the meeting decide."),
                                    code="not_present")
    eligible = meeting_item_eligible(item=item)
    if eligible < meeting.quorum:
        raise DomainError(
            _("The meeting is not quorate for this item: %(eligible)s of the %(quorum)s "
              "members needed are present and free of any conflict.")
            % {"eligible": eligible, "quorum": meeting.quorum}, code="no_quorum")


def meeting_item_problems(*, actor, item: PanelAgendaItem, **decision) -> list:
    """What would refuse the decision of the item now (the meeting, the quorum, then the
    decision itself), for the check page before it; nothing is locked or written."""
    try:
        _may_decide_item_or_raise(actor, item.meeting, item)
    except DomainError as exc:
        return [(None, exc.message)]
    return decisions.decision_problems(actor=actor, application=item.application, **decision)


def meeting_item_decide(*, actor, item: PanelAgendaItem, decision: str,
                        amount: Decimal | None = None, conditions: str = "", reason: str = "",
                        exceptional_justification: str = "") -> PanelAgendaItem:
    """Record the panel's decision on an item, through the decision services, with the
    quorum present: refused, with nothing changed, when fewer members present are free to
    decide than the quorum, when the actor is absent or recused, or when the decision
    service refuses (a cap, the envelope, a changed state)."""
    if decision not in decisions.Decision.ALL:
        raise DomainError(_("Choose a decision."), field="decision")
    with transaction.atomic():
        # The application first (the engine locks it), then the meeting and its item.
        Application.objects.select_for_update(of=("self",)).get(pk=item.application_id)
        meeting = _locked_meeting(item.meeting)
        item = (PanelAgendaItem.objects.select_for_update(of=("self",))
                .select_related("application").get(pk=item.pk))
        _may_decide_item_or_raise(actor, meeting, item)
        application = item.application
        decisions.decision_take(actor=actor, application=application, decision=decision,
                                amount=amount, conditions=conditions, reason=reason,
                                exceptional_justification=exceptional_justification)
        if decision == decisions.Decision.APPROVE:
            item.decided_amount = amount
        item.outcome = decision
        item.conditions = conditions if decision == decisions.Decision.APPROVE else ""
        item.reason = reason if decision != decisions.Decision.APPROVE else ""
        item.decided_by = actor
        item.decided_at = timezone.now()
        item.save(update_fields=["outcome", "decided_amount", "conditions", "reason",
                                 "decided_by", "decided_at"])
        audit_record(actor=actor, action="panel_meeting.decide", obj=item,
                     after={"application": application.pk, "decision": decision,
                            "amount": str(item.decided_amount or ""),
                            "conditions": item.conditions, "reason": item.reason})
    return item


def meeting_close(*, actor, meeting: PanelMeeting, minutes: str) -> PanelMeeting:
    """The chair closes the meeting with its minutes. Items not decided stay before the
    panel for another meeting; the closed record never changes."""
    minutes = (minutes or "").strip()
    if len(minutes) > MINUTES_MAX:
        raise DomainError(_("Keep the minutes to 20,000 characters or fewer."),
                          field="minutes")
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        _require_chair(actor, meeting)
        _require_open(meeting)
        meeting.minutes = minutes
        meeting.status = PanelMeeting.Status.CLOSED
        meeting.closed_at = timezone.now()
        meeting.save(update_fields=["minutes", "status", "closed_at"])
        audit_record(actor=actor, action="panel_meeting.close", obj=meeting,
                     after={"minutes": minutes, "closed_at": meeting.closed_at.isoformat()})
    return meeting


def meeting_decide_bulk(*, actor, meeting: PanelMeeting,
                        rows: list[decisions.BulkRow]) -> list[decisions.BulkResult]:
    """Several items of the meeting decided at once, each with its own amount and
    conditions, each as ``meeting_item_decide`` does it and in its own transaction: a
    refusal is reported on its row and leaves the others decided."""
    items = {i.application_id: i for i in meeting.items.select_related(
        "application__round", "application__organisation", "meeting")}
    applications = {pk: item.application for pk, item in items.items()}

    def take(application, row):
        meeting_item_decide(actor=actor, item=items[application.pk], decision=row.decision,
                            amount=row.amount, conditions=row.conditions, reason=row.reason)
        return _("Recorded: %(decision)s.") % {
            "decision": PanelAgendaItem.Outcome(row.decision).label}

    return decisions.bulk_each(rows, applications, take)
