"""Compute subsidy at the AI Supercomputing Centre: allocations, usage statements, charges.

The allocation is a commitment of its round next to the approved amounts:
committed(round) = approved amounts of its offered, accepted and active grants, plus the
net paid of its completed and terminated grants (0011), plus the compute allocations less
what was released of them (docs/compute.md, "Money"). The envelope function is replaced to
count the same, and on PostgreSQL:

* a constraint trigger on allocations locks the round and checks the envelope (as 0007's
  trigger on grants does), on a new allocation or changed amount or release;
* a constraint trigger on charges locks the allocation and checks that the subsidy drawn
  plus what was released never passes the allocation: two statements posted at once for
  one grant are judged one after the other.
"""

import django.db.models.deletion
import django.db.models.expressions
import django.utils.timezone
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


FORWARD = r"""
CREATE OR REPLACE FUNCTION aiss_round_committed(target_round bigint) RETURNS numeric
LANGUAGE plpgsql STABLE AS $$
DECLARE
    committed numeric;
    paid numeric;
    recovered numeric;
    compute numeric;
BEGIN
    SELECT COALESCE(SUM(approved_amount), 0) INTO committed FROM subsidy_grant
        WHERE round_id = target_round
          AND status IN ('offered', 'accepted', 'active');
    SELECT COALESCE(SUM(d.amount), 0) INTO paid FROM subsidy_disbursement d
        JOIN subsidy_grant g ON g.id = d.grant_id
        WHERE g.round_id = target_round AND g.status IN ('completed', 'terminated')
          AND d.status = 'paid';
    SELECT COALESCE(SUM(r.amount), 0) INTO recovered FROM subsidy_recoveryreceipt r
        JOIN subsidy_grant g ON g.id = r.grant_id
        WHERE g.round_id = target_round AND g.status IN ('completed', 'terminated');
    -- Compute allocations commit what they have not released, whatever the grant's state.
    SELECT COALESCE(SUM(a.amount - a.released_amount), 0) INTO compute
        FROM subsidy_computeallocation a
        JOIN subsidy_grant cg ON cg.id = a.grant_id
        WHERE cg.round_id = target_round;
    RETURN committed + paid - recovered + compute;
END;
$$;

CREATE OR REPLACE FUNCTION aiss_check_compute_envelope() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    target_round bigint;
    round_envelope numeric;
    committed numeric;
    round_code text;
BEGIN
    SELECT round_id INTO target_round FROM subsidy_grant WHERE id = NEW.grant_id;
    SELECT envelope, code INTO round_envelope, round_code FROM subsidy_fundinground
        WHERE id = target_round FOR UPDATE;
    committed := aiss_round_committed(target_round);
    IF committed > round_envelope THEN
        RAISE EXCEPTION 'envelope exhausted: round % commits % of its envelope %',
            round_code, committed, round_envelope
            USING ERRCODE = 'check_violation', CONSTRAINT = 'round_committed_within_envelope';
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER compute_allocation_within_envelope
    AFTER INSERT ON subsidy_computeallocation
    NOT DEFERRABLE
    FOR EACH ROW EXECUTE FUNCTION aiss_check_compute_envelope();

-- Only a commitment that grows locks the round: a release (at closure, holding the grant's
-- lock) never waits for it.
CREATE CONSTRAINT TRIGGER compute_allocation_growth_within_envelope
    AFTER UPDATE OF amount, released_amount, grant_id ON subsidy_computeallocation
    NOT DEFERRABLE
    FOR EACH ROW
    WHEN (NEW.amount - NEW.released_amount > OLD.amount - OLD.released_amount
          OR NEW.grant_id <> OLD.grant_id)
    EXECUTE FUNCTION aiss_check_compute_envelope();

CREATE OR REPLACE FUNCTION aiss_check_compute_drawn() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    allocated numeric;
    released numeric;
    drawn numeric;
BEGIN
    SELECT amount, released_amount INTO allocated, released FROM subsidy_computeallocation
        WHERE id = NEW.allocation_id FOR UPDATE;
    SELECT COALESCE(SUM(subsidy_amount), 0) INTO drawn FROM subsidy_computecharge
        WHERE allocation_id = NEW.allocation_id;
    IF drawn + released > allocated THEN
        RAISE EXCEPTION 'compute allocation % draws % and released % of its %',
            NEW.allocation_id, drawn, released, allocated
            USING ERRCODE = 'check_violation', CONSTRAINT = 'compute_drawn_within_allocation';
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER compute_drawn_within_allocation
    AFTER INSERT OR UPDATE OF subsidy_amount, allocation_id ON subsidy_computecharge
    NOT DEFERRABLE
    FOR EACH ROW EXECUTE FUNCTION aiss_check_compute_drawn();

CREATE OR REPLACE FUNCTION aiss_check_compute_release() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    drawn numeric;
BEGIN
    SELECT COALESCE(SUM(subsidy_amount), 0) INTO drawn FROM subsidy_computecharge
        WHERE allocation_id = NEW.id;
    IF drawn + NEW.released_amount > NEW.amount THEN
        RAISE EXCEPTION 'compute allocation % draws % and released % of its %',
            NEW.id, drawn, NEW.released_amount, NEW.amount
            USING ERRCODE = 'check_violation', CONSTRAINT = 'compute_drawn_within_allocation';
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER compute_release_within_allocation
    AFTER UPDATE OF amount, released_amount ON subsidy_computeallocation
    NOT DEFERRABLE
    FOR EACH ROW EXECUTE FUNCTION aiss_check_compute_release();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS compute_release_within_allocation ON subsidy_computeallocation;
DROP FUNCTION IF EXISTS aiss_check_compute_release();
DROP TRIGGER IF EXISTS compute_drawn_within_allocation ON subsidy_computecharge;
DROP FUNCTION IF EXISTS aiss_check_compute_drawn();
DROP TRIGGER IF EXISTS compute_allocation_growth_within_envelope ON subsidy_computeallocation;
DROP TRIGGER IF EXISTS compute_allocation_within_envelope ON subsidy_computeallocation;
DROP FUNCTION IF EXISTS aiss_check_compute_envelope();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    # The envelope function of 0011 is put back by re-running its own SQL.
    if schema_editor.connection.vendor == "postgresql":
        from importlib import import_module

        schema_editor.execute(BACKWARD, params=None)
        schema_editor.execute(import_module("subsidy.migrations.0011_ledger_recoveries")
                              .FORWARD.split("CREATE OR REPLACE FUNCTION aiss_check_recovery")[0],
                              params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('applicants', '0008_link_requests'),
        ('subsidy', '0019_variations'),
    ]

    operations = [
        migrations.CreateModel(
            name='ComputeAllocation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('hours', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='allocated GPU-hours')),
                ('list_rate', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='list rate per GPU-hour (HKD)')),
                ('ratio_percent', models.DecimalField(decimal_places=2, max_digits=5, verbose_name='subsidy ratio (%)')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='allocation: subsidy it may draw (HKD)')),
                ('released_amount', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14, verbose_name='released at closure (HKD)')),
                ('released_at', models.DateTimeField(blank=True, null=True, verbose_name='released at')),
                ('alerted_80_at', models.DateTimeField(blank=True, null=True)),
                ('alerted_100_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('grant', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='compute_allocation', to='subsidy.grant', verbose_name='grant')),
                ('released_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('set_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'compute allocation',
                'verbose_name_plural': 'compute allocations',
            },
        ),
        migrations.CreateModel(
            name='UsageStatement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period', models.DateField(verbose_name='period (first day of the month)')),
                ('reference', models.CharField(max_length=60, verbose_name='statement reference')),
                ('source', models.CharField(choices=[('csv', 'CSV uploaded by staff'), ('api', 'AISC API')], max_length=3, verbose_name='source')),
                ('file_sha256', models.CharField(max_length=64, verbose_name='SHA-256 of the file or body')),
                ('idempotency_key', models.CharField(blank=True, max_length=200)),
                ('received_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='received at')),
                ('api_key', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='subsidy.apikey')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='compute_statements', to='applicants.organisation', verbose_name='company')),
                ('received_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by')),
            ],
            options={
                'verbose_name': 'usage statement',
                'verbose_name_plural': 'usage statements',
                'ordering': ['-received_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='ComputeCharge',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('line_number', models.PositiveIntegerField(verbose_name='line')),
                ('period', models.DateField(verbose_name='period')),
                ('gpu_type', models.CharField(max_length=40, verbose_name='GPU type')),
                ('hours', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='GPU-hours')),
                ('list_amount', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='list amount (HKD)')),
                ('subsidy_amount', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='subsidy drawn (HKD)')),
                ('company_amount', models.DecimalField(decimal_places=2, max_digits=14, verbose_name="company's share (HKD)")),
                ('excess_amount', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14, verbose_name='subsidy beyond the allocation (HKD)')),
                ('posted_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='posted at')),
                ('allocation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='charges', to='subsidy.computeallocation')),
                ('grant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='compute_charges', to='subsidy.grant', verbose_name='grant')),
                ('statement', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='charges', to='subsidy.usagestatement', verbose_name='statement')),
            ],
            options={
                'verbose_name': 'compute charge',
                'verbose_name_plural': 'compute charges',
                'ordering': ['period', 'id'],
            },
        ),
        migrations.AddConstraint(
            model_name='computeallocation',
            constraint=models.CheckConstraint(condition=models.Q(('hours__gt', 0)), name='compute_hours_positive'),
        ),
        migrations.AddConstraint(
            model_name='computeallocation',
            constraint=models.CheckConstraint(condition=models.Q(('list_rate__gte', 0)), name='compute_rate_not_negative'),
        ),
        migrations.AddConstraint(
            model_name='computeallocation',
            constraint=models.CheckConstraint(condition=models.Q(('ratio_percent__gt', 0), ('ratio_percent__lte', 90)), name='compute_ratio_0_to_90'),
        ),
        migrations.AddConstraint(
            model_name='computeallocation',
            constraint=models.CheckConstraint(condition=models.Q(('amount__gte', 0)), name='compute_amount_not_negative'),
        ),
        migrations.AddConstraint(
            model_name='computeallocation',
            constraint=models.CheckConstraint(condition=models.Q(('released_amount__gte', 0), ('released_amount__lte', models.F('amount'))), name='compute_released_within_allocation'),
        ),
        migrations.AddConstraint(
            model_name='computeallocation',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('released_amount', 0), ('released_at__isnull', True)), ('released_at__isnull', False), _connector='OR'), name='compute_released_when_released'),
        ),
        migrations.AddConstraint(
            model_name='usagestatement',
            constraint=models.UniqueConstraint(fields=('organisation', 'period', 'reference'), name='compute_statement_once'),
        ),
        migrations.AddConstraint(
            model_name='usagestatement',
            constraint=models.UniqueConstraint(fields=('file_sha256',), name='compute_statement_file_once'),
        ),
        migrations.AddConstraint(
            model_name='usagestatement',
            constraint=models.CheckConstraint(condition=models.Q(('period__day', 1)), name='compute_statement_period_month'),
        ),
        migrations.AddConstraint(
            model_name='usagestatement',
            constraint=models.CheckConstraint(condition=models.Q(('source__in', ['csv', 'api'])), name='compute_statement_source_known'),
        ),
        migrations.AddConstraint(
            model_name='usagestatement',
            constraint=models.CheckConstraint(condition=models.Q(('file_sha256__regex', '^[0-9a-f]{64}$')), name='compute_statement_sha256_hex'),
        ),
        migrations.AddConstraint(
            model_name='usagestatement',
            constraint=models.CheckConstraint(condition=models.Q(('reference', ''), _negated=True), name='compute_statement_has_reference'),
        ),
        migrations.AddIndex(
            model_name='computecharge',
            index=models.Index(fields=['grant', 'period'], name='compute_charge_grant_idx'),
        ),
        migrations.AddConstraint(
            model_name='computecharge',
            constraint=models.UniqueConstraint(fields=('statement', 'line_number'), name='compute_charge_line_once'),
        ),
        migrations.AddConstraint(
            model_name='computecharge',
            constraint=models.CheckConstraint(condition=models.Q(('hours__gte', 0)), name='compute_charge_hours'),
        ),
        migrations.AddConstraint(
            model_name='computecharge',
            constraint=models.CheckConstraint(condition=models.Q(('subsidy_amount__gte', 0), ('company_amount__gte', 0), ('excess_amount__gte', 0)), name='compute_charge_not_negative'),
        ),
        migrations.AddConstraint(
            model_name='computecharge',
            constraint=models.CheckConstraint(condition=models.Q(('list_amount', django.db.models.expressions.CombinedExpression(models.F('subsidy_amount'), '+', models.F('company_amount')))), name='compute_charge_split_adds_up'),
        ),
        migrations.AddConstraint(
            model_name='computecharge',
            constraint=models.CheckConstraint(condition=models.Q(('excess_amount__lte', models.F('company_amount'))), name='compute_charge_excess_paid_by_company'),
        ),
        migrations.RunPython(forward, backward),
    ]
