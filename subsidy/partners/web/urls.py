from django.urls import path

from subsidy.partners.web import views as partner_pages

app_name = "partner"

urlpatterns = [
    path("", partner_pages.partner_dashboard, name="dashboard"),
    path("applications/<int:application_id>/", partner_pages.partner_application,
         name="application"),
    path("webhooks/", partner_pages.webhook_list, name="webhooks"),
    path("webhooks/new/", partner_pages.webhook_new, name="webhook_new"),
    path("webhooks/<int:endpoint_id>/", partner_pages.webhook_edit, name="webhook_edit"),
    path("webhooks/<int:endpoint_id>/rotate-secret/", partner_pages.webhook_rotate_secret,
         name="webhook_rotate_secret"),
    path("webhooks/<int:endpoint_id>/delete/", partner_pages.webhook_delete,
         name="webhook_delete"),
    path("webhooks/<int:endpoint_id>/deliveries/", partner_pages.webhook_deliveries,
         name="webhook_deliveries"),
    path("webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver/",
         partner_pages.webhook_redeliver, name="webhook_redeliver"),
]
