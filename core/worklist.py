"""The worklist home: panels that apps contribute, so core imports no app.

An app registers a builder at start (``AppConfig.ready``):
``register(key, order=..., roles={...}, build=fn)`` where ``fn(user, today) -> Panel | None``
runs a fixed number of queries (the home page's query count does not grow with the data).
Items carry their read state (``seen``): a change the user has not looked at yet is marked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone


@dataclass
class Item:
    text: str
    url: str
    detail: str = ""
    when: object = None
    seen: bool = True
    tone: str = ""  # "danger" for overdue, "warning" for today


@dataclass
class Count:
    label: str
    value: int
    url: str = ""
    tone: str = ""


@dataclass
class Panel:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    counts: list[Count] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)  # a small table: (cells..., url)
    columns: list[str] = field(default_factory=list)
    more_url: str = ""
    more_label: str = ""
    empty: str = ""
    icon: str = "list-check"


@dataclass(frozen=True)
class _Entry:
    key: str
    order: int
    roles: frozenset
    build: Callable[..., Panel | None]


_PANELS: dict[str, _Entry] = {}


def register(key: str, *, order: int, roles, build: Callable[..., Panel | None]) -> None:
    _PANELS[key] = _Entry(key, order, frozenset(roles), build)


def panels_for(user, today: date | None = None) -> list[Panel]:
    today = today or timezone.localdate()
    panels = []
    for entry in sorted(_PANELS.values(), key=lambda e: (e.order, e.key)):
        if user.role in entry.roles:
            panel = entry.build(user, today)
            if panel is not None:
                panels.append(panel)
    return panels
