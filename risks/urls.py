from django.urls import path

from mitigations import views as mitigation_views
from risks.transfer_urls import urlpatterns as transfer_urlpatterns
from risks.views import (
    archiving,
    area_edit,
    editing,
    history,
    methodology,
    register,
    review,
)

app_name = "risks"

# Where each kind of record lives under its register; archive and restore act on it.
RECORD_PATHS = {
    "area": "areas/<int:number>/",
    "subrisk": "areas/<int:number>/subrisks/<str:key>/",
    "factor": "areas/<int:number>/factors/<str:key>/",
    "mitigation": "areas/<int:number>/mitigations/<str:key>/",
    "lesson": "lessons/<str:source>/<int:number>/",
}

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
    # Editing (Editors only)
    path(
        "registers/<str:reference>/rating-preview/",
        editing.RatingPreviewView.as_view(),
        name="rating-preview",
    ),
    path(
        "registers/<str:reference>/areas/new/",
        editing.AreaCreateView.as_view(),
        name="area-create",
    ),
    path(
        "registers/<str:reference>/areas/<int:number>/edit/",
        area_edit.AreaEditView.as_view(),
        name="area-edit",
    ),
    path(
        "registers/<str:reference>/areas/<int:number>/subrisks/new/",
        editing.SubRiskFormView.as_view(),
        name="subrisk-create",
    ),
    path(
        "registers/<str:reference>/areas/<int:number>/subrisks/<str:key>/edit/",
        editing.SubRiskFormView.as_view(),
        name="subrisk-edit",
    ),
    path(
        "registers/<str:reference>/areas/<int:number>/factors/new/",
        editing.RiskFactorFormView.as_view(),
        name="factor-create",
    ),
    path(
        "registers/<str:reference>/areas/<int:number>/factors/<str:key>/edit/",
        editing.RiskFactorFormView.as_view(),
        name="factor-edit",
    ),
    path(
        "registers/<str:reference>/areas/<int:number>/mitigations/new/",
        mitigation_views.MitigationFormView.as_view(),
        name="mitigation-create",
    ),
    path(
        "registers/<str:reference>/areas/<int:number>/mitigations/<str:key>/edit/",
        mitigation_views.MitigationFormView.as_view(),
        name="mitigation-edit",
    ),
    path(
        "registers/<str:reference>/areas/<int:number>/mitigations/<str:key>/"
        "make-current/",
        mitigation_views.MitigationMakeCurrentView.as_view(),
        name="mitigation-make-current",
    ),
    path(
        "registers/<str:reference>/lessons/new/",
        editing.LessonFormView.as_view(),
        name="lesson-create",
    ),
    path(
        "registers/<str:reference>/lessons/<str:source>/<int:number>/edit/",
        editing.LessonFormView.as_view(),
        name="lesson-edit",
    ),
]

for entity, record_path in RECORD_PATHS.items():
    urlpatterns += [
        path(
            f"registers/<str:reference>/{record_path}archive/",
            archiving.RecordArchiveView.as_view(entity=entity),
            name=f"{entity}-archive",
        ),
        path(
            f"registers/<str:reference>/{record_path}restore/",
            history.RecordRestoreView.as_view(kind=entity),
            name=f"{entity}-restore",
        ),
    ]
