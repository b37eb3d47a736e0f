import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from risks import roles
from tests.factories import RegisterFactory, UserFactory


@pytest.fixture
def register(db):
    return RegisterFactory(reference="TEST-1", name="Test register")


@pytest.fixture
def staff_client(db):
    """A second browser, logged in as a staff member with the Viewer role."""
    staff = UserFactory(username="staff", is_staff=True)
    staff.groups.add(Group.objects.get(name=roles.VIEWER))
    client = Client()
    client.force_login(staff)
    return client


def page_text(response):
    return response.content.decode()


def matrix_cell(html, likelihood, impact):
    """The inner HTML of the heat map cell at a likelihood and impact value."""
    match = re.search(
        rf'<td class="matrix__cell" id="cell-{likelihood}-{impact}"[^>]*>(.*?)</td>',
        html,
        re.DOTALL,
    )
    assert match, f"no matrix cell {likelihood}-{impact}"
    return match.group(1)


def table_row(html, row_id):
    match = re.search(rf'<tr id="{row_id}"[^>]*>(.*?)</tr>', html, re.DOTALL)
    assert match, f"no table row {row_id}"
    return match.group(1)


def squash(html):
    """The text of an HTML fragment, tags dropped and white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def headings(html, level=2):
    return [squash(h) for h in re.findall(rf"<h{level}[^>]*>(.*?)</h{level}>", html)]
