from django.contrib import admin

from .models import Revision


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ["deck_slug", "language", "created_at", "author", "message"]
    list_filter = ["language"]
    search_fields = ["deck_slug", "message", "text", "author__username"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "deck_slug",
        "language",
        "path",
        "text",
        "sha256",
        "author",
        "created_at",
        "message",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
