from django.core.management.base import BaseCommand, CommandError

from subsidy.devdata.volume import VolumeError, VolumeSpec, describe, generate_volume


class Command(BaseCommand):
    help = ("Generate realistic volume in bulk: organisations, rounds, applications in every "
            "state, reviews, grants, tranches and payments. The other counts follow "
            "--applications at the reference ratios (50,000 : 150,000 reviews : 10,000 "
            "grants : 40,000 payments) unless given.")

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, default=50_000)
        parser.add_argument("--reviews", type=int, help="default: 3 per application")
        parser.add_argument("--grants", type=int, help="default: 1 per 5 applications")
        parser.add_argument("--payments", type=int, help="default: 4 per grant")
        parser.add_argument("--rounds", type=int, help="default: 1 per 5,000 applications")
        parser.add_argument("--organisations", type=int,
                            help="default: 2 per 5 applications (at least one round's worth)")
        parser.add_argument("--states", default="",
                            help="comma-separated application states to use (default: all)")
        parser.add_argument("--without-criterion-scores", action="store_true",
                            help="reviews with their weighted totals only")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        if options["applications"] < 1:
            raise CommandError("--applications must be at least 1")
        spec = VolumeSpec(
            applications=options["applications"], reviews=options["reviews"],
            grants=options["grants"], payments=options["payments"], rounds=options["rounds"],
            organisations=options["organisations"], seed=options["seed"],
            states=[s.strip() for s in options["states"].split(",") if s.strip()] or None,
            criterion_scores=not options["without_criterion_scores"])
        try:
            report = generate_volume(spec, progress=self.stdout.write)
        except VolumeError as exc:
            raise CommandError(str(exc)) from exc
        for line in describe(report):
            self.stdout.write(f"  {line}")
        self.stdout.write(self.style.SUCCESS(
            f"Rounds {', '.join(report.rounds)} built in {report.seconds:.1f}s."))
