from django.core.management.base import BaseCommand, CommandError

from subsidy.finance.opendata.quality import ERROR, RULES, package_findings, summary
from subsidy.finance.opendata.threesixty import grants_package


class Command(BaseCommand):
    help = ("Build the 360Giving open data as it is published and print what 360Giving's "
            "data-quality rules find in it. Exits non-zero on errors (and, with "
            "--fail-on-warnings, on warnings).")

    def add_arguments(self, parser):
        parser.add_argument("--fail-on-warnings", action="store_true",
                            help="exit non-zero on warnings too")
        parser.add_argument("--ignore", action="append", default=[], metavar="RULE",
                            choices=sorted(RULES),
                            help="leave a rule out (repeat for several)")
        parser.add_argument("--examples", type=int, default=3,
                            help="grants named per rule (default 3)")

    def handle(self, *args, **options):
        package = grants_package()
        findings = [f for f in package_findings(package) if f.code not in options["ignore"]]
        groups = summary(findings)
        for code, group in groups.items():
            rule = group["rule"]
            style = self.style.ERROR if rule.level == ERROR else self.style.WARNING
            self.stdout.write(style(f"{rule.level.upper()} {code}: {group['grants']:,} "
                                    f"grant(s). {rule.text}"))
            for finding in group["findings"][:options["examples"]]:
                detail = f" ({finding.detail})" if finding.detail else ""
                self.stdout.write(f"    {finding.grant_id or '-'} {finding.path}{detail}")
        errors = sum(1 for g in groups.values() if g["rule"].level == ERROR)
        warnings = len(groups) - errors
        ignored = f"; ignored: {', '.join(options['ignore'])}" if options["ignore"] else ""
        self.stdout.write(f"{len(package['grants']):,} grants checked: {errors} rule(s) with "
                          f"errors, {warnings} with warnings{ignored}.")
        if errors or (warnings and options["fail_on_warnings"]):
            raise CommandError("The open data does not pass 360Giving's data-quality rules.")
        self.stdout.write(self.style.SUCCESS("The open data passes."))
