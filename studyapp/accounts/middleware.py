from django.utils import translation


class UserLanguageMiddleware:
    """A signed-in user's saved language wins over the cookie and Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = request.session.get("user_language")
            if language is None:
                profile = getattr(user, "profile", None) if hasattr(user, "profile") else None
                language = profile.language if profile else ""
                request.session["user_language"] = language
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
