"""The study header's counts read from the learner's started cards (studiable items per deck
− started cards − new cards not waiting, ``selectors._started_sql``) equal the counts read
from every waiting card (``selectors._queue_sql``), whatever the cards' states, dues,
suspensions, burials, retired items and decks, deck limits and scope; and what they keep in
the shared cache (held new cards, items per deck, cards ensured) is read again after a bury,
a suspend, their undo, an unsuspend, an import, the admin and the day's rollover."""

import dataclasses
import random
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db.models import Q
from django.urls import reverse

from studyapp.content.models import Deck, Item
from studyapp.srs import selectors, services
from studyapp.srs.models import DeckLimits, State, StudyCard
from tests.srs.conftest import concept_deck_text

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def three_decks(import_text, user, now):
    report = import_text(
        {
            f"content/pt-br/{slug}.md": concept_deck_text(slug.title(), slug[0], 8)
            for slug in ("aaa", "bbb", "ccc")
        }
    )
    assert report.ok, report.errors
    services.cards_ensure(user=user, now=now)
    return list(Deck.objects.sources().order_by("slug"))


def both(*, user, settings, scope, now):
    """(counts read from the started cards, counts read from every waiting card)."""
    caches["shared"].clear()  # everything read again (the test changes rows directly)
    session = services.study_session_settings(user=user)
    content = selectors.content_state(user=user).after_ensure()
    assert content.deck_items is not None and content.held is not None
    found = []
    for state in (content, dataclasses.replace(content, ensured=False)):
        day, counts = selectors.study_counts(
            user=user, settings=settings, limits=session.limits, scope=scope, now=now, content=state
        )
        found.append((day, counts))
    return found


def shuffle_cards(rng: random.Random, user, now) -> None:
    at = [
        now - timedelta(days=3),
        now - timedelta(minutes=1),
        now,
        now + timedelta(minutes=10),
        now + timedelta(minutes=30),
        now + timedelta(days=2),
    ]
    for card in StudyCard.objects.filter(user=user):
        card.state = rng.choice(
            [State.NEW, State.NEW, State.LEARNING, State.REVIEW, State.RELEARNING]
        )
        card.due = rng.choice(at)
        card.suspended = rng.random() < 0.15
        card.buried_until = rng.choice(
            [None, None, None, now - timedelta(hours=1), now + timedelta(hours=5)]
        )
        card.save(update_fields=["state", "due", "suspended", "buried_until"])


@pytest.mark.parametrize("seed", range(12))
def test_counts_from_the_started_cards_equal_counts_from_every_waiting_card(
    seed, user, three_decks, settings_, now, monkeypatch
):
    rng = random.Random(seed)
    if seed % 4 == 1:  # inactive items not listed: the queries ask the database
        monkeypatch.setattr(selectors, "INACTIVE_LIST_MAX", 0)
    alfa, beta, gama = three_decks
    shuffle_cards(rng, user, now)
    if seed % 3 == 0:  # a deck with its own limits and no started card
        StudyCard.objects.filter(user=user, item__deck=alfa).update(
            state=State.NEW, due=now - timedelta(days=1), suspended=False, buried_until=None
        )
    if seed % 2:
        Item.objects.filter(pk=Item.objects.filter(deck=beta).order_by("id")[2].pk).update(
            retired_at=now
        )
    if seed % 4 == 3:
        Deck.objects.filter(pk=gama.pk).update(retired_at=now)
    DeckLimits.objects.create(
        settings=settings_, deck=alfa, new_per_day=rng.choice([None, 1, 3]), reviews_per_day=2
    )
    DeckLimits.objects.create(settings=settings_, deck=beta, new_per_day=2, reviews_per_day=None)
    settings_.new_per_day = rng.choice([3, 20])
    settings_.reviews_per_day = rng.choice([4, 200])
    settings_.save()
    scopes = [
        selectors.Scope(),
        selectors.Scope(deck=alfa),
        selectors.Scope(deck=beta),
        selectors.Scope(deck_ids=(alfa.pk, gama.pk)),
        selectors.Scope(deck_ids=(beta.pk,), ahead=True),
    ]
    for scope in scopes:
        for moment in (now, now + timedelta(hours=6)):
            started, scanned = both(user=user, settings=settings_, scope=scope, now=moment)
            assert started == scanned, (scope, moment)


@pytest.mark.parametrize("seed", range(12))
def test_the_counts_and_next_card_in_one_query_equal_them_read_apart(
    seed, user, three_decks, settings_, now, monkeypatch, django_assert_num_queries
):
    """``study_queue`` (counts and the first card of each tier in one statement, today's
    limits choosing among them) equals ``study_counts`` then ``session_card``."""
    rng = random.Random(seed)
    if seed % 4 == 1:
        monkeypatch.setattr(selectors, "INACTIVE_LIST_MAX", 0)
    alfa, beta, gama = three_decks
    shuffle_cards(rng, user, now)
    if seed % 2:
        Item.objects.filter(pk=Item.objects.filter(deck=beta).order_by("id")[2].pk).update(
            retired_at=now
        )
    if seed % 4 == 3:
        Deck.objects.filter(pk=gama.pk).update(retired_at=now)
    # 0: the tier is closed today (review or new), whatever is due.
    settings_.new_per_day = rng.choice([0, 3, 20])
    settings_.reviews_per_day = rng.choice([0, 4, 200])
    settings_.save()
    scopes = [
        selectors.Scope(),
        selectors.Scope(deck=alfa),
        selectors.Scope(deck=beta),
        selectors.Scope(deck_ids=(alfa.pk, gama.pk)),
    ]
    for scope in scopes:
        for moment in (now, now + timedelta(minutes=15), now + timedelta(hours=6)):
            caches["shared"].clear()
            content = selectors.content_state(user=user).after_ensure()
            assert content.deck_items is not None and content.held is not None
            for state in (content, dataclasses.replace(content, ensured=False)):
                for undo in (False, True):
                    kwargs = dict(user=user, settings=settings_, limits={}, scope=scope, now=moment)
                    with django_assert_num_queries(1):
                        day, counts, card = selectors.study_queue(
                            **kwargs, content=state, undo=undo
                        )
                    apart_day, apart_counts = selectors.study_counts(
                        **kwargs, content=state, undo=undo
                    )
                    apart_card = selectors.session_card(
                        user=user, scope=scope, now=moment, day=apart_day, content=state
                    )
                    assert (day, counts) == (apart_day, apart_counts), (scope, moment)
                    assert card == apart_card, (scope, moment)
                    if card is not None:
                        assert [getattr(card, f.attname) for f in card._meta.concrete_fields] == [
                            getattr(apart_card, f.attname) for f in card._meta.concrete_fields
                        ]


def test_the_answer_path_reads_the_started_cards(user, three_decks, settings_, now):
    """After the study page ensured the cards, the answer's counts take the new path."""
    content = selectors.content_state(user=user)
    assert not content.ensured
    services.cards_ensure_current(user=user, now=now, content=content)
    content = selectors.content_state(user=user)
    assert content.ensured and content.deck_items and content.held == ()


def new_count(html: str) -> int:
    return int(html.split('class="count count-new">', 1)[1].split(" ", 1)[0])


def shown(html: str) -> StudyCard:
    return StudyCard.objects.get(pk=int(html.split('data-card="', 1)[1].split('"', 1)[0]))


def test_a_bury_a_suspend_their_undo_and_an_unsuspend_show_fresh_counts_at_once(
    user, user_client, three_decks, django_capture_on_commit_callbacks
):
    html = user_client.get(reverse("srs:study")).content.decode()
    assert new_count(html) == 20  # the overall limit caps the 24 waiting
    services.study_settings_update(settings=services.study_settings_get(user=user), new_per_day=999)

    def post(name, card=None, **data):
        args = [card.pk] if card is not None else []
        with django_capture_on_commit_callbacks(execute=True):
            response = user_client.post(
                reverse(f"srs:{name}", args=args), {"scope": "", **data}, headers=HTMX
            )
        assert response.status_code == 200
        return response.content.decode()

    html = user_client.get(reverse("srs:study")).content.decode()
    assert new_count(html) == 24
    card = shown(html)
    html = post("bury", card, token=card.token)
    assert new_count(html) == 23
    html = post("undo")
    assert new_count(html) == 24
    card = shown(html)
    html = post("suspend", card, token=card.token)
    assert new_count(html) == 23
    assert new_count(user_client.get(reverse("srs:study")).content.decode()) == 23
    html = post("undo")
    assert new_count(html) == 24
    card = shown(html)
    post("suspend", card, token=card.token)
    with django_capture_on_commit_callbacks(execute=True):
        services.card_unsuspend(user=user, card_id=card.pk)
    assert new_count(user_client.get(reverse("srs:study")).content.decode()) == 24


def test_a_buried_card_is_counted_again_after_the_rollover(
    user, user_client, three_decks, settings_, now, django_capture_on_commit_callbacks
):
    card = StudyCard.objects.filter(user=user).order_by("id").first()
    with django_capture_on_commit_callbacks(execute=True):
        services.card_bury(
            user=user, card_id=card.pk, token=card.token, settings=settings_, now=now
        )
    card.refresh_from_db()
    content = selectors.content_state(user=user).after_ensure()
    assert content.held == (card.pk,)
    session = services.study_session_settings(user=user)
    settings_.new_per_day = 999
    for moment, waiting in ((now, 23), (card.buried_until + timedelta(minutes=1), 24)):
        _day, counts = selectors.study_counts(
            user=user,
            settings=settings_,
            limits=session.limits,
            scope=selectors.Scope(),
            now=moment,
            content=content,
        )
        assert counts.new_waiting == waiting


def test_an_import_of_new_items_and_a_retired_deck_show_at_once(
    user, user_client, three_decks, import_text, django_capture_on_commit_callbacks
):
    services.study_settings_update(settings=services.study_settings_get(user=user), new_per_day=999)
    assert new_count(user_client.get(reverse("srs:study")).content.decode()) == 24
    with django_capture_on_commit_callbacks(execute=True):
        report = import_text({"content/pt-br/ddd.md": concept_deck_text("Delta", "d", 5)})
    assert report.ok, report.errors
    assert new_count(user_client.get(reverse("srs:study")).content.decode()) == 29
    with django_capture_on_commit_callbacks(execute=True):
        report = import_text({"content/pt-br/ddd.md": concept_deck_text("Delta", "d", 2)})
    assert report.ok, report.errors
    assert new_count(user_client.get(reverse("srs:study")).content.decode()) == 26


def test_the_admin_reads_the_learners_kept_figures_again(
    user, three_decks, now, django_capture_on_commit_callbacks
):
    content = selectors.content_state(user=user)
    services.cards_ensure_current(user=user, now=now, content=content)
    held_token = caches["shared"].get(selectors.held_version_key(user))
    assert selectors.content_state(user=user).ensured
    with django_capture_on_commit_callbacks(execute=True):
        services.cards_edited(user=user)
    assert not selectors.content_state(user=user).ensured  # cards_ensure runs again
    assert caches["shared"].get(selectors.held_version_key(user)) != held_token


def test_the_admin_delete_and_edit_call_cards_edited(admin_client, user, three_decks, monkeypatch):
    edited = []
    monkeypatch.setattr(services, "cards_edited", lambda *, user: edited.append(user.pk))
    card = StudyCard.objects.filter(user=user).order_by("id").first()
    url = reverse("admin:srs_studycard_delete", args=[card.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert edited == [user.pk]


def due_counts_by_every_card(*, user, now) -> selectors.DueCounts:
    """due_counts as it was (5 queries: the waiting cards, then every card due today)."""
    from django.db import connection

    from studyapp.srs import timing
    from studyapp.srs.models import StudySettings

    settings = StudySettings.objects.get(user=user)
    scope = selectors.scope_for(settings=settings, slug=None)
    day = selectors.day_counts(user=user, settings=settings, now=now)
    counts = selectors.queue_counts(user=user, scope=scope, now=now, day=day)
    cards, params = selectors._studiable_sql(user=user, scope=scope, now=now)
    sql = (
        "SELECT i.deck_id, COUNT(CASE WHEN c.state IN (%s, %s) THEN 1 END),"  # noqa: S608
        f" COUNT(CASE WHEN c.state = %s THEN 1 END) {cards} AND c.due < %s GROUP BY i.deck_id"
    )
    end = timing.next_day_start(now, settings.tzinfo)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                "learning",
                "relearning",
                "review",
                *params,
                connection.ops.adapt_datetimefield_value(end),
            ],
        )
        rows = cursor.fetchall()
    learning = sum(n for _deck, n, _review in rows)
    review = sum(min(n, day.deck_reviews_left(deck)) for deck, _l, n in rows)
    today = max(learning, counts.learning) + min(review, day.reviews_left_in(scope))
    return selectors.DueCounts(now=counts.learning + counts.review, today=today)


@pytest.mark.parametrize("seed", range(10))
def test_due_counts_read_from_the_started_cards_equal_them_read_from_every_card(
    seed, user, three_decks, settings_, now
):
    rng = random.Random(seed)
    alfa, beta, gama = three_decks
    shuffle_cards(rng, user, now)
    if seed % 2:
        Item.objects.filter(pk=Item.objects.filter(deck=beta).order_by("id")[1].pk).update(
            retired_at=now
        )
    if seed % 3 == 2:
        Deck.objects.filter(pk=gama.pk).update(retired_at=now)
    if seed % 4 == 1:
        settings_.decks.set([alfa, beta])
    DeckLimits.objects.create(
        settings=settings_, deck=alfa, new_per_day=None, reviews_per_day=rng.choice([0, 1, 3])
    )
    settings_.reviews_per_day = rng.choice([2, 5, 200])
    settings_.save()
    for moment in (now, now + timedelta(minutes=25), now + timedelta(hours=20)):
        assert selectors.due_counts(user=user, now=moment) == due_counts_by_every_card(
            user=user, now=moment
        ), moment


def studiable_cards(*, user, scope, now):
    """The cards a session may show now, read by the ORM (the reference the SQL is compared
    with): not suspended, not buried, their item and deck active, in the scope."""
    cards = StudyCard.objects.filter(
        user=user,
        suspended=False,
        item__retired_at__isnull=True,
        item__deck__retired_at__isnull=True,
    ).filter(Q(buried_until__isnull=True) | Q(buried_until__lte=now))
    if scope.deck is not None:
        cards = cards.filter(item__deck_id=scope.deck.pk)
    elif scope.deck_ids:
        cards = cards.filter(item__deck_id__in=scope.deck_ids)
    return cards


@pytest.mark.parametrize("seed", range(8))
def test_next_due_as_sql_equals_the_orm_reading(seed, user, three_decks, settings_, now):
    """The empty state's next due time (SQL, ``selectors.next_due``) equals the ORM's reading
    of the cards the session may show, whatever their states, dues, suspensions, burials,
    retired items and decks, the scope and whether the inactive items are listed; an aware
    datetime as the ORM gives it (SQLite stores text)."""
    rng = random.Random(seed)
    alfa, beta, gama = three_decks
    shuffle_cards(rng, user, now)
    if seed % 2:
        Item.objects.filter(pk=Item.objects.filter(deck=beta).order_by("id")[2].pk).update(
            retired_at=now
        )
    if seed % 4 == 3:
        Deck.objects.filter(pk=gama.pk).update(retired_at=now)
    scopes = [
        selectors.Scope(),
        selectors.Scope(deck=alfa),
        selectors.Scope(deck=beta),
        selectors.Scope(deck_ids=(alfa.pk, gama.pk)),
    ]
    caches["shared"].clear()
    listed = selectors.content_state(user=user)
    for content in (listed, None, dataclasses.replace(listed, inactive=None)):
        for scope in scopes:
            for moment in (now - timedelta(days=4), now, now + timedelta(minutes=20)):
                expected = (
                    studiable_cards(user=user, scope=scope, now=moment)
                    .exclude(state=State.NEW)
                    .filter(due__gt=moment)
                    .order_by("due")
                    .values_list("due", flat=True)
                    .first()
                )
                found = selectors.next_due(
                    user=user,
                    settings=settings_,
                    scope=scope,
                    now=moment,
                    day=None,
                    content=content,
                )
                assert found == expected, (scope, moment, content)
                assert found is None or found.tzinfo is not None


def test_next_due_is_none_when_no_learning_or_review_card_waits(user, three_decks, settings_, now):
    StudyCard.objects.filter(user=user).update(state=State.NEW, due=now + timedelta(days=1))
    assert (
        selectors.next_due(
            user=user, settings=settings_, scope=selectors.Scope(), now=now, day=None
        )
        is None
    )
