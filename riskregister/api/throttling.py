"""Request rates per API token and per user, counted in the default cache.

The counting is django-ratelimit's: one counter per client and time window,
added to with the cache's atomic increment. DRF's own throttles keep the time
of every request in the window instead, and read and write that whole list on
each request: at 600 a minute, that cost more than the rest of a 304.

Rates are read on every request (not once at import, as DRF's own throttles do),
so settings overrides in tests and the environment both take effect.
"""

from django_ratelimit.core import get_usage
from rest_framework import throttling
from rest_framework.settings import api_settings

from risks.models import ApiToken


def _ratelimit_rate(rate):
    """DRF's "600/minute" as django-ratelimit writes it: "600/m"."""
    count, period = rate.split("/")
    return f"{count}/{period[0]}"


class _WindowThrottle(throttling.BaseThrottle):
    """Allows `rate` requests per window to each client that `ident` names.

    Limitation: a window starts afresh, so a client can send its whole rate at
    the end of one window and again at the start of the next.
    """

    scope = None

    def ident(self, request):
        raise NotImplementedError

    def allow_request(self, request, view):
        self.usage = None
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        ident = self.ident(request)
        if rate is None or ident is None:
            return True
        self.usage = get_usage(
            request,
            group=f"api-{self.scope}",
            key=lambda group, request: ident,
            rate=_ratelimit_rate(rate),
            increment=True,
        )
        return self.usage is None or not self.usage["should_limit"]

    def wait(self):
        if self.usage is None:
            return None
        # The window's counter still counts in its last second.
        return max(1, self.usage["time_left"] + 1)


class TokenRateThrottle(_WindowThrottle):
    """Limits each API token to the `token` rate; session requests pass."""

    scope = "token"

    def ident(self, request):
        if not isinstance(request.auth, ApiToken):
            return None
        return str(request.auth.pk)


class UserRateThrottle(_WindowThrottle):
    """Limits each user, over all their tokens and their session, to the `user` rate."""

    scope = "user"

    def ident(self, request):
        if not request.user.is_authenticated:
            return None
        return str(request.user.pk)
