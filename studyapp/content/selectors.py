"""Read-side queries for content pages (fixed query counts; see tests)."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.functional import SimpleLazyObject

from . import translation
from .models import Deck, Item, Option, Reference, Section
from .versions import CONTENT_KEY as CONTENT_VERSION_KEY  # noqa: F401 (for other apps' caches)
from .versions import content_version  # noqa: F401

DECKS_PER_PAGE = 12
SEARCH_MAX_CHARS = 100


def search_text(value: str) -> str:
    """A search box's text as the deck searches use it: NUL characters dropped (PostgreSQL's
    text cannot hold them: the query would fail), trimmed, at most ``SEARCH_MAX_CHARS``."""
    return value.replace("\x00", "").strip()[:SEARCH_MAX_CHARS]


def deck_search_page(*, query: str = "", number=None) -> Page:
    """One page (``DECKS_PER_PAGE``, by title) of the source decks' ids whose title, slug or
    a translation's title contains ``query``: the home page's work is O(page), not O(decks)
    × items (counts are computed for the page's decks only, by ``deck_list(ids=...)``)."""
    decks = Deck.objects.sources()
    query = search_text(query)
    if query:
        matches = Deck.objects.active().filter(Q(title__icontains=query) | Q(slug__icontains=query))
        decks = decks.filter(
            Q(pk__in=matches.values("pk")) | Q(pk__in=matches.values("translation_of_id"))
        )
    ids = decks.order_by("title", "pk").values_list("pk", flat=True)
    return Paginator(ids, DECKS_PER_PAGE).get_page(number)


def home_decks(params, language: str) -> dict:
    """The home page's decks: a page (``page``) of the search (``q``), with their counts:
    ``decks``, ``page``, ``query`` and ``searchable`` (more than one page, or a search)."""
    query = search_text(params.get("q", ""))
    page = deck_search_page(query=query, number=params.get("page"))
    return {
        "decks": deck_list(language, ids=page.object_list),
        "page": page,
        "query": query,
        "searchable": bool(query) or page.paginator.num_pages > 1,
    }


def deck_list(language: str, *, ids=None) -> list[Deck]:
    """Source decks with their counts (only those in ``ids``, when given); ``display`` is the
    translation for ``language``."""
    active = Q(items__retired_at__isnull=True)
    sources = Deck.objects.sources()
    if ids is not None:
        sources = sources.filter(pk__in=ids)  # a page's ids: a subquery, not a round trip
    decks = list(
        sources.annotate(
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
