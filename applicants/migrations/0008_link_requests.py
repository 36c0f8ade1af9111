import applicants.models.organisations
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def record_pending_requests(apps, schema_editor):
    """Each request still waiting for an owner's answer becomes the partner's own record."""
    PartnerLink = apps.get_model("applicants", "PartnerLink")
    LinkRequest = apps.get_model("applicants", "LinkRequest")
    pending = PartnerLink.objects.filter(linked_at__isnull=True, revoked_at__isnull=True)
    LinkRequest.objects.bulk_create(
        LinkRequest(partner_id=link.partner_id, br_number=link.organisation.br_number,
                    requested_at=link.requested_at, link=link)
        for link in pending.select_related("organisation"))


class Migration(migrations.Migration):

    dependencies = [
        ('applicants', '0007_organisation_cr_number_and_district'),
        ('subsidy', '0013_payee_control_and_bank_files'),
    ]

    operations = [
        migrations.CreateModel(
            name='LinkRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('br_number', models.CharField(max_length=8, validators=[applicants.models.organisations.validate_br_number], verbose_name='Business Registration number')),
                ('requested_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='requested at')),
                ('cancelled_at', models.DateTimeField(blank=True, null=True, verbose_name='withdrawn at')),
                ('link', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='requests', to='applicants.partnerlink', verbose_name='partner link')),
                ('partner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='link_requests', to='subsidy.partnerorganisation', verbose_name='partner organisation')),
            ],
            options={
                'verbose_name': 'link request',
                'verbose_name_plural': 'link requests',
                'ordering': ['-requested_at', '-id'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('cancelled_at__isnull', True)), fields=('partner', 'br_number'), name='one_open_link_request'), models.CheckConstraint(condition=models.Q(('cancelled_at__isnull', True), ('cancelled_at__gte', models.F('requested_at')), _connector='OR'), name='link_request_withdrawn_after_request')],
            },
        ),
        migrations.RunPython(record_pending_requests, migrations.RunPython.noop),
    ]
