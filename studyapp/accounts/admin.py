from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .forms import AdminChangeForm, AdminCreationForm
from .models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "language"]
    search_fields = ["user__username"]


# Django's user admin, with the sign-up's refusal of lookalike usernames.
admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class UserAdmin(DjangoUserAdmin):
    form = AdminChangeForm
    add_form = AdminCreationForm
