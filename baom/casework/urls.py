"""Case work URLs, included in baom.urls (under /beneficiaries/)."""

from django.urls import path

from baom.casework import views

urlpatterns = [
    path("follow-ups/", views.follow_up_list, name="followup_list"),
    path("follow-ups/<uuid:uuid>/", views.follow_up_detail, name="followup_detail"),
    path("follow-ups/<uuid:uuid>/done/", views.follow_up_quick_done, name="followup_done"),
    path("reassign/", views.reassign, name="reassign"),
    path("<uuid:uuid>/follow-ups/new/", views.follow_up_create, name="followup_create"),
    path("<uuid:uuid>/notes/new/", views.note_create, name="note_create"),
]
