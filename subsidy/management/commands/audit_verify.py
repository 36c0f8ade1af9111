from django.core.management.base import BaseCommand, CommandError

from subsidy.platform.audit import audit_chain_verify


class Command(BaseCommand):
    help = ("Check the audit trail's hash chain from the first record to the last. Exits "
            "non-zero and names the first broken record if any was changed, removed or "
            "inserted out of order.")

    def handle(self, *args, **options):
        checked, broken = audit_chain_verify()
        if broken is not None:
            raise CommandError(f"Audit chain broken at record {broken.event_id}: "
                               f"{broken.reason}. {checked} record(s) before it are intact.")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} record(s)."))
