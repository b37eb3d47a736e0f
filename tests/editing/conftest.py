import html
import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from mitigations.models import Mitigation
from tests.factories import (
    MitigationFactory,
    RegisterFactory,
    RiskAreaFactory,
    RiskFactorFactory,
    SubRiskFactory,
    UserFactory,
)


@pytest.fixture
def register(db):
    return RegisterFactory(reference="TEST-1", name="Test register")


@pytest.fixture
def area(register):
    """Area 2: two sub-risks, a risk factor, a current and a proposed mitigation."""
    area = RiskAreaFactory(
        register=register,
        number=2,
        name="Installation",
        statement="The risk that installation goes wrong.",
    )
    SubRiskFactory(
        area=area,
        order=1,
        statement="Visits are aborted.",
        likelihood_value=4,
        impact_value=1,
    )
    SubRiskFactory(
        area=area,
        order=2,
        statement="Installation errors.",
        likelihood_value=2,
        impact_value=4,
    )
    RiskFactorFactory(area=area, order=1, text="Installers are scarce.")
    MitigationFactory(area=area, order=1, text="Training of installers.")
    MitigationFactory(
        area=area,
        order=2,
        kind=Mitigation.Kind.PROPOSED,
        status=Mitigation.Status.AGREED,
        owner="Suppliers",
        text="An audit of installations.",
    )
    return area


@pytest.fixture
def second_editor_client(db):
    """Another workgroup member, in another browser."""
    from django.contrib.auth.models import Group

    from risks import roles

    user = UserFactory(username="editor-two")
    user.groups.add(Group.objects.get(name=roles.EDITOR))
    client = Client()
    client.force_login(user)
    return client


class _FormReader(HTMLParser):
    """Reads the values a browser would submit from the form with the given id."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.in_template = False
        self.data = []
        self.select = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if tag == "template":
            self.in_template = True
        if not self.inside or self.in_template:
            return
        kind = attrs.get("type", "text")
        if tag == "input" and attrs.get("name"):
            if kind in ("submit", "button"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.append((attrs["name"], attrs.get("value", "on")))
                return
            self.data.append((attrs["name"], attrs.get("value", "")))
        elif tag == "select":
            self.select = {"name": attrs["name"], "first": None, "selected": None}
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            if self.select["first"] is None:
                self.select["first"] = value
            if "selected" in attrs:
                self.select["selected"] = value
        elif tag == "textarea":
            self.textarea = [attrs["name"], ""]

    def handle_endtag(self, tag):
        if tag == "template":
            self.in_template = False
        elif tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            chosen = self.select["selected"]
            if chosen is None:
                chosen = self.select["first"] or ""
            self.data.append((self.select["name"], chosen))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, value = self.textarea
            self.data.append((name, value[1:] if value.startswith("\n") else value))
            self.textarea = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data


def form_data(response, form_id="form"):
    """What a browser would post from the page's form, as a dict of lists."""
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    data = {}
    for name, value in reader.data:
        data.setdefault(name, []).append(value)
    return data


def hidden_inputs(response):
    """The conflict page's resubmitted values, as a browser would post them."""
    data = {}
    for name, value in re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)">',
        response.content.decode(),
    ):
        if name != "csrfmiddlewaretoken":
            data.setdefault(html.unescape(name), []).append(html.unescape(value))
    return data


def page_text(response):
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
