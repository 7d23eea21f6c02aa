from django.urls import include, path

from baom import views
from baom.casework.urls import urlpatterns as casework_urlpatterns

app_name = "baom"

urlpatterns = [
    path("", views.beneficiary_list, name="index"),
    path("new/", views.beneficiary_create, name="beneficiary_create"),
    path("new/duplicates/", views.duplicate_check, name="duplicate_check"),
    path("anonymous/", views.anonymous_contact_create, name="anonymous_create"),
    path("merge/", views.merge, name="merge"),
    path("merge/<int:pk>/undo/", views.merge_undo, name="merge_undo"),
    path("import/", views.import_register, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("export.<str:fmt>", views.export, name="export"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path("activities/<uuid:uuid>/", views.activity_detail, name="activity_detail"),
    path("<uuid:uuid>/", views.beneficiary_detail, name="beneficiary_detail"),
    path("<uuid:uuid>/edit/", views.beneficiary_edit, name="beneficiary_edit"),
    path("<uuid:uuid>/visit/", views.visit_create, name="visit_create"),
    path("<uuid:uuid>/kit/", views.distribution_create, name="distribution_create"),
    path("<uuid:uuid>/consent/", views.consent, name="consent"),
    path("<uuid:uuid>/rights/", views.rights, name="rights"),
    path("<uuid:uuid>/rights/access.json", views.rights_export, name="rights_export"),
    path("<uuid:uuid>/rights/rectify/", views.rights_rectify, name="rights_rectify"),
    path("<uuid:uuid>/rights/anonymise/", views.rights_anonymise, name="rights_anonymise"),
    path("", include("baom.urls_casefile")),
]

urlpatterns += casework_urlpatterns
