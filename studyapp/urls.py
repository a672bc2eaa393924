from django.contrib import admin
from django.urls import include, path

from studyapp import views
from studyapp.accounts import views as accounts_views
from studyapp.content import views as content_views
from studyapp.progress import views as progress_views

urlpatterns = [
    path("", progress_views.home, name="home"),
    path("decks/<slug:slug>/", content_views.deck_detail, name="deck_detail"),
    path("accounts/", include("studyapp.accounts.urls")),
    path("study/", include("studyapp.srs.urls")),
    path("quiz/", include("studyapp.quizzes.urls")),
    path("progress/", include("studyapp.progress.urls")),
    path("instructor/turma/", progress_views.class_view, name="class_view"),
    path(
        "instructor/turma/alunos/<int:user_id>/",
        progress_views.student_progress,
        name="student_progress",
    ),
    path("instructor/", include("studyapp.authoring.urls")),
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
]

handler400 = "studyapp.views.bad_request"
