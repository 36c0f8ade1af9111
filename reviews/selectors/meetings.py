"""Reading panel meetings: the list of a round's meetings, and one meeting with its agenda,
who is present, each member's vote and declaration, in a fixed number of queries."""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q

from reviews.models import (
    PanelAgendaItem,
    PanelAttendance,
    PanelDeclaration,
    PanelMeeting,
    PanelVote,
)
from reviews.selectors.assessment import RankingRow
from reviews.services.meetings import RankedEntry
from subsidy.platform.models import User
from subsidy.platform.roles import Role
from subsidy.scheme.models import FundingRound


def round_meetings(*, round_: FundingRound):
    """The round's meetings, newest first, with their chair and how many items are
    decided (one query)."""
    return (PanelMeeting.objects.filter(round=round_).select_related("chair")
            .annotate(item_count=Count("items"),
                      decided_count=Count("items", filter=~Q(items__outcome="")))
            .order_by("-held_on", "-pk"))


def ranking_entries(rows: list[RankingRow]) -> list[RankedEntry]:
    """The ranking's rows as the agenda takes them."""
    return [RankedEntry(application_id=r.application.pk, rank=r.rank, score=r.ranking_score)
            for r in rows]


@dataclass
class MemberVote:
    member: User
    choice: str = ""
    label: str = ""
    recused: bool = False
    declared: bool = False


@dataclass
class AgendaRow:
    item: PanelAgendaItem
    votes: list[MemberVote]
    tally: dict
    eligible: int
    quorate: bool
    my_vote: str = ""
    my_standing: str = ""  # "free", "recused" or "undeclared"
    recused: list[User] = field(default_factory=list)


@dataclass
class MeetingPage:
    meeting: PanelMeeting
    present: list[User]
    rows: list[AgendaRow]
    panel_members: list[User]

    @property
    def decided(self) -> int:
        return sum(1 for r in self.rows if r.item.outcome)


def meeting_page(*, meeting_id: int, user) -> MeetingPage:
    """The meeting with its chair and round, members present, and each agenda item with its
    application, votes and the declarations of the members present: five queries whatever
    the size of the agenda or the panel."""
    meeting = PanelMeeting.objects.select_related("round", "chair").get(pk=meeting_id)
    present = [a.member for a in PanelAttendance.objects.filter(meeting=meeting)
               .select_related("member").order_by("member__full_name", "member__email")]
    items = list(meeting.items.select_related("application__organisation", "decided_by")
                 .prefetch_related(Prefetch("votes", queryset=PanelVote.objects.only(
                     "item_id", "member_id", "choice")))
                 .order_by("position"))
    present_ids = [m.pk for m in present]
    declarations = {(d.application_id, d.member_id): d.has_conflict
                    for d in PanelDeclaration.objects.filter(
                        application_id__in=[i.application_id for i in items],
                        member_id__in=present_ids + [user.pk])
                    .only("application_id", "member_id", "has_conflict")}
    labels = dict(PanelVote.Choice.choices)
    rows = []
    for item in items:
        by_member = {v.member_id: v.choice for v in item.votes.all()}
        votes = []
        for member in present:
            conflict = declarations.get((item.application_id, member.pk))
            choice = by_member.get(member.pk, "")
            votes.append(MemberVote(member=member, choice=choice, label=labels.get(choice, ""),
                                    recused=conflict is True, declared=conflict is not None))
        eligible = sum(1 for v in votes if v.declared and not v.recused)
        mine = declarations.get((item.application_id, user.pk))
        rows.append(AgendaRow(
            item=item, votes=votes, tally=dict(Counter(by_member.values())),
            eligible=eligible, quorate=eligible >= meeting.quorum,
            my_vote=by_member.get(user.pk, ""),
            my_standing="undeclared" if mine is None else ("recused" if mine else "free"),
            recused=[v.member for v in votes if v.recused]))
    panel_members = []
    if meeting.chair_id == user.pk and meeting.status == PanelMeeting.Status.OPEN:
        panel_members = list(User.objects.filter(role_grants__role=Role.PANEL_MEMBER,
                                                 is_active=True)
                             .order_by("full_name", "email"))
    return MeetingPage(meeting=meeting, present=present, rows=rows,
                       panel_members=panel_members)
