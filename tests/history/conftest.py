import datetime
import zoneinfo

import pytest
from django.contrib.auth.models import Group

from risks import roles
from tests.factories import RegisterFactory, RiskAreaFactory, UserFactory


@pytest.fixture
def register(db):
    return RegisterFactory(reference="TEST-1", name="Test register")


@pytest.fixture
def area(register):
    return RiskAreaFactory(register=register, number=2, name="Installation")


@pytest.fixture
def second_editor(db):
    user = UserFactory(username="second-editor")
    user.groups.add(Group.objects.get(name=roles.EDITOR))
    return user


def likelihood(register, value):
    return register.methodology.likelihood_levels.get(value=value)


def impact(register, value):
    return register.methodology.impact_levels.get(value=value)


def london(*args):
    """An aware datetime in the site's time zone."""
    return datetime.datetime(*args, tzinfo=zoneinfo.ZoneInfo("Europe/London"))


def date_history(record, *whens):
    """Moves a record's newest history rows to `whens`, the oldest first."""
    rows = list(record.history.order_by("-history_id")[: len(whens)])[::-1]
    for row, when in zip(rows, whens, strict=True):
        type(row).objects.filter(history_id=row.history_id).update(history_date=when)
