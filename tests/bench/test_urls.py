"""The benchmark's floor page lives in the benchmark's own URL map, not in production's."""

import pytest
from django.test import override_settings
from django.urls import Resolver404, resolve, reverse

pytestmark = pytest.mark.django_db


def test_the_production_url_map_has_no_floor_page(client):
    with pytest.raises(Resolver404):
        resolve("/_floor/")
    assert client.get("/_floor/").status_code == 404


@override_settings(ROOT_URLCONF="bench.urls")
def test_the_bench_url_map_adds_the_floor_to_the_apps_urls(client, user):
    assert client.get("/_floor/").status_code == 302  # sign in first
    client.force_login(user)
    response = client.get("/_floor/")
    assert response.status_code == 200 and b"<html" in response.content
    assert reverse("srs:study") == "/study/" and client.get("/study/").status_code == 200
