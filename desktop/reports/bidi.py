"""Right-to-left and mixed-direction lines for ReportLab, without ``rlbidi``.

HarfBuzz shapes each word (an Arabic word comes out joined, right to left), but
ReportLab lays the words of a line out left to right unless ``rlbidi`` is
installed, and ``rlbidi`` is not on PyPI.  :func:`visual_words` puts one line
into visual order with the Unicode bidirectional algorithm applied to pieces
of words rather than characters:

* a word is cut into its leading punctuation, its core and its trailing
  punctuation (``"(محمد"`` → ``"("`` + ``"محمد"``; ``"2024."`` → ``"2024"`` + ``"."``),
  and spaces between words are pieces too;
* a core is strong Latin (L), strong Arabic (R) or a number (EN) after its first
  strong character; numbers after Latin text are Latin (rule W7);
* neutrals (punctuation, spaces) take the direction of their neighbours when
  both agree, numbers counting as Arabic, else the paragraph's (N1, N2);
* runs are reversed from the highest level down (L2).

The result is a list of words for ReportLab, each one direction-homogeneous and
given in the order HarfBuzz expects: a word that HarfBuzz will lay out right to
left (it holds Arabic letters) has its pieces in reverse visual order.

A value that must stay in one piece (a phone number with spaces, a case number)
is joined with no-break spaces by :func:`keep_together` before it gets here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal, TypeVar

Direction = Literal["L", "R", "EN", "N"]
_T = TypeVar("_T")

NBSP = "\u00a0"
_NEUTRAL_EDGE = frozenset({"ON", "CS", "WS", "BN", "S", "B"})
_RTL_CLASSES = frozenset({"R", "AL"})


@dataclass(frozen=True)
class Piece:
    """A run of text drawn as a whole, with its own style flag."""

    text: str
    bold: bool = False


@dataclass(frozen=True)
class _Token:
    text: str
    bold: bool
    kind: Direction
    space: bool = False
    level: int = 0


def word_type(word: str) -> Direction:
    """Direction of a word: its first strong character, else number or neutral."""
    number = False
    for char in word:
        kind = unicodedata.bidirectional(char)
        if kind in _RTL_CLASSES:
            return "R"
        if kind == "L":
            return "L"
        if kind in ("EN", "AN"):
            number = True
    return "EN" if number else "N"


def has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(char) in _RTL_CLASSES for char in text)


def first_strong_is_rtl(text: str) -> bool | None:
    """The paragraph direction rule P2: True for Arabic, False for Latin, None when there is no letter."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in _RTL_CLASSES:
            return True
        if kind == "L":
            return False
    return None


def keep_together(text: str) -> str:
    """One unbreakable word (phone numbers, codes, dates with spaces)."""
    return NBSP.join(text.split())


def _split_word(word: Piece) -> list[_Token]:
    text = word.text
    start, end = 0, len(text)
    while start < end and unicodedata.bidirectional(text[start]) in _NEUTRAL_EDGE:
        start += 1
    while end > start and unicodedata.bidirectional(text[end - 1]) in _NEUTRAL_EDGE:
        end -= 1
    if start == end:
        return [_Token(text, word.bold, "N")]
    tokens = [_Token(char, word.bold, "N") for char in text[:start]]
    tokens.append(_Token(text[start:end], word.bold, word_type(text[start:end])))
    tokens.extend(_Token(char, word.bold, "N") for char in text[end:])
    return tokens


def levels(kinds: Sequence[Direction], rtl: bool) -> list[int]:
    """Embedding level of each piece of a line in a paragraph of the given direction."""
    base: Direction = "R" if rtl else "L"
    resolved: list[Direction] = []
    last_strong: Direction = base
    for kind in kinds:  # W7: a number after Latin text is Latin
        if kind in ("L", "R"):
            last_strong = kind
        resolved.append("L" if kind == "EN" and last_strong == "L" else kind)

    def strength(kind: Direction) -> Direction:
        return "R" if kind in ("R", "EN") else kind  # N1: numbers count as R for neutrals

    index = 0
    while index < len(resolved):
        if resolved[index] != "N":
            index += 1
            continue
        end = index
        while end < len(resolved) and resolved[end] == "N":
            end += 1
        before = strength(resolved[index - 1]) if index > 0 else base
        after = strength(resolved[end]) if end < len(resolved) else base
        direction: Direction = before if before == after else base
        for position in range(index, end):
            resolved[position] = direction
        index = end

    if rtl:
        return [1 if kind == "R" else 2 for kind in resolved]
    return [1 if kind == "R" else 2 if kind == "EN" else 0 for kind in resolved]


def visual_order(items: Sequence[_T], item_levels: Sequence[int]) -> list[_T]:
    """Rule L2: reverse every run at level ≥ k, for k from the highest level down to 1."""
    order = list(range(len(items)))
    current = list(item_levels)
    if not current:
        return []
    for level in range(max(current), 0, -1):
        index = 0
        while index < len(order):
            if current[index] < level:
                index += 1
                continue
            end = index
            while end < len(order) and current[end] >= level:
                end += 1
            order[index:end] = reversed(order[index:end])
            current[index:end] = reversed(current[index:end])
            index = end
    return [items[position] for position in order]


def visual_words(words: Sequence[Piece], rtl: bool) -> list[Piece]:
    """One line of words (logical order) → the words ReportLab must draw, left to right.

    Each returned word is already in the order HarfBuzz expects.
    """
    tokens: list[_Token] = []
    for number, word in enumerate(words):
        if number:
            tokens.append(_Token(" ", False, "N", space=True))
        tokens.extend(_split_word(word))
    token_levels = levels([token.kind for token in tokens], rtl)
    tokens = [replace(token, level=level) for token, level in zip(tokens, token_levels, strict=True)]
    ordered = visual_order(tokens, token_levels)
    result: list[Piece] = []
    current: list[_Token] = []
    for token in [*ordered, _Token(" ", False, "N", space=True)]:
        if not token.space:
            current.append(token)
            continue
        if current:
            result.append(_compose(current))
            current = []
    return result


def _compose(tokens: list[_Token]) -> Piece:
    """One drawn word; HarfBuzz lays a word holding Arabic out right to left, so its pieces go in reversed.

    The word takes the weight of its core: a word's glyphs come from one font.
    """
    core = next((token for token in tokens if token.kind != "N"), tokens[0])
    if has_rtl("".join(token.text for token in tokens)):
        tokens = list(reversed(tokens))  # HarfBuzz mirrors the brackets of a right-to-left run itself
        return Piece("".join(token.text for token in tokens), core.bold)
    # Rule L4: a bracket drawn right to left (odd level) shows its mirror image: "(AVRR)".
    return Piece("".join(_mirrored(token.text) if token.level % 2 else token.text for token in tokens), core.bold)


_MIRROR = str.maketrans("()[]{}<>«»‹›", ")(][}{><»«›‹")


def _mirrored(text: str) -> str:
    return text.translate(_MIRROR)


def reorder_words(words: Sequence[str], rtl: bool) -> list[str]:
    """Plain-text form of :func:`visual_words`, for tests and simple callers."""
    return [piece.text for piece in visual_words([Piece(word) for word in words], rtl)]
