from django.urls import path

from . import views

app_name = "progress"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("modelo/", views.model, name="model"),
    path("export/<slug:what>.<slug:fmt>", views.export, name="export"),
    path("anki/<slug:slug>.apkg", views.anki_progress, name="anki_progress"),
]
