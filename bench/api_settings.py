"""Settings for the API benchmark's gunicorn: the app's, plus a bench-only URL."""

from riskregister.settings import *  # noqa: F403
from riskregister.settings import REST_FRAMEWORK

ROOT_URLCONF = "bench.api_urls"
ALLOWED_HOSTS = ["127.0.0.1"]
# Throttles stay on, as in production, with rates the loops cannot reach.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"token": "1000000/minute", "user": "1000000/minute"},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"handlers": [], "level": "ERROR"},
}
