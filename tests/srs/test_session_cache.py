"""The study session's caches (srs.selectors: what a card shows per item, language and content
version; the inactive items per content version; srs.services: cards_ensure once per content
version) never show stale data: an import, a language switch, an answer, an undo, a settings
change and the day's rollover show at once. Imports run their on-commit hooks (the content
version is renewed on commit, as in production)."""

from datetime import UTC, datetime

import pytest
from django.test import override_settings
from django.urls import reverse

from studyapp.srs import selectors, services
from studyapp.srs.models import StudyCard

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
ENGLISH = {"accept-language": "en"}


def question_deck(
    slug: str, answers: dict[int, str], *, reference: str = "Doc", english: bool = False
) -> str:
    """A deck of questions ``{#<slug>-n}`` with one right option each (``answers[n]``) and a
    reference; ``english``: its translation (questions "Question …", no references)."""
    front = f"translation-of: {slug}" if english else f"deck: {slug}"
    title, question, wrong = (
        ("(en)", "Question", "Wrong") if english else ("", "Pergunta", "Errada")
    )
    lines = ["---", front, "---", f"# Deck {slug} {title}".rstrip(), "", "## 🧪 Q", ""]
    for n, answer in answers.items():
        lines += [f"### Q: {question} {slug} {n} {{#{slug}-{n}}}", f"✅ {answer}"]
        lines.append(f"❌ {wrong} {slug} {n}")
        if not english:
            lines.append(f"🔗 [{reference} {slug} {n}](https://docs.aws.amazon.com/{slug}/{n})")
        lines.append("")
    return "\n".join(lines) + "\n"


def english_deck(slug: str, answers: dict[int, str]) -> str:
    return question_deck(slug, answers, english=True)


@pytest.fixture
def publish(import_text, django_capture_on_commit_callbacks):
    """Import files and commit (the content version is renewed, as in production)."""

    def _publish(files: dict[str, str]):
        with django_capture_on_commit_callbacks(execute=True):
            report = import_text(files)
        assert report.ok, report.errors
        return report

    return _publish


def page(client, **headers) -> str:
    """The study page with the back shown (no JavaScript)."""
    response = client.get(reverse("srs:study"), headers=headers)
    assert response.status_code == 200
    card = StudyCard.objects.filter(pk=_shown(response.content.decode())).first()
    if card is None:
        return response.content.decode()
    revealed = client.get(reverse("srs:study"), {"card": card.pk, "reveal": "1"}, headers=headers)
    return revealed.content.decode()


def _shown(html: str) -> int | None:
    marker = 'data-card="'
    if marker not in html:
        return None
    return int(html.split(marker, 1)[1].split('"', 1)[0])


def answer(client, html: str, rating: int = 3):
    card = StudyCard.objects.get(pk=_shown(html))
    data = {"rating": rating, "token": card.token, "scope": "", "duration_ms": 1000}
    response = client.post(reverse("srs:answer", args=[card.pk]), data, headers=HTMX)
    assert response.status_code == 200
    return response.content.decode()


def test_an_import_shows_new_options_and_references_at_once(user_client, publish):
    publish({"content/pt-br/qa.md": question_deck("qa", {1: "Certa antiga"})})
    html = page(user_client)
    assert "Certa antiga" in html and "Doc qa 1" in html
    publish({"content/pt-br/qa.md": question_deck("qa", {1: "Certa nova"}, reference="Guia")})
    html = page(user_client)
    assert "Certa nova" in html and "Guia qa 1" in html
    assert "Certa antiga" not in html and "Doc qa 1" not in html


def test_a_language_switch_shows_the_translation_at_once(user_client, publish):
    publish(
        {
            "content/pt-br/qa.md": question_deck("qa", {1: "Certa um"}),
            "content/en/qa.md": english_deck("qa", {1: "Right one"}),
        }
    )
    assert "Certa um" in page(user_client)
    english = page(user_client, **ENGLISH)
    assert "Right one" in english and "Certa um" not in english
    assert "Certa um" in page(user_client)


def test_the_sessions_fixed_texts_follow_the_readers_language_at_once(user_client, publish):
    """The partial's fixed texts and rating labels are translated once per language
    (views.session_texts): each reader still gets their own language, page after page and
    in the htmx answer."""
    publish({"content/pt-br/qa.md": question_deck("qa", {1: "Certa um", 2: "Certa dois"})})
    portuguese = ('aria-label="Sessão de estudo"', "Quão bem você lembrou?", "De novo", "Espaço")
    english = ('aria-label="Study session"', "How well did you remember?", "Again", "Space")
    html = page(user_client)
    assert all(text in html for text in portuguese)
    assert not any(text in html for text in english)
    html = page(user_client, **ENGLISH)
    assert all(text in html for text in english)
    assert not any(text in html for text in portuguese)
    card = StudyCard.objects.get(pk=_shown(html))
    data = {"rating": 3, "token": card.token, "scope": "", "duration_ms": 1000}
    response = user_client.post(
        reverse("srs:answer", args=[card.pk]), data, headers={**HTMX, **ENGLISH}
    )
    fragment = response.content.decode()
    assert "<html" not in fragment and "Hide until tomorrow" in fragment and "Again" in fragment
    html = page(user_client)
    assert all(text in html for text in portuguese)


def test_an_import_of_a_translation_shows_at_once(user_client, publish):
    publish({"content/pt-br/qa.md": question_deck("qa", {1: "Certa um"})})
    assert "Certa um" in page(user_client, **ENGLISH)  # no translation yet: the source
    publish({"content/en/qa.md": english_deck("qa", {1: "Right one"})})
    english = page(user_client, **ENGLISH)
    assert "Right one" in english and "Certa um" not in english


def test_an_import_of_new_items_gives_the_learner_their_cards_at_once(user, user_client, publish):
    publish({"content/pt-br/qa.md": question_deck("qa", {1: "Um", 2: "Dois"})})
    assert "2 novos" in page(user_client)
    assert StudyCard.objects.filter(user=user).count() == 2
    publish({"content/pt-br/qb.md": question_deck("qb", {1: "Três"})})
    assert "3 novos" in page(user_client)
    assert StudyCard.objects.filter(user=user).count() == 3


def test_cards_ensure_runs_once_per_content_version(user, publish):
    publish({"content/pt-br/qa.md": question_deck("qa", {1: "Um"})})
    assert services.cards_ensure_current(user=user) == 1
    StudyCard.objects.filter(user=user).delete()  # (only to see whether it runs again)
    assert services.cards_ensure_current(user=user) == 0
    publish({"content/pt-br/qb.md": question_deck("qb", {1: "Dois"})})
    assert services.cards_ensure_current(user=user) == 2


def test_an_import_that_retires_an_item_takes_it_out_at_once(user_client, publish):
    publish({"content/pt-br/qa.md": question_deck("qa", {1: "Um", 2: "Dois"})})
    html = page(user_client)
    assert "2 novos" in html and "Pergunta qa 1" in html
    publish({"content/pt-br/qa.md": question_deck("qa", {2: "Dois"})})
    html = page(user_client)
    assert "1 novo" in html and "Pergunta qa 2" in html and "Pergunta qa 1" not in html


def test_an_answer_and_an_undo_show_fresh_counts_at_once(user_client, publish):
    publish({"content/pt-br/qa.md": question_deck("qa", {1: "Um", 2: "Dois"})})
    html = page(user_client)
    assert "0 aprendendo" in html and "2 novos" in html
    html = answer(user_client, html, rating=1)  # Again: the card goes back to learning
    assert "1 aprendendo" in html and "1 novo" in html
    response = user_client.post(reverse("srs:undo"), {"scope": ""}, headers=HTMX)
    html = response.content.decode()
    assert "0 aprendendo" in html and "2 novos" in html and "Pergunta qa 1" in html


def test_a_settings_change_is_respected_by_the_next_card(user, user_client, publish):
    publish({"content/pt-br/qa.md": question_deck("qa", {1: "Um", 2: "Dois"})})
    assert "2 novos" in page(user_client)
    settings = services.study_settings_get(user=user)
    services.study_settings_update(settings=settings, new_per_day=1)
    assert "1 novo" in page(user_client)
    services.study_settings_update(settings=settings, new_per_day=0)
    html = page(user_client)
    assert "data-card=" not in html and "Limite de hoje atingido" in html


def test_the_day_rollover_resets_the_daily_limits_at_once(user, user_client, publish, monkeypatch):
    publish({"content/pt-br/qa.md": question_deck("qa", {1: "Um", 2: "Dois"})})
    evening = datetime(2025, 3, 12, 23, 0, tzinfo=UTC)  # 20:00 in São Paulo
    clock = {"now": evening}
    monkeypatch.setattr("django.utils.timezone.now", lambda: clock["now"])
    services.study_settings_update(settings=services.study_settings_get(user=user), new_per_day=1)
    html = answer(user_client, page(user_client), rating=4)  # Easy: days away
    assert "data-card=" not in html and "0 novo<" in html
    clock["now"] = datetime(2025, 3, 13, 7, 1, tzinfo=UTC)  # 04:01 in São Paulo
    html = page(user_client)
    assert "1 novo" in html and "Pergunta qa 2" in html


def test_without_the_shared_cache_every_page_is_built_fresh(user_client, publish, import_text):
    dummy = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    with override_settings(CACHES=dummy):
        import_text({"content/pt-br/qa.md": question_deck("qa", {1: "Um"})})
        assert "Pergunta qa 1" in page(user_client)
        # No on-commit hook runs here (no version renewed): without a cache, still fresh.
        import_text({"content/pt-br/qa.md": question_deck("qa", {1: "Outra"})})
        assert "Outra" in page(user_client)
        assert selectors.content_state().version == "-"


def test_a_first_view_fills_the_cache_for_the_whole_deck(
    user_client, publish, django_assert_num_queries
):
    publish(
        {
            "content/pt-br/qa.md": question_deck("qa", {1: "Um", 2: "Dois"}),
            "content/en/qa.md": english_deck("qa", {1: "One", 2: "Two"}),
        }
    )
    html = page(user_client, **ENGLISH)
    assert "One" in html
    card = StudyCard.objects.get(pk=_shown(html))
    second = StudyCard.objects.exclude(pk=card.pk).get()
    content = selectors.content_state()
    with django_assert_num_queries(0):
        display = selectors.session_display(
            card=second, language="en", content=content, intervals={}
        )
    assert display.item.prompt == "Question qa 2"
    assert [option.html for option in display.correct_options] == ["Two"]
    assert display.deck_title == "Deck qa (en)"


def test_the_process_memo_serves_what_a_card_shows_and_an_import_shows_at_once(
    user_client, publish, django_assert_num_queries
):
    """What a card shows is also kept in the process's memory (selectors.display_memo), under
    the content version read from the shared cache on every request: a repeat view reads
    neither the shared cache's entry nor the database for it, and an import (a new version)
    shows at once, also in a process that kept the old one."""
    publish({"content/pt-br/qa.md": question_deck("qa", {1: "Certa antiga"})})
    html = page(user_client)
    assert "Certa antiga" in html
    card = StudyCard.objects.get(pk=_shown(html))
    content = selectors.content_state()
    selectors.display_memo.clear()
    first = selectors.session_display(card=card, language=None, content=content, intervals={})
    shared = selectors._shared_cache()
    shared.clear()  # the memo alone now holds it (the same version is passed in)
    with django_assert_num_queries(0):
        again = selectors.session_display(card=card, language=None, content=content, intervals={})
    assert again.item is first.item
    assert [option.html for option in again.correct_options] == ["Certa antiga"]
    publish({"content/pt-br/qa.md": question_deck("qa", {1: "Certa nova"})})
    html = page(user_client)
    assert "Certa nova" in html and "Certa antiga" not in html
    # Without the shared cache (no version) nothing is kept in the memo either.
    selectors.display_memo.clear()
    dummy = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    with override_settings(CACHES=dummy):
        assert "Certa nova" in page(user_client)
    assert not selectors.display_memo._entries


def test_the_display_memo_is_bounded():
    memo = selectors._DisplayMemo(2)
    memo.put((1, "-", "v"), "a")
    memo.put((2, "-", "v"), "b")
    assert memo.get((1, "-", "v")) == "a"  # now the most recent
    memo.put((3, "-", "v"), "c")
    assert memo.get((2, "-", "v")) is None
    assert memo.get((1, "-", "v")) == "a" and memo.get((3, "-", "v")) == "c"


def test_a_process_reads_a_decks_displays_at_once(user_client, publish):
    """The first card of a deck a process shows (at a content version) brings the deck's
    other cards into its memo from the shared cache's entry for the deck: the next cards of
    that deck need no read of the shared cache."""
    publish({"content/pt-br/qa.md": question_deck("qa", {1: "Um", 2: "Dois", 3: "Três"})})
    page(user_client)  # fills the shared cache for the deck
    selectors.display_memo.clear()
    html = page(user_client)
    assert "Pergunta qa" in html
    version = selectors.content_state().version
    items = StudyCard.objects.values_list("item_id", flat=True)
    kept = {key for key in selectors.display_memo._entries if key[2] == version}
    assert kept == {(item_id, "pt-br", version) for item_id in items}
    # The deck's entry holds what the per-item entries hold.
    shown = selectors.display_memo.get((items[0], "pt-br", version))
    selectors._shared_cache().delete_many(
        [selectors.DISPLAY_KEY.format(item_id, "pt-br", version) for item_id in items]
    )
    selectors.display_memo.clear()
    again = answer(user_client, html)
    assert "Pergunta qa" in again
    # Read from the deck's entry: the item entries were not filled again from the database.
    keys = [selectors.DISPLAY_KEY.format(item_id, "pt-br", version) for item_id in items]
    assert selectors._shared_cache().get_many(keys) == {}
    assert selectors.display_memo.get((items[0], "pt-br", version))[0].prompt == shown[0].prompt


def test_a_rating_button_is_the_templates_partial_for_its_value_label_and_interval():
    """views._rating_button renders the partial "rating" once per process and arguments (a
    pure function of them): the interval is escaped, the label (escaped already) is not."""
    from studyapp.srs import views

    texts = views.session_texts("en")
    button = views._rating_button("1", texts["rating_1"], "<10 min")
    assert 'name="rating" value="1" class="rating rating-1" data-rating="1"' in button
    assert '<span class="interval">&lt;10 min</span>' in button
    assert f'<span class="label">{texts["rating_1"]}</span>' in button
    assert views._rating_button("1", texts["rating_1"], "<10 min") is button


def test_the_counts_texts_are_the_templates_partials_per_language_and_number():
    """views._count_text renders the partials count_* once per process, number and language:
    each language's own words and plural forms."""
    from studyapp.srs import views

    assert views._count_text("review", 1, "pt-br") == "1 revisão"
    assert views._count_text("review", 2, "pt-br") == "2 revisões"
    assert views._count_text("review", 2, "en") == "2 reviews"
    assert views._count_text("new", 1, "en") == "1 new"
    assert views._count_text("learning", 3, "en") == "3 learning"


def test_a_cards_references_are_the_shared_template_rendered_once_per_list():
    """views._references_html renders content/_references.html (as the include did) once per
    process and list of (title, URL): escaped, in order."""
    from studyapp.srs import views

    html = views._references_html((("Doc <1> & co", "https://example.com/?a=1&b=2"), ("B", "u")))
    assert '<a href="https://example.com/?a=1&amp;b=2" rel="noopener noreferrer">' in html
    assert "Doc &lt;1&gt; &amp; co" in html and html.index("Doc") < html.index(">B<")
    assert views._references_html((("B", "u"),)) is views._references_html((("B", "u"),))


def test_a_rating_button_is_the_partial_rendered_for_its_interval():
    """views._rating_button fills the interval into the partial kept per value and label:
    the same HTML as the partial rendered with that interval, escaped as the template
    escapes it, in each language."""
    from django.utils import translation

    from studyapp import partials
    from studyapp.srs import views

    for language in ("pt-br", "en"):
        with translation.override(language):
            texts = views.session_texts(language)
            for value in ("1", "2", "3", "4"):
                for interval in ("<10 min", "3 d", "2,5 mo", "1.2 a", "a & b", '"x"'):
                    label = texts[f"rating_{value}"]
                    expected = partials.render_now(
                        views.TEMPLATE + "#rating",
                        {"value": value, "label": label, "interval": interval},
                    )
                    button = views._rating_button(value, label, interval)
                    assert button == expected
                    assert type(button) is type(expected)
