"""Drawing questions and building their options: pure functions over plain data.

Every random choice uses ``random.Random`` seeded from the attempt's ``seed`` (and the
item id where it matters), so the same attempt always gets the same draw and options.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# Priority tiers: questions never answered first, then ones last answered wrong, then the rest.
UNSEEN, WRONG, RIGHT = 0, 1, 2


@dataclass
class Candidate:
    item_id: int
    deck_id: int
    topic_ids: frozenset[int] = frozenset()
    domains: frozenset[int] = frozenset()
    tier: int = UNSEEN
    weight: float = 1.0


@dataclass
class Drawn:
    item_id: int
    domain: int | None


@dataclass
class OptionRow:
    id: int
    item_id: int
    is_correct: bool
    text: str = ""


@dataclass
class Built:
    option_ids: list[int]
    choose_count: int
    distractor_ids: list[int] = field(default_factory=list)


def rng_for(seed: int, *parts: object) -> random.Random:
    return random.Random(":".join(str(part) for part in (seed, *parts)))


def quotas(weights: dict[int, float], total: int) -> dict[int, int]:
    """Split ``total`` by ``weights`` (largest remainder): 65 × 32/26/24/18 → 21/17/15/12."""
    positive = {key: weight for key, weight in weights.items() if weight > 0}
    weight_sum = sum(positive.values())
    if not positive or total <= 0:
        return {key: 0 for key in weights}
    exact = {key: total * weight / weight_sum for key, weight in positive.items()}
    result = {key: int(value) for key, value in exact.items()}
    left = total - sum(result.values())
    by_remainder = sorted(positive, key=lambda key: (-(exact[key] - result[key]), key))
    for key in by_remainder[:left]:
        result[key] += 1
    return {key: result.get(key, 0) for key in weights}


def _ordered(candidates: Iterable[Candidate], rng: random.Random) -> list[Candidate]:
    """By tier, then weighted random within a tier (Efraimidis–Spirakis keys u^(1/w))."""
    keyed = []
    for candidate in sorted(candidates, key=lambda c: c.item_id):
        u = rng.random()
        key = u ** (1.0 / candidate.weight) if candidate.weight > 0 else 0.0
        keyed.append((candidate.tier, -key, candidate.item_id, candidate))
    keyed.sort(key=lambda row: row[:3])
    return [row[3] for row in keyed]


def draw_simple(candidates: Sequence[Candidate], count: int, seed: int) -> list[Drawn]:
    """Practice: ``count`` distinct questions, unseen first, then wrong, then the rest."""
    chosen = _ordered(candidates, rng_for(seed, "draw"))[:count]
    result = [Drawn(c.item_id, min(c.domains) if c.domains else None) for c in chosen]
    rng_for(seed, "order").shuffle(result)
    return result


def draw_weighted(
    candidates: Sequence[Candidate], count: int, seed: int, domain_weights: dict[int, float]
) -> list[Drawn]:
    """Mock exam: ``count`` distinct questions with per-domain quotas from ``domain_weights``.

    Domains with no candidates give their share to the others. Scarce domains are filled
    first; a question counts for the one domain it was drawn for. Within a domain the order
    is tier first, then topic weight (``Candidate.weight``). Any shortfall is filled from
    the remaining candidates.
    """
    rng = rng_for(seed, "draw")
    pool = [c for c in candidates if c.weight > 0]
    available = {d: [c for c in pool if d in c.domains] for d in domain_weights}
    weights = {d: w for d, w in domain_weights.items() if w > 0 and available[d]}
    target = quotas(weights, min(count, len(pool)))
    chosen: list[Drawn] = []
    taken: set[int] = set()
    scarcity = sorted(target, key=lambda d: (len(available[d]) / max(target[d], 1), d))
    for domain in scarcity:
        ordered = _ordered((c for c in available[domain] if c.item_id not in taken), rng)
        for candidate in ordered[: target[domain]]:
            chosen.append(Drawn(candidate.item_id, domain))
            taken.add(candidate.item_id)
    if len(chosen) < count:
        rest = _ordered((c for c in pool if c.item_id not in taken), rng)
        for candidate in rest[: count - len(chosen)]:
            domain = min(candidate.domains) if candidate.domains else None
            chosen.append(Drawn(candidate.item_id, domain))
    rng_for(seed, "order").shuffle(chosen)
    return chosen


def build_options(
    *,
    item_id: int,
    own: Sequence[OptionRow],
    neighbour_groups: Sequence[Sequence[OptionRow]] = (),
    seed: int,
    option_count: int = 4,
) -> Built:
    """The shuffled option ids for one question.

    An item with wrong options of its own shows exactly its options. An item with only
    correct answers (a flashcard such as the ECR seed's) gets distractors: correct answers
    of other items, from the first group of ``neighbour_groups`` (same deck) before the next
    (same topic), skipping texts equal to one already used, until it shows
    ``option_count`` options (more when it has several correct answers).
    """
    rng = rng_for(seed, item_id)
    correct = [o for o in own if o.is_correct]
    ids = [o.id for o in own]
    distractors: list[int] = []
    if own and len(correct) == len(own):
        wanted = max(option_count, len(correct) + 2) - len(own)
        seen_texts = {o.text.strip().lower() for o in own}
        for group in neighbour_groups:
            pool = sorted(
                (o for o in group if o.is_correct and o.item_id != item_id), key=lambda o: o.id
            )
            rng.shuffle(pool)
            for option in pool:
                if len(distractors) >= wanted:
                    break
                key = option.text.strip().lower()
                if key not in seen_texts:
                    seen_texts.add(key)
                    distractors.append(option.id)
        ids += distractors
    rng.shuffle(ids)
    return Built(option_ids=ids, choose_count=max(len(correct), 1), distractor_ids=distractors)


def answer_is_correct(selected: Iterable[int], correct: Iterable[int]) -> bool:
    """All-or-nothing: exactly the correct options, no more, no fewer."""
    selected_set, correct_set = set(selected), set(correct)
    return bool(correct_set) and selected_set == correct_set
