from django.contrib import admin

from .models import Attempt, AttemptQuestion, ExamProfile, ExamProfileTopic


class ExamProfileTopicInline(admin.TabularInline):
    model = ExamProfileTopic
    extra = 1


@admin.register(ExamProfile)
class ExamProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "question_count", "minutes", "pass_mark", "is_default", "is_active"]
    list_editable = ["is_active"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ExamProfileTopicInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "question_count", "minutes", "pass_mark"]}),
        (
            "DVA-C02",
            {
                "fields": [
                    "domain_1_weight",
                    "domain_2_weight",
                    "domain_3_weight",
                    "domain_4_weight",
                ]
            },
        ),
        (None, {"fields": ["is_default", "is_active", "position"]}),
    ]


class AttemptQuestionInline(admin.TabularInline):
    model = AttemptQuestion
    extra = 0
    can_delete = False
    fields = ["position", "item", "domain", "selected_ids", "flagged", "is_correct"]
    readonly_fields = fields
    raw_id_fields = ["item"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "kind", "status", "started_at", "scaled_score", "passed"]
    list_filter = ["kind", "status", "profile"]
    search_fields = ["user__username", "title"]
    date_hierarchy = "started_at"
    raw_id_fields = ["user"]
    readonly_fields = ["seed", "started_at", "deadline", "finished_at"]
    inlines = [AttemptQuestionInline]
