from django.core.management.base import BaseCommand

from subsidy.devdata.demo import DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Create the demo scheme, an open round, one user per role and a few companies."

    def handle(self, *args, **options):
        result = demo_seed()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at /accounts/login/ with:"))
        width = max(len(email) for email in result["users"])
        for email, (_user, roles) in result["users"].items():
            self.stdout.write(f"  {email:<{width}}  {DEMO_PASSWORD}  ({', '.join(roles)})")
