"""Where things live on disk and the person's own settings (language, last office).

Machine-wide settings set by IT (data folder, language, commune) are read, first
found wins: environment ``BAOM_DATADIR`` / ``BAOM_LANG`` / ``BAOM_COMMUNE``, then on
Windows the registry ``HKLM\\SOFTWARE\\BAOM`` (``DataDir`` / ``Language`` / ``Commune``,
written by the installer), then ``machine.json``, then defaults. An empty value, an
unknown language or an unreadable source counts as not set. The user's settings
file is written atomically.
"""

from __future__ import annotations

import json
import logging
import ntpath
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import platformdirs

from desktop import i18n
from desktop.db.files import atomic_write_text

APP_NAME = "BAOM"
REGISTRY_KEY = r"SOFTWARE\BAOM"

log = logging.getLogger("desktop.config")

# machine setting -> (environment variable, registry value name); machine.json uses the setting's name.
_SOURCES: dict[str, tuple[str, str]] = {
    "datadir": ("BAOM_DATADIR", "DataDir"),
    "lang": ("BAOM_LANG", "Language"),
    "commune": ("BAOM_COMMUNE", "Commune"),
}


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
    if not isinstance(data, dict):
        return {}
    return {str(k).lower(): v for k, v in data.items() if isinstance(v, str)}


def _registry_values(names: Iterable[str]) -> dict[str, str]:
    """The string values among ``names`` under HKLM\\SOFTWARE\\BAOM (64-bit view).

    Not Windows, no key, no value, another type or any error: left out.
    """
    if sys.platform != "win32":
        return {}
    import winreg

    found: dict[str, str] = {}
    try:
        with winreg.OpenKey(
            winreg.HKEY_LOCAL_MACHINE, REGISTRY_KEY, 0, winreg.KEY_READ | winreg.KEY_WOW64_64KEY
        ) as key:
            for name in names:
                try:
                    value, kind = winreg.QueryValueEx(key, name)
                except OSError:
                    continue
                if kind in (winreg.REG_SZ, winreg.REG_EXPAND_SZ) and isinstance(value, str):
                    found[name] = value
    except OSError:
        return found
    return found


def _candidates(setting: str) -> Iterator[str]:
    """The setting's raw values, most important source first (each source read only if needed)."""
    env_name, registry_name = _SOURCES[setting]
    yield os.environ.get(env_name, "")
    yield _registry_values([registry_name]).get(registry_name, "")
    yield _machine_config().get(setting, "")


def _machine_setting(setting: str, accept: Callable[[str], str | None] = lambda v: v) -> str | None:
    for raw in _candidates(setting):
        value = raw.strip()
        if not value:
            continue
        accepted = accept(value)
        if accepted:
            return accepted
        log.warning("machine setting %s ignored: %r", setting, value)
    return None


def _known_language(value: str) -> str | None:
    short = value.replace("-", "_").split("_")[0].lower()
    return short if short in i18n.LANGUAGES else None


def _expand(value: str) -> str:
    """IT may write ``%PROGRAMDATA%\\BAOM`` (REG_EXPAND_SZ or plain text)."""
    expandvars = ntpath.expandvars if sys.platform == "win32" else os.path.expandvars
    return os.path.expanduser(expandvars(value))


def data_dir() -> Path:
    """Folder for office databases and backups (IT may set DATADIR)."""
    value = _machine_setting("datadir")
    if value:
        return Path(_expand(value))
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
    """The language IT chose for this PC (fr, ar or en), or None."""
    return _machine_setting("lang", _known_language)


def machine_commune() -> str | None:
    """The commune code IT preselects in the office wizard, or None."""
    return _machine_setting("commune")


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
