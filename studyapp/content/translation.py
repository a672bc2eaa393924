"""Which version of a deck or an item a reader sees: the one owner of that rule.

Content is written in a source language (``pt-BR`` for the first course) and may have
translations (``en``). A reader whose language is ``wanted`` sees, in this order:

1. the version whose language is exactly ``wanted`` (case-insensitive: ``pt-BR`` ~ ``pt-br``),
   the source first;
2. else one with the same base language (``en-us`` reads ``en``; ``pt`` reads ``pt-BR``);
3. else the source.

Progress and answers always stay on the source; this only chooses what to show. Pure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")


def _base(language: str) -> str:
    return language.split("-")[0]


def language_rank(candidate: str | None, wanted: str | None) -> int | None:
    """0 when ``candidate`` is ``wanted``, 1 when only their base languages match, else None."""
    if not candidate or not wanted:
        return None
    candidate, wanted = candidate.lower(), wanted.lower()
    if candidate == wanted:
        return 0
    if _base(candidate) == _base(wanted):
        return 1
    return None


def is_exact(language: str | None, wanted: str | None) -> bool:
    """True when content in ``language`` needs no translation for a reader of ``wanted``."""
    return language_rank(language, wanted) == 0


def _language(version) -> str:
    return version.language


def choose(
    source_language: str | None,
    translations: Iterable[T],
    wanted: str | None,
    *,
    language_of: Callable[[T], str] = _language,
) -> T | None:
    """The translation to show a reader of ``wanted`` instead of a source written in
    ``source_language``, or None when the source itself is the one to show."""
    best, best_rank = None, language_rank(source_language, wanted)
    if best_rank == 0:
        return None
    for version in translations:
        rank = language_rank(language_of(version), wanted)
        if rank is not None and (best_rank is None or rank < best_rank):
            best, best_rank = version, rank
            if rank == 0:
                break
    return best


def pick(
    source: T,
    translations: Iterable[T],
    wanted: str | None,
    *,
    language_of: Callable[[T], str] = _language,
) -> T:
    """The version of ``source`` (itself or one of ``translations``) a reader of ``wanted``
    sees."""
    chosen = choose(language_of(source), translations, wanted, language_of=language_of)
    return source if chosen is None else chosen
