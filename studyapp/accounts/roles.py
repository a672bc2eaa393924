"""Roles: instructors are the members of the "Instrutores" group."""

from functools import wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import connection

INSTRUCTORS_GROUP = "Instrutores"


def is_instructor(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_instructor", None)
    if cached is None:
        cached = user._is_instructor = _in_group(user.pk, INSTRUCTORS_GROUP)
    return cached


def _in_group(user_id: int, name: str) -> bool:
    """``user.groups.filter(name=name).exists()`` as SQL: every study page asks (the card's
    edit link), and the ORM took ~170 µs to build what SQLite runs in ~10 µs."""
    through = get_user_model().groups.through._meta
    quote = connection.ops.quote_name
    user, group = (quote(through.get_field(name).column) for name in ("user", "group"))
    sql = (
        f"SELECT 1 FROM {quote(through.db_table)} m"  # noqa: S608
        f" INNER JOIN {quote(Group._meta.db_table)} g ON g.id = m.{group}"
        f" WHERE m.{user} = %s AND g.name = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, name])
        return cursor.fetchone() is not None


def instructor_required(view):
    """Anonymous users go to the login page; signed-in non-instructors get 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_instructor(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
