import logging

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers

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


class HtmxVaryMiddleware:
    """Views answer an htmx request with a fragment and a plain one with the whole page from the
    same URL, so every HTML response varies on ``HX-Request``: no cache (the browser's
    included) may hand a fragment to a full-page request or the other way round."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            patch_vary_headers(response, ("HX-Request",))
        return response


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


def body_limit(max_bytes: int):
    """Let a view take request bodies of up to ``max_bytes`` (what its form needs); every
    other view takes at most ``settings.REQUEST_BODY_MAX_BYTES``."""

    def decorator(view):
        view.max_body_bytes = max_bytes
        return view

    return decorator


def too_large(request, *, size: int, limit: int):
    """The 413 page: what was sent, what the page takes, nothing saved."""
    return render(request, "413.html", {"size": size, "limit": limit}, status=413)


class RequestBodyLimitMiddleware:
    """Refuse a request whose declared body (Content-Length) is over the view's cap with a
    413 page, before anything reads the body: it is neither parsed nor spooled to disk.
    (Django never reads past Content-Length; a body without one is read as empty.) Must come
    before CsrfViewMiddleware, which reads the form for its token."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        limit = getattr(view_func, "max_body_bytes", settings.REQUEST_BODY_MAX_BYTES)
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        if size > limit:
            logger.warning("body of %d bytes to %s refused (cap %d)", size, request.path, limit)
            return too_large(request, size=size, limit=limit)
        return None
