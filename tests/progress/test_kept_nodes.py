"""Kept template nodes (studyapp.partials.keep_nodes: the dashboard body, the home page): a
literal translation and a URL give what the template tags give, for every language,
argument, script prefix and autoescape they are rendered under (kept per process: never
another language's or URL map's output)."""

import pytest
from django.template import engines
from django.test import RequestFactory
from django.urls import NoReverseMatch, get_script_prefix, set_script_prefix
from django.utils import translation

from studyapp.partials import KeptTranslation, KeptURL, keep_nodes

TEXT = (
    "{% load i18n %}{% translate 'Seu progresso' %}|{% url 'srs:study_deck' slug %}|"
    "{% url 'progress:export' what 'csv' %}|{% if on %}{% url 'quizzes:index' %}{% endif %}|"
    "{% autoescape off %}{% url 'srs:study_deck' slug %}{% endautoescape %}"
)


def _templates():
    plain = engines["django"].from_string(TEXT)
    kept = engines["django"].from_string(TEXT)
    keep_nodes(kept.template.nodelist)
    return plain, kept


def _nodes(nodelist, kind):
    return list(nodelist.get_nodes_by_type(kind))


def test_the_kept_nodes_replace_the_tags_at_any_depth():
    _plain, kept = _templates()
    assert len(_nodes(kept.template.nodelist, KeptTranslation)) == 1
    assert len(_nodes(kept.template.nodelist, KeptURL)) == 4  # inside if and autoescape too


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_kept_outputs_are_the_tags_outputs(language):
    plain, kept = _templates()
    request = RequestFactory().get("/progress/")
    before = get_script_prefix()
    try:
        for prefix in ("/", "/sub/"):
            set_script_prefix(prefix)
            for slug, what, on in [("ecr", "reviews", True), ("kms", "attempts", False)]:
                with translation.override(language):
                    for _ in range(2):  # the second render reads what the first kept
                        context = {"slug": slug, "what": what, "on": on}
                        assert kept.render(context, request) == plain.render(context, request)
    finally:
        set_script_prefix(before)


def test_an_argument_that_cannot_be_a_key_is_reversed_every_time():
    plain, kept = _templates()
    context = {"slug": "ecr", "what": ["reviews"], "on": False}  # a list: unhashable
    with pytest.raises(Exception) as plain_error:
        plain.render(context)
    with pytest.raises(type(plain_error.value)):
        kept.render(context)


def test_equal_arguments_printed_apart_are_kept_apart():
    text = "{% url 'student_progress' n %}"
    plain = engines["django"].from_string(text)
    kept = engines["django"].from_string(text)
    keep_nodes(kept.template.nodelist)
    assert kept.render({"n": 1}) == plain.render({"n": 1})
    with pytest.raises(NoReverseMatch):  # True prints "True": no such URL, kept or not
        plain.render({"n": True})
    with pytest.raises(NoReverseMatch):
        kept.render({"n": True})


def test_a_url_map_set_outside_a_request_is_part_of_the_key(settings):
    plain, kept = _templates()
    context = {"slug": "ecr", "what": "reviews", "on": True}
    assert kept.render(context) == plain.render(context)
    settings.ROOT_URLCONF = "tests.progress.alt_urls"  # the app's URLs under /alt/
    output = kept.render(context)
    assert output == plain.render(context)
    assert "/alt/study/ecr/" in output


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_the_home_page_with_kept_nodes_is_the_plain_page(
    client, user, all_content, monkeypatch, language
):
    """The home page (deck cards, counts, the start-here path) byte for byte as the plain
    templates render it (its CSRF tokens aside: masked afresh on every render)."""
    import re

    def without_tokens(text: str) -> str:
        return re.sub(r"[A-Za-z0-9]{64}", "<token>", text)

    from django.template.loader import get_template

    from studyapp import partials

    client.force_login(user)
    client.cookies["django_language"] = language
    loader = engines["django"].engine.template_loaders[0]

    def page() -> str:
        loader.reset()  # compiled afresh: nothing kept from an earlier render or test
        return without_tokens(client.get("/").content.decode())

    with monkeypatch.context() as patch:
        patch.setattr(partials, "template", get_template)  # the plain templates
        plain = page()
    kept = page()
    assert kept.count("deck-card") >= 2 and "/study/" in kept
    assert kept == plain
    # and once more, from what the first kept render kept
    assert without_tokens(client.get("/").content.decode()) == kept


def test_included_templates_are_kept_too_and_a_self_include_ends(tmp_path, settings):
    (tmp_path / "outer.html").write_text(
        "{% load i18n %}{% translate 'Estudar' %}{% include 'inner.html' %}"
        "{% if deep %}{% include 'outer.html' with deep=False %}{% endif %}"
    )
    (tmp_path / "inner.html").write_text("{% url 'srs:study_deck' slug %}")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    from django.template.loader import get_template

    from studyapp import partials

    outer = partials.template("outer.html")
    inner = get_template("inner.html")  # the compiled template the include renders
    assert _nodes(outer.template.nodelist, KeptTranslation)
    assert _nodes(inner.template.nodelist, KeptURL)
    assert outer.render({"slug": "ecr", "deep": True}).count("/study/ecr/") == 2
