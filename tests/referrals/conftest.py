from __future__ import annotations

import pytest

from accounts.roles import Role
from tests.referrals.factories import receiving_organisation


@pytest.fixture
def eager_celery():
    """This test runs Celery tasks in the calling thread (the notification task sends mail)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def receiver(db):
    """(organisation, staff member) of an association that accepts referrals."""
    return receiving_organisation()


@pytest.fixture
def sender(make_user):
    return make_user(Role.AGENT)
