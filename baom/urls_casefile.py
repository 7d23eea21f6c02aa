"""URLs of documents, households and printable papers (included by ``baom.urls``)."""

from django.urls import path

from baom import views_casefile as views

urlpatterns = [
    path("<uuid:uuid>/documents/", views.document_list, name="documents"),
    path("documents/<uuid:uuid>/", views.document_download, name="document_download"),
    path("documents/<uuid:uuid>/delete/", views.document_delete, name="document_delete"),
    path("<uuid:uuid>/household/", views.household, name="household"),
    path("<uuid:uuid>/household/remove/", views.household_remove, name="household_remove"),
    path("<uuid:uuid>/household/new/", views.household_register, name="household_register"),
    path("<uuid:uuid>/summary.pdf", views.case_summary, name="case_summary"),
    path("<uuid:uuid>/rights/access.pdf", views.access_answer, name="access_answer"),
]
