"""Where things live on disk and the person's own settings (language, last office).

Machine-wide defaults set by IT (data folder, language, commune) are read from
environment variables first, then from a machine configuration file; the user's
settings file is written atomically.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import platformdirs

from desktop.db.files import atomic_write_text

APP_NAME = "BAOM"


def machine_config_path() -> Path:
    override = os.environ.get("BAOM_MACHINE_CONFIG")
    if override:
        return Path(override)
    return Path(platformdirs.site_config_dir(APP_NAME, appauthor=False)) / "machine.json"


def _machine_config() -> dict[str, str]:
    path = machine_config_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def data_dir() -> Path:
    """Folder for office databases and backups (IT may set DATADIR)."""
    value = os.environ.get("BAOM_DATADIR") or _machine_config().get("datadir")
    if value:
        return Path(value)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    value = os.environ.get("BAOM_LOGDIR")
    if value:
        return Path(value)
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def settings_path() -> Path:
    value = os.environ.get("BAOM_SETTINGS")
    if value:
        return Path(value)
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "settings.json"


def machine_language() -> str | None:
    return os.environ.get("BAOM_LANG") or _machine_config().get("lang") or None


def machine_commune() -> str | None:
    return os.environ.get("BAOM_COMMUNE") or _machine_config().get("commune") or None


@dataclass
class Settings:
    """The person's preferences on this PC (no personal data of the people received)."""

    language: str = ""
    last_database: str = ""
    last_login: str = ""
    recent_databases: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        path = path or settings_path()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(raw, dict):
            return cls()
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
        try:
            return cls(**known)
        except TypeError:
            return cls()

    def save(self, path: Path | None = None) -> None:
        path = path or settings_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(asdict(self), ensure_ascii=False, indent=1))

    def remember_database(self, db: Path) -> None:
        text = str(db)
        self.last_database = text
        self.recent_databases = [text, *[p for p in self.recent_databases if p != text][:7]]


def default_office_path() -> Path:
    return data_dir() / "office.baomdb"


DEMO_FILE_NAME = "demo.baomdb"


def demo_office_path() -> Path:
    """The demo office lives apart from the real one and is never reopened by default."""
    return data_dir() / DEMO_FILE_NAME


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))
