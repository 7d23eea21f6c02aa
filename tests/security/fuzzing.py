"""The machinery of the form fuzzing: open the page as the user, read its form as a browser
would, post it back with hostile strings in some fields, and check what happened."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from importlib import import_module
from inspect import isclass

from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from tests.security.conftest import (
    FUZZ_SEED,
    PROFILE,
    UNESCAPED_MARKERS,
    count,
    hostile_text,
)
from tests.security.htmlforms import Form, default_data, parse_forms

PROJECT_APPS = ["accounts", "core", "baom", "referrals", "projects", "diaspora", "reports"]


@dataclass
class Target:
    name: str
    user: str | None  # a World attribute, or None for an anonymous visitor
    page: Callable  # world -> URL of the page that shows the form
    forms: tuple[str, ...] = ()  # "app.forms.Class" the view must instantiate
    action: str = ""  # regex the form's action must match ("" = the page itself)
    field: str = ""  # a field the form must have
    apps: tuple[str, ...] = ()
    fixed: Callable = lambda world: {}  # world -> values that make the rest of the form valid
    needs: tuple[str, ...] = ()  # World attributes to build before opening the page
    settings: dict = dataclass_field(default_factory=dict)
    base_stores: bool = True  # the filled-in form without hostile values is stored
    skip_fields: tuple[str, ...] = ()  # fields left as filled in (a known issue, see its test)
    posted_only: tuple[str, ...] = ()  # fields the view reads that the page does not render
    extra_rows: Callable | None = None  # (world, since) -> more rows to check (no timestamps)
    counted: bool = True  # in the figures of docs/security.md (not the deliberately broken page)


def project_form_classes() -> set[str]:
    """Every form class defined in the project's forms modules."""
    found = set()
    for app in PROJECT_APPS:
        try:
            module = import_module(f"{app}.forms")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if (
                isclass(value)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
            ):
                found.add(f"{value.__module__}.{value.__qualname__}")
    return found


def pick_form(html: str, target: Target, page_path: str) -> Form:
    candidates = []
    for form in parse_forms(html):
        action = form.action or page_path
        if "/i18n/setlang/" in action and "setlang" not in target.action:
            continue
        if "/accounts/logout/" in action:
            continue
        if target.action and not re.search(target.action, action):
            continue
        if target.field and target.field not in form.names():
            continue
        candidates.append(form)
    assert candidates, f"{target.name}: no matching form on {page_path}"
    return candidates[0]


def form_errors(html: str) -> str:
    """The error messages of a page, as text (for assertion messages)."""
    pattern = (
        r"(?:invalid-feedback|alert-danger|errorlist|alert-warning)[^>]*>(.*?)</(?:div|span|ul|p)>"
    )
    found = re.findall(pattern, html, re.S)
    return " | ".join(re.sub(r"<[^>]+>|\s+", " ", text).strip() for text in found)[:3000]


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def changed_rows(app_labels, since):
    """Rows of these apps created or updated since ``since`` (models with timestamps)."""
    for label in app_labels:
        for model in apps.get_app_config(label).get_models():
            names = {f.name for f in model._meta.concrete_fields}
            stamp = "updated_at" if "updated_at" in names else "created_at"
            if stamp not in names:
                continue
            yield from model._base_manager.filter(**{f"{stamp}__gte": since})


def row_problems(obj) -> list[str]:
    """Why a stored row is invalid: NUL characters, or what full_clean() refuses."""
    problems = []
    for f in obj._meta.concrete_fields:
        value = getattr(obj, f.attname)
        if isinstance(f, models.JSONField):
            value = json.dumps(value)
        for text in _strings(value):
            if "\x00" in text:
                problems.append(f"{obj._meta.label}.{f.name} holds a NUL character")
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        problems.append(f"{obj._meta.label} pk={obj.pk} fails full_clean: {exc.messages[:3]}")
    return problems


class FormRecorder:
    """Which form classes the views instantiate (so a target proves it reaches its form)."""

    def __init__(self, monkeypatch):
        self.seen: set[str] = set()
        original = forms.BaseForm.__init__
        seen = self.seen

        def recording_init(form, *args, **kwargs):
            for klass in type(form).__mro__:  # the admin builds subclasses of its forms
                seen.add(f"{klass.__module__}.{klass.__qualname__}")
            original(form, *args, **kwargs)

        monkeypatch.setattr(forms.BaseForm, "__init__", recording_init)


def fuzz(client, world, target: Target, *, max_examples: int | None = None) -> None:
    for need in target.needs:
        getattr(world, need)
    user = getattr(world, target.user) if target.user else None
    if user is not None:
        client.force_login(user)
    page = target.page(world)
    response = client.get(page, follow=True)
    assert response.status_code == 200, (target.name, page, response.status_code)
    page_path = response.request["PATH_INFO"]
    form = pick_form(response.content.decode(), target, page_path)
    url = form.action or page_path
    if url.startswith("?") or not url:
        url = page_path
    now = timezone.localtime()
    base = default_data(form, now.date().isoformat(), now.strftime("%Y-%m-%dT%H:%M"))
    base.update({k: v if isinstance(v, list) else [v] for k, v in target.fixed(world).items()})
    # The button a user presses to save (a "check" button only checks: reports' form).
    pressed = [button for button in form.buttons if button[0] != "check"]
    if pressed:
        base.setdefault(pressed[0][0], [pressed[0][1]])
    text_names = [n for n in form.text_names() if n != "csrfmiddlewaretoken"]
    text_names += [n for n in target.posted_only if n not in text_names]
    other_names = [n for n in form.other_names() if n != "csrfmiddlewaretoken"]
    text_names = [n for n in text_names if n not in target.skip_fields]
    other_names = [n for n in other_names if n not in target.skip_fields]
    assert text_names or other_names, f"{target.name}: the form has no field"
    app_labels = target.apps
    tally = count if target.counted else (lambda *args, **kwargs: None)
    if app_labels and target.base_stores:
        # The form as filled in (no hostile value) is stored: the "nothing invalid stored"
        # check below then has something to check, and hostile values reach the database.
        since = timezone.now()
        with transaction.atomic():
            send = client.get if form.method == "get" else client.post
            answer = send(url, base, follow=True)
            stored = list(changed_rows(app_labels, since))
            if target.extra_rows:
                stored += list(target.extra_rows(world, since))
            transaction.set_rollback(True)
        assert stored, f"{target.name}: the filled-in form stored nothing: {base} " + form_errors(
            answer.content.decode()
        )

    @seed(FUZZ_SEED)
    @settings(PROFILE, max_examples=max_examples or PROFILE.max_examples)
    @given(st.data())
    def example(data):
        chosen = data.draw(
            st.lists(st.sampled_from(text_names), min_size=1, max_size=4, unique=True)
            if text_names
            else st.just([])
        )
        if other_names:
            chosen += data.draw(
                st.lists(st.sampled_from(other_names), min_size=0 if chosen else 1,
                         max_size=2, unique=True)
            )  # fmt: skip
        values = {name: data.draw(hostile_text) for name in chosen}
        problems: list[str] = []
        payload = {**base, **{name: [value] for name, value in values.items()}}
        since = timezone.now()
        with transaction.atomic():
            tally(target.name, "tried")
            try:
                if form.method == "get":
                    answer = client.get(url, payload, follow=True)
                else:
                    answer = client.post(url, payload, follow=True)
            except Exception as exc:
                tally(target.name, "server_error")
                raise AssertionError(f"server error for {values!r}"[:2000]) from exc
            tally(target.name, "values", len(values))
            if answer.status_code >= 500:
                tally(target.name, "server_error")
                problems.append(f"{answer.status_code} for {values!r}"[:2000])
            html = answer.content.decode(errors="replace")
            for marker in UNESCAPED_MARKERS:
                if marker in html and any(marker in v for v in values.values()):
                    tally(target.name, "unescaped")
                    problems.append(f"unescaped {marker!r} in the page after {values!r}"[:2000])
            rows = list(changed_rows(app_labels, since)) if app_labels else []
            if target.extra_rows:
                rows += list(target.extra_rows(world, since))
            if rows:
                tally(target.name, "stored")
                for row in rows:
                    found = row_problems(row)
                    if found:
                        tally(target.name, "accepted_invalid")
                        problems.extend(f"{p} after {values!r}"[:2000] for p in found)
            elif app_labels:
                tally(target.name, "refused")
            else:
                tally(target.name, "read_only")
            transaction.set_rollback(True)
        assert not problems, problems[:5]

    example()
