from django.urls import include, path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.index, name="index"),
    path("sent/", views.sent, name="sent"),
    path("directory/", views.directory, name="directory"),
    path("directory/mine/", views.directory_edit, name="directory_edit"),
    path("statistics/", views.stats, name="stats"),
    path("new/<uuid:uuid>/", views.referral_create, name="create"),
    path("<uuid:uuid>/", views.referral_detail, name="detail"),
    path("<uuid:uuid>/onward/", views.referral_onward, name="onward"),
    path("<uuid:uuid>/progress-note/", views.referral_progress_note, name="progress_note"),
    path(
        "<uuid:uuid>/<slug:action>/",
        views.referral_transition,
        name="transition",
    ),
    path("", include("referrals.urls_papers")),
]
