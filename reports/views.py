"""Report pages. Views parse the request, call a selector or a service, and render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core import audit
from core.views import module_required
from reports import exports, presentation, services
from reports.choices import Status
from reports.forms import ReportForm
from reports.models import Report
from reports.permissions import can_request_report, can_view_unsuppressed
from reports.scheduling import latest_scheduled

PAGE_SIZE = 25


def _report_for(user, uuid) -> Report:
    reports = Report.objects.visible_to(user).select_related("requested_by")
    return get_object_or_404(reports, uuid=uuid)


def audit_export(request, report, fmt: str) -> None:
    """Every report file handed out is written to the audit trail (format and report)."""
    audit.record(
        actor=request.user,
        action=audit.Action.EXPORT,
        object_type="reports.report",
        object_id=f"{fmt}:{report.uuid}",
    )


def _cleared(request) -> bool:
    """Cleared staff see unsuppressed figures unless they ask for the published version."""
    return can_view_unsuppressed(request.user) and request.GET.get("protected") != "1"


@never_cache
@module_required("reports")
def index(request):
    reports = (
        Report.objects.visible_to(request.user)
        .select_related("requested_by", "schedule")
        .defer("result")
    )
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/index.html",
        {
            "page": page,
            "can_request": can_request_report(request.user),
            "scheduled": latest_scheduled(request.user),
        },
    )


@module_required("reports")
@require_http_methods(["GET", "POST"])
def new(request):
    if not can_request_report(request.user):
        raise PermissionDenied
    form = ReportForm(request.POST or None)
    checked = False
    if request.method == "POST" and form.is_valid() and "check" in request.POST:
        # "Can it be published?": the same checks as a request, nothing saved or queued.
        try:
            services.report_check(user=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            checked = True
    elif request.method == "POST" and form.is_valid():
        try:
            report = services.report_request(user=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if report.enqueued_at is None:
                messages.warning(
                    request,
                    _("Your request is saved, but the report worker cannot be reached right "
                      "now. It will be retried automatically within a few minutes."),
                )  # fmt: skip
            else:
                messages.success(request, _("Your report is being built."))
            return redirect(report)
    return render(request, "reports/new.html", {"form": form, "checked": checked})


def _detail_context(request, report) -> dict:
    context = {"report": report, "Status": Status}
    if report.status == Status.DONE and report.result:
        cleared = _cleared(request)
        may_toggle = can_view_unsuppressed(request.user)
        tables = presentation.present(report.result["tables"], cleared=cleared)
        context.update(
            tables=tables,
            charts=presentation.chart_data(tables),
            cleared=cleared,
            can_toggle=may_toggle,
            protected_query="?protected=1" if not cleared and may_toggle else "",
            protection_note=presentation.protection_note(report.rules_version, cleared=cleared),
        )
    return context


@never_cache
@module_required("reports")
def detail(request, uuid):
    report = _report_for(request.user, uuid)
    context = _detail_context(request, report)
    context["parameters"] = exports.parameter_rows(report)
    return render(request, "reports/detail.html", context)


@never_cache
@module_required("reports")
def progress(request, uuid):
    """The htmx fragment polled every 2 s; once finished it asks htmx to reload the page."""
    report = _report_for(request.user, uuid)
    context = {"report": report, "Status": Status}
    response = render(request, "reports/includes/progress.html", context)
    if report.is_finished and request.GET.get("poll"):
        response["HX-Refresh"] = "true"
    return response


@module_required("reports")
def download(request, uuid, fmt):
    report = _report_for(request.user, uuid)
    if report.status != Status.DONE or fmt not in ("xlsx", "csv"):
        raise Http404
    cleared = _cleared(request)
    tables = presentation.present(report.result["tables"], cleared=cleared)
    name = f"tawjih-report-{report.created_at:%Y%m%d}-{str(report.uuid)[:8]}"
    if fmt == "xlsx":
        response = HttpResponse(
            exports.to_xlsx(report, tables, cleared=cleared),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(
            "\ufeff" + exports.to_csv(report, tables, cleared=cleared),
            content_type="text/csv; charset=utf-8",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    audit_export(request, report, fmt)
    return response
