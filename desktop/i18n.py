"""One translation mechanism for the window, the command line, reports and codelists.

Messages live in ``resources/i18n/*.json`` (one file per feature), each a map
``key: {"fr": …, "ar": …, "en": …}`` with named ``{placeholders}`` only; a test
checks every key has all three languages and no key is defined twice.
French is the default and the fallback. Nothing here imports Qt: the UI layer reads :func:`language` and :func:`is_rtl`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

LANGUAGES: tuple[str, ...] = ("fr", "ar", "en")
DEFAULT_LANGUAGE = "fr"
RTL_LANGUAGES = frozenset({"ar"})
# Moroccan locale of each language, for numbers and dates (Qt: QLocale(name)).
LOCALE_NAMES = {"fr": "fr_MA", "ar": "ar_MA", "en": "en_MA"}

_state = {"lang": DEFAULT_LANGUAGE}
_listeners: list[Callable[[str], None]] = []


def resources_dir() -> Path:
    """The ``resources`` folder, in a checkout or in a frozen build."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


@lru_cache(maxsize=1)
def messages() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = {}
    for path in sorted((resources_dir() / "i18n").glob("*.json")):
        with path.open(encoding="utf-8") as handle:
            data.update(json.load(handle))
    return data


@cache
def catalog(lang: str) -> dict[str, str]:
    return {key: texts[lang] for key, texts in messages().items() if lang in texts}


def normalise_language(lang: str | None) -> str:
    if not lang:
        return DEFAULT_LANGUAGE
    short = lang.replace("-", "_").split("_")[0].lower()
    return short if short in LANGUAGES else DEFAULT_LANGUAGE


def set_language(lang: str) -> None:
    lang = normalise_language(lang)
    if lang == _state["lang"]:
        return
    _state["lang"] = lang
    for listener in list(_listeners):
        listener(lang)


def language() -> str:
    return _state["lang"]


def is_rtl(lang: str | None = None) -> bool:
    return (lang or language()) in RTL_LANGUAGES


def on_language_changed(listener: Callable[[str], None]) -> None:
    _listeners.append(listener)


def remove_listener(listener: Callable[[str], None]) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def tr_in(lang: str, key: str, **params: Any) -> str:
    """Translate ``key`` into ``lang``; falls back to French, then to the key."""
    text = catalog(lang).get(key)
    if text is None:
        text = catalog(DEFAULT_LANGUAGE).get(key, key)
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def tr(key: str, **params: Any) -> str:
    return tr_in(language(), key, **params)


def error_text(error: Exception) -> str:
    """The translated one-line message of a :class:`BaomError` (or a generic one)."""
    key = getattr(error, "key", None)
    if isinstance(key, str):
        known = catalog(language())
        params = {
            name: tr(value) if isinstance(value, str) and value in known else value  # a code list label
            for name, value in getattr(error, "params", {}).items()
        }
        return tr(key, **params)
    return tr("error.unexpected")
