"""Read-side queries for content pages (fixed query counts; see tests)."""

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.functional import SimpleLazyObject

from . import translation
from .models import Deck, Item, Option, Reference, Section


def deck_list(language: str) -> list[Deck]:
    """Source decks with their counts; ``display`` is the translation for ``language``."""
    active = Q(items__retired_at__isnull=True)
    decks = list(
        Deck.objects.sources()
        .annotate(
            concept_count=Count("items", filter=active & Q(items__kind=Item.Kind.CONCEPT)),
            question_count=Count("items", filter=active & Q(items__kind=Item.Kind.QUESTION)),
        )
        .prefetch_related(
            "topics",
            Prefetch(
                "translations",
                queryset=Deck.objects.active().only("slug", "title", "language", "translation_of"),
            ),
        )
        .order_by("title")
    )
    for deck in decks:
        deck.display = localized(deck, language)
    return decks


def localized(deck: Deck, language: str) -> Deck:
    """The deck or its translation for a reader of ``language`` (``translation.pick``)."""
    if translation.is_exact(deck.language, language):
        return deck
    return translation.pick(deck, deck.translations.all(), language)


def deck_page(slug: str, language: str) -> tuple[Deck, Deck]:
    """(source deck, deck to display); the displayed deck's sections (with items, options
    and references) and deck references load lazily, only when the template's cached
    deck body (keyed by the deck's ``updated_at``, which every import bumps) is missing."""
    source = get_object_or_404(
        Deck.objects.sources().prefetch_related("topics", "translations"), slug=slug
    )
    shown = localized(source, language)
    shown.section_list = SimpleLazyObject(lambda: _sections(shown))
    shown.deck_references = SimpleLazyObject(
        lambda: list(Reference.objects.filter(deck=shown, item__isnull=True).order_by("position"))
    )
    return source, shown


def _sections(deck: Deck) -> list[Section]:
    """Sections with ``item_list``, each item with ``option_list`` and ``reference_list``: the
    names ``templates/content/_deck_body.html`` reads (the editor preview has the same)."""
    items = Item.objects.filter(retired_at__isnull=True).prefetch_related(
        Prefetch("options", queryset=Option.objects.order_by("position"), to_attr="option_list"),
        Prefetch(
            "references",
            queryset=Reference.objects.order_by("position"),
            to_attr="reference_list",
        ),
    )
    return list(
        Section.objects.filter(deck=deck, retired_at__isnull=True)
        .order_by("position")
        .prefetch_related(
            Prefetch("items", queryset=items.order_by("position"), to_attr="item_list")
        )
    )
