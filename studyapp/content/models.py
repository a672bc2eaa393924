"""Study content imported from Markdown: decks, sections, items (concept cards and
questions), options and references. The Markdown files are the source of truth; these
rows are what the importer made of them (HTML rendered and sanitized once, at import)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Topic(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(_("nome"), max_length=80)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tópico")
        verbose_name_plural = _("tópicos")

    def __str__(self) -> str:
        return self.name


class SourceFile(models.Model):
    """A Markdown file as last imported; ``text`` is what the authoring area edits."""

    path = models.CharField(_("caminho"), max_length=500, unique=True)
    sha256 = models.CharField(max_length=64)
    text = models.TextField(blank=True)
    imported_at = models.DateTimeField(_("importado em"))
    # Set when an instructor saves the deck in the browser: import_content then refuses
    # to overwrite it from content/ without --force (one source of truth).
    edited_in_browser = models.BooleanField(default=False)

    class Meta:
        ordering = ["path"]
        verbose_name = _("arquivo de conteúdo")
        verbose_name_plural = _("arquivos de conteúdo")

    def __str__(self) -> str:
        return self.path


class DeckQuerySet(models.QuerySet):
    def active(self):
        return self.filter(retired_at__isnull=True)

    def sources(self):
        """Decks in their source language (translations point to one of these)."""
        return self.active().filter(translation_of__isnull=True)


class Deck(models.Model):
    slug = models.SlugField(max_length=100)
    language = models.CharField(_("idioma"), max_length=10, default="pt-BR")
    title = models.CharField(_("título"), max_length=300)
    intro_html = models.TextField(blank=True)
    source = models.OneToOneField(
        SourceFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="deck"
    )
    translation_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="translations"
    )
    topics = models.ManyToManyField(Topic, related_name="decks", blank=True)
    domains = models.JSONField(_("domínios do exame"), default=list, blank=True)
    # Front matter ``mock: no``: the deck's questions are studied and practiced, never drawn
    # into a mock exam (an "aprofundamento" deck of details beyond the exam).
    in_mock = models.BooleanField(_("entra nos simulados"), default=True, db_default=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeckQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "language"], name="deck_slug_language")
        ]
        verbose_name = _("deck")
        verbose_name_plural = _("decks")

    def __str__(self) -> str:
        return self.title


class Section(models.Model):
    class Kind(models.TextChoices):
        CONCEPTS = "concepts", _("conceitos")
        QUESTIONS = "questions", _("perguntas")
        REFERENCES = "references", _("referências")

    deck = models.ForeignKey(Deck, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=120)
    title = models.CharField(_("título"), max_length=300)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    position = models.PositiveIntegerField(default=0)
    intro_html = models.TextField(blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["deck", "position"]
        constraints = [models.UniqueConstraint(fields=["deck", "key"], name="section_deck_key")]
        verbose_name = _("seção")
        verbose_name_plural = _("seções")

    def __str__(self) -> str:
        return self.title


class ItemQuerySet(models.QuerySet):
    def active(self):
        return self.filter(retired_at__isnull=True, deck__retired_at__isnull=True)

    def studiable(self):
        """Items learners are scheduled on: active items of source-language decks."""
        return self.active().filter(translation_of__isnull=True)

    def questions(self):
        return self.filter(kind=Item.Kind.QUESTION)

    def mock_eligible(self):
        """Questions a mock exam may hold: authored distractors, deck not marked ``mock: no``.

        An item with correct answers only (a flashcard such as the seed's) is studied and,
        in practice quizzes, self-graded; it never enters a mock.
        """
        return self.questions().filter(deck__in_mock=True, options__is_correct=False).distinct()

    def concepts(self):
        return self.filter(kind=Item.Kind.CONCEPT)


class Item(models.Model):
    """One thing to learn: a concept card (a bullet, asked as a cloze) or a Q&A question.

    Learners' progress points here. ``key`` is the stable identity (a pinned ``{#id}``
    or one generated at first import); rewording keeps the row, removal retires it.
    """

    class Kind(models.TextChoices):
        CONCEPT = "concept", _("cartão de conceito")
        QUESTION = "question", _("pergunta")

    deck = models.ForeignKey(Deck, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=120)
    pinned = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    line = models.PositiveIntegerField(_("linha"), default=0)
    prompt = models.CharField(_("pergunta"), max_length=1000, blank=True)
    prompt_html = models.TextField(blank=True)
    context = models.CharField(max_length=300, blank=True)
    text_md = models.TextField(_("texto"), blank=True)
    text_html = models.TextField(blank=True)
    cloze_term = models.CharField(max_length=300, blank=True)
    cloze_html = models.TextField(blank=True)
    explanation_md = models.TextField(_("explicação"), blank=True)
    explanation_html = models.TextField(blank=True)
    # The item's exam domains and topics: its own ``🏷️`` lines, else its deck's front matter
    # (set at import; quizzes filter and mocks weight by these, not by the deck's).
    domains = models.JSONField(_("domínios do exame"), default=list, blank=True)
    topics = models.ManyToManyField(Topic, related_name="items", blank=True)
    translation_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="translations"
    )
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["deck", "section__position", "position"]
        constraints = [models.UniqueConstraint(fields=["deck", "key"], name="item_deck_key")]
        indexes = [
            models.Index(fields=["deck", "kind", "retired_at"], name="item_deck_kind_active"),
        ]
        verbose_name = _("item")
        verbose_name_plural = _("itens")

    def __str__(self) -> str:
        return self.prompt or self.text_md[:80]

    @property
    def is_question(self) -> bool:
        return self.kind == self.Kind.QUESTION

    @property
    def is_multiple_response(self) -> bool:
        return sum(1 for option in self.options.all() if option.is_correct) > 1


class ConceptCard(Item):
    class Meta:
        proxy = True
        verbose_name = _("cartão de conceito")
        verbose_name_plural = _("cartões de conceito")


class Question(Item):
    class Meta:
        proxy = True
        verbose_name = _("pergunta")
        verbose_name_plural = _("perguntas")


class Option(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveIntegerField(default=0)
    text_md = models.TextField()
    html = models.TextField()
    is_correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["item", "position"]
        verbose_name = _("opção")
        verbose_name_plural = _("opções")

    def __str__(self) -> str:
        return ("✅ " if self.is_correct else "❌ ") + self.text_md[:80]


class Reference(models.Model):
    deck = models.ForeignKey(Deck, on_delete=models.CASCADE, related_name="references")
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.CASCADE, related_name="references"
    )
    title = models.CharField(_("título"), max_length=500)
    url = models.URLField(max_length=1000)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["deck", "item", "position"]
        verbose_name = _("referência")
        verbose_name_plural = _("referências")

    def __str__(self) -> str:
        return self.title
