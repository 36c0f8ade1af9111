from django.urls import path

from reviews.web import assessment as staff_views
from reviews.web import meetings
from reviews.web import reviewer as views

app_name = "reviews"

urlpatterns = [
    path("reviews/", views.my_assignments, name="my_assignments"),
    path("reviews/assignments/<int:pk>/", views.assignment, name="assignment"),
    path("reviews/assignments/<int:pk>/declare/", views.declare, name="declare"),
    path("reviews/assignments/<int:pk>/correction/", views.correction, name="correction"),
    path("staff/rounds/<str:code>/reviewers/", staff_views.pool, name="pool"),
    path("staff/rounds/<str:code>/reviewers/<int:pk>/", staff_views.pool_member,
         name="pool_member"),
    path("staff/rounds/<str:code>/assign/", staff_views.auto_assign, name="auto_assign"),
    path("staff/rounds/<str:code>/ranking/", staff_views.ranking, name="ranking"),
    path("staff/rounds/<str:code>/ranking/export.<str:fmt>", staff_views.ranking_export,
         name="ranking_export"),
    path("staff/rounds/<str:code>/meetings/", meetings.meetings, name="meetings"),
    path("staff/meetings/<int:pk>/", meetings.meeting, name="meeting"),
    path("staff/meetings/<int:pk>/items/<int:item_pk>/", meetings.meeting_item,
         name="meeting_item"),
    path("staff/meetings/<int:pk>/close/", meetings.meeting_close, name="meeting_close"),
    path("staff/meetings/<int:pk>/minutes/", meetings.meeting_minutes, name="meeting_minutes"),
    path("staff/applications/<int:pk>/reviewers/", staff_views.application_assignments,
         name="application_assignments"),
    path("staff/applications/<int:pk>/reviewers/<int:assignment_pk>/remove/",
         staff_views.assignment_remove, name="assignment_remove"),
    path("staff/applications/<int:pk>/reviewers/corrections/<int:request_pk>/",
         staff_views.correction_decide, name="correction_decide"),
]
