"""The app's URLs under ``/alt/`` (tests/progress/test_kept_nodes.py: another URL map)."""

from django.urls import include, path

from studyapp.urls import urlpatterns as app

urlpatterns = [path("alt/", include(app))]
