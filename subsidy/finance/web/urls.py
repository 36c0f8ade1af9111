from django.urls import path

from subsidy.finance.web import audit, claims, grants, payments, reports

app_name = "finance"

urlpatterns = [
    path("", reports.dashboard, name="dashboard"),
    path("audit/", audit.audit_trail, name="audit_trail"),
    path("grants/", grants.grant_list, name="grants"),
    path("grants/<int:grant_id>/", grants.grant_detail, name="grant"),
    path("grants/<int:grant_id>/activate/", grants.grant_activate, name="grant_activate"),
    path("grants/<int:grant_id>/schedule/", grants.grant_schedule, name="grant_schedule"),
    path("grants/<int:grant_id>/complete/", grants.grant_complete, name="grant_complete"),
    path("grants/<int:grant_id>/terminate/", grants.grant_terminate,
         name="grant_terminate"),
    path("grants/<int:grant_id>/recoveries/", grants.recovery_raise, name="recovery_raise"),
    path("recoveries/<int:recovery_id>/receipts/", grants.recovery_receipt,
         name="recovery_receipt"),
    path("grants/<int:grant_id>/tranches/<int:number>/claim/", claims.tranche_claim,
         name="tranche_claim"),
    path("claims/", claims.claim_queue, name="claims"),
    path("claims/<int:claim_id>/", claims.claim_detail, name="claim"),
    path("evidence/<int:evidence_id>/", claims.evidence_download, name="evidence"),
    path("claims/<int:claim_id>/verify/", claims.claim_verify, name="claim_verify"),
    path("claims/<int:claim_id>/return/", claims.claim_return, name="claim_return"),
    path("claims/<int:claim_id>/prepare/", payments.payment_prepare, name="prepare"),
    path("organisations/<int:organisation_id>/bank-account/", payments.bank_account,
         name="bank_account"),
    path("payments/", payments.payment_queue, name="payments"),
    path("payments/<int:payment_id>/approve/", payments.payment_approve, name="approve"),
    path("payments/<int:payment_id>/paid/", payments.payment_paid, name="paid"),
    path("payments/<int:payment_id>/failed/", payments.payment_failed, name="failed"),
    path("batches/new/", payments.batch_create, name="batch_new"),
    path("batches/<int:batch_id>/", payments.batch_detail, name="batch"),
    path("registers/disbursements/", reports.disbursement_register_view,
         name="disbursement_register"),
    path("registers/commitments/", reports.commitments_register_view,
         name="commitments_register"),
    path("open-data/360giving.json", reports.open_data_360giving, name="open_data_360giving"),
]
