"""Merge messages into a catalogue file: ``python tools/i18n_add.py TARGET NEW.json``.

TARGET is a name under resources/i18n (e.g. ``ui_admin``); NEW.json holds
``{key: {"fr": …, "ar": …, "en": …}}``. The result is written sorted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parent.parent / "resources" / "i18n"


def merge(target: str, new: dict[str, dict[str, str]]) -> None:
    path = FOLDER / f"{target}.json"
    current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    current.update(new)
    path.write_text(json.dumps(dict(sorted(current.items())), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    merge(sys.argv[1], json.loads(Path(sys.argv[2]).read_text(encoding="utf-8")))
