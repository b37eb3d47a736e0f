from html.parser import HTMLParser

import pytest
from django.urls import reverse


@pytest.fixture
def admin_client(client, methodology_admin):
    client.force_login(methodology_admin)
    return client


class _FormReader(HTMLParser):
    """The fields a browser would post from the form whose action is `action`."""

    def __init__(self, action):
        super().__init__()
        self.action = action
        self.inside = False
        self.fields = {}
        self.select = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action
        if not self.inside:
            return
        if tag == "input" and attrs.get("name") and attrs.get("type") != "submit":
            self.fields[attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            self.select = attrs["name"]
            self.fields.setdefault(self.select, "")
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields[self.select] = attrs.get("value", "")
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.fields[self.textarea] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            # Django starts a textarea's content with a newline browsers drop.
            self.fields[self.textarea] += data.removeprefix("\n")


def form_fields(html, action):
    reader = _FormReader(action)
    reader.feed(html)
    return reader.fields


def editor_url(register, name="methodology-edit"):
    return reverse(f"risks:{name}", args=[register.reference])


def open_editor(client, register):
    """The editor's fields as the browser would post them, from its GET."""
    response = client.get(editor_url(register))
    assert response.status_code == 200
    return form_fields(
        response.content.decode(), editor_url(register, "methodology-preview")
    )


def post_editor(client, register, fields, action="preview"):
    """Posts the editor's fields with the button `action` pressed."""
    url = editor_url(
        register, "methodology-preview" if action == "preview" else "methodology-edit"
    )
    return client.post(url, {**fields, "action": action})


def preview_payload(response):
    return form_fields(
        response.content.decode(),
        "/registers/{}/methodology/confirm/".format(
            response.context["register"].reference
        ),
    )["payload"]


def grid(fields, size, value):
    """Sets every cell of a size x size grid to the rating row `value`."""
    for likelihood in range(1, size + 1):
        for impact in range(1, size + 1):
            fields[f"cell-{likelihood}-{impact}"] = str(value(likelihood, impact))
    return fields
