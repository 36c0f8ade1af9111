"""The demo companies' Companies Registry numbers and districts."""

from applicants.models import Organisation


def company_numbers_fill(organisation: Organisation, *, cr_number: str, district: str) -> None:
    """Give a demo company seeded before the profile had them its CR number and district,
    so that an older demo database publishes clean open data too; a value already there
    stays."""
    for field, value in (("cr_number", cr_number), ("district", district)):
        Organisation.objects.filter(pk=organisation.pk, **{field: ""}).update(**{field: value})
