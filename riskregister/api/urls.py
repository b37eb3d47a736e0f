from django.urls import path

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
]
