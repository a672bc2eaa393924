import zoneinfo
from functools import lru_cache

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from studyapp.content.models import Deck
from studyapp.content.selectors import localized

from .models import DeckLimits, StudySettings


@lru_cache(maxsize=1)
def timezone_choices() -> list[tuple[str, str]]:
    names = sorted(name for name in zoneinfo.available_timezones() if "/" in name or name == "UTC")
    return [(name, name.replace("_", " ")) for name in names]


class DeckChoiceField(forms.ModelMultipleChoiceField):
    """Deck ids; one too large for a database integer is an unknown choice, not a 500
    (SQLite raises OverflowError on such a value in the ``pk__in`` query)."""

    def _check_values(self, value):
        for pk in value:
            try:
                too_large = abs(int(pk)) >= 2**63
            except (TypeError, ValueError):
                too_large = False  # not a number: the base class says so
            if too_large:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


class ScopeForm(forms.Form):
    """Where a study action came from, so the session continues in the same place."""

    scope = forms.SlugField(required=False)
    ahead = forms.BooleanField(required=False)


class AnswerForm(ScopeForm):
    rating = forms.TypedChoiceField(
        choices=[(str(value), str(value)) for value in (1, 2, 3, 4)],
        coerce=int,
        error_messages={
            "required": _("Escolha uma resposta de 1 a 4."),
            "invalid_choice": _("Resposta inválida: escolha de 1 (De novo) a 4 (Fácil)."),
        },
    )
    token = forms.CharField(max_length=64)
    duration_ms = forms.IntegerField(required=False, min_value=0)


class CardActionForm(ScopeForm):
    token = forms.CharField(max_length=64)


class StudySettingsForm(forms.ModelForm):
    timezone = forms.ChoiceField(label=_("Fuso horário"), choices=timezone_choices)
    decks = DeckChoiceField(
        label=_("Decks para estudar"),
        queryset=Deck.objects.sources(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Nenhum marcado: todos os decks."),
    )

    class Meta:
        model = StudySettings
        fields = [
            "new_per_day",
            "reviews_per_day",
            "desired_retention",
            "keep_retention",
            "maximum_interval",
            "leech_threshold",
            "timezone",
            "decks",
        ]
        widgets = {
            "desired_retention": forms.NumberInput(
                attrs={"step": "0.01", "min": "0.70", "max": "0.97"}
            ),
            "leech_threshold": forms.NumberInput(attrs={"min": "1", "max": "99"}),
        }
        help_texts = {
            "desired_retention": _(
                "Probabilidade de lembrar um cartão quando ele volta (0,70 a 0,97). "
                "Mais alta: revisões mais frequentes."
            ),
            "maximum_interval": _("O maior intervalo entre duas revisões, em dias."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left out of a post (an older form, a script): the current threshold stays.
        self.fields["leech_threshold"].required = False
        # Decks are chosen by their source (progress belongs to it), titled in the
        # reader's language where a translation exists.
        decks = self.fields["decks"]
        decks.queryset = decks.queryset.prefetch_related("translations")
        decks.label_from_instance = lambda deck: localized(deck, get_language()).title

    def clean_leech_threshold(self):
        value = self.cleaned_data.get("leech_threshold")
        return self.instance.leech_threshold if value is None else value


class DeckLimitsForm(forms.ModelForm):
    """A deck's own daily limits; blank keeps only the overall limit."""

    class Meta:
        model = DeckLimits
        fields = ["new_per_day", "reviews_per_day"]
        widgets = {
            "new_per_day": forms.NumberInput(attrs={"min": "0", "max": "9999"}),
            "reviews_per_day": forms.NumberInput(attrs={"min": "0", "max": "9999"}),
        }
        help_texts = {
            "new_per_day": _("Em branco: só o limite geral. Nunca passa do limite geral."),
            "reviews_per_day": _("Em branco: só o limite geral. Nunca passa do limite geral."),
        }
