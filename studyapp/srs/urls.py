from django.urls import path

from . import views

app_name = "srs"
urlpatterns = [
    path("", views.study, name="study"),
    # Fixed words before <slug>: a deck cannot use the slug "settings".
    path("settings/", views.settings_view, name="settings"),
    path("settings/decks/<slug:slug>/", views.deck_options, name="deck_options"),
    path("settings/optimize/", views.optimize_parameters, name="optimize"),
    path("settings/suggest-retention/", views.suggest_retention, name="suggest_retention"),
    path("log/undo/", views.undo, name="undo"),
    path("cards/<int:card_id>/answer/", views.answer, name="answer"),
    path("cards/<int:card_id>/suspend/", views.suspend, name="suspend"),
    path("cards/<int:card_id>/unsuspend/", views.unsuspend, name="unsuspend"),
    path("cards/<int:card_id>/bury/", views.bury, name="bury"),
    path("<slug:slug>/", views.study, name="study_deck"),
]
