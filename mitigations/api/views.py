from riskregister.api.router import router  # noqa: F401
