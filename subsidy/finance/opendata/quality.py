"""360Giving's data-quality rules, applied to the open-data package before it is published.

The rules are those of 360Giving's own quality checker (its accuracy and usefulness checks),
restated here for this export; ``manage.py opendata_check`` prints what they find. Errors
are what makes the file wrong: it does not validate against the schema (formats included),
or it breaks a rule 360Giving counts as critical (line breaks in identifiers, award dates in
the future, dates that do not exist, several funder identifiers). Everything else is a
warning: the file is valid but less useful than it should be.

Left out: the checks that only apply to UK data (charity and Companies House numbers,
postcodes) and to grants to individuals, which this scheme does not make.
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from subsidy.finance.opendata.threesixty import COMPANIES_REGISTER, schema_validator

ERROR, WARNING = "error", "warning"
# The org-id.guide registers this export names organisations from (the 360G- prefix aside).
KNOWN_REGISTERS = (COMPANIES_REGISTER,)
HONG_KONG_OFFSET = timedelta(hours=8)
_CR_NUMBER = re.compile(r"^[0-9]{7,8}$")
_EMAIL = re.compile(r"[\w.-]+@[\w.-]+\.[\w.-]+")


@dataclass(frozen=True)
class Rule:
    code: str
    level: str
    text: str


RULES = {rule.code: rule for rule in [
    Rule("schema", ERROR, "Not valid against the 360Giving schema (formats checked)."),
    Rule("id-line-break", ERROR,
         "An identifier contains a line break: 360Giving's tools leave the grant out."),
    Rule("impossible-date", ERROR, "A date that does not exist, or is not YYYY-MM-DD."),
    Rule("award-date-future", ERROR, "An award date in the future."),
    Rule("funder-ids-differ", ERROR, "More than one funder identifier in the file."),
    Rule("recipient-360g", WARNING,
         "Recipient identified by a 360G- id: record the company's Companies Registry "
         "number, so it is named HK-CR-<CR No.>."),
    Rule("funder-360g", WARNING,
         "Funder identified by a 360G- id: set OPENDATA_FUNDER_ORG_ID to "
         "HK-CR-<Cyberport's CR No.>."),
    Rule("org-id-unrecognised", WARNING,
         "An organisation id from no register on org-id.guide that this export uses."),
    Rule("org-id-invalid", WARNING, "An HK-CR- identifier that is not 7 or 8 digits."),
    Rule("recipient-location", WARNING,
         "No recipient location with a geographic code: record the company's district."),
    Rule("beneficiary-location", WARNING, "No beneficiary location."),
    Rule("beneficiary-location-code", WARNING,
         "A beneficiary location with a name but no geographic code."),
    Rule("data-source", WARNING, "No data source (dataSource)."),
    Rule("date-modified", WARNING, "No dateModified, or not in Hong Kong time (+08:00)."),
    Rule("grant-programme", WARNING, "No grant programme."),
    Rule("planned-dates", WARNING, "Neither planned start and end dates nor a duration."),
    Rule("planned-dates-order", WARNING, "A planned start after the planned end."),
    Rule("far-dates", WARNING,
         "A date more than 25 years ago, or planned more than 12 years ahead."),
    Rule("zero-amount", WARNING, "An amount awarded of 0."),
    Rule("title-description-same", WARNING, "The same text as title and description."),
    Rule("title-length", WARNING, "A title longer than 140 characters."),
    Rule("looks-like-email", WARNING, "Text that looks like an email address."),
]}


@dataclass(frozen=True)
class Finding:
    code: str
    grant_id: str | None
    path: str
    detail: str = ""

    @property
    def level(self) -> str:
        return RULES[self.code].level


def package_findings(package: dict, *, now: datetime | None = None) -> list[Finding]:
    """Everything the rules find in ``package``, in the order of the grants."""
    now = now or timezone.now()
    grants = package.get("grants") or []
    findings = [_schema_finding(error, grants)
                for error in schema_validator().iter_errors(package)]
    funder_ids = {}
    for index, grant in enumerate(grants):
        if not isinstance(grant, dict):
            continue
        findings += _grant_findings(grant, f"/grants/{index}", now)
        for funder in grant.get("fundingOrganization") or []:
            funder_ids.setdefault(funder.get("id"), grant.get("id"))
    if len(funder_ids) > 1:
        findings.append(Finding("funder-ids-differ", None, "/grants",
                                ", ".join(sorted(str(i) for i in funder_ids))))
    return findings


def _schema_finding(error, grants) -> Finding:
    path = list(error.absolute_path)
    grant_id = None
    if len(path) > 1 and path[0] == "grants" and isinstance(grants[path[1]], dict):
        grant_id = grants[path[1]].get("id")
    return Finding("schema", grant_id, "/" + "/".join(str(p) for p in path), error.message)


def _grant_findings(grant: dict, at: str, now: datetime) -> list[Finding]:
    found = []

    def flag(code, path="", detail=""):
        found.append(Finding(code, grant.get("id"), at + path, detail))

    if "\n" in str(grant.get("id", "")):
        flag("id-line-break", "/id")
    _organisation_rules(grant, flag)
    _location_rules(grant, flag)
    _date_rules(grant, flag, now)
    if not grant.get("dataSource"):
        flag("data-source", "/dataSource")
    if not grant.get("grantProgramme"):
        flag("grant-programme", "/grantProgramme")
    if grant.get("amountAwarded") == 0:
        flag("zero-amount", "/amountAwarded")
    title, description = grant.get("title"), grant.get("description")
    if title and title == description:
        flag("title-description-same", "/description")
    if len(title or "") > 140:
        flag("title-length", "/title")
    for path, value in _strings(grant):
        if _EMAIL.search(value):
            flag("looks-like-email", path)
            break
    return found


def _organisation_rules(grant, flag) -> None:
    for role, own_360g in (("fundingOrganization", "funder-360g"),
                           ("recipientOrganization", "recipient-360g")):
        for n, organisation in enumerate(grant.get(role) or []):
            org_id, path = str(organisation.get("id") or ""), f"/{role}/{n}/id"
            if "\n" in org_id:
                flag("id-line-break", path)
            register, _sep, number = org_id.rpartition("-")
            if org_id.lower().startswith("360g"):
                flag(own_360g, path, org_id)
            elif register not in KNOWN_REGISTERS:
                flag("org-id-unrecognised", path, org_id)
            elif register == COMPANIES_REGISTER and not _CR_NUMBER.match(number):
                flag("org-id-invalid", path, org_id)


def _location_rules(grant, flag) -> None:
    for n, recipient in enumerate(grant.get("recipientOrganization") or []):
        located = recipient.get("postalCode") or any(
            location.get("geoCode") for location in recipient.get("location") or [])
        if not located:
            flag("recipient-location", f"/recipientOrganization/{n}/location")
    beneficiaries = grant.get("beneficiaryLocation") or []
    if not beneficiaries:
        flag("beneficiary-location", "/beneficiaryLocation")
    for n, location in enumerate(beneficiaries):
        if location.get("name") and not location.get("geoCode"):
            flag("beneficiary-location-code", f"/beneficiaryLocation/{n}/geoCode")


def _day(value) -> date | None:
    """The calendar date a 360Giving date or date-time names, or None if there is none."""
    try:
        return datetime.strptime(str(value).split("T")[0], "%Y-%m-%d").date()
    except ValueError:
        return None


def _date_rules(grant, flag, now: datetime) -> None:
    today = timezone.localdate(now)
    planned = (grant.get("plannedDates") or [{}])[0]
    dates = {"/awardDate": grant.get("awardDate"),
             "/plannedDates/0/startDate": planned.get("startDate"),
             "/plannedDates/0/endDate": planned.get("endDate")}
    days = {}
    for path, value in dates.items():
        if value is None:
            continue
        days[path] = _day(value)
        if days[path] is None:
            flag("impossible-date", path, str(value))
        elif (days[path] < _years_on(today, -25)
              or (path != "/awardDate" and days[path] > _years_on(today, 12))):
            flag("far-dates", path, str(value))
    award = _moment(grant.get("awardDate"))
    if award is not None and award > now:
        flag("award-date-future", "/awardDate", grant["awardDate"])
    if not (planned.get("duration") is not None
            or (planned.get("startDate") and planned.get("endDate"))):
        flag("planned-dates", "/plannedDates")
    start, end = days.get("/plannedDates/0/startDate"), days.get("/plannedDates/0/endDate")
    if start and end and start > end:
        flag("planned-dates-order", "/plannedDates/0/startDate")
    modified = _moment(grant.get("dateModified"))
    if modified is None or modified.utcoffset() != HONG_KONG_OFFSET:
        flag("date-modified", "/dateModified", str(grant.get("dateModified") or ""))


def _years_on(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _moment(value) -> datetime | None:
    """A date-time with its offset; a bare date counts as the start of that day in Hong
    Kong. None when it is neither."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    if timezone.is_naive(moment):
        if "T" in str(value):
            return None
        moment = moment.replace(tzinfo=timezone.get_fixed_timezone(HONG_KONG_OFFSET))
    return moment


def _strings(value, path=""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}/{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _strings(item, f"{path}/{n}")
    elif isinstance(value, str):
        yield path, value


def summary(findings: list[Finding]) -> dict[str, dict]:
    """Per rule: its level and text, how many grants it affects, and the findings."""
    grouped: dict[str, dict] = defaultdict(lambda: {"grants": set(), "findings": []})
    for finding in findings:
        entry = grouped[finding.code]
        entry["grants"].add(finding.grant_id)
        entry["findings"].append(finding)
    return {code: {"rule": RULES[code], "grants": len(entry["grants"]),
                   "findings": entry["findings"]}
            for code, entry in sorted(grouped.items(),
                                      key=lambda item: (RULES[item[0]].level != ERROR,
                                                        item[0]))}
