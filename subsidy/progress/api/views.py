"""The partner API's reporting of a grant: the reports it owes, with their fixed due dates,
and each report sent (status, lateness, the officer's comments, the indicators' values)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from applicants.api.views import APPLICATIONS_READ, REFERENCE_PARAMETER, PartnerView
from subsidy.progress.models import ProgressReport, ReportingRequirement
from subsidy.progress.selectors import grant_requirements


class ValueSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text="The round's outcome indicator code.")
    name = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.DecimalField(max_digits=16, decimal_places=2)


class ReportSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ProgressReport.Status.values)
    revision = serializers.IntegerField()
    late = serializers.BooleanField(help_text="First sent after the due date; stays so.")
    submitted_at = serializers.DateTimeField()
    first_submitted_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    officer_comment = serializers.CharField()
    values = ValueSerializer(many=True)


class RequirementSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ReportingRequirement.Kind.values)
    title = serializers.CharField()
    due_date = serializers.DateField(help_text="Fixed when the grant started; never moves.")
    report = ReportSerializer(allow_null=True, help_text="The report sent; null before.")


def _report(report: ProgressReport | None) -> dict | None:
    if report is None:
        return None
    return {"status": report.status, "revision": report.revision, "late": report.late,
            "submitted_at": report.submitted_at,
            "first_submitted_at": report.first_submitted_at,
            "decided_at": report.decided_at, "officer_comment": report.officer_comment,
            "values": [{"indicator": v.indicator.code, "name": v.indicator.name_en,
                        "unit": v.indicator.unit, "value": str(v.value)}
                       for v in report.values.all()]}


@extend_schema(tags=["applications"], parameters=[REFERENCE_PARAMETER],
               responses=RequirementSerializer(many=True))
class GrantReports(PartnerView, generics.GenericAPIView):
    """The reports the grant of an approved application owes, in order: one per milestone
    and a final report, each with its due date and the report sent, if any. 404 while the
    application has no grant."""

    required_scopes = APPLICATIONS_READ
    serializer_class = RequirementSerializer

    def get(self, request, reference):
        grant = self.application_grant()
        rows = [{"number": r.number, "kind": r.kind, "title": r.title,
                 "due_date": r.due_date, "report": _report(getattr(r, "report", None))}
                for r in grant_requirements(grant)]
        return Response(RequirementSerializer(rows, many=True).data)
