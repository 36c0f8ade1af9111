from django.urls import path

from subsidy.variations.web import views

app_name = "variations"

urlpatterns = [
    path("pending/", views.pending_list, name="pending"),
    path("rounds/<str:code>/rules/", views.round_rules, name="round_rules"),
    path("grants/<int:grant_id>/", views.grant_variations, name="grant"),
    path("grants/<int:grant_id>/request/", views.variation_request_view, name="request"),
    path("<int:variation_id>/", views.variation_detail, name="detail"),
    path("<int:variation_id>/decide/", views.variation_decide, name="decide"),
    path("<int:variation_id>/withdraw/", views.variation_withdraw_view, name="withdraw"),
]
