from django.urls import path

from . import views

app_name = "authoring"
urlpatterns = [path("", views.index, name="index")]
