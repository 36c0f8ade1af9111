from django.core.management.base import BaseCommand, CommandError

from applicants.services.status_counts import status_counts_drift, status_counts_recount


class Command(BaseCommand):
    help = ("Compare the applications counted per round and state (kept by the database's "
            "triggers, read by the staff queues) with a fresh count, list every count that "
            "differs and exit non-zero while any does. --repair counts every round afresh.")

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true",
                            help="Count every round's applications afresh, under a lock that "
                                 "holds transitions back meanwhile.")

    def handle(self, *args, repair=False, **options):
        if repair:
            status_counts_recount()
        drifts = status_counts_drift()
        for drift in drifts:
            self.stdout.write(str(drift))
        if drifts:
            raise CommandError(f"{len(drifts)} count(s) differ from a fresh count.",
                               returncode=2)
        self.stdout.write(self.style.SUCCESS("Every count equals a fresh count."))
