"""Fuzzing every form endpoint: garbage field values, missing fields, wrong types, huge and
negative numbers, other users' ids, random uploads and URL ids, with and without htmx. The
answer is never a 500: a 400 with a message, a redirect, a 200 with form errors, or a 404;
and a redirect never leaves the site (``next`` is fuzzed too).

Each example runs in a savepoint rolled back afterwards, so examples do not see each
other's writes and every one starts from the same world (conftest.py)."""

import os
import re
import string
from pathlib import Path
from unittest.mock import MagicMock
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studyapp.quizzes.models import Attempt
from studyapp.srs.models import StudyCard

from .routes import ROUTES

FUZZED = settings(
    # Modest by default to keep the suite fast; FUZZ_EXAMPLES=500 for a deeper hunt.
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "20")),
    deadline=None,
    # The module's world is shared on purpose; each example rolls its own writes back.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ALLOWED = {200, 302, 400, 404, 429}  # 429: reset requests over their rate limit (a page)

# The project's forms and both logins; the admin's own forms are Django's (staff only).
POST_FORMS = [
    name
    for name, route in sorted(ROUTES.items())
    if (route.accepts_post and not name.startswith("admin:")) or name == "admin:login"
]
GET_QUERIES = [name for name, route in sorted(ROUTES.items()) if route.query]
JUNK_FIELDS = ("id", "user", "user_id", "pk", "next", "csrfmiddlewaretoken", "ç", "")
NASTY = [
    "",
    " ",
    "0",
    "-1",
    "1.5",
    "1e309",
    "NaN",
    "-inf",
    "9" * 40,
    "²",  # str.isdigit() is true, int() refuses it
    "①",
    "١٢",  # Arabic-Indic digits: int() takes them
    "null",
    "[]",
    "{}",
    "on",
    "true",
    "\x00",
    "a\x00b",
    "\u202e\u0645",
    "😀" * 20,
    "../../etc/passwd",
    "//evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%s%n",
    "x" * 5000,
]


def values(world) -> st.SearchStrategy:
    ours = [str(v) for route in ROUTES.values() for v in route.data(world).values()]
    one = st.one_of(
        st.text(max_size=40),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
        st.sampled_from(NASTY),
        st.sampled_from([str(i) for i in world.foreign_ids()] + ours),
    )
    return st.one_of(one, st.lists(one, max_size=4))


def uploads() -> st.SearchStrategy:
    name = st.tuples(
        st.text(alphabet=string.ascii_letters + "çã -_.", max_size=12),
        st.sampled_from([".md", ".txt", ".gift", ".GIFT", ".exe", "", ".md.exe"]),
    ).map("".join)
    body = st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300).map(str.encode),
        st.sampled_from([b"::Q1:: 2+2? {=4 ~5}", b"\xff\xfe", b"---\ndeck: x\n---\n# X\n"]),
    )
    one = st.builds(lambda n, b: SimpleUploadedFile(n or "f", b), name, body)
    return st.one_of(one, st.lists(one, max_size=3))


def path_kwargs(world, route) -> st.SearchStrategy:
    """The route's own kwargs, or ids of other users' objects, or any number, or a slug."""
    base = route.kwargs(world)
    numbers = st.one_of(
        st.integers(min_value=0, max_value=2**80), st.sampled_from(world.foreign_ids())
    )
    slugs = st.from_regex(r"\A[-a-zA-Z0-9_]{1,20}\Z")
    parts = {}
    for key, value in base.items():
        fuzzed = numbers if isinstance(value, int) else slugs
        parts[key] = st.one_of(st.just(value), fuzzed)
    return st.fixed_dictionaries(parts)


def assert_handled(response, label: str) -> None:
    assert response.status_code in ALLOWED, f"{label}: {response.status_code}"
    if response.status_code == 400:
        assert response.content.strip(), f"{label}: 400 without a message"
    for header in ("Location", "HX-Redirect"):
        target = response.get(header, "")
        assert is_local(target), f"{label}: {header} {target} leaves the site"


def is_local(url: str) -> bool:
    """Read as a browser does: backslashes are slashes, tabs and newlines are dropped."""
    browser = re.sub(r"[\t\n\r]", "", url).replace("\\", "/").strip()
    parts = urlsplit(browser)
    return not parts.scheme and not parts.netloc


def someone_elses(world, kwargs: dict) -> bool:
    """Does the URL point at another user's study card or quiz attempt?"""
    if "card_id" in kwargs:
        cards = StudyCard.objects.filter(pk=kwargs["card_id"])
        return cards.exclude(user=world.owner).exists()
    if "attempt_id" in kwargs:
        attempts = Attempt.objects.filter(pk=kwargs["attempt_id"])
        return attempts.exclude(user=world.owner).exists()
    return False


def request_in_savepoint(send):
    with transaction.atomic():
        response = send()
        transaction.set_rollback(True)
    return response


@pytest.mark.django_db
@pytest.mark.parametrize("name", POST_FORMS)
@FUZZED
@given(data=st.data())
def test_form_endpoints_never_fail(world, name, data):
    route = ROUTES[name]
    known = {*route.data(world), *route.fields, *JUNK_FIELDS}
    form = data.draw(st.fixed_dictionaries({}, optional=dict.fromkeys(known, values(world))))
    for field in route.files:
        if data.draw(st.booleans()):
            form[field] = data.draw(uploads())
    if data.draw(st.booleans()):
        form = {**route.data(world), **form}  # a valid form with some fields spoiled
    kwargs = data.draw(path_kwargs(world, route))
    url = reverse(name, kwargs=kwargs)
    headers = {"HX-Request": "true"} if data.draw(st.booleans()) else {}
    client = world.client(route.role)
    response = request_in_savepoint(lambda: client.post(url, form, headers=headers))
    assert_handled(response, f"{route.role} POST {url} {form!r}")
    if route.role == "owner" and someone_elses(world, kwargs):
        # Refused: not found, or a bad form that never got to look the object up.
        assert response.status_code in {400, 404}, f"POST {url} {form!r}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", GET_QUERIES)
@FUZZED
@given(data=st.data())
def test_query_parameters_never_fail(world, name, data):
    route = ROUTES[name]
    query = data.draw(st.fixed_dictionaries({}, optional=dict.fromkeys(route.query, values(world))))
    url = reverse(name, kwargs=route.kwargs(world))
    role = route.role
    headers = {"HX-Request": "true"} if data.draw(st.booleans()) else {}
    client = world.client(role)
    response = request_in_savepoint(lambda: client.get(url, query, headers=headers))
    assert_handled(response, f"{role} GET {url} {query!r}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "param"), [("srs:study", "card"), ("authoring:revision_detail", "against")]
)
def test_a_superscript_digit_in_the_query_is_ignored(world, name, param):
    """Regression: "²".isdigit() is true and int("²") raised, a 500."""
    route = ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(world))
    assert world.client(route.role).get(url, {param: "²"}).status_code == 200


@pytest.mark.django_db
def test_a_deck_id_too_large_for_the_database_is_a_form_error(world):
    """Regression: SQLite raised OverflowError in the ``pk__in`` query, a 500."""
    response = world.client("owner").post(reverse("srs:settings"), {"decks": str(2**70)})
    assert response.status_code == 400
    assert "decks" in response.context["form"].errors


def test_every_parameter_a_view_reads_by_hand_is_fuzzed():
    """Parameters read from request.GET/POST outside a form must appear in the table."""
    source = "\n".join(
        p.read_text() for p in Path(django_settings.BASE_DIR, "studyapp").rglob("*.py")
    )
    reads = re.findall(r'request\.(GET|POST)\.(?:get|getlist)\("(\w+)"', source)
    fuzzed = {
        "GET": {name for route in ROUTES.values() for name in route.query},
        # The data builders only need attribute access to list their keys.
        "POST": {name for r in ROUTES.values() for name in [*r.data(MagicMock()), *r.fields]},
    }
    missing = sorted({f"{method} {name}" for method, name in reads if name not in fuzzed[method]})
    assert not missing, f"add these to a route's query or fields in routes.py: {missing}"
