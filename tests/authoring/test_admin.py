import pytest

pytestmark = pytest.mark.django_db


def test_revisions_are_browsable_searchable_and_read_only(admin_client, browser_edited):
    response = admin_client.get("/admin/authoring/revision/", {"q": "mais uma"})
    html = response.content.decode()
    assert response.status_code == 200 and "ecr (pt-BR)" in html
    assert admin_client.get("/admin/authoring/revision/add/").status_code == 403
