"""Users with their roles, organisations with their owners, and the API partner."""

from __future__ import annotations

import math
from datetime import date, timedelta

from django.db.models import Max

from applicants.models import District, Membership, Organisation, PartnerLink
from subsidy.devdata.volume.spec import CATEGORIES, WORDS, VolumeError
from subsidy.platform.models import PartnerOrganisation, User, UserRole
from subsidy.platform.roles import Role


class People:
    """Stages of the build (``_Build``): users and organisations."""

    def users(self) -> None:
        spec = self.spec
        per_round_reviews = math.ceil(spec.reviews / spec.rounds) if spec.reviews else 0
        self.reviewer_count = max(12, math.ceil(per_round_reviews / 150))
        staff = [("officer", Role.PROGRAMME_OFFICER), ("finance", Role.FINANCE_OFFICER),
                 ("approver", Role.FINANCE_APPROVER)]
        people = [(f"reviewer{i + 1}", Role.REVIEWER) for i in range(self.reviewer_count)]
        people += staff
        owners = spec.organisations
        first = self.ids.take(User, len(people) + owners)
        rows = []
        for i, (name, _role) in enumerate(people):
            rows.append(self._user_row(first + i, f"{name}.{self.tag}@volume.example",
                                       name.capitalize()))
        self.owner_first = first + len(people)
        for i in range(owners):
            rows.append(self._user_row(self.owner_first + i,
                                       f"owner{i + 1}.{self.tag}@volume.example",
                                       f"Owner {i + 1}"))
        self.write(User, ["id", "email", "full_name", "language", "is_active", "is_staff",
                          "is_superuser", "date_joined", "password", "last_login"], rows)
        role_first = self.ids.take(UserRole, len(people) + owners)
        role_rows = [(role_first + i, first + i, role, self.now)
                     for i, (_name, role) in enumerate(people)]
        role_rows += [(role_first + len(people) + i, self.owner_first + i, Role.APPLICANT,
                       self.now) for i in range(owners)]
        self.write(UserRole, ["id", "user_id", "role", "granted_at"], role_rows)
        self.reviewers = list(range(first, first + self.reviewer_count))
        self.officer, self.finance, self.approver = (first + self.reviewer_count + i
                                                     for i in range(3))
        self.step(f"{len(rows):,} users")

    def _user_row(self, pk, email, name):
        return (pk, email, name, "zh-hant" if pk % 4 == 0 else "en", True, False, False,
                self.now - timedelta(days=400), "!volume", None)

    def organisations(self) -> None:
        n = self.spec.organisations
        existing = Organisation.objects.aggregate(m=Max("br_number"))["m"]
        br_first = max(int(existing or 0) + 1, 10_000_000)
        if br_first + n > 99_999_999:
            raise VolumeError("no Business Registration numbers left")
        # Companies Registry numbers: 8 digits, after any 8-digit one already there.
        existing_cr = (Organisation.objects.filter(cr_number__regex=r"^[0-9]{8}$")
                       .aggregate(m=Max("cr_number"))["m"])
        cr_first = max(int(existing_cr or 0) + 1, 40_000_000)
        if cr_first + n > 99_999_999:
            raise VolumeError("no Companies Registry numbers left")
        first = self.ids.take(Organisation, n)
        sizes, districts = Organisation.Size.values, District.values
        rows = []
        for i in range(n):
            name = f"{self.rng.choice(WORDS).capitalize()} AI Labs {self.tag}-{i + 1} Limited"
            rows.append((first + i, name,
                         f"人工智能實驗室{i + 1}有限公司" if i % 3 == 0 else "",
                         f"{br_first + i:08d}", f"{cr_first + i:08d}",
                         districts[i % len(districts)],
                         date(2015, 1, 1) + timedelta(days=i % 3000),
                         sizes[i % len(sizes)], CATEGORIES[i % len(CATEGORIES)], i % 5 == 0,
                         "", self.now - timedelta(days=400), self.now))
        self.write(Organisation, ["id", "name_en", "name_zh", "br_number", "cr_number",
                                  "district", "incorporation_date", "size", "sector",
                                  "is_cyberport_incubatee", "website", "created_at",
                                  "updated_at"], rows)
        self.org_first = first
        membership_first = self.ids.take(Membership, n)
        self.write(Membership, ["id", "organisation_id", "user_id", "role", "joined_at"],
                   [(membership_first + i, first + i, self.owner_first + i, "owner",
                     self.now - timedelta(days=400)) for i in range(n)])
        # A partner linked to every second organisation, for the partner API.
        partner = PartnerOrganisation.objects.create(
            name=f"Volume partner {self.tag}", contact_email=f"api.{self.tag}@volume.example")
        self.report.partner_id = partner.pk
        linked = list(range(0, n, 2))
        link_first = self.ids.take(PartnerLink, len(linked))
        at = self.now - timedelta(days=300)
        self.write(PartnerLink, ["id", "partner_id", "organisation_id", "created_via",
                                 "requested_at", "linked_at", "linked_by_id", "revoked_at",
                                 "revoked_by_id"],
                   [(link_first + k, partner.pk, first + i, "api", at, at, None, None, None)
                    for k, i in enumerate(linked)])
        self.step(f"{n:,} organisations with their owners; partner linked to {len(linked):,}")
