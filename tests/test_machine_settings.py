"""Machine-wide settings set by IT: environment > registry (Windows) > machine.json > defaults."""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Callable, Iterable
from pathlib import Path

import platformdirs
import pytest

from desktop import config

ENV = {"datadir": "BAOM_DATADIR", "lang": "BAOM_LANG", "commune": "BAOM_COMMUNE"}
REGISTRY = {"datadir": "DataDir", "lang": "Language", "commune": "Commune"}
DEFAULT_DATA_DIR = Path(platformdirs.user_data_dir(config.APP_NAME, appauthor=False))


class Machine:
    """One PC's three sources; each test sets what IT would have set."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        self.monkeypatch = monkeypatch
        self.file = tmp_path / "machine.json"
        self.registry: dict[str, object] = {}
        for name in ENV.values():
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("BAOM_MACHINE_CONFIG", str(self.file))
        monkeypatch.setattr(config, "_registry_values", self._registry_values)

    def _registry_values(self, names: Iterable[str]) -> dict[str, str]:
        return {n: v for n in names if isinstance(v := self.registry.get(n), str)}

    def env(self, setting: str, value: str) -> None:
        self.monkeypatch.setenv(ENV[setting], value)

    def reg(self, setting: str, value: object) -> None:
        self.registry[REGISTRY[setting]] = value

    def json(self, setting: str, value: object) -> None:
        data = json.loads(self.file.read_text(encoding="utf-8")) if self.file.exists() else {}
        data[setting] = value
        self.file.write_text(json.dumps(data), encoding="utf-8")


@pytest.fixture
def machine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Machine:
    return Machine(monkeypatch, tmp_path)


READERS: dict[str, Callable[[], object]] = {
    "datadir": config.data_dir,
    "lang": config.machine_language,
    "commune": config.machine_commune,
}
VALUES: dict[str, tuple[str, str, str]] = {  # setting -> (environment, registry, machine.json)
    "datadir": ("/srv/env", "/srv/reg", "/srv/json"),
    "lang": ("ar", "en", "fr"),
    "commune": ("09.001.01.01.", "09.581.11.09.", "09.541.01.11."),
}
DEFAULTS: dict[str, object] = {"datadir": DEFAULT_DATA_DIR, "lang": None, "commune": None}


def _read(setting: str) -> object:
    return READERS[setting]()


def _as_read(setting: str, value: str) -> object:
    return Path(value) if setting == "datadir" else value


@pytest.mark.parametrize("setting", sorted(READERS))
def test_environment_beats_registry_beats_machine_file_beats_default(machine: Machine, setting: str) -> None:
    env, reg, file = VALUES[setting]
    assert _read(setting) == DEFAULTS[setting]
    machine.json(setting, file)
    assert _read(setting) == _as_read(setting, file)
    machine.reg(setting, reg)
    assert _read(setting) == _as_read(setting, reg)
    machine.env(setting, env)
    assert _read(setting) == _as_read(setting, env)


@pytest.mark.parametrize("setting", sorted(READERS))
@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_empty_or_blank_values_are_not_set(machine: Machine, setting: str, blank: str) -> None:
    machine.env(setting, blank)
    machine.reg(setting, blank)
    machine.json(setting, blank)
    assert _read(setting) == DEFAULTS[setting]
    machine.json(setting, VALUES[setting][2])
    assert _read(setting) == _as_read(setting, VALUES[setting][2])  # blank env and registry fall through


def test_values_are_stripped(machine: Machine) -> None:
    machine.reg("commune", "  09.581.11.09. \n")
    machine.reg("lang", " AR ")
    machine.reg("datadir", "  /srv/baom  ")
    assert config.machine_commune() == "09.581.11.09."
    assert config.machine_language() == "ar"
    assert config.data_dir() == Path("/srv/baom")


def test_an_unknown_language_is_ignored(machine: Machine) -> None:
    machine.reg("lang", "de")
    assert config.machine_language() is None
    machine.json("lang", "en")
    assert config.machine_language() == "en"  # the registry's unknown value falls through
    machine.env("lang", "klingon")
    assert config.machine_language() == "en"
    machine.env("lang", "ar-MA")
    assert config.machine_language() == "ar"


def test_non_string_values_in_the_machine_file_are_ignored(machine: Machine) -> None:
    machine.file.write_text(json.dumps({"lang": 3, "commune": None, "datadir": ["x"]}), encoding="utf-8")
    assert config.machine_language() is None
    assert config.machine_commune() is None
    assert config.data_dir() == DEFAULT_DATA_DIR
    machine.file.write_text("{not json", encoding="utf-8")
    assert config.machine_commune() is None


def test_windows_variables_in_the_registry_datadir_are_expanded(
    machine: Machine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BAOM_TEST_ROOT", str(tmp_path))
    machine.reg("datadir", "%BAOM_TEST_ROOT%/BAOM")
    monkeypatch.setattr(sys, "platform", "win32")  # %VAR% is the Windows syntax (ntpath)
    assert config.data_dir() == tmp_path / "BAOM"
    assert config.default_office_path() == tmp_path / "BAOM" / "office.baomdb"


def test_variables_in_the_machine_file_datadir_are_expanded(
    machine: Machine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BAOM_TEST_ROOT", str(tmp_path))
    machine.json("datadir", "${BAOM_TEST_ROOT}/donnees" if sys.platform != "win32" else "%BAOM_TEST_ROOT%/donnees")
    assert config.data_dir() == tmp_path / "donnees"


# -- the real registry reader, with a stand-in ``winreg`` module ---------------------------------
REG_SZ, REG_EXPAND_SZ, REG_DWORD = 1, 2, 4


class _Key:
    def __init__(self, values: dict[str, tuple[object, int]]) -> None:
        self.values = values

    def __enter__(self) -> _Key:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def _fake_winreg(values: dict[str, tuple[object, int]] | None, opened: list[tuple[object, ...]]) -> types.ModuleType:
    module = types.ModuleType("winreg")

    def open_key(*args: object) -> _Key:
        opened.append(args)
        if values is None:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return _Key(values)

    def query_value_ex(key: _Key, name: str) -> tuple[object, int]:
        if name == "Broken":
            raise PermissionError(5, "Access is denied")
        if name not in key.values:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return key.values[name]

    module.__dict__.update(
        HKEY_LOCAL_MACHINE="HKLM",
        KEY_READ=0x20019,
        KEY_WOW64_64KEY=0x0100,
        REG_SZ=REG_SZ,
        REG_EXPAND_SZ=REG_EXPAND_SZ,
        OpenKey=open_key,
        QueryValueEx=query_value_ex,
    )
    return module


def _on_windows(
    monkeypatch: pytest.MonkeyPatch, values: dict[str, tuple[object, int]] | None
) -> list[tuple[object, ...]]:
    opened: list[tuple[object, ...]] = []
    monkeypatch.setitem(sys.modules, "winreg", _fake_winreg(values, opened))
    monkeypatch.setattr(sys, "platform", "win32")
    return opened


def test_registry_reader_reads_string_values_from_the_64_bit_view(monkeypatch: pytest.MonkeyPatch) -> None:
    values = {"DataDir": ("%ProgramData%\\BAOM", REG_EXPAND_SZ), "Language": ("ar", REG_SZ), "Commune": (7, REG_DWORD)}
    opened = _on_windows(monkeypatch, values)
    found = config._registry_values(["DataDir", "Language", "Commune", "Missing", "Broken"])
    assert found == {"DataDir": "%ProgramData%\\BAOM", "Language": "ar"}
    assert opened == [("HKLM", r"SOFTWARE\BAOM", 0, 0x20019 | 0x0100)]


def test_registry_reader_without_the_key_reads_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    _on_windows(monkeypatch, None)
    assert config._registry_values(["DataDir"]) == {}


def test_registry_errors_fall_through_to_the_machine_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ENV.values():
        monkeypatch.delenv(name, raising=False)
    machine_file = tmp_path / "machine.json"
    machine_file.write_text(json.dumps({"lang": "en", "commune": "09.541.01.11."}), encoding="utf-8")
    monkeypatch.setenv("BAOM_MACHINE_CONFIG", str(machine_file))
    _on_windows(monkeypatch, {"Language": ("xx", REG_SZ), "Commune": (b"09", 3)})
    assert config.machine_language() == "en"
    assert config.machine_commune() == "09.541.01.11."
    _on_windows(monkeypatch, None)
    assert config.machine_language() == "en"


def test_registry_reader_is_empty_off_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    assert config._registry_values(["DataDir", "Language", "Commune"]) == {}
