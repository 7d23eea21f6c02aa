"""Logging helpers referenced from ``LOGGING`` (config/settings/base.py)."""

from __future__ import annotations

import logging


class RefusalsOneLine(logging.Filter):
    """A refused request (403, 404, 405...) is an expected answer, not a crash: Django logs it
    with the exception's traceback; keep the one line ("Forbidden (Permission denied): /path")
    and drop the traceback. Server errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
