"""What /api/v1/ answers at an address none of its endpoints has.

Django's own answer would be a page of HTML, or, for an address that lacks its
trailing slash, a redirect that turns a write into a GET (or, with DEBUG on, an
error). Here an address that needs only its slash is redirected with 308, which
keeps the method and the body; any other is a 404 in the API's error shape.
"""

from django.http import HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt

from riskregister.api.exceptions import errors_body


class PermanentRedirectKeepingMethod(HttpResponseRedirect):
    status_code = 308


def _resolves(path):
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.func is not no_endpoint


# Exempt as the API's own views are: a token client has no CSRF cookie, and
# would otherwise be told about one in a page of HTML.
@csrf_exempt
def no_endpoint(request):
    if not request.path.endswith("/") and _resolves(request.path + "/"):
        location = request.path + "/"
        if request.META.get("QUERY_STRING"):
            location += "?" + request.META["QUERY_STRING"]
        return PermanentRedirectKeepingMethod(location)
    return JsonResponse(
        errors_body(
            {
                "field": None,
                "message": "No API endpoint has this address; the list of them is "
                "at /api/v1/.",
                "code": "not_found",
            }
        ),
        status=404,
        json_dumps_params={"separators": (",", ":")},
    )
