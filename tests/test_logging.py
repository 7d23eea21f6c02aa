"""What a developer sees in the console (issue 16): a refused request is one line, no traceback,
printed once; a server error keeps its traceback."""

from __future__ import annotations

import copy
import io
import logging
import logging.config

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def console(settings):
    """The project's LOGGING, with the console handler writing into a string."""
    stream = io.StringIO()
    config = copy.deepcopy(settings.LOGGING)
    config["handlers"]["console"]["stream"] = stream
    root = logging.getLogger()
    saved = root.handlers[:]
    logging.config.dictConfig(config)
    yield stream
    logging.config.dictConfig(settings.LOGGING)
    root.handlers[:] = saved


def test_a_refusal_is_one_line_printed_once(client, login, agent, settings, console):
    settings.DEBUG = True  # as in `make run`, where Django's own console handler is active
    login(agent)
    assert client.get("/beneficiaries/import/").status_code == 403
    output = console.getvalue()
    assert "Traceback" not in output
    refusals = [line for line in output.splitlines() if "Forbidden" in line]
    assert refusals == [refusals[0]] and "/beneficiaries/import/" in refusals[0]


def test_a_server_error_keeps_its_traceback(console):
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("django.request").error(
            "Internal Server Error: %s", "/x/", exc_info=True, extra={"status_code": 500}
        )
    output = console.getvalue()
    assert output.count("Traceback") == 1 and "RuntimeError: boom" in output
