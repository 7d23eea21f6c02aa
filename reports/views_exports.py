"""Downloads added to a finished report: printable PDF, DHIS2 dataValueSets JSON and IHE ADX
XML. Same access rules as the XLSX and CSV downloads (the report must be visible to the user),
and every file handed out is written to the audit trail."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from core.views import module_required
from reports import national, presentation
from reports.choices import Status
from reports.pdf import to_pdf
from reports.views import _cleared, _report_for, audit_export

CONTENT_TYPES = {
    national.DHIS2: "application/json; charset=utf-8",
    national.ADX: "application/adx+xml; charset=utf-8",
}


def _finished(request, uuid):
    report = _report_for(request.user, uuid)
    if report.status != Status.DONE or not report.result:
        raise Http404
    return report


def _file_name(report, suffix: str) -> str:
    return f"tawjih-report-{report.created_at:%Y%m%d}-{str(report.uuid)[:8]}.{suffix}"


@module_required("reports")
def pdf(request, uuid):
    report = _finished(request, uuid)
    cleared = _cleared(request)
    tables = presentation.present(report.result["tables"], cleared=cleared)
    body = to_pdf(report, tables, cleared=cleared)
    audit_export(request, report, "pdf")
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(report, "pdf")}"'
    return response


@module_required("reports")
def national_export(request, uuid, fmt):
    """DHIS2 or ADX: always the published (protected) figures, since the file leaves the
    programme. A missing code refuses the export and lists what admins must add."""
    if fmt not in national.FORMATS:
        raise Http404
    report = _finished(request, uuid)
    try:
        body = national.to_dhis2(report) if fmt == national.DHIS2 else national.to_adx(report)
    except national.MissingCodes as refusal:
        return render(
            request,
            "reports/export_refused.html",
            {"report": report, "fmt": fmt, "missing": refusal.missing},
            status=409,
        )
    audit_export(request, report, fmt)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    name = _file_name(report, f"{fmt}.{national.FORMATS[fmt]}")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
