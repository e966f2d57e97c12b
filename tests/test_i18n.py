"""Every visible string exists in French, Arabic and English, with the same placeholders."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

from desktop import i18n

ROOT = Path(__file__).resolve().parents[1]
KEY_CALL = re.compile(r"""\btr(?:_in)?\(\s*(?:[a-z_]+\s*,\s*)?["']([a-z_]+(?:\.[a-z0-9_]+)+)["']""")
ERROR_KEY = re.compile(r"""["']((?:error|check)\.[a-z_]+)["']""")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_each_message_has_three_languages_and_same_placeholders() -> None:
    seen: dict[str, str] = {}
    for path in sorted((ROOT / "resources" / "i18n").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for key, texts in data.items():
            assert key not in seen, f"{key} defined in {seen.get(key)} and {path.name}"
            seen[key] = path.name
            assert set(texts) == {"fr", "ar", "en"}, key
            assert all(texts[lang].strip() for lang in texts), key
            assert _placeholders(texts["ar"]) == _placeholders(texts["fr"]) == _placeholders(texts["en"]), key
    assert len(seen) > 100


def test_every_key_used_in_code_exists() -> None:
    known = set(i18n.messages())
    missing = []
    for path in (ROOT / "desktop").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for key in set(KEY_CALL.findall(text)) | set(ERROR_KEY.findall(text)):
            if key not in known:
                missing.append(f"{path.relative_to(ROOT)}: {key}")
    assert missing == []


def test_arabic_is_arabic_and_fallback_is_french() -> None:
    assert re.search(r"[\u0600-\u06FF]", i18n.tr_in("ar", "error.wrong_credentials"))
    assert i18n.tr_in("fr", "error.wrong_credentials").startswith("Identifiant ou mot de passe incorrect")
    assert i18n.tr_in("en", "no.such.key") == "no.such.key"
    assert i18n.tr_in("ar", "error.password_short", minimum=10).count("10") == 1


def test_language_switch_notifies_listeners() -> None:
    heard: list[str] = []
    i18n.on_language_changed(heard.append)
    try:
        i18n.set_language("ar")
        assert i18n.is_rtl()
        i18n.set_language("en-GB")
        assert i18n.language() == "en"
    finally:
        i18n.set_language("fr")
        i18n.remove_listener(heard.append)
    assert heard == ["ar", "en", "fr"]


def test_every_code_of_every_code_list_has_a_label() -> None:
    from desktop.domain import codelists

    messages = i18n.messages()
    missing = [
        codelists.label_key(name, code)
        for name, codes in codelists.CODELISTS.items()
        for code in codes
        if codelists.label_key(name, code) not in messages
    ]
    assert missing == []
