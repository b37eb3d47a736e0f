from django.template import Context, Template
from django.utils.safestring import SafeString

from risks.markup import render

GLOSSARY = {
    "DC": "Data Collector",
    "DCC": "Data Communications Company",
    "CoP 4": "Code of Practice 4",
    "CoS": "Change of Supplier",
    "A&B": 'Say "hi" <now>',
}


def test_paragraphs_and_bullets_become_html():
    html = render("First paragraph.\n\nLead-in:\n\n- one\n- two\n\nClosing.")

    assert html == (
        "<p>First paragraph.</p>\n<p>Lead-in:</p>\n<ul>\n<li>one</li>\n"
        "<li>two</li>\n</ul>\n<p>Closing.</p>"
    )
    assert isinstance(html, SafeString)


def test_a_list_straight_after_a_line_is_still_a_list():
    assert render("Delivered:\n- access\n- billing") == (
        "<p>Delivered:</p>\n<ul>\n<li>access</li>\n<li>billing</li>\n</ul>"
    )


def test_empty_text_renders_nothing():
    assert render("") == ""
    assert render(None) == ""


def test_script_is_shown_escaped_as_text_never_as_a_tag():
    html = render("Before <script>alert('x')</script> after.")

    assert html == "<p>Before &lt;script&gt;alert('x')&lt;/script&gt; after.</p>"
    assert "<script>" not in html


def test_html_typed_into_the_text_is_shown_as_typed():
    assert render("<b>b</b> and **strong**") == (
        "<p>&lt;b&gt;b&lt;/b&gt; and <strong>strong</strong></p>"
    )


def test_typed_tags_are_text_and_disallowed_markdown_is_dropped():
    html = render(
        '<b onclick="steal()">bold</b> <img src=x onerror=alert(1)> '
        "[link](javascript:alert(1)) <em style='x'>em</em>\n\n# Heading"
    )

    assert html == (
        '<p>&lt;b onclick="steal()"&gt;bold&lt;/b&gt; &lt;img src=x '
        "onerror=alert(1)&gt; link &lt;em style='x'&gt;em&lt;/em&gt;</p>\nHeading"
    )


def test_angle_brackets_in_text_are_escaped():
    assert render("a < b & c > d") == "<p>a &lt; b &amp; c &gt; d</p>"


def test_abbreviations_are_wrapped_as_whole_words_case_sensitively():
    html = render("The DC, the DCC, NHHDC, DCs, dc and CoP 4 after CoS.", GLOSSARY)

    assert html == (
        '<p>The <abbr title="Data Collector">DC</abbr>, the '
        '<abbr title="Data Communications Company">DCC</abbr>, NHHDC, DCs, dc and '
        '<abbr title="Code of Practice 4">CoP 4</abbr> after '
        '<abbr title="Change of Supplier">CoS</abbr>.</p>'
    )


def test_abbreviations_are_not_wrapped_twice():
    html = render("*DCC* then DCC.", GLOSSARY)

    assert html == (
        '<p><em><abbr title="Data Communications Company">DCC</abbr></em> then '
        '<abbr title="Data Communications Company">DCC</abbr>.</p>'
    )


def test_a_typed_abbr_tag_is_text():
    html = render('<abbr title="x">DC</abbr>', GLOSSARY)

    assert html == (
        '<p>&lt;abbr title="x"&gt;<abbr title="Data Collector">DC</abbr>'
        "&lt;/abbr&gt;</p>"
    )


def test_meanings_and_abbreviations_are_escaped():
    html = render("Ask A&B.", GLOSSARY)

    assert html == (
        '<p>Ask <abbr title="Say &quot;hi&quot; &lt;now&gt;">A&amp;B</abbr>.</p>'
    )


def test_abbreviations_inside_list_items_are_wrapped():
    html = render("Risks:\n\n- the DC fails", GLOSSARY)

    assert '<li>the <abbr title="Data Collector">DC</abbr> fails</li>' in html


def test_markup_filter_renders_safe_html_in_a_template():
    template = Template(
        "{% load risk_tags %}{{ text|markup:glossary }}|{{ plain|markup }}"
    )

    html = template.render(
        Context(
            {
                "text": "The DC <script>x()</script>",
                "plain": "- DC",
                "glossary": GLOSSARY,
            }
        )
    )

    assert html == (
        '<p>The <abbr title="Data Collector">DC</abbr> &lt;script&gt;x()'
        "&lt;/script&gt;</p>|<ul>\n<li>DC</li>\n</ul>"
    )
