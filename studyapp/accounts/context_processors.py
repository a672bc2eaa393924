from django.utils.functional import SimpleLazyObject

from .roles import is_instructor


def roles(request):
    return {"is_instructor": SimpleLazyObject(lambda: is_instructor(request.user))}
