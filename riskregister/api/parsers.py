"""The API's JSON parser: DRF's, refusing bodies nested too deeply to read."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            # Python's JSON decoder recurses once per level of nesting.
            message = "JSON parse error - the body is nested too deeply."
            raise ParseError(message) from None
