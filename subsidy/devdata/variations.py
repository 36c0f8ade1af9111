"""Demo data for variations: the Sha Tin company's owner asks to end its project three
months later and to move its last milestone with it, a request for the programme officer
(officer@demo.aiss.hk: *Variations waiting*, ``/variations/pending/``, or the grant's page,
*Changes to this grant*). Made through the service, as the owner would; idempotent."""

from datetime import timedelta

from django.utils import timezone

from applicants.models import Milestone
from subsidy.devdata.grants import COMPANY
from subsidy.scheme.models import Grant
from subsidy.variations.models import Variation
from subsidy.variations.services.proposal import MilestoneEdit, VariationInput
from subsidy.variations.services.requests import variation_request


def demo_variation_seed(*, owner) -> Variation | None:
    grant = (Grant.objects.select_related("application")
             .filter(application__organisation__br_number=COMPANY["br_number"]).first())
    if grant is None or Variation.objects.filter(grant=grant).exists():
        return None
    application = grant.application
    end = application.end_date or timezone.localdate() + timedelta(days=365)
    last = Milestone.objects.filter(application=application).order_by("position").last()
    milestones = ((MilestoneEdit(milestone_id=last.pk, due_date=last.due_date
                                 + timedelta(days=90)),) if last else ())
    return variation_request(actor=owner, grant=grant, data=VariationInput(
        reason="The Drainage Services Department moved the pilot's sensor installation "
               "to the next dry season; the project needs three more months to finish.",
        new_end_date=end + timedelta(days=90), milestones=milestones))
