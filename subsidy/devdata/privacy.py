"""Demo data access requests: the privacy officer's register shows a running clock and an
overdue case from the first run."""

from datetime import timedelta

from django.utils import timezone

from subsidy.platform.models import User
from subsidy.privacy.models import DataAccessRequest
from subsidy.privacy.services.requests import data_access_request_record

DEMO_REQUESTS = [
    # (requester, email, received this many days ago, what they ask for)
    ("Lee Ka Yan", "kayan.lee@example.hk", 12,
     "Copies of the personal data about me in the application of my former employer, "
     "where I am named as a team member."),
    ("Cheung Wing Sze", "wingsze@example.hk", 43,
     "All personal data held about me, including any correspondence about my company."),
]


def demo_data_access_requests_seed(*, admin: User) -> None:
    today = timezone.localdate()
    for name, email, days_ago, description in DEMO_REQUESTS:
        if DataAccessRequest.objects.filter(requester_email=email).exists():
            continue
        data_access_request_record(actor=admin, requester_name=name, requester_email=email,
                                   received_on=today - timedelta(days=days_ago),
                                   description=description)
