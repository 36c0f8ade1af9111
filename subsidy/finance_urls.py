from django.urls import path

from subsidy import finance_views as views

urlpatterns = [
    path("", views.dashboard, name="finance_dashboard"),
    path("grants/", views.grant_list, name="finance_grants"),
    path("grants/<int:grant_id>/", views.grant_detail, name="finance_grant"),
    path("grants/<int:grant_id>/activate/", views.grant_activate, name="finance_grant_activate"),
    path("grants/<int:grant_id>/schedule/", views.grant_schedule, name="finance_grant_schedule"),
    path("grants/<int:grant_id>/complete/", views.grant_complete, name="finance_grant_complete"),
    path("grants/<int:grant_id>/terminate/", views.grant_terminate,
         name="finance_grant_terminate"),
    path("grants/<int:grant_id>/tranches/<int:number>/claim/", views.tranche_claim,
         name="finance_tranche_claim"),
    path("claims/", views.claim_queue, name="finance_claims"),
    path("claims/<int:claim_id>/", views.claim_detail, name="finance_claim"),
    path("claims/<int:claim_id>/verify/", views.claim_verify, name="finance_claim_verify"),
    path("claims/<int:claim_id>/return/", views.claim_return, name="finance_claim_return"),
    path("claims/<int:claim_id>/prepare/", views.payment_prepare, name="finance_prepare"),
    path("organisations/<int:organisation_id>/bank-account/", views.bank_account,
         name="finance_bank_account"),
    path("payments/", views.payment_queue, name="finance_payments"),
    path("payments/<int:payment_id>/approve/", views.payment_approve, name="finance_approve"),
    path("payments/<int:payment_id>/paid/", views.payment_paid, name="finance_paid"),
    path("payments/<int:payment_id>/failed/", views.payment_failed, name="finance_failed"),
    path("batches/new/", views.batch_create, name="finance_batch_new"),
    path("batches/<int:batch_id>/", views.batch_detail, name="finance_batch"),
    path("registers/disbursements/", views.disbursement_register_view,
         name="finance_disbursement_register"),
    path("registers/commitments/", views.commitments_register_view,
         name="finance_commitments_register"),
    path("open-data/360giving.json", views.open_data_360giving, name="finance_360giving"),
]
