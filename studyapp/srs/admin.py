from django.contrib import admin

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
