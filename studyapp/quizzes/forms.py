"""Forms that start quizzes. Answers are validated by the services (they know the question)."""

from django import forms
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        decks = (
            Deck.objects.sources()
            .filter(items__kind=Item.Kind.QUESTION, items__retired_at__isnull=True)
            .distinct()
            .order_by("title")
            .prefetch_related("translations")
        )
        self.fields["decks"].queryset = decks
        # Topics of the questions themselves (their 🏷️ lines, else their deck's).
        self.fields["topics"].queryset = (
            Topic.objects.filter(items__in=Item.objects.studiable().questions())
            .distinct()
            .order_by("name")
        )


class MockForm(forms.Form):
    profile = forms.ModelChoiceField(
        label=_("Perfil"),
        queryset=ExamProfile.objects.filter(is_active=True),
        to_field_name="slug",
    )
