"""Routes of exports and imports, added at the top of `risks.urls`.

They come first so that `registers/import/` is not read as a register named
"import" (that reference is refused on import for the same reason).
"""

from django.urls import path

from risks.views import transfer

urlpatterns = [
    path(
        "registers/import/",
        transfer.ImportUploadView.as_view(),
        name="import-create",
    ),
    path(
        "registers/import/<int:pk>/",
        transfer.ImportBatchView.as_view(),
        name="import-detail",
    ),
    path(
        "registers/<str:reference>/import/",
        transfer.RegisterImportView.as_view(),
        name="register-import",
    ),
    path(
        "registers/<str:reference>/export/<str:file_format>/",
        transfer.RegisterExportView.as_view(),
        name="register-export",
    ),
    path(
        "registers/<str:reference>/print/",
        transfer.RegisterPrintView.as_view(),
        name="register-print",
    ),
]
