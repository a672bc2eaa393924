from django.urls import path

from . import views

app_name = "quizzes"
urlpatterns = [
    path("", views.index, name="index"),
    path("practice/", views.start_practice, name="start_practice"),
    path("mock/", views.start_mock, name="start_mock"),
    path("mock/<slug:slug>/", views.mock_intro, name="mock_intro"),
    path("a/<int:attempt_id>/", views.attempt_detail, name="attempt"),
    path("a/<int:attempt_id>/q/<int:position>/", views.question, name="question"),
    path("a/<int:attempt_id>/q/<int:position>/answer/", views.answer, name="answer"),
    path("a/<int:attempt_id>/q/<int:position>/flag/", views.flag, name="flag"),
    path("a/<int:attempt_id>/q/<int:position>/strike/", views.strike, name="strike"),
    path("a/<int:attempt_id>/review/", views.review_screen, name="review"),
    path("a/<int:attempt_id>/finish/", views.finish, name="finish"),
    path("a/<int:attempt_id>/submit/", views.submit, name="submit"),
    path("a/<int:attempt_id>/discard/", views.discard, name="discard"),
    path("a/<int:attempt_id>/result/", views.result, name="result"),
    path("a/<int:attempt_id>/answers/", views.answers, name="answers"),
    path("a/<int:attempt_id>/retry/", views.retry_wrong, name="retry_wrong"),
]
