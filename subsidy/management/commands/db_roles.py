from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from subsidy.platform.dbroles import RoleError, app_role_grant


class Command(BaseCommand):
    help = ("Grant the application's database role (DATABASE_APP_ROLE, or --role) its rights: "
            "reads and writes everywhere, but only INSERT and SELECT on the audit trail. "
            "Run as the owning (migration) role after every migrate; idempotent.")

    def add_arguments(self, parser):
        parser.add_argument("--role", default=None,
                            help="The application's role (default: DATABASE_APP_ROLE).")

    def handle(self, *args, role=None, **options):
        role = role or settings.DATABASE_APP_ROLE
        if not role:
            raise CommandError("Name the application's role: DATABASE_APP_ROLE or --role.")
        try:
            with transaction.atomic():
                statements = app_role_grant(role)
        except RoleError as exc:
            raise CommandError(str(exc)) from exc
        for statement in statements:
            self.stdout.write(statement)
        self.stdout.write(self.style.SUCCESS(f"{role} may append to the audit trail and "
                                             "read it, never change or empty it."))
