"""The app's URLs plus a bare view, for the API benchmark only."""

import json

from django.core.cache import caches
from django.http import HttpResponse
from django.urls import path

from riskregister.urls import urlpatterns as app_urlpatterns
from risks.api.ratings import LevelLookups, RatingFeedSerializer, RatingFeedViewSet
from risks.models import SubRisk

PAGE_SIZE = 100
_body = {}


def bare_ratings(request):
    """The ratings feed's first page of 100 as JSON computed once, then served."""
    if "json" not in _body:
        rows = SubRisk.objects.for_ratings_feed().order_by("reference")
        count = rows.count()
        _body["json"] = json.dumps(
            {
                "count": count,
                "next": "http://127.0.0.1/api/v1/ratings/?page=2&page_size=100"
                if count > PAGE_SIZE
                else None,
                "previous": None,
                "results": RatingFeedSerializer(
                    rows[:PAGE_SIZE], many=True, context={"levels": LevelLookups()}
                ).data,
            }
        ).encode()
    return HttpResponse(_body["json"], content_type="application/json")


class RatingsBuiltEachTime(RatingFeedViewSet):
    """The ratings feed with its body built on every request, as on a first read.

    The feed keeps a rendered body for the next full GET at the same content
    version; this empties that cache first, to show what building costs.
    """

    def _list_body(self, *args, **kwargs):
        caches["api-bodies"].clear()
        return super()._list_body(*args, **kwargs)


urlpatterns = [
    path("bench/bare-ratings/", bare_ratings),
    path("bench/built-ratings/", RatingsBuiltEachTime.as_view({"get": "list"})),
    *app_urlpatterns,
]
