"""Read the forms of a rendered page as a browser would, to post them back filled in."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Field:
    name: str
    kind: str  # input type, "textarea", "select", "select-multiple"
    value: str = ""
    checked: bool = False
    required: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected)


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)
    enctype: str = ""

    def names(self) -> set[str]:
        return {f.name for f in self.fields}

    def text_names(self) -> list[str]:
        kinds = {"text", "email", "tel", "search", "url", "textarea", "password", ""}
        return sorted({f.name for f in self.fields if f.kind in kinds})

    def other_names(self) -> list[str]:
        skip = {"csrfmiddlewaretoken"}
        return sorted({f.name for f in self.fields} - set(self.text_names()) - skip)


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: Field | None = None
        self._select: Field | None = None
        self._option: list | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(
                action=a.get("action", ""),
                method=a.get("method", "get").lower(),
                enctype=a.get("enctype", ""),
            )
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            # A date typed in a text field with a calendar (core/widgets.py) is a date.
            kind = {"date": "date", "datetime": "datetime-local"}.get(a.get("data-picker"), kind)
            if kind in {"submit", "image", "button", "reset"}:
                self._form.buttons.append((name, a.get("value", "")))
                return
            self._form.fields.append(
                Field(name, kind, a.get("value", ""), checked="checked" in a,
                      required="required" in a)
            )  # fmt: skip
        elif tag == "button" and name:
            self._form.buttons.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = Field(name, "textarea", required="required" in a)
            self._form.fields.append(self._textarea)
        elif tag == "select" and name:
            kind = "select-multiple" if "multiple" in a else "select"
            self._select = Field(name, kind, required="required" in a)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]
            self._select.options.append(("", False))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        if self._option is not None:
            self._option[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            if self._textarea is not None and self._textarea.value.startswith("\n"):
                self._textarea.value = self._textarea.value[1:]  # as browsers read it
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "option" and self._option is not None and self._select is not None:
            value = self._option[0] if self._option[0] is not None else self._option[2].strip()
            self._select.options[-1] = (value, self._option[1])
            self._option = None


def parse_forms(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms


def default_data(form: Form, today: str, now: str) -> dict[str, list[str]]:
    """What a user who keeps every default and fills in only what is required sends (the first
    option of a required list, today's date, a plain text)."""
    data: dict[str, list[str]] = {}
    for f in form.fields:
        if f.kind == "checkbox":
            if f.checked or f.required:
                data.setdefault(f.name, []).append(f.value or "on")
        elif f.kind == "radio":
            if f.checked or (f.required and f.name not in data):
                data[f.name] = [f.value]
        elif f.kind == "select-multiple":
            chosen = [v for v, selected in f.options if selected]
            if not chosen and f.required:
                chosen = [v for v, _ in f.options if v][:1]
            data[f.name] = chosen
        elif f.kind == "select":
            # As a browser: the selected option, else the first; a required list whose first
            # option is the empty placeholder gets its first real option.
            chosen = [v for v, selected in f.options if selected][:1]
            if not chosen:
                chosen = [v for v, _ in f.options][:1]
            if chosen in ([], [""]) and f.required:
                chosen = [v for v, _ in f.options if v][:1]
            data[f.name] = chosen or [""]
        elif f.kind == "file":
            continue
        else:
            value = f.value
            if not value and f.required:
                value = {
                    "email": "fuzz@example.org",
                    "date": today,
                    "datetime-local": now,
                    "number": "1",
                    "tel": "0612345678",
                }.get(f.kind, "Texte ordinaire")
            data[f.name] = [value]
    return data
