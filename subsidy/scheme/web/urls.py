from django.urls import path

from subsidy.scheme.web import rounds as round_pages

app_name = "rounds"

urlpatterns = [
    path("staff/rounds/", round_pages.round_list, name="list"),
    path("staff/rounds/new/", round_pages.round_new, name="new"),
    path("staff/rounds/<str:code>/edit/", round_pages.round_edit, name="edit"),
    path("staff/rounds/<str:code>/<str:action>/", round_pages.round_set_status,
         name="set_status"),
]
