import logging

from django.db import DatabaseError, InterfaceError, OperationalError
from django.shortcuts import render
from django.utils.cache import patch_cache_control

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """The database being down gives a friendly 503 page, never a traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)) or (
            type(exception) is DatabaseError
        ):
            logger.error("database unavailable: %s", exception)
            response = render(request, "503.html", status=503)
            response["Retry-After"] = "30"
            return response
        return None


class PrivateCacheMiddleware:
    """Pages for a signed-in user are theirs: ``Cache-Control: private`` (no shared cache
    keeps them), and ``no-store`` on the account pages (passwords, reset links), so a shared
    classroom computer's cache keeps nothing of them. A view's own Cache-Control is kept."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if response.has_header("Cache-Control"):
            return response
        if request.path.startswith("/accounts/"):
            patch_cache_control(response, private=True, no_store=True)
        elif user is not None and user.is_authenticated:
            patch_cache_control(response, private=True)
        return response
