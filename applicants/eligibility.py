"""Who may apply, checked before a draft is started and again at submission: the project's
category is one the round funds, the company is registered in Hong Kong, and it is a
startup or SME by size. One rule each, for the start page, the draft service, the API and
the submission checks.

The AI Subsidy Scheme funds AI projects (DOMAIN.md): a round funds the categories it lists,
or, listing none, the AI categories; the Web3 sectors (DeFi, NFTs, the metaverse,
blockchain infrastructure) describe companies and are never a project category here. The
scheme is for startups and SMEs: a company of 100 or more employees is not eligible (the
Hong Kong government's SME definition counts fewer than 100 employees in manufacturing and
fewer than 50 in other businesses; the scheme takes the wider bound)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import Organisation
from subsidy.scheme.models import AI_SECTORS, FundingRound, Sector

ELIGIBLE_SIZES = (Organisation.Size.MICRO, Organisation.Size.SMALL, Organisation.Size.MEDIUM)

Problems = list[tuple[str | None, str]]


def round_categories(round_: FundingRound) -> list[str]:
    """The project categories ``round_`` funds, in the order of the list of sectors."""
    listed = set(round_.eligible_categories or AI_SECTORS)
    return [code for code in Sector.values if code in listed and code in AI_SECTORS]


def category_problems(round_: FundingRound, category: str, *,
                      field: str = "category") -> Problems:
    if not category:
        return [(field, _("Choose the project's category."))]
    if category not in round_categories(round_):
        label = dict(Sector.choices).get(category, category)
        return [(field, _("This round does not fund projects in the category “%(category)s”.")
                 % {"category": label})]
    return []


def company_problems(organisation: Organisation, *, field: str = "organisation") -> Problems:
    """The company is registered in Hong Kong (a Business Registration number and a date of
    incorporation not in the future) and is not a large company."""
    problems: Problems = []
    br_number = organisation.br_number or ""
    if not (len(br_number) == 8 and br_number.isascii() and br_number.isdigit()):
        problems.append((field, _("%(company)s has no Hong Kong Business Registration number "
                                  "on record: only companies registered in Hong Kong may "
                                  "apply.") % {"company": organisation.name}))
    # As Django reads it: an object built in code may still hold the date as text.
    incorporated = Organisation._meta.get_field("incorporation_date").to_python(
        organisation.incorporation_date)
    if incorporated is None or incorporated > timezone.localdate():
        problems.append((field, _("%(company)s has no date of incorporation in the past on "
                                  "record; correct the company's details first.")
                         % {"company": organisation.name}))
    if organisation.size not in ELIGIBLE_SIZES:
        problems.append((field, _("%(company)s has 100 or more employees: the scheme supports "
                                  "startups and small and medium-sized enterprises only.")
                         % {"company": organisation.name}))
    return problems


def eligibility_problems(*, organisation: Organisation, round_: FundingRound,
                         category: str | None = None) -> Problems:
    """Everything that stops this company applying to ``round_``; the category too when one
    is given (a partner may start a draft before choosing it)."""
    problems = company_problems(organisation)
    if category is not None:
        problems += category_problems(round_, category)
    return problems
