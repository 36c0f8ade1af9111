"""Volume data and the demo pass 360Giving's data-quality rules: every generated and demo
company has a Companies Registry number and a district, and nothing is dated ahead."""

from io import StringIO

import pytest
from django.core.management import call_command

from applicants.models import Organisation
from subsidy.finance.opendata.quality import package_findings
from subsidy.finance.opendata.threesixty import grants_package

# Committed, as the volume generator's other tests (PostgreSQL's deferred triggers).
pytestmark = pytest.mark.django_db(transaction=True)


def test_volume_and_demo_data_pass_opendata_check(settings):
    settings.OPENDATA_FUNDER_ORG_ID = "HK-CR-0711539"
    call_command("seed_demo", stdout=StringIO())
    call_command("generate_volume", "--applications", "150", "--rounds", "1",
                 stdout=StringIO())
    call_command("generate_volume", "--applications", "50", "--rounds", "1",
                 stdout=StringIO())

    package = grants_package()

    assert len(package["grants"]) > 20
    assert package_findings(package) == []
    assert not Organisation.objects.filter(cr_number="").exists()
    assert not Organisation.objects.filter(district="").exists()
    out = StringIO()
    call_command("opendata_check", "--fail-on-warnings", stdout=out)
    assert "The open data passes" in out.getvalue()
