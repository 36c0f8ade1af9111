from django.urls import path

from applicants.web import applications, organisations, partners

app_name = "applicants"

urlpatterns = [
    path("", applications.dashboard, name="dashboard"),
    path("companies/new/", organisations.organisation_create_view, name="organisation_create"),
    path("companies/<int:organisation_id>/", organisations.organisation_detail,
         name="organisation"),
    path("companies/<int:organisation_id>/members/", organisations.organisation_members,
         name="members"),
    path("companies/<int:organisation_id>/members/<int:membership_id>/remove/",
         organisations.member_remove_view, name="member_remove"),
    path("companies/<int:organisation_id>/members/<int:membership_id>/role/",
         organisations.member_role_view, name="member_role"),
    path("companies/<int:organisation_id>/partners/", partners.organisation_partners,
         name="partners"),
    path("companies/<int:organisation_id>/partners/<int:link_id>/<str:answer>/",
         partners.partner_link_answer, name="partner_link_answer"),
    path("invitations/<str:token>/", organisations.invitation_view, name="invitation"),
    path("applications/new/", applications.application_new, name="application_new"),
    path("applications/<int:application_id>/", applications.application_detail,
         name="application"),
    path("applications/<int:application_id>/edit/<slug:section>/",
         applications.application_section, name="section"),
    path("applications/<int:application_id>/documents/", applications.application_documents,
         name="documents"),
    path("applications/<int:application_id>/submit/", applications.application_submit_view,
         name="submit"),
    path("applications/<int:application_id>/resubmit/",
         applications.application_resubmit_view, name="resubmit"),
    path("applications/<int:application_id>/offer/", applications.application_offer_response,
         name="offer_response"),
    path("applications/<int:application_id>/withdraw/",
         applications.application_withdraw_view, name="withdraw"),
    path("applications/<int:application_id>/print/", applications.application_print,
         name="print"),
    path("documents/<int:document_id>/delete/", applications.document_delete_view,
         name="document_delete"),
    path("documents/<int:document_id>/download/", applications.document_download,
         name="document_download"),
]
