"""Add or update messages: ``python tools/i18n_add.py FILE.json`` merges a
``{key: {"fr","ar","en"}}`` file into resources/i18n/messages.json (sorted)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

CATALOG = Path(__file__).resolve().parent.parent / "resources" / "i18n" / "messages.json"


def merge(new: dict[str, dict[str, str]]) -> None:
    current = json.loads(CATALOG.read_text(encoding="utf-8")) if CATALOG.exists() else {}
    current.update(new)
    CATALOG.write_text(json.dumps(dict(sorted(current.items())), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    for name in sys.argv[1:]:
        merge(json.loads(Path(name).read_text(encoding="utf-8")))
