"""The area page and the recent changes fit the window, at desktop and phone widths.

Drives Debian's headless Chromium, as `test_edit_in_browser` does; skipped without it.
"""

import os

import pytest
from django.urls import reverse

from risks.models import RiskFactor
from risks.services import record_update
from tests.browser.test_edit_in_browser import CHROMIUM, browser_page  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing"),
]

# A directory to save screenshots in while working on the layout.
SCREENSHOTS = os.environ.get("LAYOUT_SCREENSHOTS")

OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const outside = [...document.querySelectorAll("main a.button, "
    + "main button")]
    .filter((el) => el.getBoundingClientRect().width > 0)
    .filter((el) => el.getBoundingClientRect().right > width + 1)
    .map((el) => el.textContent.trim());
  const wide = [...document.querySelectorAll("main *")]
    .filter((el) => el.getBoundingClientRect().right > width + 1)
    .filter((el) => !el.closest(".table-scroll"))
    .slice(0, 3).map((el) => el.tagName + "." + el.className);
  return {scroll: document.documentElement.scrollWidth, width, outside, wide};
}"""


def log_in(page, live_server, next_url):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("correct-horse-42")
    page.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize("width", [1280, 800, 390])
def test_area_page_and_changes_fit_the_window_with_every_button_in_view(
    live_server,
    browser_page,  # noqa: F811
    register_2017,
    editor,
    width,
):
    factor = RiskFactor.objects.filter(area__number=7).first()
    record_update(
        instance=factor,
        user=editor,
        revision=factor.revision,
        fields={"text": "See https://example.com/" + "a" * 3000},
    )
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    area = reverse("risks:area-detail", args=["SRR-2017", 7])
    changes = reverse("risks:change-list", args=["SRR-2017"])

    log_in(page, live_server, area)
    page.wait_for_selector("h1")
    area_layout = page.evaluate(OVERFLOW)
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/area-{width}.png", full_page=True)
    page.goto(f"{live_server.url}{changes}")
    changes_layout = page.evaluate(OVERFLOW)
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/changes-{width}.png")

    assert (area_layout["outside"], area_layout["wide"]) == ([], [])
    assert area_layout["scroll"] == area_layout["width"]
    assert changes_layout["scroll"] == changes_layout["width"]
