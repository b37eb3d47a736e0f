"""Request rates per API token and per user, counted in the default cache.

Rates are read on every request (not once at import, as DRF's own throttles do),
so settings overrides in tests and the environment both take effect.
"""

from rest_framework import throttling
from rest_framework.settings import api_settings

from risks.models import ApiToken


class _RateFromSettings:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class TokenRateThrottle(_RateFromSettings, throttling.SimpleRateThrottle):
    """Limits each API token to the `token` rate; session requests pass."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class UserRateThrottle(_RateFromSettings, throttling.UserRateThrottle):
    """Limits each user, over all their tokens and their session, to the `user` rate."""

    scope = "user"
