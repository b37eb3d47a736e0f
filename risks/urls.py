from django.urls import path

from risks.transfer_urls import urlpatterns as transfer_urlpatterns
from risks.views import history, methodology, register, review

app_name = "risks"

urlpatterns = [
    *transfer_urlpatterns,
    path("", register.RegisterListView.as_view(), name="register-list"),
    path(
        "registers/<str:reference>/",
        register.RegisterDetailView.as_view(),
        name="register-detail",
    ),
    path(
        "registers/<str:reference>/areas/<int:number>/",
        register.AreaDetailView.as_view(),
        name="area-detail",
    ),
    path(
        "registers/<str:reference>/methodology/",
        register.MethodologyDetailView.as_view(),
        name="methodology-detail",
    ),
    # Methodology changes and versions
    path(
        "registers/<str:reference>/methodology/edit/",
        methodology.MethodologyEditView.as_view(),
        name="methodology-edit",
    ),
    path(
        "registers/<str:reference>/methodology/preview/",
        methodology.MethodologyPreviewView.as_view(),
        name="methodology-preview",
    ),
    path(
        "registers/<str:reference>/methodology/confirm/",
        methodology.MethodologyConfirmView.as_view(),
        name="methodology-confirm",
    ),
    path(
        "registers/<str:reference>/methodology/versions/",
        methodology.MethodologyVersionListView.as_view(),
        name="methodology-version-list",
    ),
    path(
        "registers/<str:reference>/methodology/versions/<int:version>/",
        methodology.MethodologyVersionDetailView.as_view(),
        name="methodology-version-detail",
    ),
    path(
        "registers/<str:reference>/methodology/compare/",
        methodology.MethodologyCompareView.as_view(),
        name="methodology-compare",
    ),
    path(
        "registers/<str:reference>/areas/<int:number>/subrisks/<str:key>/review/",
        review.SubRiskReviewView.as_view(),
        name="subrisk-review",
    ),
    path(
        "registers/<str:reference>/lessons/",
        register.LessonListView.as_view(),
        name="lesson-list",
    ),
    path(
        "registers/<str:reference>/glossary/",
        register.GlossaryListView.as_view(),
        name="glossary-list",
    ),
    # History and recovery
    path(
        "registers/<str:reference>/changes/",
        history.ChangeListView.as_view(),
        name="change-list",
    ),
    path(
        "registers/<str:reference>/archived/",
        history.ArchivedListView.as_view(),
        name="archived-list",
    ),
    path(
        "registers/<str:reference>/areas/<int:number>/history/",
        history.AreaHistoryView.as_view(),
        name="area-history",
    ),
    path(
        "registers/<str:reference>/areas/<int:number>/subrisks/<str:key>/history/",
        history.SubRiskHistoryView.as_view(),
        name="subrisk-history",
    ),
    path(
        "registers/<str:reference>/areas/<int:number>/restore/",
        history.RecordRestoreView.as_view(kind="area"),
        name="area-restore",
    ),
    path(
        "registers/<str:reference>/areas/<int:number>/subrisks/<str:key>/restore/",
        history.RecordRestoreView.as_view(kind="subrisk"),
        name="subrisk-restore",
    ),
    path(
        "registers/<str:reference>/areas/<int:number>/factors/<str:key>/restore/",
        history.RecordRestoreView.as_view(kind="factor"),
        name="factor-restore",
    ),
    path(
        "registers/<str:reference>/areas/<int:number>/mitigations/<str:key>/restore/",
        history.RecordRestoreView.as_view(kind="mitigation"),
        name="mitigation-restore",
    ),
    path(
        "registers/<str:reference>/lessons/<str:source>/<int:number>/restore/",
        history.RecordRestoreView.as_view(kind="lesson"),
        name="lesson-restore",
    ),
]
