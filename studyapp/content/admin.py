"""Content is browsable and searchable here, but read-only: the Markdown is the source."""

from django.contrib import admin

from .models import ConceptCard, Deck, Item, Option, Question, Reference, Section, SourceFile, Topic


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OptionInline(admin.TabularInline):
    model = Option
    fields = ["position", "text_md", "is_correct"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]


@admin.register(SourceFile)
class SourceFileAdmin(ReadOnlyAdmin):
    list_display = ["path", "imported_at", "edited_in_browser", "sha256"]
    search_fields = ["path"]
    list_filter = ["edited_in_browser"]


@admin.register(Deck)
class DeckAdmin(ReadOnlyAdmin):
    list_display = ["title", "slug", "language", "translation_of", "retired_at"]
    list_filter = ["language", "topics"]
    search_fields = ["title", "slug"]


@admin.register(Section)
class SectionAdmin(ReadOnlyAdmin):
    list_display = ["title", "deck", "kind", "position"]
    list_filter = ["kind", "deck"]
    search_fields = ["title", "key"]


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "deck", "kind", "key", "line", "retired_at"]
    list_filter = ["kind", "deck", "deck__language"]
    search_fields = ["key", "prompt", "text_md", "explanation_md"]
    inlines = [OptionInline]


@admin.register(ConceptCard)
class ConceptCardAdmin(ItemAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind=Item.Kind.CONCEPT)


@admin.register(Question)
class QuestionAdmin(ItemAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind=Item.Kind.QUESTION)


@admin.register(Option)
class OptionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "item", "is_correct"]
    search_fields = ["text_md", "item__prompt"]


@admin.register(Reference)
class ReferenceAdmin(ReadOnlyAdmin):
    list_display = ["title", "url", "deck", "item"]
    search_fields = ["title", "url"]
