from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("<uuid:uuid>/", views.detail, name="detail"),
    path("<uuid:uuid>/progress/", views.progress, name="progress"),
    path("<uuid:uuid>/download.<str:fmt>", views.download, name="download"),
]
