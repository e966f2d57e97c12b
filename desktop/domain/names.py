"""Names across scripts and spellings: folding, consonant skeletons, keys, similarity.

The same person is written Mohamed, Mohammed, Muhammad or محمد; El Fassi or
Al-Fassi; Aït or Ait; first and last names swapped. We compare *consonant
skeletons*: Latin and Arabic letters are mapped to one consonant alphabet
(ch/sh/ش → S, kh/خ → X, x → ks, gh/غ → g, dj/j/ج → j, q/k/c/ق/ك → k, ph/v/ف → f, p/b → b,
emphatics ص ض ط ظ → s d t z), vowels and the weak letters ا و ي ى ة ء ع are dropped,
doubled letters collapse, and the article (El/Al/ال) is removed. Skeleton tokens
of all four name fields, sorted, make the person's ``name_key``.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

ARTICLES = frozenset({"el", "al", "l", "ال"})
ARABIC_LETTERS = {
    "ب": "b", "ت": "t", "ث": "t", "ج": "j", "ح": "h", "خ": "X", "د": "d", "ذ": "d", "ر": "r", "ز": "z",
    "س": "s", "ش": "S", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "غ": "g", "ف": "f", "ق": "k", "ك": "k",
    "ل": "l", "م": "m", "ن": "n", "ه": "h", "گ": "g", "ڭ": "g", "پ": "b", "ڤ": "f", "ک": "k",
}  # fmt: skip
ARABIC_WEAK = set("اأإآءئؤعوةيىی")
ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
LATIN_DIGRAPHS = (("sch", "S"), ("kh", "X"), ("gh", "g"), ("ch", "S"), ("sh", "S"), ("dj", "j"), ("th", "t"),
                  ("ph", "f"), ("ck", "k"), ("qu", "k"), ("ou", "u"))  # fmt: skip
LATIN_LETTERS = str.maketrans({"q": "k", "v": "f", "p": "b", "c": "k", "x": "ks"})
SOFT_C = re.compile(r"c(?=[eiy])")
VOWELS = set("aeiouyw")


def fold_latin(text: str) -> str:
    """Lower case, no accents, letters/digits/spaces only (Aït-Ben Ḥaddou → ait ben haddou)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    plain = plain.replace("ı", "i")
    return " ".join(re.sub(r"[^0-9a-z\u0600-\u06ff]+", " ", plain).split())


def _collapse(letters: str) -> str:
    out: list[str] = []
    for ch in letters:
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


def _latin_skeleton(token: str) -> str:
    token = SOFT_C.sub("s", token)
    for digraph, symbol in LATIN_DIGRAPHS:
        token = token.replace(digraph, symbol)
    token = token.translate(LATIN_LETTERS)
    return _collapse("".join(ch for ch in token if ch not in VOWELS and (ch.isalpha() or ch.isdigit())))


def _arabic_skeleton(token: str) -> str:
    if token.startswith("ال") and len(token) > 3:
        token = token[2:]
    letters = []
    for ch in token:
        if ch in ARABIC_WEAK or unicodedata.combining(ch) or ch == "ـ":
            continue
        letters.append(ARABIC_LETTERS.get(ch, ""))
    return _collapse("".join(letters))


def transliterate_arabic(text: str) -> str:
    """Arabic script → the consonant skeleton alphabet (محمد → mhmd)."""
    return " ".join(s for s in (_arabic_skeleton(t) for t in text.split()) if s)


def _tokens(text: str) -> list[str]:
    folded = fold_latin(text.replace("-", " ").replace("'", " "))
    return [t for t in folded.split() if t not in ARTICLES]


def skeleton(text: str) -> str:
    """The consonant skeleton of a name in either script (Mohammed, محمد → mhmd)."""
    parts = []
    for token in _tokens(text):
        is_arabic = any("\u0600" <= ch <= "\u06ff" for ch in token)
        value = _arabic_skeleton(token) if is_arabic else _latin_skeleton(token)
        if value:
            parts.append(value)
    return " ".join(parts)


@dataclass(frozen=True)
class NameParts:
    family: str = ""
    given: str = ""
    family_ar: str = ""
    given_ar: str = ""


def name_tokens(family: str, given: str, family_ar: str = "", given_ar: str = "") -> set[str]:
    tokens: set[str] = set()
    for part in (family, given, family_ar, given_ar):
        tokens.update(skeleton(part).split())
    return tokens


def name_key(family: str, given: str, family_ar: str = "", given_ar: str = "") -> str:
    """Sorted skeleton tokens of all four fields: order- and script-independent."""
    return " ".join(sorted(name_tokens(family, given, family_ar, given_ar)))


def _side(family: str, given: str) -> str:
    return " ".join(sorted((skeleton(family) + " " + skeleton(given)).split()))


def similarity(a: NameParts, b: NameParts) -> float:
    """0..1: the best of Latin/Latin, Arabic/Arabic and cross-script skeleton comparisons."""
    sides_a = [s for s in (_side(a.family, a.given), _side(a.family_ar, a.given_ar)) if s]
    sides_b = [s for s in (_side(b.family, b.given), _side(b.family_ar, b.given_ar)) if s]
    best = 0.0
    for left in sides_a:
        for right in sides_b:
            best = max(best, fuzz.token_sort_ratio(left, right) / 100)
    if a.family and b.family and a.given and b.given:
        plain = fuzz.token_sort_ratio(fold_latin(f"{a.family} {a.given}"), fold_latin(f"{b.family} {b.given}")) / 100
        best = max(best, plain)
    return best


def document_key(number: str) -> str:
    """Upper case letters and digits only (ZZ-123 456 → ZZ123456), Arabic-Indic digits as ASCII."""
    return "".join(ch for ch in number.translate(ARABIC_DIGITS).upper() if ch.isascii() and ch.isalnum())


def phone_key(phone: str) -> str:
    """Digits only, Moroccan international prefix as 0 (+212 6… → 06…)."""
    digits = "".join(ch for ch in phone.translate(ARABIC_DIGITS) if ch.isdigit())
    for prefix in ("00212", "212"):
        if digits.startswith(prefix) and len(digits) >= len(prefix) + 9:
            return "0" + digits[len(prefix) :]
    return digits


# -- planted variants (demo office, tests) ----------------------------------------------------
GIVEN_VARIANTS = [
    ("Mohamed", "Mohammed", "Mohamad", "Muhammad", "Mouhamed"),
    ("Youssef", "Yousef", "Youcef", "Yusuf"),
    ("Fatima", "Fatma", "Fatimah"),
    ("Aicha", "Aïcha", "Aisha"),
    ("Khadija", "Khadidja", "Khadijah"),
    ("Brahim", "Ibrahim"),
    ("Abdellah", "Abdallah", "Abdullah"),
    ("Ibrahima", "Ibrahim"),
    ("Aminata", "Aminatou"),
    ("Mamadou", "Mamadu"),
    ("Ousmane", "Usman", "Othmane"),
    ("Souleymane", "Sulaymane", "Slimane"),
    ("Meryem", "Maryam", "Mariem"),
]
TO_ARABIC = {
    "b": "ب", "t": "ت", "j": "ج", "h": "ح", "X": "خ", "d": "د", "r": "ر", "z": "ز", "s": "س", "S": "ش",
    "g": "غ", "f": "ف", "k": "ك", "l": "ل", "m": "م", "n": "ن", "a": "ا", "i": "ي", "u": "و", "e": "ي", "o": "و",
}  # fmt: skip


def to_arabic_script(name: str) -> str:
    """A rough Arabic spelling of a Latin name (for planted variants only)."""
    words = []
    for token in fold_latin(name).split():
        if token in ("el", "al"):
            words.append("ال")
            continue
        token = SOFT_C.sub("s", token)
        for digraph, symbol in LATIN_DIGRAPHS:
            token = token.replace(digraph, symbol)
        token = token.translate(LATIN_LETTERS)
        letters = [TO_ARABIC.get(ch, "") for ch in _collapse(token)]
        words.append("".join(letters))
    text = " ".join(w for w in words if w)
    return text.replace("ال ", "ال")


def _respell(given: str, rng: random.Random) -> str:
    for group in GIVEN_VARIANTS:
        if given in group:
            return rng.choice([g for g in group if g != given])
    return given


def _typo(text: str, rng: random.Random) -> str:
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 5:
        return text
    i = rng.choice(letters[2:-1])
    if rng.random() < 0.5:
        return text[:i] + text[i] + text[i:]  # doubled letter
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]  # swapped neighbours


def _toggle_article(family: str) -> str:
    for old, new in (("El ", "Al-"), ("Al-", "El "), ("Ben ", "Bin "), ("Ait ", "Aït "), ("Aït ", "Ait ")):
        if family.startswith(old):
            return new + family[len(old) :]
    return "El " + family


def variants(family: str, given: str, rng: random.Random) -> list[tuple[str, str, str, str]]:
    """Realistic ways the same person gets written again: (family, given, family_ar, given_ar)."""
    found: list[tuple[str, str, str, str]] = []
    if family and given:
        found.append((given, family, "", ""))  # swapped
        found.append((family, _respell(given, rng), "", ""))
        found.append((_toggle_article(family), given, "", ""))
        found.append((_typo(family, rng), given, "", ""))
        found.append((fold_latin(family).upper(), fold_latin(given).title(), "", ""))
        found.append(("", "", to_arabic_script(family), to_arabic_script(given)))
        found.append((family, _respell(given, rng), to_arabic_script(family), ""))
    return [v for v in found if any(v)]
