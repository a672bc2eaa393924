"""Usernames that look like another: refused at sign-up and in the admin.

Django already normalizes a username with NFKC (``UsernameField``, ``normalize_username``)
and refuses one that differs from an existing one only in case. On top of that:

- a name that mixes scripts with a character that imitates another script's letter
  (``tеach`` with a Cyrillic е) is refused (confusable-homoglyphs' ``is_dangerous``);
- a name whose *skeleton* equals an existing user's is refused (``teach`` / ``teach`` in
  Cyrillic, ``lara`` / ``1ara``, ``rnaria`` / ``maria``). The skeleton (Unicode TS #39) maps
  every character to the prototype it can be confused with; the groups come from Unicode's
  confusables.txt as confusable-homoglyphs ships it (each character linked with its
  prototype, both ways: a group is a prototype and the characters that imitate it).
"""

from __future__ import annotations

import functools
import unicodedata

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_MARKS = str.maketrans("", "", "\u200e\u200f")  # direction marks around right-to-left glyphs


@functools.cache
def _prototypes() -> dict[str, str]:
    """Each confusable character → one member of its group (the longest, then the lowest:
    ``m`` → ``rn`` as in TS #39); any fixed choice gives equal skeletons for a group."""
    from confusable_homoglyphs.confusables import confusables_data

    parent: dict[str, str] = {}

    def find(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for char, glyphs in confusables_data.items():
        for glyph in glyphs:
            a, b = find(char.translate(_MARKS)), find(glyph["c"].translate(_MARKS))
            if a != b:
                parent[a] = b
    groups: dict[str, list[str]] = {}
    for node in list(parent):
        groups.setdefault(find(node), []).append(node)
    table = {}
    for members in groups.values():
        prototype = min(members, key=lambda s: (-len(s), s))
        table.update({m: prototype for m in members if len(m) == 1 and m != prototype})
    return table


def skeleton(name: str) -> str:
    """What ``name`` looks like: NFKC, confusables mapped to their prototype, case folded."""
    table = _prototypes()

    def mapped(text: str) -> str:
        return "".join(table.get(char, char) for char in unicodedata.normalize("NFD", text))

    return unicodedata.normalize(
        "NFD", mapped(mapped(unicodedata.normalize("NFKC", name)).casefold())
    )


def validate_username(username: str, *, exclude_pk=None) -> None:
    """Raise ValidationError for a mixed-script lookalike or a name that looks like an
    existing user's (``exclude_pk``: the user being renamed)."""
    from confusable_homoglyphs.confusables import is_dangerous

    if is_dangerous(username):
        raise ValidationError(
            _(
                "Este nome mistura alfabetos com letras que imitam outras (por exemplo, um "
                "“е” cirílico no meio de letras latinas). Use letras de um só alfabeto."
            ),
            code="mixed_script",
        )
    wanted = skeleton(username)
    others = get_user_model().objects.exclude(pk=exclude_pk).values_list("username", flat=True)
    for other in others.iterator(chunk_size=2000):
        if skeleton(other) == wanted:
            raise ValidationError(
                _(
                    "Este nome se confunde com o de outra conta (letras parecidas, como l e 1, "
                    "O e 0 ou letras de outro alfabeto). Escolha outro."
                ),
                code="confusable",
            )
