from django.urls import path

from diaspora import views

app_name = "diaspora"

urlpatterns = [
    path("", views.index, name="index"),
    # Public, no login.
    path("register/", views.register, name="register"),
    path("register/thanks/", views.register_done, name="register_done"),
    path("register/limit/", views.registration_limit, name="registration_limit"),
    # Members.
    path("members/new/", views.member_create, name="member_create"),
    path("members/import/", views.member_import, name="member_import"),
    path("members/export.<str:extension>", views.member_export, name="member_export"),
    path("members/pending/", views.pending_list, name="pending"),
    path("members/by-country/", views.by_country, name="by_country"),
    path("members/<uuid:uuid>/", views.member_detail, name="member_detail"),
    path("members/<uuid:uuid>/edit/", views.member_edit, name="member_edit"),
    path("members/<uuid:uuid>/decide/", views.member_decide, name="member_decide"),
    path(
        "members/<uuid:uuid>/withdraw-consent/",
        views.member_withdraw_consent,
        name="member_withdraw_consent",
    ),
    # Associations.
    path("associations/", views.association_list, name="association_list"),
    path("associations/new/", views.association_form, name="association_create"),
    path(
        "associations/export.<str:extension>",
        views.association_export,
        name="association_export",
    ),
    path("associations/<uuid:uuid>/", views.association_detail, name="association_detail"),
    path("associations/<uuid:uuid>/edit/", views.association_form, name="association_edit"),
    # Events.
    path("events/", views.event_list, name="event_list"),
    path("events/new/", views.event_form, name="event_create"),
    path("events/<uuid:uuid>/", views.event_detail, name="event_detail"),
    path("events/<uuid:uuid>/edit/", views.event_form, name="event_edit"),
    path("events/<uuid:uuid>/import/", views.event_import, name="event_import"),
    path("events/<uuid:uuid>/follow-ups/", views.follow_up_add, name="follow_up_add"),
    path(
        "events/<uuid:uuid>/follow-ups/<int:pk>/done/",
        views.follow_up_done,
        name="follow_up_done",
    ),
    # Matching and contacts.
    path("matching/", views.matching, name="matching"),
    path("contacts/new/<str:kind>/<uuid:uuid>/", views.contact_create, name="contact_create"),
]
