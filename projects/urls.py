from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("", views.index, name="index"),
    # Public: open calls, no sign-in needed.
    path("open-calls/", views.public_calls, name="public_calls"),
    path("open-calls/<uuid:uuid>/", views.public_call_detail, name="public_call_detail"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("export/<slug:name>.<slug:fmt>", views.export, name="export"),
    path("calls/", views.call_list, name="call_list"),
    path("calls/new/", views.call_edit, name="call_create"),
    path("calls/<uuid:uuid>/", views.call_detail, name="call_detail"),
    path("calls/<uuid:uuid>/edit/", views.call_edit, name="call_edit"),
    path("calls/<uuid:uuid>/publish/", views.call_publish, name="call_publish"),
    path("calls/<uuid:uuid>/apply/", views.proposal_create, name="proposal_create"),
    path("proposals/<uuid:uuid>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<uuid:uuid>/edit/", views.proposal_edit, name="proposal_edit"),
    path("proposals/<uuid:uuid>/delete/", views.proposal_delete, name="proposal_delete"),
    path("proposals/<uuid:uuid>/attachments/", views.attachment_add, name="attachment_add"),
    path("attachments/<uuid:uuid>/", views.attachment_download, name="attachment_download"),
    path("attachments/<uuid:uuid>/delete/", views.attachment_delete, name="attachment_delete"),
    path("proposals/<uuid:uuid>/screen/", views.proposal_screen, name="proposal_screen"),
    path("proposals/<uuid:uuid>/assign/", views.proposal_assign, name="proposal_assign"),
    path("proposals/<uuid:uuid>/decide/", views.proposal_decide, name="proposal_decide"),
    path("proposals/<uuid:uuid>/grant/", views.grant_create, name="grant_create"),
    path("reviews/<uuid:uuid>/", views.review_score, name="review_score"),
    path("grants/", views.grant_list, name="grant_list"),
    path("grants/<uuid:uuid>/", views.grant_detail, name="grant_detail"),
    path("grants/<uuid:uuid>/tranches/", views.tranche_add, name="tranche_add"),
    path("grants/<uuid:uuid>/tranches/<int:number>/pay/", views.tranche_pay, name="tranche_pay"),
    path("grants/<uuid:uuid>/indicators/", views.indicator_add, name="indicator_add"),
    path("grants/<uuid:uuid>/indicators/report/", views.indicator_report, name="indicator_report"),
    path("grants/<uuid:uuid>/reports/", views.report_schedule, name="report_schedule"),
    path("grants/<uuid:uuid>/milestones/", views.milestone_add, name="milestone_add"),
    path(
        "grants/<uuid:uuid>/milestones/<int:pk>/done/",
        views.milestone_done,
        name="milestone_done",
    ),
    path("grants/<uuid:uuid>/<slug:action>/", views.grant_transition, name="grant_transition"),
    path("reports/<uuid:uuid>/", views.report_detail, name="report_detail"),
    path("trainings/", views.training_list, name="training_list"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
]
