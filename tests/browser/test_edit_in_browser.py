"""One real browser: an Editor changes a sub-risk's likelihood and sees the result.

Drives Debian's headless Chromium through Playwright's sync API against a live
server. `.ci/run` installs Chromium; without it the test is skipped, saying why.
"""

from pathlib import Path

import pytest
from django.db import connections
from django.urls import reverse

from risks.models import SubRisk

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    # The roles come from a data migration; keep them for the tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing; install Debian's chromium package "
        "(.ci/run does) to run the browser test",
    ),
]


@pytest.fixture
def browser_page(monkeypatch, settings):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # test makes around it are still plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # Playwright switches greenlets, each with its own context, so Django opens
    # a database connection per context: close each before leaving it, or the
    # test database cannot be dropped at the end.
    connections.close_all()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        page = browser.new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()
        connections.close_all()


def test_editor_changes_likelihood_sees_the_rating_and_finds_it_in_history(
    live_server, browser_page, register_2017, editor
):
    from playwright.sync_api import expect

    page = browser_page
    edit = reverse("risks:subrisk-edit", args=["SRR-2017", 2, "b"])
    history = reverse("risks:subrisk-history", args=["SRR-2017", 2, "b"])

    page.goto(f"{live_server.url}/accounts/login/?next={edit}")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("correct-horse-42")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Edit sub-risk SRR-2017/2.b"
    )
    badge = page.locator("[data-rating-output]")
    expect(badge).to_have_text("Medium")
    page.get_by_label("Likelihood").select_option("5")
    expect(badge).to_have_text("Very High")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".flash")).to_contain_text("Saved sub-risk SRR-2017/2.b.")
    row = page.locator("#subrisk-b")
    expect(row).to_contain_text("Very High")

    page.goto(f"{live_server.url}{history}")
    latest = page.locator("li.change").first
    expect(latest.locator(".change__user")).to_have_text("editor")
    expect(latest.locator(".change__rating")).to_contain_text("Medium")
    expect(latest.locator(".change__rating")).to_contain_text("Very High")

    subrisk = SubRisk.objects.get(reference="SRR-2017/2.b")
    record = subrisk.history.first()
    assert (record.history_user.username, record.rating.name) == (
        "editor",
        "Very High",
    )
    assert record.prev_record.rating.name == "Medium"
