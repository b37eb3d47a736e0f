"""The app's URLs plus a bare view, for the API benchmark only."""

import json

from django.http import HttpResponse
from django.urls import path

from riskregister.urls import urlpatterns as app_urlpatterns
from risks.api.ratings import RatingFeedSerializer
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
                "results": RatingFeedSerializer(rows[:PAGE_SIZE], many=True).data,
            }
        ).encode()
    return HttpResponse(_body["json"], content_type="application/json")


urlpatterns = [path("bench/bare-ratings/", bare_ratings), *app_urlpatterns]
