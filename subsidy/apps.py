from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Packages of this app whose ``tasks`` module registers Celery tasks.
TASK_PACKAGES = ("subsidy.api", "subsidy.notifications", "subsidy.scheme", "subsidy.webhooks",
                 "subsidy.privacy", "subsidy.progress")
# Packages of this app whose ``permissions`` module holds the rules for the data they own.
PERMISSION_PACKAGES = ("subsidy.platform", "subsidy.api", "subsidy.scheme",
                       "subsidy.agreements", "subsidy.progress", "subsidy.finance",
                       "subsidy.partners", "subsidy.privacy", "subsidy.compute")


class SubsidyConfig(AppConfig):
    name = "subsidy"
    verbose_name = _("Scheme, rounds and funding")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        import subsidy.platform.checks  # noqa: F401  (registers the start-up checks)
        from subsidy.platform import security_events
        from subsidy.platform.second_factor import second_factor_note_sign_in

        # Every way of signing in (allauth, a test's force_login, any future one) notes
        # whether the account has a second factor this session must pass.
        user_logged_in.connect(second_factor_note_sign_in,
                               dispatch_uid="second_factor_note_sign_in")
        # Failed and throttled sign-ins and second factors added or removed are audited.
        security_events.connect()

        # Services enqueue by task name (subsidy.platform.queue): every task is registered
        # in web processes too, not only where the worker discovered it.
        for package in TASK_PACKAGES:
            import_module(f"{package}.tasks")
        # Finance owns the grant's side of the lifecycle and the payments the ledger
        # counts: it registers them with the layers below (applicants.workflow, the ledger).
        from subsidy.agreements.registration import register as agreements_register
        from subsidy.closure.registration import register as closure_register
        from subsidy.compute.registration import register as compute_register
        from subsidy.finance.registration import register as finance_register

        # Closing a grant waits for its checklist, asked before finance's effects run.
        closure_register()
        finance_register()
        # Reporting requirements follow the grant's start (after finance's effect), and
        # reports to review join the officer's work waiting.
        from subsidy.progress.registration import register as progress_register

        progress_register()
        # Variations waiting for a decision join the officer's work waiting too.
        from subsidy.variations.registration import register as variations_register

        variations_register()
        # Accepting an offer is signing its agreement: the signature is the agreements'.
        agreements_register()
        # Compute allocations count in each round's committed figure.
        compute_register()
        # subsidy.platform.permissions answers "may this user do X"; each owner gives it
        # the rules for its actions (applicants and reviews do so from their own ready()).
        from subsidy.platform.permissions import register

        for package in PERMISSION_PACKAGES:
            register(import_module(f"{package}.permissions").RULES)
