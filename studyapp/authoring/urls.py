from django.urls import path

from . import views

app_name = "authoring"
deck = "decks/<slug:language>/<slug:slug>/"
urlpatterns = [
    path("", views.index, name="index"),
    path("decks/new/", views.deck_new, name="deck_new"),
    path("decks/new/preview/", views.preview, name="preview_new"),
    path(deck, views.deck_edit, name="deck_edit"),
    path(deck + "preview/", views.preview, name="preview"),
    path(deck + "source.md", views.deck_source, name="deck_source"),
    path(deck + "revisions/", views.revisions, name="revisions"),
    path(deck + "revisions/<int:pk>/", views.revision_detail, name="revision_detail"),
    path(deck + "revisions/<int:pk>/revert/", views.revision_revert, name="revision_revert"),
    path("upload/", views.upload, name="upload"),
    path("gift/", views.gift_import, name="gift_import"),
    path("export.zip", views.export_zip, name="export_zip"),
    # Any signed-in user, not only instructors (see docs/authoring.md).
    path("decks/<slug:slug>/anki.apkg", views.anki_export, name="anki_export"),
]
