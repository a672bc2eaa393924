"""A synthetic class for demos, tests and the benchmark (``manage.py seed_demo_data``).

Creates students (password ``demo-password``), simulates each one's study days with the real
FSRS scheduler (forgetting drawn from each card's retrievability), and writes study cards,
review logs and the daily roll-ups in large batches of plain tuples (``demo/bulk.py``), with
the columns and rules of the apps that own them (``srs.services.log_fields``,
``srs.rollups``, ``srs.timing``, ``quizzes.exam``); then finished mock exams.
"""

from __future__ import annotations

import heapq
import random
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from studyapp.content.models import Item
from studyapp.progress.readiness import retrievability
from studyapp.srs import scheduler, timing
from studyapp.srs.models import DailyReviewStats, ReviewLog, StudyCard, StudySettings, new_token
from studyapp.srs.rollups import COUNT_FIELDS, answer_counts
from studyapp.srs.services import MEMORY_FIELDS, log_fields
from studyapp.srs.timing import study_day

from .bulk import fast_writes, insert_rows
from .mocks import seed_mocks

PASSWORD = "demo-password"  # noqa: S105 - demo accounts only

# Rows are written as plain tuples in these column orders (see demo/bulk.py); the card's
# scheduling fields and the review log's memory columns are srs's own mapping.
CARD_COLUMNS = ("id", "user_id", "item_id", *MEMORY_FIELDS, "suspended", "token", "created_at")
LOG_MEMORY_COLUMNS = tuple(log_fields(scheduler.Memory(), scheduler.Memory()))
LOG_COLUMNS = (
    "user_id",
    "card_id",
    "source",
    "rating",
    "reviewed_at",
    "duration_ms",
    "rescheduled",
    "quiz_attempt_id",
    *LOG_MEMORY_COLUMNS,
    "interval_after",
)


def _memory_values(memory: scheduler.Memory) -> tuple:
    return tuple(getattr(memory, name) for name in MEMORY_FIELDS)


def _ensure_content() -> list[tuple[int, int]]:
    items = list(Item.objects.studiable().order_by("deck_id", "pk").values_list("pk", "deck_id"))
    if not items:
        from studyapp.content.importer import content_import

        content_import(paths=[settings.CONTENT_DIR])
        items = list(
            Item.objects.studiable().order_by("deck_id", "pk").values_list("pk", "deck_id")
        )
    if not items:
        raise CommandError("No content to study: import some decks first (import_content).")
    return items


def _create_users(*, count: int, prefix: str) -> list:
    User = get_user_model()
    taken = set(User.objects.filter(username__startswith=prefix).values_list("username", flat=True))
    password = make_password(PASSWORD)
    names, i = [], 1
    while len(names) < count:
        name = f"{prefix}{i:04d}"
        if name not in taken:
            names.append(name)
        i += 1
    User.objects.bulk_create(
        [User(username=name, password=password) for name in names], batch_size=500
    )
    users = list(User.objects.filter(username__in=names).order_by("pk"))
    StudySettings.objects.bulk_create(
        [StudySettings(user=user) for user in users], batch_size=500, ignore_conflicts=True
    )
    return users


def _session_start(rng, *, day, tz, now) -> datetime | None:
    """When the learner sits down on ``day`` (between 07:00 and 23:00 local), never after
    ``now``; None when that moment would fall on another study day."""
    moment = datetime.combine(day, datetime.min.time(), tzinfo=tz) + timedelta(
        hours=rng.randint(7, 22), minutes=rng.randint(0, 59)
    )
    moment = moment.astimezone(now.tzinfo)
    if moment >= now:
        moment = now - timedelta(minutes=30)
    return moment if study_day(moment, tz) == day else None


def _recall_chance(before: scheduler.Memory, *, moment: datetime, ability: float) -> float:
    """The demo learner's chance of remembering: fixed for new and learning cards, FSRS
    retrievability for reviews, scaled by the learner's ability."""
    if before.state == scheduler.NEW:
        chance = 0.7 * ability
    elif before.state in (scheduler.LEARNING, scheduler.RELEARNING):
        chance = 0.85 * ability
    else:
        chance = retrievability(before.stability, before.last_review, moment) * ability
    return min(0.99, chance)


def _count(counter, before: scheduler.Memory, rating: int, duration: int, *, first_today: bool, tz):
    """Add one answer to its day's roll-up counters (the rule of srs.rollups)."""
    counts = answer_counts(
        rating=rating,
        duration_ms=duration,
        state_before=before.state,
        rescheduled=True,
        due_before=before.due,
        last_review_before=before.last_review,
        first_of_day=first_today,
        tz=tz,
    )
    for name, value in counts.items():
        counter[name] += value


def _simulate_user(*, rng, user_id, items, budget, days, now, tz, next_card_pk):
    """Simulate one learner. Returns (cards, logs, rollups) as plain objects."""
    ability = rng.uniform(0.85, 1.05)
    span = rng.randint(min(days, 30), days)
    study_prob = rng.uniform(0.55, 0.95)
    new_per_day = rng.choice((5, 10, 15, 20))
    order = list(items)
    rng.shuffle(order)
    order.sort(key=lambda item: item[1])  # deck by deck, shuffled within
    today_local = study_day(now, tz)
    first_day = today_local - timedelta(days=span)

    memory: dict[int, scheduler.Memory] = {}
    card_pk: dict[int, int] = {}
    heap: list[tuple[datetime, int]] = []
    logs: list[ReviewLog] = []
    rollups: dict = defaultdict(lambda: defaultdict(int))
    seen_today: set[int] = set()
    introduced = 0
    remaining = budget

    for offset in range(span + 1):
        if remaining <= 0:
            break
        day = first_day + timedelta(days=offset)
        is_today = day == today_local
        if not is_today and rng.random() > study_prob:
            continue
        days_left = max(1.0, (span - offset + 1) * study_prob)
        daily = max(1, round(remaining / days_left * rng.uniform(0.6, 1.4)))
        moment = _session_start(rng, day=day, tz=tz, now=now)
        if moment is None:
            continue
        seen_today.clear()
        new_today = 0
        done = 0
        while done < daily and remaining > 0:
            while heap and memory[heap[0][1]].due != heap[0][0]:
                heapq.heappop(heap)  # stale entry
            if heap and heap[0][0] <= moment:
                _due, item_id = heapq.heappop(heap)
            elif new_today < new_per_day and introduced < len(order):
                item_id = order[introduced][0]
                introduced += 1
                new_today += 1
                card_pk[item_id] = next_card_pk + len(card_pk)
                memory[item_id] = scheduler.Memory(due=moment)
            elif heap and heap[0][0] <= moment + timedelta(minutes=12):
                moment = heap[0][0]
                continue
            else:
                break
            before = memory[item_id]
            if rng.random() < _recall_chance(before, moment=moment, ability=ability):
                rating = rng.choices((2, 3, 4), weights=(15, 72, 13))[0]
            else:
                rating = 1
            outcome = scheduler.review(before, rating, now=moment, seed=card_pk[item_id], tz=tz)
            after = outcome.memory
            memory[item_id] = after
            heapq.heappush(heap, (after.due, item_id))
            duration = int(rng.lognormvariate(8.8, 0.6))
            row = (user_id, card_pk[item_id], ReviewLog.Source.STUDY, rating, moment, duration)
            logs.append((*row, True, None, *log_fields(before, after).values(), outcome.interval))
            _count(
                rollups[day], before, rating, duration, first_today=item_id not in seen_today, tz=tz
            )
            seen_today.add(item_id)
            moment += timedelta(milliseconds=duration + rng.randint(500, 3000))
            if moment >= now:
                remaining = 0
                break
            done += 1
            remaining -= 1

    cards = [
        (card_pk[item_id], user_id, item_id, *_memory_values(m), False, new_token(), now)
        for item_id, m in memory.items()
    ]
    # The rest of the content exists as new cards (as the study page would create them).
    for item_id, _deck_id in order[introduced:]:
        pk = next_card_pk + len(cards)
        new = _memory_values(scheduler.Memory(due=now))
        cards.append((pk, user_id, item_id, *new, False, new_token(), now))
    stats = [
        (user_id, day, *(counter.get(name, 0) for name in COUNT_FIELDS))
        for day, counter in rollups.items()
    ]
    return cards, logs, stats


def seed_demo_data(
    *,
    users: int,
    reviews: int,
    days: int = 365,
    prefix: str = "aluno",
    seed: int = 42,
    mocks: int = 2,
    batch_users: int = 100,
    now: datetime | None = None,
    log=None,
) -> dict:
    """Create ``users`` students with about ``reviews`` review logs in total.

    Rows are written as tuples with ``demo.bulk.insert_rows`` (COPY on PostgreSQL,
    executemany elsewhere; SQLite skips fsync meanwhile): a million reviews in minutes.
    """
    with fast_writes():
        return _seed(
            users=users,
            reviews=reviews,
            days=days,
            prefix=prefix,
            seed=seed,
            mocks=mocks,
            batch_users=batch_users,
            now=now or timezone.now(),
            log=log,
        )


def _seed(*, users, reviews, days, prefix, seed, mocks, batch_users, now, log) -> dict:
    rng = random.Random(seed)
    items = _ensure_content()
    people = _create_users(count=users, prefix=prefix)
    tz = timing.zone(timing.DEFAULT_TIMEZONE)
    # Uneven effort, as in a real class: a few students do most of the reviews.
    weights = [rng.lognormvariate(0, 0.6) for _ in people]
    total_weight = sum(weights)
    budgets = [round(reviews * w / total_weight) for w in weights]
    totals = {"users": len(people), "cards": 0, "reviews": 0, "rollups": 0, "mocks": 0}
    next_pk = (StudyCard.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    for start in range(0, len(people), batch_users):
        chunk = people[start : start + batch_users]
        all_cards, all_logs, all_stats = [], [], []
        for person, budget in zip(chunk, budgets[start : start + batch_users], strict=True):
            cards, logs, stats = _simulate_user(
                rng=random.Random(f"{seed}:{person.pk}"),
                user_id=person.pk,
                items=items,
                budget=budget,
                days=days,
                now=now,
                tz=tz,
                next_card_pk=next_pk,
            )
            next_pk += len(cards)
            all_cards += cards
            all_logs += logs
            all_stats += stats
        with transaction.atomic():
            insert_rows(StudyCard, CARD_COLUMNS, all_cards)
            insert_rows(ReviewLog, LOG_COLUMNS, all_logs)
            insert_rows(DailyReviewStats, ("user_id", "day", *COUNT_FIELDS), all_stats)
        totals["cards"] += len(all_cards)
        totals["reviews"] += len(all_logs)
        totals["rollups"] += len(all_stats)
        if log and (start // batch_users) % 5 == 0:
            log(f"  {start + len(chunk)}/{len(people)} users, {totals['reviews']} reviews")
    _reset_sequences(StudyCard)  # card ids were chosen here, not by the database
    totals["mocks"] = (
        seed_mocks(people=people, per_user=mocks, rng=rng, now=now) if mocks > 0 else 0
    )
    return totals


def _reset_sequences(*models) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
