"""What the three languages share: day-first dates, a 24-hour clock, Monday first.

Morocco writes day-first in French, Arabic and English alike (Django's own Arabic module has
no date-time formats, so date-times fell back to the month-first ``m/d/Y P``). Forms read the
page's format first (``DATE_INPUT_FORMATS[0]`` is also how a form shows a date), then ISO
(``2026-12-04``), which the browser tests and API-like clients send.
"""

TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # 04/12/2026: the page's format, the date picker writes it
    "%d/%m/%y",  # 04/12/26
    "%d.%m.%Y",  # 04.12.2026
    "%Y-%m-%d",  # 2026-12-04 (ISO)
]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S", "%H:%M:%S.%f"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M",  # the page's format, the date-time picker writes it
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y",
    "%d/%m/%y %H:%M",
    "%d.%m.%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",  # what <input type=datetime-local> sends
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
]
NUMBER_GROUPING = 3
