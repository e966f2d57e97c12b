"""Names across scripts and spellings: folding, phonetic forms, consonant skeletons, keys.

The same person is written Mohamed, Mohammed, Muhammad or محمد; El Fassi, Elfassi or
Al-Fassi; Aït Ali or Ait-Ali; first and last names swapped. Three levels of
normalisation, each built on the one before:

1. :func:`fold_latin` — readable, canonical Latin (used for display and search too):
   NFKD without accents, lower case, apostrophes dropped (Sa'id → said), other
   punctuation as spaces, Arabic-Indic digits as ASCII; the article as one form
   (Al, El, L → ``el``), Bin and Ibn → ``ben``, Ayt and Aït → ``ait``; the
   "Abd el …" compounds written as one word (Abd el Kader, Abdul Qadir →
   abdelkader); and a small lexicon of frequent Maghrebi / West-African given
   names whose spellings become one (Mohamed, Mohammed, Mohamad, Muhammad,
   Mohammad, Mouhamed, Mhamed → mohamed; Youssef, Yousef, Yusuf, Youcef →
   youssef; Fatima, Fatma, Fatimah, Fatouma → fatima; Ousmane, Othmane, Usman
   (all عثمان) → othmane; …). Distinct names stay distinct (Fatou is not Fatima,
   Mamadou is not Mohamed, Bennani is not Bennouna).

2. :func:`phonetic` — a Latin token as it sounds, vowels kept as three classes:
   sch/ch/sh/tch → S, kh → X, gh → g, dj and soft g (ge, gi) → j, dh → d,
   ph/v → f, p → b, q/ck/hard c/k → k, soft c and ç → s, x → ks; vowels a/e → a,
   i/y → i, o/u/ou/w → u; doubled letters collapse; a final h after a vowel and
   then a final vowel are dropped (Fatimah, Fatima → fatim). Used to compare two
   Latin spellings: vowels still tell Bennani from Bennouna.

3. :func:`skeleton` — the consonants only, in one alphabet for both scripts: the
   phonetic form without its vowels, and Arabic letters mapped to the same
   consonant classes (ش → S, خ → X, غ ڭ گ → g, ج → j, ق ك → k, ص → s, ض ذ → d,
   ط → t, ظ → z, ث → th, ف ڤ → f, ب پ → b, ح ه → h), the long vowels and weak
   letters ا أ إ آ ى ي و ؤ ئ ء ع ة dropped, a final ه dropped like a final Latin h.
   Mohamed and محمد both give ``mhmd``. Articles (El, Al, ال, and the assimilated
   Es-/Ech-/Er-… before the same consonant) are removed, attached ones too
   (Elfassi, الفاسي → fs); Ben, Ait, Ould, Abou and Abd are joined to the next
   word in both scripts (Ben Ali = Benali = بن علي → bnl).

A person's ``name_key`` is the sorted set of skeleton tokens of all four name
fields: independent of order (swapped names) and script. :func:`similarity`
compares two people's names word by word, whatever the field (best one-to-one
assignment; also field by field with each field's words written together, so
Fatima Zahra = Fatimazahra): Latin with Latin on the phonetic, folded and
as-typed forms (the best of Indel and optimal-string-alignment likeness, so a
swap of two letters is one slip); Arabic with Arabic, and Latin with Arabic when
one side has no Latin, on skeletons — a skeleton tells less, so partial
likeness is lowered (``** 1.5``). Every word must match: the mean of the matched
words counts half and the worst one the other half (Tazi Mohamed is not El Fassi
Mohamed); a word only one side has (middle name, not typed yet) costs a little.
"""

from __future__ import annotations

import itertools
import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA, Indel

# -- folding ------------------------------------------------------------------------------------

ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_SPECIAL_LATIN = str.maketrans({"ı": "i", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l", "ħ": "h"})
_APOSTROPHES = re.compile(r"['’‘`´ʼʿʾ]")
_NOT_WORD = re.compile(r"[^0-9a-z\u0621-\u064a\u0660-\u0669\u0671-\u06d3\u06f0-\u06f9]+")

ARTICLE_TOKENS = frozenset({"el", "al", "l", "ul"})
# Assimilated article (sun letters): dropped only before a word starting with that sound.
ASSIMILATED = {
    "es": "s", "as": "s", "ess": "s", "ed": "d", "ad": "d", "et": "t", "at": "t", "er": "r", "ar": "r",
    "ez": "z", "az": "z", "en": "n", "an": "n", "ech": "ch", "ach": "ch", "esh": "sh", "ash": "sh",
}  # fmt: skip
PREFIX_FORMS = {"bin": "ben", "ibn": "ben", "ben": "ben", "ayt": "ait", "ait": "ait", "ould": "ould", "wald": "ould"}
ABD_FORMS = frozenset({"abd", "abdel", "abdal", "abdul", "abdoul", "abdol", "abdil"})

# Spellings of one given name → one form. Only names whose variants are the same name.
_LEXICON_GROUPS: tuple[tuple[str, ...], ...] = (
    ("mohamed", "mohammed", "mohamad", "mohammad", "muhammad", "muhamad", "muhammed", "muhamed", "mouhamed",
     "mouhammed", "mouhamad", "mohamet", "mouhamadou", "mhamed", "mhammed", "mehmed", "mohammed", "mahamed"),
    ("ahmed", "ahmad", "ahmet", "ahmid"),
    ("youssef", "yousef", "yusuf", "youcef", "yousouf", "youssouf", "yussuf", "yussef", "yosef", "youssif"),
    ("fatima", "fatma", "fatimah", "fatema", "fatouma", "fatime"),
    ("aicha", "aisha", "aicha", "aycha", "aisa", "aysha", "aishah", "aichah"),
    ("khadija", "khadidja", "khadijah", "khadiga", "khedija", "kadija", "hadija"),
    ("abdellah", "abdallah", "abdullah", "abdellahi", "abdoullah", "abdelah", "abdoulaye", "abdoulahi"),
    ("abderrahmane", "abdelrahman", "abdelrahmane", "abderrahman", "abderahman", "abderahmane",
     "abdurrahman", "abdourahmane", "abdourahman"),
    ("abdelkader", "abdelkadir", "abdelqader", "abdelqadir", "abdelkhader", "abdoulkader", "abdoulkadri"),
    ("abdelaziz", "abdulaziz", "abdelazziz", "abdoulaziz"),
    ("ibrahim", "brahim", "ebrahim", "ibrahime", "ibrahiim"),
    ("mustapha", "mustafa", "moustapha", "moustafa", "mostafa", "mostapha", "mustefa"),
    ("othmane", "otmane", "outhmane", "othman", "otman", "outmane",  # عثمان, West African spellings too
     "ousmane", "usman", "osman", "ousman", "usmane", "housmane", "uthman", "outhman"),
    ("souleymane", "sulaymane", "suleiman", "sulayman", "slimane", "soulaimane", "souleiman", "souleimane",
     "sulaiman", "soulayman", "suleyman"),
    ("meryem", "maryam", "mariam", "mariem", "meriem", "myriam", "meryam", "mariyam"),
    ("hassan", "hasan", "hassane", "hacen", "hassen"),
    ("houssine", "hussein", "houssein", "hussain", "husain", "hocine", "houcine", "lhoussaine", "houssaine",
     "lhoucine", "husayn"),
    ("lahcen", "lahsen", "lhassan", "lahssen", "lahcene"),
    ("said", "saeed", "saeid", "saiid"),
    ("rachid", "rashid", "rachide", "rached", "rashed", "rasheed"),
    ("khalid", "khaled", "khalide", "khaleed"),
    ("idriss", "driss", "idris", "idrisse", "dris"),
    ("younes", "younas", "younous", "yunus", "younesse", "yunes", "younis"),
    ("jamal", "djamel", "jamel", "djamal", "gamal"),
    ("zineb", "zaineb", "zeinab", "zainab", "zaynab", "zeineb", "zinab"),
    ("naima", "naeema", "naeima", "naiima"),
    ("hafsa", "hafssa", "hafsah", "hafça"),
    ("aboubakr", "aboubakar", "aboubacar", "abubakar", "abubakr", "boubacar", "boubakar", "boubakr",
     "aboubakry", "boubacarr"),
    ("amadou", "ahmadou", "hamadou", "amadu"),
    ("cheikh", "cheick", "sheikh", "shaykh", "cheik", "chaikh"),
    ("seydou", "seidou", "saidou", "seydu"),
    ("moussa", "musa", "mousa", "moussaa"),
    ("omar", "oumar", "umar", "omer"),
    ("ali", "aly", "aliy"),
    ("yacoub", "yacouba", "yakoub", "yaqub", "yaacoub", "yacoubou", "yakouba", "yaqoub"),
    ("ayoub", "ayyoub", "ayub", "ayyub", "ayoube"),
    ("ismail", "ismael", "smail", "ismaeel", "ismaail"),
    ("soufiane", "sofiane", "sufyan", "soufyane", "sofian", "soufian"),
    ("hicham", "hisham", "hichem", "hichame"),
    ("ilyas", "ilias", "ilyass", "ilyes", "elias", "iliass"),
    ("zakaria", "zakariya", "zakariae", "zakariyae", "zacharia", "zakarya"),
    ("nour", "noor", "nur", "nourr"),
    ("aminata", "aminatou", "aminatu"),
    ("kadiatou", "khadiatou", "kadiatu", "kadiata"),
    ("aissatou", "aisatou", "aissatu", "aissata"),
    ("fatoumata", "fatimata", "fatoumatta"),
    ("mamadou", "mamadu", "mamoudou"),
    ("hamza", "hamzah", "hamzaa"),
    ("salma", "salmah", "selma"),
    ("karim", "kareem", "karime", "krim"),
    ("abdelhak", "abdelhaq", "abdulhaq"),
    ("abdeslam", "abdesslam", "abdessalam", "abdesselam", "abdelsalam", "abdessalem", "abdelsalem"),
)  # fmt: skip
GIVEN_LEXICON: dict[str, str] = {variant: group[0] for group in _LEXICON_GROUPS for variant in group}


def _plain(text: str) -> str:
    """NFKD without marks, lower case, apostrophes gone, other punctuation as spaces."""
    text = unicodedata.normalize("NFKD", text.translate(ARABIC_DIGITS))
    text = "".join(ch for ch in text if not unicodedata.combining(ch) and ch != "\u0640").lower()
    text = _APOSTROPHES.sub("", text.translate(_SPECIAL_LATIN))
    return " ".join(_NOT_WORD.sub(" ", text).split())


_ABD_ASSIMILATED = re.compile(r"^abd[aeiou]?(?=([rsntzd])\1)")


def _canonical_token(token: str, lexicon: bool = True) -> str:
    if token in ("al", "l", "ul"):
        return "el"
    if token in PREFIX_FORMS:
        return PREFIX_FORMS[token]
    if not lexicon:
        return token
    for form in (token, _dedouble(token)):
        if form in GIVEN_LEXICON:
            return GIVEN_LEXICON[form]
    abd = _dedouble(_ABD_ASSIMILATED.sub("abdel", token))  # Abderahman → abdelrahman
    return GIVEN_LEXICON.get(abd, token)


def _dedouble_list(items: list[str]) -> list[str]:
    return [item for i, item in enumerate(items) if i == 0 or items[i - 1] != item]


def _dedouble(token: str) -> str:
    return "".join(ch for i, ch in enumerate(token) if i == 0 or token[i - 1] != ch)


def fold_latin(text: str) -> str:
    """Readable canonical form: no accents, lower case, one spelling of articles,
    prefixes and frequent given names (``El-Fassi Mohammed`` → ``el fassi mohamed``,
    ``Aït Ben Ḥaddou`` → ``ait ben haddou``). Arabic letters are kept as they are.
    """
    return _fold(text, lexicon=True)


def _fold(text: str, lexicon: bool) -> str:
    tokens = _plain(text).split()
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in ABD_FORMS and i + 1 < len(tokens):
            # Abd el Kader, Abdul Qadir, Abd Allah → one word, "abdel…"
            j = i + 1
            if tokens[j] in ARTICLE_TOKENS and j + 1 < len(tokens):
                j += 1
            rest = tokens[j]
            joined = "abdel" + (rest[2:] if rest.startswith(("al", "el")) and len(rest) > 4 else rest)
            out.append(_canonical_token(_ABD_ASSIMILATED.sub("abdel", joined), lexicon))
            i = j + 1
            continue
        out.append(_canonical_token(token, lexicon))
        i += 1
    return " ".join(out)


# -- phonetic form and skeleton -------------------------------------------------------------------

_LATIN_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"chr", "kr"),  # Christelle, Christophe
        (r"t?sch|tch|tsh|ch|sh", "S"),
        (r"kh", "X"),
        (r"gu(?=[eiy])", "G"),  # Guedira: hard
        (r"g(?=[eiy])", "j"),  # Serge, Gilles: soft
        (r"gh", "g"),
        (r"G", "g"),
        (r"dj", "j"),
        (r"dh", "d"),
        (r"ph", "f"),
        (r"ck|qu(?=[aeiouy])|q|c(?![eiy])", "k"),
        (r"c|ç", "s"),
        (r"x", "ks"),
        (r"v", "f"),
        (r"p", "b"),
        (r"ou|oo|w", "u"),
        (r"[ae]", "a"),
        (r"[iy]", "i"),
        (r"o", "u"),
    )
)
_VOWEL_CLASSES = frozenset("aiu")

ARABIC_LETTERS = {
    "ب": "b", "پ": "b", "ت": "t", "ث": "th", "ج": "j", "چ": "S", "ح": "h", "خ": "X", "د": "d", "ذ": "d",
    "ر": "r", "ز": "z", "ژ": "j", "س": "s", "ش": "S", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "غ": "g",
    "ف": "f", "ڤ": "f", "ق": "k", "ك": "k", "ک": "k", "گ": "g", "ڭ": "g", "ل": "l", "م": "m", "ن": "n",
    "ه": "h", "ھ": "h", "ۀ": "",
}  # fmt: skip
ARABIC_WEAK = frozenset("اأإآٱءئؤعوةيىیے")
ARABIC_ARTICLE = "ال"
ARABIC_PREFIXES = frozenset({"بن", "ابن", "إبن", "آيت", "ايت", "أيت", "ولد", "أبو", "ابو", "بو"})
ARABIC_ABD = "عبد"
LATIN_JOINED_PREFIXES = frozenset({"ben", "ait", "ould", "abou", "abu", "bou"})
_ATTACHED_ARTICLE = re.compile(r"^(?:el|al)(?=[bcdfghjklmnpqrstvxz])")
_ATTACHED_SUN = re.compile(r"^[ae](?=(ss|tt|nn|rr|dd|zz|chch|shsh))")
_NOT_ARTICLE_AFTER_AL = frozenset({"albert", "alberto", "alfred", "alfredo", "alfonso", "alphonse", "alban", "alvaro"})


def _is_arabic(token: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in token)


@lru_cache(maxsize=65536)
def phonetic(token: str) -> str:
    """A folded Latin token as it sounds, vowels as a/i/u (``mohammed`` → ``muhamad``)."""
    out = token
    for pattern, repl in _LATIN_RULES:
        out = pattern.sub(repl, out)
    out = _dedouble(out)
    if len(out) > 2 and out.endswith("h") and out[-2] in _VOWEL_CLASSES:
        out = out[:-1]
    if len(out) > 2 and out[-1] in _VOWEL_CLASSES:
        out = out[:-1]
    return _dedouble(out)


def _latin_consonants(token: str) -> str:
    ph = phonetic(token)
    return "".join(ch for ch in ph if ch not in _VOWEL_CLASSES)


@lru_cache(maxsize=65536)
def _arabic_consonants(token: str) -> str:
    if token.startswith(ARABIC_ARTICLE) and len(token) > 3:
        token = token[2:]
    letters = [ch for ch in token if not unicodedata.combining(ch) and ch != "ـ"]
    if len(letters) > 2 and letters[-1] in ("ه", "ھ"):
        letters.pop()
    # Doubled letters collapse only when written side by side (as in Latin before vowels go).
    mapped = _dedouble_list(["_" if ch in ARABIC_WEAK else ARABIC_LETTERS.get(ch, "") for ch in letters])
    return "".join(m for m in mapped if m != "_")


def transliterate_arabic(text: str) -> str:
    """Arabic script → the consonant skeleton alphabet (محمد → ``mhmd``, عبد الله → ``bdl``)."""
    return " ".join(w for w in _arabic_words(_plain(text).split()) if w)


def _arabic_words(tokens: list[str]) -> list[str]:
    words: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == ARABIC_ARTICLE:
            i += 1
            continue
        if (token in ARABIC_PREFIXES or token == ARABIC_ABD) and i + 1 < len(tokens):
            rest = tokens[i + 1]
            if rest.startswith(ARABIC_ARTICLE) and len(rest) > 3:
                rest = rest[2:]
            token = token + (ARABIC_ARTICLE if token == ARABIC_ABD else "") + rest
            i += 1
        words.append(_arabic_consonants(token))  # "" for a word of long vowels only (عوا)
        i += 1
    return words


def _latin_words(tokens: list[str]) -> list[str]:
    """Folded Latin tokens without articles, with prefixes joined to the next word."""
    words: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token == "el" and nxt:
            i += 1
            continue
        if token in ASSIMILATED and nxt and nxt.startswith(ASSIMILATED[token]):
            i += 1
            continue
        if token in LATIN_JOINED_PREFIXES and nxt:
            if nxt in ARTICLE_TOKENS and i + 2 < len(tokens):  # Ben el Hassan
                nxt = tokens[i + 2]
                i += 1
            words.append(token + _strip_article(nxt))
            i += 2
            continue
        words.append(_strip_article(token))
        i += 1
    return words


def _strip_article(token: str) -> str:
    if token in _NOT_ARTICLE_AFTER_AL or token.startswith("abd"):
        return token
    if len(token) >= 6 and _ATTACHED_ARTICLE.match(token):
        return token[2:]
    match = _ATTACHED_SUN.match(token)
    if match and len(token) >= 6:
        return token[1 + len(match.group(1)) // 2 :]
    return token


@dataclass(frozen=True)
class _Token:
    folded: str  # "" for Arabic
    phon: str  # "" for Arabic
    skel: str  # "" for a word of vowels only (Awa, عوا)
    as_typed: str = ""  # phonetic form before the given-name lexicon (Ousmnae is a slip of Ousmane)


@lru_cache(maxsize=65536)
def _words(text: str) -> tuple[_Token, ...]:
    """One name field → its tokens (Latin and Arabic words may be mixed)."""
    folded = fold_latin(text)
    latin = [t for t in folded.split() if not _is_arabic(t)]
    arabic = [t for t in folded.split() if _is_arabic(t)]
    words = _latin_words(latin)
    typed = _latin_words([t for t in _fold(text, lexicon=False).split() if not _is_arabic(t)])
    if len(typed) != len(words):
        typed = words
    out: list[_Token] = []
    for word, as_typed in zip(words, typed, strict=True):
        word = _ABD_ASSIMILATED.sub("abdel", word)  # Abderrahmane: the article is written in Arabic
        skel = _latin_consonants(word)
        ph = phonetic(word)
        if ph:
            out.append(_Token(word, ph, skel, phonetic(as_typed)))
    out.extend(_Token("", "", skel) for skel in _arabic_words(arabic))
    return tuple(out)


def skeleton(text: str) -> str:
    """Consonant skeleton of a name in either script (Mohammed, محمد → ``mhmd``; El Fassi → ``fs``)."""
    return " ".join(t.skel for t in _words(text) if t.skel)


@dataclass(frozen=True)
class NameParts:
    family: str = ""
    given: str = ""
    family_ar: str = ""
    given_ar: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.family.strip() or self.given.strip() or self.family_ar.strip() or self.given_ar.strip())


def name_tokens(family: str, given: str, family_ar: str = "", given_ar: str = "") -> set[str]:
    """Skeleton tokens of all four fields (both scripts land in the same alphabet)."""
    tokens: set[str] = set()
    for part in (family, given, family_ar, given_ar):
        tokens.update(t.skel for t in _words(part) if t.skel)
    return tokens


def name_key(family: str, given: str, family_ar: str = "", given_ar: str = "") -> str:
    """Sorted skeleton tokens of all four fields: independent of order and script."""
    return " ".join(sorted(name_tokens(family, given, family_ar, given_ar)))


def parts_key(parts: NameParts) -> str:
    return name_key(parts.family, parts.given, parts.family_ar, parts.given_ar)


# -- similarity ---------------------------------------------------------------------------------------


EXTRA_WORD_LIKENESS = 0.3  # a word only one side has (middle name, name not typed yet)
VOWELS_ONLY_LIKENESS = 0.9
SKELETON_POWER = 1.5  # consonants alone tell less than a Latin spelling: lower partial likeness


def _ratio(a: str, b: str) -> float:
    """0..1 string likeness; a swap of two neighbours counts as one slip."""
    if not a or not b:
        return 0.0
    return max(float(Indel.normalized_similarity(a, b)), float(OSA.normalized_similarity(a, b)))


def _latin_pair(x: _Token, y: _Token) -> float:
    return max(_ratio(x.phon, y.phon), _ratio(x.folded, y.folded), _ratio(x.as_typed, y.as_typed))


def _skeleton_pair(x: _Token, y: _Token) -> float:
    if not x.skel and not y.skel:
        return VOWELS_ONLY_LIKENESS  # Awa and عوا: nothing to compare but their emptiness
    return _ratio(x.skel, y.skel)


def _assign(xs: Sequence[_Token], ys: Sequence[_Token], latin: bool) -> float:
    """Best one-to-one word assignment. Every word must match: the mean of the matched
    words' likeness counts half, the worst one the other half (Tazi Mohamed is not
    El Fassi Mohamed); a word only one side has (a middle name) costs a little.
    """
    if not xs or not ys:
        return 0.0
    pair = _latin_pair if latin else _skeleton_pair
    if len(xs) > len(ys):
        xs, ys = ys, xs
    sims = [[pair(x, y) for y in ys] for x in xs]
    matched: list[float] = []
    if len(ys) <= 6:
        best = -1.0
        for perm in itertools.permutations(range(len(ys)), len(xs)):
            values = [sims[i][j] for i, j in enumerate(perm)]
            total = sum(values) + min(values)
            if total > best:
                best, matched = total, values
    else:  # greedy on very long names
        used: set[int] = set()
        for row in sims:
            j = max((j for j in range(len(ys)) if j not in used), key=lambda j: row[j])
            used.add(j)
            matched.append(row[j])
    extra = len(ys) - len(xs)
    mean = (sum(matched) + EXTRA_WORD_LIKENESS * extra) / (len(matched) + extra)
    return 0.5 * mean + 0.5 * min(matched)


def _joined(tokens: Sequence[_Token]) -> _Token:
    """The words of one field written as one (Fatima Zahra → Fatimazahra)."""
    if len(tokens) == 1:
        return tokens[0]
    return _Token(
        "".join(t.folded for t in tokens),
        "".join(t.phon for t in tokens),
        "".join(t.skel for t in tokens),
        "".join(t.as_typed for t in tokens),
    )


def _compare(xs: _Script, ys: _Script, latin: bool) -> float:
    """Word by word, or field by field with each field's words written together."""
    score = _assign(xs.words, ys.words, latin)
    if len(xs.fields) != len(xs.words) or len(ys.fields) != len(ys.words):
        score = max(score, 0.97 * _assign(xs.fields, ys.fields, latin))
    return score if latin else score**SKELETON_POWER


@dataclass(frozen=True)
class _Script:
    words: tuple[_Token, ...]
    fields: tuple[_Token, ...]  # one joined token per non-empty field

    def __bool__(self) -> bool:
        return bool(self.words)

    def as_skeleton(self) -> _Script:
        def skel(tokens: tuple[_Token, ...]) -> tuple[_Token, ...]:
            return tuple(_Token("", "", t.skel) for t in tokens)

        return _Script(skel(self.words), skel(self.fields))


@lru_cache(maxsize=16384)
def _sides(parts: NameParts) -> tuple[_Script, _Script]:
    """(Latin, Arabic) words of a person; a field may hold the other script's words."""
    latin: list[tuple[_Token, ...]] = []
    arabic: list[tuple[_Token, ...]] = []
    for text in (parts.family, parts.given, parts.family_ar, parts.given_ar):
        tokens = _words(text)
        latin.append(tuple(t for t in tokens if t.phon))
        arabic.append(tuple(t for t in tokens if not t.phon))

    def script(fields: list[tuple[_Token, ...]]) -> _Script:
        return _Script(tuple(t for f in fields for t in f), tuple(_joined(f) for f in fields if f))

    return script(latin), script(arabic)


def similarity(a: NameParts, b: NameParts) -> float:
    """0..1 name likeness: Latin with Latin (phonetic and folded forms), Arabic with
    Arabic, and across scripts on consonant skeletons when one side has no Latin.
    Order of words and fields does not matter (swapped first and last names).
    """
    (lat_a, ar_a), (lat_b, ar_b) = _sides(a), _sides(b)
    best = 0.0
    if lat_a and lat_b:
        best = max(best, _compare(lat_a, lat_b, True))
    if ar_a and ar_b:
        best = max(best, _compare(ar_a, ar_b, False))
    if lat_a and ar_b and not lat_b:
        best = max(best, _compare(lat_a.as_skeleton(), ar_b, False))
    if lat_b and ar_a and not lat_a:
        best = max(best, _compare(ar_a, lat_b.as_skeleton(), False))
    return min(1.0, best)


# -- documents and phones -------------------------------------------------------------------------


def document_key(number: str) -> str:
    """Upper case letters and digits only (ZZ-123 456 → ZZ123456), Arabic-Indic digits as ASCII."""
    return "".join(ch for ch in number.translate(ARABIC_DIGITS).upper() if ch.isascii() and ch.isalnum())


def phone_key(phone: str) -> str:
    """Digits only, Moroccan international prefix as 0 (+212 6… and 00212 6… → 06…)."""
    digits = "".join(ch for ch in phone.translate(ARABIC_DIGITS) if ch.isdigit())
    for prefix in ("00212", "212"):
        if digits.startswith(prefix) and len(digits) >= len(prefix) + 9:
            rest = digits[len(prefix) :]
            return rest if rest.startswith("0") else "0" + rest
    return digits


# -- planted variants (demo office, tests) ----------------------------------------------------------

RESPELLINGS: tuple[tuple[str, ...], ...] = (
    ("Mohamed", "Mohammed", "Mohamad", "Muhammad", "Mouhamed", "Mohammad", "Mhamed"),
    ("Ahmed", "Ahmad"),
    ("Youssef", "Yousef", "Youcef", "Yusuf"),
    ("Fatima", "Fatma", "Fatimah"),
    ("Aicha", "Aïcha", "Aisha"),
    ("Khadija", "Khadidja", "Khadijah"),
    ("Brahim", "Ibrahim"),
    ("Abdellah", "Abdallah", "Abdullah", "Abd Allah"),
    ("Abdoulaye", "Abdoulahi"),
    ("Aminata", "Aminatou"),
    ("Mamadou", "Mamadu"),
    ("Ousmane", "Usman", "Osman"),
    ("Souleymane", "Sulaymane", "Slimane"),
    ("Meryem", "Maryam", "Mariem"),
    ("Hassan", "Hassane", "Hasan"),
    ("Said", "Saïd", "Saeed"),
    ("Rachid", "Rachide", "Rashid"),
    ("Mustapha", "Mustafa", "Moustapha"),
    ("Driss", "Idriss", "Idris"),
    ("Zineb", "Zaynab", "Zeinab"),
    ("Naima", "Naïma"),
    ("Hafsa", "Hafssa"),
    ("Lahcen", "Lahsen"),
    ("Boubacar", "Aboubakar", "Abou Bakr"),
    ("Cheikh", "Cheick"),
    ("Moussa", "Mousa", "Musa"),
    ("Omar", "Oumar", "Umar"),
    ("Karim", "Kareem"),
    ("Hamid", "Hamide"),
    ("Khalid", "Khaled"),
    ("Yacouba", "Yakouba"),
    ("Kadiatou", "Khadiatou"),
    ("Aissatou", "Aïssatou"),
    ("Mariama", "Mariyama"),
    ("Seydou", "Seidou"),
    ("Amadou", "Ahmadou"),
)
# Common names in Arabic script, as officers write them.
ARABIC_NAMES = {
    "mohamed": "محمد", "ahmed": "أحمد", "youssef": "يوسف", "fatima": "فاطمة", "aicha": "عائشة", "khadija": "خديجة",
    "ibrahim": "إبراهيم", "abdellah": "عبد الله", "othmane": "عثمان", "souleymane": "سليمان",
    "meryem": "مريم", "hassan": "حسن", "said": "سعيد", "rachid": "رشيد", "mustapha": "مصطفى", "idriss": "إدريس",
    "zineb": "زينب", "naima": "نعيمة", "hafsa": "حفصة", "lahcen": "لحسن", "aboubakr": "أبو بكر", "moussa": "موسى",
    "omar": "عمر", "karim": "كريم", "hamid": "حميد", "khalid": "خالد", "salma": "سلمى", "malika": "مليكة",
    "hanane": "حنان", "samira": "سميرة", "latifa": "لطيفة", "ali": "علي", "hamza": "حمزة",
    "ayoub": "أيوب", "ismail": "إسماعيل", "younes": "يونس", "nadia": "نادية", "amal": "أمل", "nour": "نور",
}  # fmt: skip
TO_ARABIC = {
    "b": "ب", "t": "ت", "j": "ج", "h": "ح", "X": "خ", "d": "د", "r": "ر", "z": "ز", "s": "س", "S": "ش",
    "g": "غ", "f": "ف", "k": "ك", "l": "ل", "m": "م", "n": "ن", "a": "ا", "i": "ي", "u": "و",
}  # fmt: skip


def to_arabic_script(name: str) -> str:
    """An Arabic spelling of a Latin name: the usual one for common names, else letter by letter."""
    words = []
    for token in fold_latin(name).split():
        if token == "el":
            words.append("ال")
            continue
        if token in ARABIC_NAMES:
            words.append(ARABIC_NAMES[token])
            continue
        if token == "ben":
            words.append("بن")
            continue
        if token == "ait":
            words.append("آيت")
            continue
        if token == "ould":
            words.append("ولد")
            continue
        ph = phonetic(token) or token
        body = ph[0] + "".join(ch for ch in ph[1:] if ch not in "a")  # short a unwritten inside
        letters = [("أ" if ch in _VOWEL_CLASSES and k == 0 else TO_ARABIC.get(ch, "")) for k, ch in enumerate(body)]
        if token.endswith(("a", "ah")) and letters[-1:] != ["ا"]:
            letters.append("ة")
        words.append("".join(letters))
    text = " ".join(w for w in words if w)
    return text.replace("ال ", "ال")


def _respell(given: str, rng: random.Random) -> str:
    for group in RESPELLINGS:
        if given in group:
            return rng.choice([g for g in group if g != given])
    return given


def typo(text: str, rng: random.Random) -> str:
    """One slip of the keyboard: a letter doubled, dropped, swapped with its neighbour or a vowel changed."""
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 5:
        return text
    i = rng.choice(letters[1:-1])
    kind = rng.randrange(4)
    if kind == 0:
        return text[:i] + text[i] + text[i:]
    if kind == 1:
        return text[:i] + text[i + 1 :]
    if kind == 2 and text[i + 1 : i + 2].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    vowels = "aeiou"
    if text[i].lower() in vowels:
        return text[:i] + rng.choice([v for v in vowels if v != text[i].lower()]) + text[i + 1 :]
    return text[:i] + text[i] + text[i:]


def _toggle_article(family: str) -> str:
    for old, new in (
        ("El ", "Al-"),
        ("Al-", "El "),
        ("El-", "El"),
        ("Ben ", "Bin "),
        ("Bin ", "Ben "),
        ("Ait ", "Aït-"),
        ("Aït ", "Ait "),
        ("Aït-", "Ait "),
    ):
        if family.startswith(old):
            return new + family[len(old) :]
    return "El " + family


def _strip_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def variants(
    family: str, given: str, rng: random.Random, *, family_ar: str = "", given_ar: str = ""
) -> list[tuple[str, str, str, str]]:
    """Realistic ways the same person gets written again: (family, given, family_ar, given_ar).

    Swapped names, another spelling of the given name, El/Al, Ben/Bin, Ait/Aït,
    accents dropped and capitals, a one-letter typo, Arabic script only, mixed.
    With Arabic names only, Arabic variants (article, swapped, ة/ه, hamza).
    """
    found: list[tuple[str, str, str, str]] = []
    if family and given:
        found.append((given, family, "", ""))  # swapped
        found.append((family, _respell(given, rng), "", ""))
        found.append((_toggle_article(family), given, "", ""))
        found.append((typo(family, rng), given, "", ""))
        found.append((family, typo(given, rng), "", ""))
        found.append((_strip_accents(family).upper(), _strip_accents(given).title(), "", ""))
        found.append(("", "", family_ar or to_arabic_script(family), given_ar or to_arabic_script(given)))
        found.append((family, _respell(given, rng), family_ar or to_arabic_script(family), ""))
    elif family_ar and given_ar:
        found.append(("", "", given_ar, family_ar))  # swapped
        found.append(("", "", _toggle_arabic_article(family_ar), given_ar))
        found.append(("", "", family_ar, given_ar.replace("ة", "ه").replace("أ", "ا").replace("إ", "ا")))
    return [v for v in found if any(v) and v != (family, given, family_ar, given_ar)]


def _toggle_arabic_article(family_ar: str) -> str:
    if family_ar.startswith(ARABIC_ARTICLE):
        return family_ar[2:]
    return ARABIC_ARTICLE + family_ar
