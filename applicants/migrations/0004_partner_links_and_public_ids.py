import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def give_public_ids(apps, schema_editor):
    Application = apps.get_model("applicants", "Application")
    for application in Application.objects.filter(public_id__isnull=True).only("pk"):
        Application.objects.filter(pk=application.pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):

    dependencies = [
        ("applicants", "0003_applications"),
        ("subsidy", "0004_partner_api"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_public_ids, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="application",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.CreateModel(
            name="PartnerLink",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("created_via", models.CharField(
                    choices=[("api", "Registered by the partner"),
                             ("consent", "Approved by the company")],
                    max_length=10, verbose_name="created via")),
                ("requested_at", models.DateTimeField(default=django.utils.timezone.now,
                                                      verbose_name="requested at")),
                ("linked_at", models.DateTimeField(blank=True, null=True,
                                                   verbose_name="linked at")),
                ("revoked_at", models.DateTimeField(blank=True, null=True,
                                                    verbose_name="revoked at")),
                ("linked_by", models.ForeignKey(
                    blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                    related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="linked by")),
                ("organisation", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="partner_links",
                    to="applicants.organisation", verbose_name="organisation")),
                ("partner", models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="organisation_links", to="subsidy.partnerorganisation",
                    verbose_name="partner organisation")),
                ("revoked_by", models.ForeignKey(
                    blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                    related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="revoked by")),
            ],
            options={
                "verbose_name": "partner link",
                "verbose_name_plural": "partner links",
                "ordering": ["-requested_at", "-id"],
                "indexes": [models.Index(
                    condition=models.Q(("linked_at__isnull", False),
                                       ("revoked_at__isnull", True)),
                    fields=["partner", "organisation"], name="partner_link_active_idx")],
                "constraints": [
                    models.UniqueConstraint(condition=models.Q(("revoked_at__isnull", True)),
                                            fields=("partner", "organisation"),
                                            name="one_open_partner_link"),
                    models.CheckConstraint(
                        condition=models.Q(("created_via__in", ["api", "consent"])),
                        name="partner_link_origin_known"),
                    models.CheckConstraint(
                        condition=models.Q(("linked_at__isnull", True),
                                           ("linked_at__gte", models.F("requested_at")),
                                           _connector="OR"),
                        name="partner_link_linked_after_request"),
                    models.CheckConstraint(
                        condition=models.Q(("revoked_at__isnull", True),
                                           ("revoked_at__gte", models.F("requested_at")),
                                           _connector="OR"),
                        name="partner_link_revoked_after_request"),
                ],
            },
        ),
    ]
