from django.urls import path

from . import views

app_name = "srs"
urlpatterns = [
    path("", views.study, name="study"),
    path("<slug:slug>/", views.study, name="study_deck"),
]
