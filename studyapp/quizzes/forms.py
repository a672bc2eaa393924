"""Forms that start quizzes. Answers are validated by the services (they know the question)."""

from django import forms
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from studyapp.content.models import Deck, Item, Topic
from studyapp.content.selectors import localized, search_text

from .models import ExamProfile
from .services import PRACTICE_MAX, PRACTICE_MIN


class LocalizedDeckField(forms.ModelMultipleChoiceField):
    """Deck choices titled in the reader's language where a translation exists."""

    def label_from_instance(self, obj):
        return localized(obj, get_language()).title


DECKS_SHOWN = 12
# What a deck's checkbox needs (title in the reader's language): not the deck's intro HTML,
# which SQLite otherwise carries through the sort of every deck by title.
LISTED_FIELDS = ("id", "slug", "title", "language", "translation_of_id")
TOPICS_SHOWN = 12


def _listed(decks):
    """``decks`` with what their checkboxes show, their translations' titles included."""
    translations = Prefetch("translations", queryset=Deck.objects.only(*LISTED_FIELDS))
    return decks.only(*LISTED_FIELDS).prefetch_related(translations)


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
        query = search_text(deck_query)
        self.deck_query = query
        self._show_some_decks(decks, query)
        # Topics of the questions themselves (their 🏷️ lines, else their deck's).
        studiable = Item.objects.studiable().questions()
        topics = Topic.objects.filter(Exists(studiable.filter(topics=OuterRef("pk")))).order_by(
            "name", "pk"
        )
        self.fields["topics"].queryset = topics
        self._show_some_topics(topics, query)

    def _chosen(self, name: str) -> list[str]:
        """The slugs chosen in the request (a slug never holds a NUL: PostgreSQL could not
        even compare one)."""
        chosen = self.data.getlist(name) if self.is_bound else self.initial.get(name) or []
        return [slug for slug in chosen if "\x00" not in slug]

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
        chosen = self._chosen("decks")
        shown = list(_listed(matching)[: DECKS_SHOWN + 1])
        self.decks_hidden = len(shown) > DECKS_SHOWN
        shown = shown[:DECKS_SHOWN]
        slugs = {deck.slug for deck in shown}
        missing = [slug for slug in chosen if slug and slug not in slugs]
        if missing:
            shown += list(_listed(decks.filter(slug__in=missing[:DECKS_SHOWN])))
        field.widget.choices = [(deck.slug, field.label_from_instance(deck)) for deck in shown]

    def _show_some_topics(self, topics, query: str) -> None:
        """The same for topics (a deck without ``topics:`` has one named after it): all of
        them when they are at most ``TOPICS_SHOWN``; else that many, by name, those matching
        ``query`` in a name or slug (the deck search's), and any already chosen
        (``topics_searched``: the search finds topics too; ``topics_hidden``: there are more)."""
        shown = list(topics[: TOPICS_SHOWN + 1])
        self.topics_searched = len(shown) > TOPICS_SHOWN
        if self.topics_searched and query:
            matching = topics.filter(Q(name__icontains=query) | Q(slug__icontains=query))
            shown = list(matching[: TOPICS_SHOWN + 1])
        self.topics_hidden = len(shown) > TOPICS_SHOWN
        shown = shown[:TOPICS_SHOWN]
        slugs = {topic.slug for topic in shown}
        missing = [slug for slug in self._chosen("topics") if slug and slug not in slugs]
        if missing:
            shown += list(topics.filter(slug__in=missing[:TOPICS_SHOWN]))
        self.fields["topics"].widget.choices = [(topic.slug, topic.name) for topic in shown]


class MockForm(forms.Form):
    profile = forms.ModelChoiceField(
        label=_("Perfil"),
        queryset=ExamProfile.objects.filter(is_active=True),
        to_field_name="slug",
    )
