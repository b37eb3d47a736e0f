import pytest

from riskregister.lib.colour import contrast_ratio, readable_text_colour


@pytest.mark.parametrize(
    ("background", "text"),
    [("#2e7d32", "#ffffff"), ("#f2c200", "#000000"), ("#c62828", "#ffffff")],
)
def test_text_colour_is_the_more_readable_one(background, text):
    assert readable_text_colour(background) == text


def test_every_grey_gets_text_with_at_least_aa_contrast():
    # The worst case for black-or-white text is a mid grey: still above 4.5:1.
    worst = min(
        contrast_ratio(grey, readable_text_colour(grey))
        for grey in (f"#{level:02x}{level:02x}{level:02x}" for level in range(256))
    )

    assert round(worst, 2) == 4.61
