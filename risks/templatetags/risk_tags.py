import re

from django import template
from django.utils.html import format_html

from risks import markup as markup_module

register = template.Library()

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@register.filter
def markup(text, glossary=None):
    """Renders narrative text as safe HTML, marking up the glossary's abbreviations.

    Usage: `{{ area.statement|markup:glossary }}`, with `glossary` a dict of
    abbreviation to meaning built once by the view.
    """
    return markup_module.render(text, glossary)


@register.simple_tag
def rating_style(rating):
    """A style attribute painting an element in the rating's colours, if valid."""
    if rating is None or not _COLOUR.match(rating.colour or ""):
        return ""
    return format_html(
        ' style="background-color: {}; color: {};"', rating.colour, rating.text_colour
    )


@register.simple_tag
def rating_badge(rating):
    """The rating's name on its colour; the name always carries the meaning."""
    if rating is None:
        return format_html('<span class="badge badge--none">{}</span>', "Not rated")
    return format_html(
        '<span class="badge"{}>{}</span>', rating_style(rating), rating.name
    )
