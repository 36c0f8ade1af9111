from django.urls import path

from subsidy.agreements.web import views

app_name = "agreements"

urlpatterns = [
    path("<int:grant_id>/sign/", views.offer_sign_view, name="sign"),
    path("<int:grant_id>/offer.pdf", views.offer_document_view, name="offer_document"),
    path("<int:grant_id>/agreement/<int:version>.pdf", views.signed_document_view,
         name="signed_document"),
    path("<int:grant_id>/agreement/<int:version>/sign/", views.version_sign_view,
         name="sign_version"),
    path("conditions/<int:condition_id>/", views.condition_view, name="condition"),
    path("conditions/<int:condition_id>/check/", views.condition_check_view,
         name="condition_check"),
    path("conditions/<int:condition_id>/evidence/", views.condition_evidence_view,
         name="condition_evidence"),
]
