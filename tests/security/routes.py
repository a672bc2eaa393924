"""The table behind the authorization matrix, CSRF and fuzz tests: every named URL, how to
build its arguments and the status each role gets for GET and POST.

Roles: ``anonymous``; ``owner``, the student who owns the study card and quiz attempts in
the URL; ``other``, another student; ``instructor``. Someone else's card or attempt does not
exist for a student (404, never 403: a 403 would confirm the id exists).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

from .world import DECK, ROLES, World


@dataclass(frozen=True)
class Redirect:
    """A 302 whose Location starts with ``to`` ("" = anywhere)."""

    to: str = ""


LOGIN = Redirect("/accounts/login/?next=")
ADMIN_LOGIN = Redirect("/admin/login/?next=")
REDIRECT = Redirect()


def everyone(status) -> dict:
    return dict.fromkeys(ROLES, status)


def signed_in(status) -> dict:
    return {**everyone(status), "anonymous": LOGIN}


def owned(status, *, instructor=404) -> dict:
    """The owner's object: another student gets 404; instructors as given."""
    return {"anonymous": LOGIN, "other": 404, "owner": status, "instructor": instructor}


def instructors(status) -> dict:
    return {"anonymous": LOGIN, "other": 403, "owner": 403, "instructor": status}


NOT_ALLOWED = everyone(405)
STAFF_ONLY = everyone(ADMIN_LOGIN)  # none of the four roles is staff


@dataclass(frozen=True)
class Route:
    get: dict
    post: dict = field(default_factory=lambda: NOT_ALLOWED)
    kwargs: Callable[[World], dict] = lambda w: {}
    # What the matrix posts: the owner's success path where that is cheap to build.
    data: Callable[[World], dict] = lambda w: {}
    # Extra POST field names the fuzzer also tries (the form's other fields).
    fields: tuple[str, ...] = ()
    # Query parameters the GET view reads (fuzzed).
    query: tuple[str, ...] = ()
    # Who the CSRF and fuzz tests use: the role for whom the form is meant.
    role: str = "owner"
    files: tuple[str, ...] = ()  # file fields (fuzzed with random uploads)

    @property
    def accepts_post(self) -> bool:
        return any(status != 405 for status in self.post.values())


def admin(**kwargs) -> Route:
    """A Django admin page: staff only (the CSRF test posts to it as a superuser)."""
    return Route(get=STAFF_ONLY, post=STAFF_ONLY, role="superuser", **kwargs)


def deck_args(w: World) -> dict:
    return {"language": w.deck.language, "slug": w.deck.slug}


def revision_args(w: World) -> dict:
    return {**deck_args(w), "pk": w.revision.pk}


def attempt_args(w: World) -> dict:
    return {"attempt_id": w.attempt.pk}


def question_args(w: World) -> dict:
    return {"attempt_id": w.attempt.pk, "position": 1}


def finished_args(w: World) -> dict:
    return {"attempt_id": w.finished.pk}


def card_args(w: World) -> dict:
    return {"card_id": w.card.pk}


SCOPE_FIELDS = ("scope", "ahead")

ROUTES: dict[str, Route] = {
    # -- public pages
    "home": Route(get=everyone(200)),
    "deck_detail": Route(get=everyone(200), kwargs=lambda w: {"slug": w.deck.slug}),
    "healthz": Route(get=everyone(200)),
    # -- accounts
    "signup": Route(
        get={**everyone(REDIRECT), "anonymous": 200},
        post={**everyone(REDIRECT), "anonymous": 400},
        fields=("username", "password1", "password2"),
        role="anonymous",
    ),
    "login": Route(
        get=everyone(200),
        post=everyone(Redirect("/")),
        data=lambda w: {"username": "ana", "password": "senha-de-teste-1"},
        fields=("next",),
        query=("next",),
        role="anonymous",
    ),
    "logout": Route(get=NOT_ALLOWED, post=everyone(Redirect("/"))),
    "account": Route(get=signed_in(200), post=signed_in(400), fields=("email", "password")),
    "password_change": Route(
        get=signed_in(200),
        post=signed_in(400),  # no old password
        fields=("old_password", "new_password1", "new_password2"),
    ),
    "password_change_done": Route(get=signed_in(200)),
    # Anyone may ask for a reset link (the same page whether the address has an account).
    "password_reset": Route(
        get=everyone(200),
        post=everyone(Redirect("/accounts/password/reset/sent/")),
        data=lambda w: {"email": "ninguem@example.com"},
        fields=("email",),
        role="anonymous",
    ),
    "password_reset_done": Route(get=everyone(200)),
    # A link with a wrong token: the "link no longer valid" page, whatever the method.
    "password_reset_confirm": Route(
        get=everyone(200),
        post=everyone(200),
        kwargs=lambda w: {"uidb64": "MQ", "token": "c0ffee-0123456789abcdef"},
        fields=("new_password1", "new_password2"),
        role="anonymous",
    ),
    "password_reset_complete": Route(get=everyone(200)),
    "set_language": Route(
        get=NOT_ALLOWED,
        post=everyone(Redirect("/")),
        data=lambda w: {"language": "en", "next": "/"},
        fields=("language", "next"),
    ),
    # -- study (srs)
    "srs:study": Route(get=signed_in(200), query=("card", "reveal", "ahead", "undone")),
    "srs:study_deck": Route(
        get=signed_in(200),
        kwargs=lambda w: {"slug": w.deck.slug},
        query=("card", "reveal", "ahead", "undone"),
    ),
    # Each learner's own limits for a deck: an empty post clears them (success).
    "srs:deck_options": Route(
        get=signed_in(200),
        post=signed_in(REDIRECT),
        kwargs=lambda w: {"slug": w.deck.slug},
        fields=("new_per_day", "reviews_per_day", "next"),
        query=("next",),
    ),
    "srs:settings": Route(
        get=signed_in(200),
        post=signed_in(400),
        fields=(
            "new_per_day",
            "reviews_per_day",
            "desired_retention",
            "maximum_interval",
            "timezone",
            "decks",
        ),
    ),
    "srs:undo": Route(get=NOT_ALLOWED, post=signed_in(400), fields=SCOPE_FIELDS),
    # Train one's own FSRS parameters / the retention suggestion: the signed-in learner only.
    "srs:optimize": Route(get=NOT_ALLOWED, post=signed_in(REDIRECT)),
    "srs:suggest_retention": Route(get=NOT_ALLOWED, post=signed_in(REDIRECT)),
    # One's own exam date (accounts profile): an empty post is an unbound form (400).
    "exam_date": Route(
        get=signed_in(200), post=signed_in(400), fields=("exam_date", "next"), query=("next",)
    ),
    # How the forecast is computed: public, it holds no one's data.
    "progress:model": Route(get=everyone(200)),
    "srs:answer": Route(
        get=NOT_ALLOWED,
        post=owned(REDIRECT),
        kwargs=card_args,
        data=lambda w: {"rating": "3", "token": w.card.token},
        fields=("duration_ms", *SCOPE_FIELDS),
    ),
    "srs:suspend": Route(
        get=NOT_ALLOWED,
        post=owned(REDIRECT),
        kwargs=card_args,
        data=lambda w: {"token": w.card.token},
        fields=SCOPE_FIELDS,
    ),
    "srs:bury": Route(
        get=NOT_ALLOWED,
        post=owned(REDIRECT),
        kwargs=card_args,
        data=lambda w: {"token": w.card.token},
        fields=SCOPE_FIELDS,
    ),
    "srs:unsuspend": Route(get=NOT_ALLOWED, post=owned(REDIRECT), kwargs=card_args),
    # -- quizzes
    "quizzes:index": Route(get=signed_in(200), query=("deck", "deck_q")),
    "quizzes:start_practice": Route(
        get=NOT_ALLOWED,
        post=signed_in(REDIRECT),
        data=lambda w: {"count": "5"},
        fields=("decks", "topics"),
    ),
    "quizzes:start_mock": Route(
        get=NOT_ALLOWED,
        post=signed_in(400),  # the bank is too small for a mock exam
        data=lambda w: {"profile": w.profile.slug},
    ),
    "quizzes:mock_intro": Route(get=signed_in(200), kwargs=lambda w: {"slug": w.profile.slug}),
    "quizzes:attempt": Route(get=owned(REDIRECT), kwargs=attempt_args),
    "quizzes:question": Route(get=owned(200), kwargs=question_args),
    "quizzes:answer": Route(
        get=NOT_ALLOWED,
        post=owned(REDIRECT),
        kwargs=question_args,
        data=lambda w: {"option": w.question.option_ids[0]},
        fields=("go",),
    ),
    "quizzes:flag": Route(
        get=NOT_ALLOWED,
        post=owned(REDIRECT),
        kwargs=question_args,
        data=lambda w: {"flagged": "1"},
    ),
    "quizzes:strike": Route(
        get=NOT_ALLOWED,
        post=owned(REDIRECT),
        kwargs=question_args,
        data=lambda w: {"strike": w.question.option_ids[0]},
        fields=("review_show",),
    ),
    "quizzes:review": Route(get=owned(200), kwargs=attempt_args, query=("show",)),
    "quizzes:finish": Route(get=owned(200), kwargs=attempt_args),
    "quizzes:submit": Route(
        get=NOT_ALLOWED, post=owned(REDIRECT), kwargs=attempt_args, fields=("timeout", "confirm")
    ),
    "quizzes:discard": Route(get=owned(200), post=owned(REDIRECT), kwargs=attempt_args),
    # Instructors see any student's finished attempt (the class view links there).
    "quizzes:result": Route(get=owned(200, instructor=200), kwargs=finished_args),
    "quizzes:answers": Route(
        get=owned(200, instructor=200), kwargs=finished_args, query=("show", "page")
    ),
    "quizzes:retry_wrong": Route(get=NOT_ALLOWED, post=owned(REDIRECT), kwargs=finished_args),
    # -- progress
    "progress:dashboard": Route(get=signed_in(200)),
    "progress:export": Route(
        get=signed_in(200), kwargs=lambda w: {"what": "reviews", "fmt": "csv"}
    ),
    # The learner's own Anki export with progress: the session's user, never one in the URL.
    "progress:anki_progress": Route(get=signed_in(200), kwargs=lambda w: {"slug": w.deck.slug}),
    "class_view": Route(
        get=instructors(200), query=("page", "show", "sort", "order"), role="instructor"
    ),
    # A student's progress, for instructors: the owner and other students get 403 like on
    # every instructor page (the id is a student's, which an instructor may see).
    "student_progress": Route(
        get=instructors(200), kwargs=lambda w: {"user_id": w.owner.pk}, role="instructor"
    ),
    # -- instructor area
    "authoring:index": Route(get=instructors(200)),
    "authoring:deck_new": Route(
        get=instructors(200),
        post=instructors(400),  # the deck "alpha" already exists
        data=lambda w: {"text": DECK},
        fields=("message", "base_sha"),
        role="instructor",
    ),
    "authoring:preview_new": Route(
        get=NOT_ALLOWED,
        post=instructors(200),
        data=lambda w: {"text": DECK},
        fields=("message", "base_sha"),
        role="instructor",
    ),
    "authoring:deck_edit": Route(
        get=instructors(200),
        post=instructors(REDIRECT),
        kwargs=deck_args,
        data=lambda w: {"text": DECK},
        fields=("message", "base_sha"),
        role="instructor",
    ),
    "authoring:preview": Route(
        get=NOT_ALLOWED,
        post=instructors(200),
        kwargs=deck_args,
        data=lambda w: {"text": DECK},
        fields=("message", "base_sha"),
        role="instructor",
    ),
    "authoring:deck_source": Route(get=instructors(200), kwargs=deck_args),
    "authoring:revisions": Route(get=instructors(200), kwargs=deck_args),
    "authoring:revision_detail": Route(
        get=instructors(200), kwargs=revision_args, query=("against",), role="instructor"
    ),
    "authoring:revision_revert": Route(
        get=NOT_ALLOWED, post=instructors(REDIRECT), kwargs=revision_args, role="instructor"
    ),
    "authoring:upload": Route(
        get=instructors(200),
        post=instructors(400),
        fields=("message",),
        files=("files",),
        role="instructor",
    ),
    "authoring:gift_import": Route(
        get=instructors(200),
        post=instructors(400),
        fields=("text", "title"),
        files=("file",),
        role="instructor",
    ),
    "authoring:export_zip": Route(get=instructors(200)),
    # Any signed-in user may take a deck to Anki (docs/authoring.md).
    "authoring:anki_export": Route(get=signed_in(200), kwargs=lambda w: {"slug": w.deck.slug}),
    # -- Django admin: staff only, and none of the four roles is staff.
    "admin:login": Route(
        get=everyone(200),
        post=everyone(Redirect("/")),  # no ?next=: LOGIN_REDIRECT_URL
        data=lambda w: {"username": "root", "password": "senha-root-1"},
        fields=("next",),
        role="anonymous",
    ),
    "admin:index": admin(),
    # Not signed in to the admin: its logout sends to the admin's index (then to its login).
    "admin:logout": Route(
        get=everyone(Redirect("/admin/")), post=everyone(Redirect("/admin/")), role="superuser"
    ),
    "admin:password_change": admin(),
    "admin:password_change_done": admin(),
    "admin:autocomplete": admin(),
    "admin:jsi18n": admin(),
    "admin:view_on_site": admin(
        kwargs=lambda w: {"content_type_id": "1", "object_id": str(w.attempt.pk)}
    ),
    "admin:app_list": admin(kwargs=lambda w: {"app_label": "srs"}),
    "admin:auth_user_password_change": admin(kwargs=lambda w: {"id": str(w.owner.pk)}),
}

# Every model registered in the admin, listed by hand so that registering a new one is a
# decision this table has to record.
ADMIN_MODELS = (
    "accounts_profile",
    "auth_group",
    "auth_user",
    "authoring_revision",
    "axes_accessattempt",
    "axes_accessfailurelog",
    "axes_accesslog",
    "content_conceptcard",
    "content_deck",
    "content_item",
    "content_option",
    "content_question",
    "content_reference",
    "content_section",
    "content_sourcefile",
    "content_topic",
    "quizzes_attempt",
    "quizzes_examprofile",
    "srs_parameterevaluation",
    "srs_reviewlog",
    "srs_studycard",
    "srs_studysettings",
)
for _model in ADMIN_MODELS:
    ROUTES[f"admin:{_model}_changelist"] = admin()
    ROUTES[f"admin:{_model}_add"] = admin()
    for _action in ("history", "delete", "change"):
        ROUTES[f"admin:{_model}_{_action}"] = admin(kwargs=lambda w: {"object_id": "1"})

# Patterns that need no row: none outside the admin. Django's admin adds unnamed patterns
# (the old "<id>/" redirects and a final catch-all), all behind the admin's staff check;
# test_unnamed_admin_patterns_need_staff covers them. No static, media or debug-toolbar
# patterns exist (WhiteNoise serves static files outside the URL configuration).
UNNAMED_ALLOWED_UNDER = ("admin/",)


def url_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    """Every named pattern in the URL configuration, as ``namespace:name``."""
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            prefix = f"{namespace}:{inner}" if namespace and inner else namespace or inner
            names |= url_names(pattern, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def unnamed_patterns(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += unnamed_patterns(pattern, route)
        elif not pattern.name:
            found.append(route)
    return found
