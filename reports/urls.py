from django.urls import path

from reports import views, views_exports

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("<uuid:uuid>/", views.detail, name="detail"),
    path("<uuid:uuid>/progress/", views.progress, name="progress"),
    path("<uuid:uuid>/download.<str:fmt>", views.download, name="download"),
    path("<uuid:uuid>/report.pdf", views_exports.pdf, name="pdf"),
    path("<uuid:uuid>/export/<str:fmt>/", views_exports.national_export, name="national_export"),
]
