"""The item model (issue 13) on hand-computed cases: guess floors, memory at the exam date,
the evidence half-life, the learner fit, the draw-aware score distribution; and the
calibration harness's JSON shape and determinism."""

import io
import json
import math
import random
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from studyapp.progress import calibration, readiness
from studyapp.progress.readiness import (
    Answer,
    BankItem,
    CardState,
    DrawGroup,
    Learner,
    draw_plan,
    guess_floor,
    learner_estimate,
    score_forecast,
)
from studyapp.quizzes import draw

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_guess_floor_from_the_item_format():
    assert guess_floor(4, 1) == 0.25
    assert guess_floor(5, 2) == pytest.approx(1 / 10)  # choose 2 of 5, all-or-nothing
    assert guess_floor(6, 3) == pytest.approx(1 / 20)
    assert guess_floor(7, 3) == pytest.approx(1 / 35)
    assert guess_floor(3, 3) == 0.0  # correct answers only: self-graded, never in a mock
    assert BankItem(1, frozenset({1}), options=5, correct=2).guess == pytest.approx(0.1)


def test_memory_is_projected_to_the_exam_date():
    item = BankItem(1, frozenset({1}))
    card = CardState(stability=10.0, last_review=NOW - timedelta(days=10))
    learner = Learner(memory_factor=1.0, known=0.15)
    assert readiness.knowledge(item, card, learner, when=NOW) == pytest.approx(0.9)
    # 30 days later (40 since the review): R = (1 + F·40/10)^-w20, F = 0.9^(-1/w20) - 1.
    w20 = -readiness.DECAY
    factor = 0.9 ** (-1 / w20) - 1
    later = (1 + factor * 40 / 10) ** (-w20)
    assert readiness.knowledge(item, card, learner, when=NOW + timedelta(days=30)) == (
        pytest.approx(later)
    )
    assert later < 0.8
    # A learner who remembers twice as long: stability counts double.
    slow = Learner(memory_factor=2.0)
    assert readiness.knowledge(item, card, slow, when=NOW + timedelta(days=30)) == (
        pytest.approx((1 + factor * 40 / 20) ** (-w20))
    )
    # Never studied: the prior knowledge; P(right) adds the guess floor.
    assert readiness.knowledge(item, None, learner, when=NOW) == pytest.approx(0.15)
    assert readiness.item_probability(item, 0.15) == pytest.approx(0.25 + 0.75 * 0.15)


def test_evidence_half_life():
    assert readiness.HALF_LIFE_DAYS == 30
    assert readiness.evidence_weight(NOW, NOW) == 1.0
    assert readiness.evidence_weight(NOW - timedelta(days=30), NOW) == pytest.approx(0.5)
    assert readiness.evidence_weight(NOW - timedelta(days=60), NOW) == pytest.approx(0.25)


def test_learner_without_evidence_keeps_the_priors():
    learner = learner_estimate([], {}, now=NOW)
    assert learner.memory_factor == 1.0
    assert learner.known == pytest.approx(readiness.PRIOR_KNOWN, abs=0.01)
    # Beta(1.2, 6.8): sd = sqrt(m(1-m)/(n+1)) with m = 0.15, n = 8.
    assert learner.known_sd == pytest.approx(math.sqrt(0.15 * 0.85 / 9), abs=0.01)


def _reviews(passed: bool, n: int = 40):
    return [
        Answer(
            item_id=i,
            at=NOW - timedelta(days=1),
            passed=passed,
            stability=10.0,
            last_review=NOW - timedelta(days=11),
        )
        for i in range(n)
    ]


def test_memory_factor_follows_how_reviews_went():
    # Predicted R = 0.9 at each review: all passed → better memory, all failed → worse.
    assert learner_estimate(_reviews(True), {}, now=NOW).memory_factor > 1.5
    assert learner_estimate(_reviews(False), {}, now=NOW).memory_factor < 0.3
    mixed = _reviews(True, 36) + _reviews(False, 4)  # 90 % passed, as predicted
    assert learner_estimate(mixed, {}, now=NOW).memory_factor == pytest.approx(1.0, abs=0.25)


def test_quiz_answers_on_unstudied_items_give_prior_knowledge_and_fade():
    bank = {i: BankItem(i, frozenset({1})) for i in range(20)}
    right = [
        Answer(item_id=i, at=NOW, passed=True, stability=None, last_review=None, quiz=True)
        for i in range(20)
    ]
    wrong = [
        Answer(item_id=i, at=NOW, passed=False, stability=None, last_review=None, quiz=True)
        for i in range(20)
    ]
    assert learner_estimate(right, bank, now=NOW).known > 0.6
    assert learner_estimate(wrong, bank, now=NOW).known < 0.05
    # The same right answers a year ago weigh 0.5^(365/30) each: back to the prior.
    old = learner_estimate(right, bank, now=NOW + timedelta(days=365))
    assert old.known == pytest.approx(readiness.PRIOR_KNOWN, abs=0.02)


def test_topic_shift_moves_the_topic_only():
    bank = {i: BankItem(i, frozenset({1}), topics=frozenset({7})) for i in range(10)}
    bank[99] = BankItem(99, frozenset({1}), topics=frozenset({8}))
    answers = [
        Answer(
            item_id=i,
            at=NOW,
            passed=False,
            stability=10.0,
            last_review=NOW - timedelta(days=10),
            quiz=True,
        )
        for i in range(10)
    ]
    learner = learner_estimate(answers, bank, now=NOW)
    assert learner.topic_shift[7] < 0
    assert 8 not in learner.topic_shift


def test_draw_plan_follows_quotas_and_tiers():
    bank = [BankItem(i, frozenset({1 if i < 10 else 2})) for i in range(20)]
    tiers = {0: draw.WRONG, 1: draw.RIGHT, 10: draw.RIGHT}
    plan = draw_plan(bank, tiers=tiers, weights={1: 0.5, 2: 0.5}, count=10)
    by_domain = {}
    for group in plan:
        by_domain.setdefault(group.domain, []).append(
            (sorted(i.id for i in group.items), group.take)
        )
    # Domain 1: 8 unseen, all drawn first... quota 5 → 5 of the 8 unseen.
    assert by_domain[1] == [(list(range(2, 10)), 5)]
    assert by_domain[2] == [(list(range(11, 20)), 5)]
    assert draw.quotas({1: 0.5, 2: 0.5}, 10) == {1: 5, 2: 5}


def test_group_moments_sample_without_replacement():
    items = tuple(BankItem(i, frozenset({1})) for i in range(3))
    p = {0: 1.0, 1: 0.0, 2: 0.0}
    mean, var = readiness._group_moments(DrawGroup(1, items, 2), p)
    assert mean == pytest.approx(2 / 3)
    assert var == pytest.approx(2 / 9)  # right = 1 exactly when item 0 is drawn (2/3)
    mean, var = readiness._group_moments(DrawGroup(1, items, 3), p)
    assert (mean, var) == (1.0, 0.0)


def test_score_forecast_sanity():
    bank = [BankItem(i, frozenset({1 + i % 4})) for i in range(100)]
    fresh = {i: CardState(50.0, NOW) for i in range(100)}  # reviewed now: R = 1
    learner = Learner(memory_sd=0.0, known=0.15, known_sd=0.0)
    strong = score_forecast(bank, fresh, learner, when=NOW)
    assert strong.count == 65
    assert strong.median == 1000 and strong.pass_probability == pytest.approx(1.0)
    blank = Learner(memory_sd=0.0, known=0.001, known_sd=0.0)
    weak = score_forecast(bank, {}, blank, when=NOW)
    assert weak.pass_probability < 0.001
    assert 100 + 900 * 0.2 < weak.median < 100 + 900 * 0.3  # guessing: about 1/4 right
    assert weak.low < weak.median < weak.high
    middling = score_forecast(bank, {}, Learner(known=0.6, known_sd=0.1), when=NOW)
    assert 0.05 < middling.pass_probability < 0.95
    assert middling.cdf == sorted(middling.cdf) and middling.cdf[-1] == 1.0
    # More model uncertainty → a wider range.
    sure = score_forecast(bank, {}, Learner(known=0.6, known_sd=0.0, memory_sd=0.0), when=NOW)
    assert sure.high - sure.low <= middling.high - middling.low


def _per_item_forecast(bank, cards, learner, *, when, tiers, count):
    """score_forecast's mixture computed item by item (the definition, without grouping)."""
    plan = draw_plan(bank, tiers=tiers, weights=dict(readiness.exam.DOMAIN_WEIGHTS), count=count)
    components = []
    for z_memory, w_memory in readiness._NODES:
        factor = learner.memory_factor * math.exp(z_memory * learner.memory_sd)
        for z_known, w_known in readiness._NODES:
            known = min(0.999, max(0.001, learner.known + z_known * learner.known_sd))
            for z_model, w_model in readiness._NODES:
                p = {
                    item.id: readiness.item_probability(
                        item,
                        readiness.knowledge(
                            item,
                            cards.get(item.id),
                            learner,
                            when=when,
                            factor=factor,
                            known=known,
                            shift=z_model * readiness.MODEL_SD,
                        ),
                    )
                    for group in plan
                    for item in group.items
                }
                moments = [readiness._group_moments(group, p) for group in plan]
                components.append((w_memory * w_known * w_model, moments))
    return components


@pytest.mark.parametrize("seed", range(12))
def test_items_known_alike_are_computed_once_with_the_same_forecast(seed):
    """score_forecast groups the items the model cannot tell apart (unstudied, same topics
    and guess floor): the figures are those of the item-by-item definition."""
    import random

    rng = random.Random(seed)
    bank = [
        BankItem(
            i,
            frozenset({rng.randint(1, 4)}),
            topics=frozenset(rng.sample(range(5), rng.randint(0, 2))),
            options=rng.choice([4, 5]),
            correct=rng.choice([1, 1, 2]),
            weight=rng.choice([1.0, 0.5, 0.0]),
        )
        for i in range(rng.choice([30, 200]))
    ]
    cards = {}
    for item in bank:
        if rng.random() < 0.3:
            cards[item.id] = CardState(rng.uniform(1, 40), NOW - timedelta(days=rng.randint(0, 30)))
        elif rng.random() < 0.2:
            cards[item.id] = CardState(None, None)
    learner = Learner(
        memory_factor=rng.uniform(0.5, 2),
        memory_sd=0.3,
        known=rng.uniform(0.05, 0.5),
        known_sd=0.1,
        topic_shift={0: 0.4, 2: -0.7},
    )
    for item in rng.sample(bank, 8):
        learner.item_quiz[item.id] = (NOW - timedelta(days=3), 0.8, rng.random() < 0.5)
    tiers = {item.id: rng.randint(0, 2) for item in rng.sample(bank, len(bank) // 3)}
    forecast = score_forecast(bank, cards, learner, when=NOW, tiers=tiers, count=20)
    components = [
        (w, sum(m for m, _v in moments), math.sqrt(sum(v for _m, v in moments) + 1e-9))
        for w, moments in _per_item_forecast(bank, cards, learner, when=NOW, tiers=tiers, count=20)
    ]
    assert forecast.expected == pytest.approx(sum(w * m for w, m, _sd in components), rel=1e-12)
    for t, c in enumerate(forecast.cdf[:-1]):
        expected = sum(w * readiness.normal_cdf((t + 0.5 - m) / sd) for w, m, sd in components)
        assert c == pytest.approx(min(1.0, expected), abs=1e-12)
    assert forecast.probabilities == {
        item.id: readiness.item_probability(
            item, readiness.knowledge(item, cards.get(item.id), learner, when=NOW)
        )
        for item in bank
    }


def _sim_bank():
    items = []
    for i in range(1, 121):
        question = i <= 100
        items.append(
            calibration.SimItem(
                id=i,
                deck_id=1 + i % 3,
                question=question,
                options=(5 if i % 5 == 0 else 4) if question else 0,
                correct=(2 if i % 5 == 0 else 1) if question else 0,
                domains=frozenset({1 + i % 4}),
                topics=frozenset({i % 6}),
                mock=question,
            )
        )
    return items


def test_harness_json_shape_and_determinism():
    first = calibration.run(_sim_bank(), students=3, seed=5)
    again = calibration.run(_sim_bank(), students=3, seed=5)
    assert first == again
    assert set(first) == {"scenarios"}
    names = [row["name"] for row in first["scenarios"]]
    assert names == [
        "model assumptions true",
        "realistic",
        "realistic, every student quizzes",
    ]
    for row in first["scenarios"]:
        assert set(row) == {"name", "students", "bias", "rmse", "coverage80", "brier", "ece"}
        assert row["students"] == 3
    assert calibration.run(_sim_bank(), students=3, seed=6) != first


def test_harness_metrics_hand_computed():
    outcomes = [
        calibration.Outcome(predicted=700, low=650, high=750, pass_probability=0.4, actual=720),
        calibration.Outcome(predicted=800, low=760, high=840, pass_probability=0.9, actual=700),
    ]
    m = calibration.metrics(outcomes)
    assert m["bias"] == pytest.approx((20 - 100) / 2)
    assert m["rmse"] == pytest.approx(math.sqrt((400 + 10000) / 2), abs=0.01)
    assert m["coverage80"] == 0.5
    assert m["brier"] == pytest.approx(((0.4 - 1) ** 2 + 0.9**2) / 2)
    assert m["ece"] == pytest.approx((0.6 + 0.9) / 2)


@pytest.mark.django_db
def test_command_needs_a_bank_and_prints_json(monkeypatch):
    with pytest.raises(CommandError):
        call_command("readiness_calibration", "--students", "1")
    monkeypatch.setattr(
        "studyapp.progress.management.commands.readiness_calibration.study_bank", _sim_bank
    )
    out = io.StringIO()
    call_command(
        "readiness_calibration",
        "--students",
        "2",
        "--seed",
        "3",
        "--json",
        "--scenario",
        "realistic",
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert [row["name"] for row in report["scenarios"]] == ["realistic"]
    assert report["scenarios"][0]["students"] == 2


QUESTIONS = """---
deck: gamma
topics: Gamma
domains: 1
---
# Gamma

## Perguntas

### Q: Primeira {#g-1}
Qual?
✅ Certa
❌ Errada um
❌ Errada dois
❌ Errada três
💡 Porque sim.

### Q: Segunda {#g-2}
Qual? (Escolha 2.)
✅ Certa um
✅ Certa dois
❌ Errada um
❌ Errada dois
❌ Errada três
💡 Porque sim.

### Q: Terceira {#g-3}
Qual?
✅ Só a resposta
💡 Autoavaliada.
"""


@pytest.mark.django_db
def test_dashboard_forecast_uses_the_item_model(user, import_text):
    from studyapp.content.models import Item
    from studyapp.progress.selectors import dashboard_get, study_bank
    from studyapp.srs.models import StudyCard, StudySettings

    report = import_text({"content/pt-br/gamma.md": QUESTIONS})
    assert report.ok, report.errors
    StudySettings.objects.create(user=user, timezone="UTC")
    first = Item.objects.get(key="g-1")
    bank = {item.id: item for item in study_bank()}
    assert (bank[first.pk].options, bank[first.pk].correct, bank[first.pk].mock) == (4, 1, True)
    second = bank[Item.objects.get(key="g-2").pk]
    assert (second.options, second.correct, second.mock) == (5, 2, True)
    assert not bank[Item.objects.get(key="g-3").pk].mock  # self-graded: never in a mock
    StudyCard.objects.create(
        user=user,
        item=first,
        state="review",
        stability=10,
        difficulty=5,
        last_review=NOW - timedelta(days=10),
        due=NOW + timedelta(days=1),
    )
    d = dashboard_get(user=user, now=NOW)
    f = d.readiness.forecast
    known = f.learner.known  # no quiz answers: the prior
    assert known == pytest.approx(readiness.PRIOR_KNOWN, abs=0.01)
    assert f.probabilities[first.pk] == pytest.approx(0.25 + 0.75 * 0.9)
    assert f.probabilities[second.id] == pytest.approx(0.1 + 0.9 * known)
    domain = next(g for g in d.readiness.domains if g.key == 1)
    assert domain.probability == pytest.approx((0.925 + 0.1 + 0.9 * known) / 2)
    assert f.count == 2  # only two questions can be drawn
    assert f.low <= f.median <= f.high


# --- Exam date, plan, pages ------------------------------------------------------------------


@pytest.fixture
def question_bank(import_text):
    """40 single-answer questions over the four exam domains."""
    blocks = []
    for i in range(40):
        blocks.append(
            f"### Q: Pergunta {i} {{#q-{i}}}\nQual?\n✅ Certa\n❌ Errada um\n❌ Errada dois\n"
            f"❌ Errada três\n💡 Porque sim.\n🏷️ domains: {1 + i % 4}\n"
        )
    text = "---\ndeck: delta\ntopics: Delta\ndomains: 1\n---\n# Delta\n\n## Perguntas\n\n"
    report = import_text({"content/pt-br/delta.md": text + "\n".join(blocks)})
    assert report.ok, report.errors


@pytest.mark.django_db
def test_exam_date_form_saves_and_answers_400_on_bad_input(user_client, user):
    from django.urls import reverse
    from django.utils import timezone

    from studyapp.accounts.models import Profile

    url = reverse("exam_date")
    assert user_client.get(url).status_code == 200
    for bad in ("2020-01-01", "not-a-date", "2999-01-01"):
        response = user_client.post(url, {"exam_date": bad})
        assert response.status_code == 400, bad
        assert 'role="alert"' in response.content.decode()
    day = timezone.localdate() + timedelta(days=30)
    response = user_client.post(url, {"exam_date": day.isoformat(), "next": "/progress/"})
    assert response.status_code == 302 and response["Location"] == "/progress/"
    assert Profile.objects.get(user=user).exam_date == day
    # An outside "next" is ignored; an empty date clears it.
    response = user_client.post(url, {"exam_date": "", "next": "https://evil.example/"})
    assert response["Location"] == reverse("srs:settings")
    assert Profile.objects.get(user=user).exam_date is None


@pytest.mark.django_db
def test_exam_date_next_is_a_path_never_a_view_name(user_client):
    """ "0" is a safe relative path, not the name of a view to reverse (was a 500)."""
    from django.urls import reverse

    response = user_client.post(reverse("exam_date"), {"exam_date": "", "next": "0"})
    assert response.status_code == 302 and response["Location"] == "0"


@pytest.mark.django_db
def test_exam_date_needs_login(client):
    from django.urls import reverse

    response = client.post(reverse("exam_date"), {"exam_date": "2030-01-01"})
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
def test_settings_page_has_the_exam_date_form(user_client):
    from django.urls import reverse

    html = user_client.get(reverse("srs:settings")).content.decode()
    assert reverse("exam_date") in html and 'name="exam_date"' in html


@pytest.mark.django_db
def test_home_and_dashboard_show_the_plan(user_client, user, question_bank):
    from django.urls import reverse
    from django.utils import timezone

    from studyapp.accounts.models import Profile

    home = user_client.get(reverse("home")).content.decode()
    assert "Definir a data do exame" in home
    Profile.objects.update_or_create(
        user=user, defaults={"exam_date": timezone.localdate() + timedelta(days=20)}
    )
    for url in (reverse("home"), reverse("progress:dashboard")):
        html = user_client.get(url).content.decode()
        assert "faltam 20 dias" in html or "faltam 19 dias" in html, url
        assert "No seu ritmo atual" in html
        assert "cartões novos por dia" in html
    dashboard = user_client.get(reverse("progress:dashboard")).content.decode()
    assert reverse("progress:model") in dashboard
    assert "Chance de aprovação" in dashboard
    # English.
    user_client.cookies["django_language"] = "en"
    html = user_client.get(reverse("progress:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content
    assert b"Exam readiness" in html


@pytest.mark.django_db
def test_plan_when_out_of_reach(user, question_bank):
    from django.utils import timezone

    from studyapp.accounts.models import Profile
    from studyapp.progress.selectors import exam_outlook

    Profile.objects.update_or_create(user=user, defaults={"exam_date": timezone.localdate()})
    plan = exam_outlook(user=user)["plan"]
    assert plan.days_left == 0 and not plan.reachable  # nothing studied, exam today


@pytest.mark.django_db
def test_model_page_and_anonymous_home(client):
    from django.urls import reverse

    html = client.get(reverse("progress:model")).content.decode()
    assert "meia-vida" in html and "1 em 10" in html
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_answer_log_is_bounded_per_user_and_newest_first(user, other_user, import_text):
    from studyapp.srs import selectors as srs_selectors

    from .conftest import NOW as TNOW
    from .conftest import make_card, make_log

    report = import_text({"content/pt-br/gamma.md": QUESTIONS})
    assert report.ok, report.errors
    from studyapp.content.models import Item

    item = Item.objects.get(key="g-1")
    for who in (user, other_user):
        card = make_card(who, item, stability=5, last_review=TNOW - timedelta(days=5))
        for i in range(5):
            make_log(card, rating=3, at=TNOW - timedelta(days=i), record=False)
    rows = srs_selectors.answer_log(user_ids=[user.pk, other_user.pk], limit=3)
    assert [r[0] for r in rows] == [user.pk] * 3 + [other_user.pk] * 3
    assert rows[0][2] > rows[1][2] > rows[2][2]
    single = srs_selectors.answer_log(user_ids=[user.pk], limit=2)
    assert [r[2] for r in single] == [rows[0][2], rows[1][2]]
    assert single[0][1] == item.pk and single[0][6] == "study"


def test_quiz_answers_the_memory_did_not_take_in_move_the_item():
    bank = {1: BankItem(1, frozenset({1})), 2: BankItem(2, frozenset({1}))}
    answers = [
        Answer(
            item_id=1,
            at=NOW,
            passed=True,
            stability=None,
            last_review=None,
            quiz=True,
            rescheduled=False,
        ),
        Answer(
            item_id=2,
            at=NOW,
            passed=False,
            stability=None,
            last_review=None,
            quiz=True,
            rescheduled=False,
        ),
    ]
    learner = learner_estimate(answers, bank, now=NOW)
    k = learner.known
    # Right on a 4-option item: P(known | right) = k / (k + (1 - k)/4), weight 1 (now).
    assert readiness.knowledge(bank[1], None, learner, when=NOW) == pytest.approx(
        k / (k + (1 - k) * 0.25)
    )
    assert readiness.knowledge(bank[2], None, learner, when=NOW) == pytest.approx(0.0)
    # Thirty days later the answers weigh ½.
    later = learner_estimate(answers, bank, now=NOW + timedelta(days=30))
    k2 = later.known
    assert readiness.knowledge(bank[2], None, later, when=NOW) == pytest.approx(0.5 * k2)
    # A review after the answer: the card's memory has it, the answer no longer counts.
    card = CardState(stability=10.0, last_review=NOW + timedelta(hours=1))
    assert readiness.knowledge(bank[2], card, learner, when=NOW + timedelta(hours=1)) == (
        pytest.approx(1.0, abs=1e-5)
    )


def test_a_learners_trained_decay_shapes_the_forgetting_curve():
    item = BankItem(1, frozenset({1}))
    card = CardState(stability=10.0, last_review=NOW - timedelta(days=40))
    own = learner_estimate([], {}, now=NOW, w20=0.5)
    f = 0.9 ** (-1 / 0.5) - 1
    assert readiness.knowledge(item, card, own, when=NOW) == pytest.approx((1 + f * 4) ** -0.5)
    assert readiness.recall(10.0, 10, w20=0.5) == pytest.approx(0.9)  # R(S) = 0.9 always
    default = learner_estimate([], {}, now=NOW)
    assert readiness.knowledge(item, card, default, when=NOW) != pytest.approx(
        readiness.knowledge(item, card, own, when=NOW)
    )


@pytest.mark.django_db
def test_dashboard_uses_the_learners_trained_parameters(user, import_text):
    import fsrs

    from studyapp.content.models import Item
    from studyapp.progress.selectors import dashboard_get
    from studyapp.srs.models import StudyCard, StudySettings

    assert import_text({"content/pt-br/gamma.md": QUESTIONS}).ok
    w = list(fsrs.scheduler.DEFAULT_PARAMETERS)
    w[20] = 0.5
    StudySettings.objects.create(user=user, timezone="UTC", fsrs_parameters=w)
    first = Item.objects.get(key="g-1")
    StudyCard.objects.create(
        user=user,
        item=first,
        state="review",
        stability=10,
        difficulty=5,
        last_review=NOW - timedelta(days=40),
        due=NOW - timedelta(days=30),
    )
    f = dashboard_get(user=user, now=NOW).readiness.forecast
    assert f.learner.w20 == 0.5
    k = (1 + (0.9 ** (-1 / 0.5) - 1) * 4) ** -0.5
    assert f.probabilities[first.pk] == pytest.approx(0.25 + 0.75 * k)


def test_study_plan_paces_and_out_of_reach():
    bank = [BankItem(i, frozenset({1 + i % 4})) for i in range(80)]
    learner = Learner(known=0.05, known_sd=0.02, memory_sd=0.1)
    unstudied = [item.id for item in bank]
    plan = readiness.study_plan(
        bank,
        {},
        {},
        learner,
        unstudied=unstudied,
        now=NOW,
        exam_at=NOW + timedelta(days=41),
        current_pace=0.0,
    )
    assert plan.days_left == 41 and plan.unstudied == 80
    assert plan.at_current_pace.pass_probability < 0.01  # nothing studied by then
    assert plan.reachable and plan.needed_new >= 2  # 80 cards in 40 days at least
    assert plan.at_needed_pace.pass_probability >= 0.9
    assert plan.needed_reviews > 0
    # Exam today, nothing studied: out of reach; some weeks of study would do it.
    today = readiness.study_plan(
        bank, {}, {}, learner, unstudied=unstudied, now=NOW, exam_at=NOW, current_pace=0.0
    )
    assert not today.reachable and today.needed_new is None
    assert today.days_needed is not None and today.days_needed <= 30


def test_plan_steps_are_bounded_and_cover_the_period():
    for days in (0, 1, 30, readiness.PLAN_STEPS, 365, 3 * 366 + 180):
        steps = readiness.plan_steps(days)
        assert len(steps) <= readiness.PLAN_STEPS
        assert sum(span for _day, span in steps) == days  # every day stood for once
        assert [day for day, _span in steps] == sorted({day for day, _span in steps})
        if days > readiness.PLAN_STEPS:  # daily at both ends
            edge = readiness.PLAN_EDGE_DAYS
            assert {span for _day, span in steps[:edge] + steps[-edge:]} == {1}


def test_study_plan_work_is_bounded_for_a_far_exam(monkeypatch):
    """An exam 3 years away, 1,000 new cards, a learner too weak to pass: a fixed number of
    card-steps (cards looked at per simulated step), whatever the horizon."""
    bank = [BankItem(i, frozenset({1 + i % 4})) for i in range(1000)]
    work = {"runs": 0, "card_steps": 0}
    simulate = readiness.simulate_queue

    def counted(*args, **kwargs):
        run = simulate(*args, **kwargs)
        work["runs"] += 1
        work["card_steps"] += run.card_steps
        assert run.card_steps <= readiness.PLAN_STEPS * len(bank)
        return run

    monkeypatch.setattr(readiness, "simulate_queue", counted)
    plan = readiness.study_plan(
        bank,
        {},
        {},
        Learner(memory_factor=0.02, known=0.0),
        unstudied=[item.id for item in bank],
        now=NOW,
        exam_at=NOW + timedelta(days=3 * 366),
        current_pace=0.0,
    )
    assert plan.days_left == 3 * 366 and not plan.reachable
    assert work["runs"] <= readiness.PLAN_MAX_RUNS
    assert work["card_steps"] <= readiness.PLAN_MAX_RUNS * readiness.PLAN_STEPS * len(bank)
    # Out of reach: the fastest pace and the longest extra horizon settle it (3 runs).
    assert work["runs"] == 3 and work["card_steps"] <= 3 * readiness.PLAN_STEPS * len(bank)


def test_study_plan_uses_the_learners_desired_retention():
    bank = [BankItem(i, frozenset({1 + i % 4})) for i in range(60)]
    memory = {i: CardState(5.0, NOW - timedelta(days=5)) for i in range(60)}

    def reviews(retention):
        return readiness.study_plan(
            bank,
            memory,
            {},
            Learner(),
            unstudied=[],
            now=NOW,
            exam_at=NOW + timedelta(days=60),
            current_pace=0.0,
            desired_retention=retention,
        ).current_reviews

    assert reviews(0.97) > reviews(0.9)  # shorter intervals: more reviews a day


@pytest.fixture
def plan_calls(monkeypatch):
    """The keyword arguments of every study_plan simulation run (it still runs)."""
    from studyapp.progress import selectors

    calls = []
    study_plan = selectors.study_plan

    def counted(*args, **kwargs):
        calls.append(kwargs)
        return study_plan(*args, **kwargs)

    monkeypatch.setattr(selectors, "study_plan", counted)
    return calls


@pytest.mark.django_db
def test_the_plan_is_built_once_a_day_and_afresh_after_an_answer(
    user_client, user, question_bank, plan_calls, django_capture_on_commit_callbacks
):
    from django.urls import reverse
    from django.utils import timezone

    from studyapp.accounts.models import Profile
    from studyapp.srs.models import StudyCard, StudySettings

    calls = plan_calls
    user_client.get(reverse("srs:study"))  # the study cards
    with django_capture_on_commit_callbacks(execute=True):
        StudySettings.objects.filter(user=user).update(desired_retention=0.85)
        Profile.objects.update_or_create(
            user=user, defaults={"exam_date": timezone.localdate() + timedelta(days=20)}
        )
    for _ in range(2):
        assert "No seu ritmo atual" in user_client.get(reverse("home")).content.decode()
    assert len(calls) == 1  # the second view read it from the cache
    assert calls[0]["desired_retention"] == 0.85 and calls[0]["parameters"] is None
    card = StudyCard.objects.filter(user=user).order_by("id").first()
    data = {"rating": 3, "token": card.token, "scope": "", "duration_ms": 1200}
    with django_capture_on_commit_callbacks(execute=True):
        response = user_client.post(
            reverse("srs:answer", args=[card.pk]), data, headers={"HX-Request": "true"}
        )
    assert response.status_code == 200
    user_client.get(reverse("home"))
    assert len(calls) == 2  # an answer: built afresh


@pytest.mark.django_db
def test_exam_date_next_must_stay_on_the_site(user_client):
    from django.urls import reverse

    for bad in ("//evil.example/", "javascript:alert(1)", "https://evil.example/x"):
        response = user_client.post(reverse("exam_date"), {"exam_date": "", "next": bad})
        assert response.status_code == 302 and response["Location"] == reverse("srs:settings")


def test_the_answers_likelihood_kept_per_process_is_recalls():
    """learner_estimate keeps each answer's column of log-likelihoods (a pure function of
    the answer's values): the same figures from a cold or a warm memo, and the column is
    log P from ``recall`` at every memory factor of the grid."""
    answers = [
        Answer(
            item_id=i,
            at=NOW - timedelta(days=i),
            passed=i % 3 > 0,
            stability=2.0 + i,
            last_review=NOW - timedelta(days=2 * i + 1),
        )
        for i in range(1, 40)
    ]
    readiness._loglik_memo.clear()
    cold = learner_estimate(answers, {}, now=NOW)
    warm = learner_estimate(answers, {}, now=NOW)
    assert readiness._loglik_memo and (cold.memory_factor, cold.memory_sd) == (
        warm.memory_factor,
        warm.memory_sd,
    )
    column = readiness._answer_loglik(5.0, 7, True, 0.0, (readiness.FACTOR, readiness.DECAY))
    for value, log_factor in zip(column, readiness._GRID_LOG_FACTOR, strict=True):
        p = min(1 - 1e-4, max(1e-4, readiness.recall(5.0, 7, math.exp(log_factor))))
        assert value == math.log(p)


@pytest.mark.django_db
def test_the_plan_reruns_when_what_it_is_built_from_changes_not_after_each_review(
    user_client, user, question_bank, monkeypatch, plan_calls, django_capture_on_commit_callbacks
):
    """plan_cached's key is plan_inputs: a new card learned, the study day and the exam
    date rebuild the plan; a second answer on a card already studied today does not."""
    from django.urls import reverse
    from django.utils import timezone

    from studyapp.accounts.models import Profile
    from studyapp.progress import views as progress_views
    from studyapp.srs.models import StudyCard

    calls = plan_calls
    user_client.get(reverse("srs:study"))
    with django_capture_on_commit_callbacks(execute=True):
        Profile.objects.update_or_create(
            user=user, defaults={"exam_date": timezone.localdate() + timedelta(days=20)}
        )

    def answer(card):
        card.refresh_from_db()
        data = {"rating": 3, "token": card.token, "scope": "", "duration_ms": 1200}
        with django_capture_on_commit_callbacks(execute=True):
            response = user_client.post(
                reverse("srs:answer", args=[card.pk]), data, headers={"HX-Request": "true"}
            )
        assert response.status_code == 200

    def dashboard():
        html = user_client.get(reverse("progress:dashboard")).content.decode()
        assert "No seu ritmo atual" in html
        return html

    dashboard()
    assert len(calls) == 1
    card = StudyCard.objects.filter(user=user).order_by("id").first()
    answer(card)  # a new card learned
    dashboard()
    assert len(calls) == 2
    answer(card)  # the same card again, the same day: its memory only
    dashboard()
    assert len(calls) == 2
    with django_capture_on_commit_callbacks(execute=True):
        Profile.objects.filter(user=user).update(
            exam_date=timezone.localdate() + timedelta(days=25)
        )
    user_client.get(reverse("home"))  # the home page shows the same plan
    assert len(calls) == 3
    tomorrow = timezone.now() + timedelta(days=1)
    monkeypatch.setattr(progress_views.timezone, "now", lambda: tomorrow)
    dashboard()
    assert len(calls) == 4


def _reference_components(tallies, by_memory, by_known):
    """The mixture's components as score_forecast computed them before ``_components``: one
    merged {kind: P(right)} per node and each tally's moments read from it."""
    nodes = range(len(readiness._NODES))
    components = []
    for i_memory in nodes:
        for i_known in nodes:
            for i_model in nodes:
                probability = {
                    **{kind: grid[i_memory][i_model] for kind, grid in by_memory.items()},
                    **{kind: grid[i_known][i_model] for kind, grid in by_known.items()},
                }
                mean = var = 0.0
                for m, n, total_weight, rows in tallies:
                    if 0 < m < n:
                        kinds = [kind for kind, _n, _w in rows]
                        shares = [w / total_weight for _kind, _n, w in rows]
                        a, v = readiness._sampled_moments(m, n, kinds, shares, probability)
                    else:
                        a, v = readiness._tally_moments((m, n, total_weight, rows), probability)
                    mean += a
                    var += v
                weight = (
                    readiness._NODES[i_memory][1]
                    * readiness._NODES[i_known][1]
                    * readiness._NODES[i_model][1]
                )
                components.append((weight, mean, math.sqrt(var + 1e-9)))
    return components


@pytest.mark.parametrize("seed", range(40))
def test_the_mixtures_components_are_the_reference_moments_bit_for_bit(seed):
    """``_components`` joins per-run terms computed once per pair of nodes: the same sums,
    in the same order, as each tally's moments over a merged probability per node, for
    tallies of every kind (drawn whole, in part, none) whose rows mix studied items and
    other kinds in any order."""
    rng = random.Random(seed)

    def grid():
        return [[rng.random() for _j in range(3)] for _i in range(3)]

    by_memory = {item_id: grid() for item_id in range(rng.randrange(0, 40))}
    by_known = {(frozenset({k}), 4, 1): grid() for k in range(rng.randrange(1, 12))}
    kinds = [*by_memory, *by_known]
    tallies = []
    for _ in range(rng.randrange(1, 8)):
        rows = [
            (kind, rng.randrange(1, 5), rng.random() * 3)
            for kind in rng.sample(kinds, rng.randrange(0, len(kinds) + 1))
        ]
        n = sum(count for _kind, count, _w in rows)
        m = rng.choice([0, -1, n, n + 2, *(range(1, n) if n > 1 else [])])
        total = sum(w for _kind, _count, w in rows) or 1.0
        tallies.append((m, n, total, rows))
    assert readiness._components(tallies, by_memory, by_known) == _reference_components(
        tallies, by_memory, by_known
    )


@pytest.mark.parametrize("w20", [None, readiness.DEFAULT_PARAMETERS[20], 0.2, 0.5])
def test_a_studied_cards_chance_grid_is_knowledge_at_each_node(w20):
    """The grid's inlined recall and logit are :func:`knowledge`'s, bit for bit."""
    rng = random.Random(7)
    for _ in range(50):
        item = BankItem(rng.randrange(1000), frozenset({1}), frozenset({rng.randrange(3)}))
        card = CardState(rng.uniform(0.1, 400), NOW - timedelta(hours=rng.randrange(0, 9000)))
        learner = Learner(
            memory_factor=rng.uniform(0.3, 3), w20=w20, topic_shift={0: rng.uniform(-1, 1)}
        )
        factors = [learner.memory_factor * math.exp(z) for z in (-0.4, 0.0, 0.7)]
        shifts = [-0.3, 0.0, 0.3]
        when = NOW + timedelta(days=rng.randrange(0, 90))
        grid = readiness._chance_grid(
            item, card, item.guess, learner, when=when, bases=factors, shifts=shifts
        )
        assert grid == [
            [
                readiness.item_probability(
                    item, readiness.knowledge(item, card, learner, when=when, factor=f, shift=s)
                )
                for s in shifts
            ]
            for f in factors
        ]
