from django.core.management.base import BaseCommand

from subsidy.progress.services.requirements import reporting_requirements_backfill


class Command(BaseCommand):
    help = ("Give every active grant the reporting requirements it lacks (a grant that "
            "started before progress reporting existed has none): a report for each "
            "milestone without one, due on the milestone's date, and the final report. "
            "Nothing existing is repeated or moved, so it is safe to run again.")

    def handle(self, *args, **options):
        added = reporting_requirements_backfill()
        for grant_id, count in added.items():
            self.stdout.write(f"grant {grant_id}: {count} requirement(s) added")
        self.stdout.write(self.style.SUCCESS(
            f"{len(added)} grant(s) given requirements; every active grant has its reports."))
