from django.urls import path

from subsidy.scheme.web import rounds as round_pages

urlpatterns = [
    path("staff/rounds/", round_pages.round_list, name="round_list"),
    path("staff/rounds/new/", round_pages.round_new, name="round_new"),
    path("staff/rounds/<str:code>/edit/", round_pages.round_edit, name="round_edit"),
    path("staff/rounds/<str:code>/<str:action>/", round_pages.round_set_status,
         name="round_set_status"),
]
