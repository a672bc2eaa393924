"""Forms that start quizzes. Answers are validated by the services (they know the question)."""

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from studyapp.content.models import Deck, Item, Topic
from studyapp.content.selectors import localized

from .models import ExamProfile
from .services import PRACTICE_MAX, PRACTICE_MIN


class LocalizedDeckField(forms.ModelMultipleChoiceField):
    """Deck choices titled in the reader's language where a translation exists."""

    def label_from_instance(self, obj):
        return localized(obj, get_language()).title


DECKS_SHOWN = 12
DECK_QUERY_MAX_CHARS = 100


class PracticeForm(forms.Form):
    decks = LocalizedDeckField(
        label=_("Decks"),
        queryset=Deck.objects.none(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Tópicos"),
        queryset=Topic.objects.none(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    count = forms.IntegerField(
        label=_("Número de questões"),
        min_value=PRACTICE_MIN,
        max_value=PRACTICE_MAX,
        initial=10,
        help_text=_("De 5 a 65. Sem deck nem tópico marcado, vale o banco inteiro."),
    )

    def __init__(self, *args, deck_query: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        questions = Item.objects.filter(kind=Item.Kind.QUESTION, retired_at__isnull=True)
        decks = (
            Deck.objects.sources()
            .filter(Exists(questions.filter(deck=OuterRef("pk"))))
            .order_by("title", "pk")
        )
        self.fields["decks"].queryset = decks  # what a submitted form may choose
        self._show_some_decks(decks, deck_query.strip()[:DECK_QUERY_MAX_CHARS])
        # Topics of the questions themselves (their 🏷️ lines, else their deck's).
        studiable = Item.objects.studiable().questions()
        self.fields["topics"].queryset = Topic.objects.filter(
            Exists(studiable.filter(topics=OuterRef("pk")))
        ).order_by("name")

    def _show_some_decks(self, decks, query: str) -> None:
        """With hundreds of decks the form lists at most ``DECKS_SHOWN`` of them (by title,
        those matching ``query`` in a title or slug, and any already chosen): the page's work
        stays O(shown), whatever the number of decks (``decks_hidden``: there are more)."""
        field = self.fields["decks"]
        matching = decks
        if query:
            titles = Deck.objects.active().filter(
                Q(title__icontains=query) | Q(slug__icontains=query)
            )
            matching = decks.filter(
                Q(pk__in=titles.values("pk")) | Q(pk__in=titles.values("translation_of_id"))
            )
        chosen = self.data.getlist("decks") if self.is_bound else self.initial.get("decks") or []
        shown = list(matching.prefetch_related("translations")[: DECKS_SHOWN + 1])
        self.decks_hidden = len(shown) > DECKS_SHOWN
        shown = shown[:DECKS_SHOWN]
        slugs = {deck.slug for deck in shown}
        missing = [slug for slug in chosen if slug and slug not in slugs]
        if missing:
            extra = decks.filter(slug__in=missing[:DECKS_SHOWN]).prefetch_related("translations")
            shown += list(extra)
        self.deck_query = query
        field.widget.choices = [(deck.slug, field.label_from_instance(deck)) for deck in shown]


class MockForm(forms.Form):
    profile = forms.ModelChoiceField(
        label=_("Perfil"),
        queryset=ExamProfile.objects.filter(is_active=True),
        to_field_name="slug",
    )
