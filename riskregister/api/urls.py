from django.urls import path, re_path

from riskregister.api.fallback import no_endpoint
from riskregister.api.router import router
from risks.api.exports import RegisterExportView

# Ahead of the router, whose register lookup takes slashes and would read
# "SRR-2017/export" as a reference.
urlpatterns = [
    path(
        "registers/<str:reference>/export/",
        RegisterExportView.as_view(),
        name="register-export",
    ),
    *router.urls,
    # Last, so that it answers only what nothing above does.
    re_path(r"^", no_endpoint),
]
