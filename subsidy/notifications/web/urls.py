from django.urls import path

from subsidy.notifications.web import views as inbox_views

app_name = "notifications"

urlpatterns = [
    path("inbox/", inbox_views.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", inbox_views.inbox_mark_read, name="mark_read"),
    path("inbox/read-all/", inbox_views.inbox_mark_all_read, name="mark_all_read"),
    path("inbox/preferences/", inbox_views.inbox_preferences, name="preferences"),
    path("staff/notifications/failed/", inbox_views.notification_failures,
         name="failures"),
    path("staff/notifications/<int:pk>/resend/", inbox_views.notification_resend_view,
         name="resend"),
    path("staff/webhook-deliveries/<int:pk>/resend/", inbox_views.webhook_delivery_resend_view,
         name="webhook_delivery_resend"),
    path("staff/notifications/templates/", inbox_views.notification_previews,
         name="previews"),
    path("staff/notifications/templates/<str:event>/", inbox_views.notification_preview,
         name="preview"),
    path("staff/notifications/templates/<str:event>/<str:language>.html",
         inbox_views.notification_preview_html, name="preview_html"),
]
