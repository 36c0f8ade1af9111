from django.core.management.base import BaseCommand, CommandError

from subsidy.finance.services.lifecycle_drift import (
    REPAIR_LABELS,
    grant_lifecycle_drift,
    grant_lifecycle_repair_all,
)


class Command(BaseCommand):
    help = ("List every application whose state disagrees with its grant's (left by the "
            "staff page's buttons before an upgrade) and exit non-zero while any is found. "
            "--repair applies the grant's effects the workflow now applies, as the system; "
            "what needs a person is reported, never paid or cancelled.")

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true",
                            help="Bring every grant that can be repaired in line, each in "
                                 "its own transaction.")

    def handle(self, *args, repair=False, **options):
        if repair:
            repaired, left = grant_lifecycle_repair_all()
            for drift in repaired:
                self.stdout.write(f"repaired: {drift}")
            for drift, reason in left:
                self.stdout.write(f"not repaired: {drift} ({reason})")
            remaining = len(left)
        else:
            drifts = grant_lifecycle_drift()
            for drift in drifts:
                action = (f"--repair will {REPAIR_LABELS[drift.repair]}" if drift.repair
                          else "needs a person")
                self.stdout.write(f"{drift} [{action}]")
            remaining = len(drifts)
        if remaining:
            raise CommandError(f"{remaining} application(s) disagree with their grant.",
                               returncode=2)
        self.stdout.write(self.style.SUCCESS("Every application agrees with its grant."))
