"""Page-number pagination that refuses a page or page size it cannot serve.

A `page` or `page_size` that is not a whole number in range gives a 400 naming the
parameter instead of falling back on the default; a page past the last one is a 404
that names `page` and says how many pages there are.
"""

from django.core.paginator import InvalidPage
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError


def _whole_number(value):
    return int(value) if value.isascii() and value.isdigit() else None


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def query_parameters(self):
        return {self.page_query_param, self.page_size_query_param}

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        number = _whole_number(value)
        if number is None or not 1 <= number <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"Must be a whole number from 1 to {self.max_page_size}."
                    ]
                }
            )
        return number

    def get_page_number(self, request, paginator):
        value = request.query_params.get(self.page_query_param)
        if value is None:
            return 1
        number = _whole_number(value)
        if number is None or number < 1:
            raise ValidationError(
                {self.page_query_param: ["Must be a whole number from 1."]}
            )
        return number

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(number)
        except InvalidPage:
            pages = paginator.num_pages
            raise NotFound(
                {
                    self.page_query_param: [
                        f"Page {number} is past the last page; there "
                        f"{'is 1 page' if pages == 1 else f'are {pages} pages'}."
                    ]
                }
            ) from None
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        return list(self.page)
