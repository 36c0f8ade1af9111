from django.conf import settings
from django.core.management.base import BaseCommand

from subsidy.privacy.services.retention import CATEGORIES, retention_apply, retention_due


class Command(BaseCommand):
    help = ("Erase the personal data past its retention period (settings.RETENTION, "
            "docs/privacy.md), as the nightly job does. --dry-run only counts it.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="Print how many records of each kind are due, erase nothing.")

    def handle(self, *args, dry_run=False, **options):
        counts = retention_due() if dry_run else retention_apply()
        verb = "due" if dry_run else "erased"
        for category in CATEGORIES:
            self.stdout.write(f"{category} (older than {settings.RETENTION[category]} days): "
                              f"{counts[category]} {verb}")
