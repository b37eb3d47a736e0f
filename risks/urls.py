from django.urls import path

from risks.views import register

app_name = "risks"

urlpatterns = [
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
]
