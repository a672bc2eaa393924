"""CSRF: every URL that accepts POST (the routes table says which) refuses a POST without
a token with 403, signed in as the role the form is meant for; with a token it gets past
the check, so the 403 is the CSRF check's and not the view's."""

import pytest
from django.conf import settings
from django.urls import reverse

from .routes import ROUTES

POST_URLS = [name for name, route in sorted(ROUTES.items()) if route.accepts_post]
# An unmasked secret is accepted both as the cookie and as the form field.
SECRET = "s" * 32

pytestmark = pytest.mark.django_db


def test_the_table_has_post_urls_including_logout_and_set_language():
    assert {"logout", "set_language", "login", "srs:answer", "quizzes:answer"} <= set(POST_URLS)


@pytest.mark.parametrize("name", POST_URLS)
def test_post_without_csrf_token_is_refused(world, name):
    route = ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(world))
    client = world.client(route.role, enforce_csrf_checks=True)

    refused = client.post(url, route.data(world))
    assert refused.status_code == 403, f"{route.role} POST {url} without a token"
    assert b"CSRF" in refused.content

    client.cookies[settings.CSRF_COOKIE_NAME] = SECRET
    accepted = client.post(url, {**route.data(world), "csrfmiddlewaretoken": SECRET})
    assert accepted.status_code != 403 or b"CSRF" not in accepted.content, url


@pytest.mark.parametrize("name", ["srs:answer", "quizzes:answer"])
def test_htmx_posts_need_the_token_header(world, name):
    route = ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(world))
    client = world.client("owner", enforce_csrf_checks=True)
    client.cookies[settings.CSRF_COOKIE_NAME] = SECRET
    htmx = {"HX-Request": "true"}
    assert client.post(url, route.data(world), headers=htmx).status_code == 403
    response = client.post(url, route.data(world), headers={**htmx, "X-CSRFToken": SECRET})
    assert response.status_code == 200
