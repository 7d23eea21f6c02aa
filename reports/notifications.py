"""What the statistics module tells the person who asked for a report, through the in-app
notifications and their outbox (core.notifications): ready, or not built and why on its page.
Params hold the request date only; the texts are rendered in the recipient's language."""

from __future__ import annotations

import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core import notifications

READY = "report_ready"
NOT_BUILT = "report_not_built"


def _day(params: dict) -> str:
    return formats.date_format(
        datetime.date.fromisoformat(params["requested_on"]), "SHORT_DATE_FORMAT"
    )


def register_kinds() -> None:
    """Called from ``ReportsConfig.ready``."""
    notifications.register(
        READY,
        subject=lambda p: _("Your report is ready"),
        text=lambda p: (
            _("The report you requested on %(date)s is ready to read and download.")
            % {"date": _day(p)}
        ),
    )
    notifications.register(
        NOT_BUILT,
        subject=lambda p: _("Your report could not be built"),
        text=lambda p: (
            _(
                "The report you requested on %(date)s could not be built: its page says why and "
                "what to request instead."
            )
            % {"date": _day(p)}
        ),
    )


def report_finished(report, *, ready: bool) -> None:
    """In the transaction that records the report's end (reports.services.report_build)."""
    if report.requested_by_id is None:
        return
    notifications.notify(
        recipients=[report.requested_by],
        kind=READY if ready else NOT_BUILT,
        params={"requested_on": timezone.localdate(report.created_at).isoformat()},
        url=report.get_absolute_url(),
    )
