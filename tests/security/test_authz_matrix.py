"""Authorization matrix: every named URL × {anonymous, another student, the owner, an
instructor} × {GET, POST}, with the status each must get (table in routes.py).

The table is checked against the URL configuration both ways, so a new URL cannot be
forgotten and a removed one cannot linger."""

import pytest
from django.urls import reverse

from .routes import ROUTES, UNNAMED_ALLOWED_UNDER, Redirect, unnamed_patterns, url_names
from .world import ROLES

CASES = [
    pytest.param(name, role, method, id=f"{name}-{role}-{method}")
    for name in sorted(ROUTES)
    for method in ("GET", "POST")
    for role in ROLES
]


def assert_status(response, expected, label: str) -> None:
    if isinstance(expected, Redirect):
        assert response.status_code == 302, f"{label}: {response.status_code}, expected 302"
        assert response["Location"].startswith(expected.to), (
            f"{label}: redirects to {response['Location']}, expected {expected.to}…"
        )
    else:
        assert response.status_code == expected, (
            f"{label}: {response.status_code}, expected {expected}"
        )


def test_every_named_url_is_in_the_table():
    missing = url_names() - set(ROUTES)
    assert not missing, f"add these URL names to tests/security/routes.py: {sorted(missing)}"


def test_every_url_in_the_table_still_exists():
    gone = set(ROUTES) - url_names()
    assert not gone, f"remove these from tests/security/routes.py: {sorted(gone)}"


def test_only_the_admin_has_unnamed_urls():
    strays = [p for p in unnamed_patterns() if not p.startswith(UNNAMED_ALLOWED_UNDER)]
    assert not strays, f"name these URL patterns so the matrix covers them: {strays}"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/srs/studycard/1/", "/admin/no-such-page/"])
def test_unnamed_admin_patterns_need_staff(client, user, path):
    assert_status(client.get(path), Redirect("/admin/login/"), f"anonymous GET {path}")
    client.force_login(user)
    assert_status(client.get(path), Redirect("/admin/login/"), f"student GET {path}")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role", "method"), CASES)
def test_status(world, name, role, method):
    route = ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(world))
    client = world.client(role)
    if method == "GET":
        response, expected = client.get(url), route.get[role]
    else:
        response, expected = client.post(url, route.data(world)), route.post[role]
    assert_status(response, expected, f"{role} {method} {url}")


@pytest.mark.django_db
def test_another_students_attempt_page_shows_nothing_of_it(world):
    """The 404 is the whole answer: no question text."""
    response = world.client("other").get(
        reverse("quizzes:answers", kwargs={"attempt_id": world.finished.pk})
    )
    assert response.status_code == 404
    assert "Pergunta alpha" not in response.content.decode()
