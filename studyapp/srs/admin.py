from django.contrib import admin
from django.contrib.auth import get_user_model

from . import services
from .models import ParameterEvaluation, ReviewLog, StudyCard, StudySettings


@admin.register(StudySettings)
class StudySettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "new_per_day", "reviews_per_day", "desired_retention", "timezone"]
    raw_id_fields = ["user"]
    filter_horizontal = ["decks"]


@admin.register(StudyCard)
class StudyCardAdmin(admin.ModelAdmin):
    list_display = ["user", "item", "state", "due", "reps", "lapses", "leech", "suspended"]
    list_filter = ["state", "leech", "suspended"]
    raw_id_fields = ["user", "item"]
    search_fields = ["user__username", "item__key"]

    # The study queue keeps figures per learner (held new cards, cards ensured): an edit
    # here reads them again (services.cards_edited), for the card's learner before and after.
    def save_model(self, request, obj, form, change):
        before = StudyCard.objects.filter(pk=obj.pk).values_list("user_id", flat=True).first()
        super().save_model(request, obj, form, change)
        self._edited({obj.user_id, before} - {None})

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._edited({obj.user_id})

    def delete_queryset(self, request, queryset):
        user_ids = set(queryset.values_list("user_id", flat=True))
        super().delete_queryset(request, queryset)
        self._edited(user_ids)

    @staticmethod
    def _edited(user_ids) -> None:
        for user in get_user_model().objects.filter(pk__in=user_ids):
            services.cards_edited(user=user)


@admin.register(ReviewLog)
class ReviewLogAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only (undo is the one way an entry goes)."""

    list_display = [
        "user",
        "card",
        "source",
        "rating",
        "reviewed_at",
        "state_before",
        "state_after",
    ]
    list_filter = ["source", "rating"]
    raw_id_fields = ["user", "card"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ParameterEvaluation)
class ParameterEvaluationAdmin(admin.ModelAdmin):
    """Read-only: one row per optimizer run (``manage.py optimize_fsrs`` or the settings page)."""

    list_display = [
        "user",
        "created_at",
        "reviews",
        "logloss_before",
        "logloss_after",
        "rmse_before",
        "rmse_after",
        "accepted",
    ]
    list_filter = ["accepted"]
    raw_id_fields = ["user"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
