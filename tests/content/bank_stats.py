"""Figures of the question bank: counts per topic and domain, and option-length fairness.

Reproducible numbers for the closing notes of content work (and the helpers the lint test
uses). Run from the repository root::

    DJANGO_DEBUG=1 .venv/bin/python -m tests.content.bank_stats [CONTENT_DIR] [--json] [--list]

``CONTENT_DIR`` defaults to ``content/`` (point it at another checkout's ``content/`` to
measure a "before"). ``--list`` also names the questions where "pick the longest" pays.

Definitions (per language, over questions with authored wrong options, the seed excluded):

- single answer: the share of questions whose correct option is *strictly* the longest
  (``longest_strict``) and the longest counting ties (``longest_with_ties``, the figure of
  issue 18's review); chance is 1/4. ``shortest_strict`` is the mirror figure (a bank where
  the longest option is almost never right pays "eliminate the longest").
- multiple response (N correct of K): the share of correct options that are among the N
  longest (fewer than N options strictly longer) against the chance of that, N/K averaged
  over the correct options.

Lengths are characters of the option as written (Markdown included).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONTENT = ROOT / "content"
SEED_FILES = {"pt-br/ecr.md", "en/ecr.md"}
LANGUAGES = ("pt-br", "en")


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studyapp.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()


@dataclass
class Question:
    file: str
    line: int
    key: str
    options: list[tuple[str, bool]]
    domains: list[int]
    topics: list[str]
    in_mock_deck: bool

    @property
    def correct(self) -> list[str]:
        return [text for text, right in self.options if right]

    @property
    def has_distractors(self) -> bool:
        return any(not right for _text, right in self.options)

    @property
    def mock_eligible(self) -> bool:
        return self.has_distractors and self.in_mock_deck


def load(content: Path) -> dict[str, list[Question]]:
    """Questions per language folder, with effective (item over deck) domains and topics."""
    from studyapp.content.parser import parse_file

    result: dict[str, list[Question]] = {language: [] for language in LANGUAGES}
    for path in sorted(content.rglob("*.md")):
        relative = path.relative_to(content).as_posix()
        language = relative.split("/")[0]
        if language not in result:
            continue
        deck, errors = parse_file(f"content/{relative}", path.read_bytes())
        if deck is None:
            raise SystemExit("\n".join(str(error) for error in errors))
        in_mock = getattr(deck, "in_mock", True)
        for item in deck.questions:
            result[language].append(
                Question(
                    file=relative,
                    line=item.line,
                    key=item.pinned_id or item.prompt[:40],
                    options=[(o.text, o.correct) for o in item.options],
                    domains=list(getattr(item, "domains", None) or deck.domains),
                    topics=list(getattr(item, "topics", None) or deck.topics),
                    in_mock_deck=in_mock,
                )
            )
    return result


def graded(questions: list[Question]) -> list[Question]:
    """Questions with authored distractors outside the seed: the ones fairness applies to."""
    return [q for q in questions if q.has_distractors and q.file not in SEED_FILES]


def correct_is_longest(question: Question, *, ties: bool) -> bool:
    (right,) = question.correct
    wrong = [len(text) for text, ok in question.options if not ok]
    return all(len(right) >= n if ties else len(right) > n for n in wrong)


def correct_is_shortest(question: Question) -> bool:
    (right,) = question.correct
    return all(len(right) < len(text) for text, ok in question.options if not ok)


def among_longest(question: Question) -> tuple[int, int, float]:
    """(correct options among the N longest, correct options, expected by chance)."""
    lengths = [len(text) for text, _ok in question.options]
    n, k = len(question.correct), len(question.options)
    hits = sum(1 for text in question.correct if sum(x > len(text) for x in lengths) < n)
    return hits, n, n * n / k


def fairness(questions: list[Question]) -> dict:
    pool = graded(questions)
    single = [q for q in pool if len(q.correct) == 1]
    multiple = [q for q in pool if len(q.correct) > 1]
    strict = [q for q in single if correct_is_longest(q, ties=False)]
    ties = [q for q in single if correct_is_longest(q, ties=True)]
    shortest = [q for q in single if correct_is_shortest(q)]
    hits = total = 0
    chance = 0.0
    for question in multiple:
        h, n, c = among_longest(question)
        hits, total, chance = hits + h, total + n, chance + c
    return {
        "single_answer": len(single),
        "longest_strict": len(strict),
        "longest_strict_pct": _pct(len(strict), len(single)),
        "longest_with_ties": len(ties),
        "longest_with_ties_pct": _pct(len(ties), len(single)),
        "shortest_strict": len(shortest),
        "shortest_strict_pct": _pct(len(shortest), len(single)),
        "single_chance_pct": 25.0,
        "multiple_response": len(multiple),
        "correct_options": total,
        "among_n_longest": hits,
        "among_n_longest_pct": _pct(hits, total),
        "multiple_chance_pct": round(100 * chance / total, 1) if total else 0.0,
        "_strict": [f"{q.file}:{q.line} {q.key}" for q in strict],
        "_ties": [f"{q.file}:{q.line} {q.key}" for q in ties if q not in strict],
        "_multi": [
            f"{q.file}:{q.line} {q.key} {among_longest(q)[0]}/{len(q.correct)}" for q in multiple
        ],
    }


def counts(questions: list[Question]) -> dict:
    from studyapp.content.parser import slugify

    per_topic: Counter[str] = Counter()
    names: dict[str, str] = {}
    per_domain: Counter[str] = Counter()
    mock_domain: Counter[str] = Counter()
    for question in questions:
        for topic in question.topics:
            slug = slugify(topic)
            names.setdefault(slug, topic if topic != slug else topic.upper())
            per_topic[names[slug]] += 1
        for domain in question.domains:
            per_domain[str(domain)] += 1
            if question.mock_eligible:
                mock_domain[str(domain)] += 1
    return {
        "questions": len(questions),
        "with_distractors": sum(q.has_distractors for q in questions),
        "self_graded": sum(not q.has_distractors for q in questions),
        "out_of_mock_decks": sum(not q.in_mock_deck for q in questions),
        "mock_eligible": sum(q.mock_eligible for q in questions),
        "multiple_response": sum(len(q.correct) > 1 for q in questions),
        "per_topic": dict(sorted(per_topic.items())),
        "per_domain": dict(sorted(per_domain.items())),
        "mock_eligible_per_domain": dict(sorted(mock_domain.items())),
    }


def figures(content: Path = DEFAULT_CONTENT) -> dict:
    loaded = load(content)
    return {
        language: {"counts": counts(questions), "fairness": fairness(questions)}
        for language, questions in loaded.items()
    }


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("content", nargs="?", default=str(DEFAULT_CONTENT))
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--list", action="store_true", help="name the 'longest wins' questions")
    args = parser.parse_args(argv)
    _setup_django()
    data = figures(Path(args.content))
    if args.json:
        clean = {
            lang: {
                "counts": part["counts"],
                "fairness": {k: v for k, v in part["fairness"].items() if not k.startswith("_")},
            }
            for lang, part in data.items()
        }
        print(json.dumps(clean, indent=2, ensure_ascii=False))
        return 0
    for language, part in data.items():
        c, f = part["counts"], part["fairness"]
        print(f"== {language}: {c['questions']} questions")
        print(
            f"   with distractors {c['with_distractors']}, self-graded {c['self_graded']}, "
            f"out-of-mock decks {c['out_of_mock_decks']}, mock-eligible {c['mock_eligible']}, "
            f"multiple response {c['multiple_response']}"
        )
        print(f"   per topic:  {c['per_topic']}")
        print(f"   per domain: {c['per_domain']}  (mock-eligible: {c['mock_eligible_per_domain']})")
        print(
            f"   single answer ({f['single_answer']}): correct strictly longest "
            f"{f['longest_strict']} = {f['longest_strict_pct']}%, with ties "
            f"{f['longest_with_ties']} = {f['longest_with_ties_pct']}% (chance 25%); strictly "
            f"shortest {f['shortest_strict']} = {f['shortest_strict_pct']}%"
        )
        print(
            f"   multiple response ({f['multiple_response']} items, {f['correct_options']} "
            f"correct options): among the N longest {f['among_n_longest']} = "
            f"{f['among_n_longest_pct']}% (chance {f['multiple_chance_pct']}%)"
        )
        if args.list:
            for row in f["_strict"]:
                print(f"     longest: {row}")
            for row in f["_ties"]:
                print(f"     tied longest: {row}")
            for row in f["_multi"]:
                print(f"     multi among-N: {row}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
