from django.urls import path

from risks import views

app_name = "risks"

urlpatterns = [
    path("", views.RegisterListView.as_view(), name="register-list"),
    path(
        "registers/<str:reference>/",
        views.RegisterDetailView.as_view(),
        name="register-detail",
    ),
    path(
        "registers/<str:reference>/areas/<int:number>/",
        views.AreaDetailView.as_view(),
        name="area-detail",
    ),
    path(
        "registers/<str:reference>/methodology/",
        views.MethodologyDetailView.as_view(),
        name="methodology-detail",
    ),
    path(
        "registers/<str:reference>/lessons/",
        views.LessonListView.as_view(),
        name="lesson-list",
    ),
    path(
        "registers/<str:reference>/glossary/",
        views.GlossaryListView.as_view(),
        name="glossary-list",
    ),
]
