"""The one rule for what a reader sees (content/translation.py), used by deck pages, study
cards, quiz questions and the progress dashboard."""

from types import SimpleNamespace

import pytest

from studyapp.content.translation import choose, language_rank, pick

PT = SimpleNamespace(language="pt-BR", name="source")
EN = SimpleNamespace(language="en", name="en")
EN_GB = SimpleNamespace(language="en-GB", name="en-gb")


@pytest.mark.parametrize(
    ("wanted", "shown"),
    [
        ("pt-br", "source"),  # exact, case-insensitive
        ("pt", "source"),  # same base language
        ("en", "en"),  # exact translation
        ("en-us", "en"),  # base language: "en-us" reads "en"
        ("en-gb", "en-gb"),  # exact beats base
        ("de", "source"),  # nothing fits: the source
        (None, "source"),
        ("", "source"),
    ],
)
def test_exact_then_base_language_else_the_source(wanted, shown):
    assert pick(PT, [EN, EN_GB], wanted).name == shown


def test_the_source_wins_a_tie_and_the_first_translation_wins_among_equals():
    twin = SimpleNamespace(language="pt-br", name="twin")
    assert pick(PT, [twin], "pt-BR").name == "source"
    other_en = SimpleNamespace(language="EN", name="other")
    assert pick(PT, [EN, other_en], "en").name == "en"


def test_choose_says_none_when_the_source_is_shown():
    assert choose("pt-BR", [EN], "pt-br") is None
    assert choose("pt-BR", [EN], "en-US") is EN


def test_language_rank():
    assert language_rank("pt-BR", "pt-br") == 0
    assert language_rank("en", "en-us") == 1
    assert language_rank("en", "pt-br") is None
