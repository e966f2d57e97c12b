"""The MSI on a throwaway Windows PC (a fresh Wine prefix), as IT would push it:
silent install with properties, the installed programs, upgrade, downgrade, uninstall.

The steps run in order on one PC; each starts from where the previous one left it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from installer import msi
from installer.wine import WinePrefix, windows_path
from tests.deployment.support import Releases

pytestmark = pytest.mark.slow

DATADIR = "C:\\Données BAOM"  # a space and an accent, as offices name folders
COMMUNE = "09.581.11.09."
PASSWORD = "mot-de-passe-fictif"
PROGRAM = "C:\\Program Files\\BAOM"
SETTINGS_KEY = "HKLM\\SOFTWARE\\BAOM"
UNINSTALL_KEY = "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall"
APP_ENV = {"BAOM_PASSWORD": PASSWORD, "BAOM_INSECURE_FAST_KDF_FOR_TESTS": "1"}


def msiexec(pc: WinePrefix, *args: str) -> subprocess.CompletedProcess[str]:
    result = pc.run("msiexec", *args, timeout=900)
    pc.wait()
    return result


def baom(pc: WinePrefix, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return pc.run(f"{PROGRAM}\\baom.exe", *args, env={**APP_ENV, **env}, timeout=300)


def linux(pc: WinePrefix, windows: str) -> Path:
    assert windows[1:3] == ":\\"
    return pc.drive_c.joinpath(*windows[3:].split("\\"))


def product_entries(pc: WinePrefix) -> list[tuple[str, str]]:
    """Apps & Features: the uninstall entries named BAOM (product code, version)."""
    entries = pc.registry(UNINSTALL_KEY)
    return [
        (key.rsplit("\\", 1)[-1], values.get("DisplayVersion", ""))
        for key, values in entries.items()
        if values.get("DisplayName") == "BAOM"
    ]


@pytest.fixture(scope="module")
def pc(windows_pc: WinePrefix, releases: Releases) -> WinePrefix:
    return windows_pc


def test_1_silent_install_with_properties(pc: WinePrefix, releases: Releases) -> None:
    result = msiexec(
        pc, "/i", windows_path(releases.previous), "/qn", f"DATADIR={DATADIR}", "LANG=ar", f"COMMUNE={COMMUNE}"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (linux(pc, PROGRAM) / "baomw.exe").is_file()
    assert (linux(pc, PROGRAM) / "baom.exe").is_file()
    assert not (linux(pc, PROGRAM) / "bcryptprimitives.dll").exists()
    assert linux(pc, DATADIR).is_dir()
    assert pc.reg_value(SETTINGS_KEY, "DataDir") == DATADIR + "\\"
    assert pc.reg_value(SETTINGS_KEY, "Language") == "ar"
    assert pc.reg_value(SETTINGS_KEY, "Commune") == COMMUNE
    assert product_entries(pc) == [("{" + msi.product_code(releases.previous_version) + "}", releases.previous_version)]
    key = f"{UNINSTALL_KEY}\\{{{msi.product_code(releases.previous_version)}}}"
    assert pc.reg_value(key, "Publisher") == "BAOM"
    assert pc.reg_value(key, "InstallLocation") == PROGRAM + "\\"
    # Windows puts a per-machine shortcut in ProgramData's Start menu; Wine's msi always uses the
    # installing user's (the Shortcut table itself is checked in test_msi_tables).
    menus = [pc.drive_c / "ProgramData", *pc.drive_c.glob("users/*/AppData/Roaming")]
    assert any((m / "Microsoft/Windows/Start Menu/Programs/BAOM.lnk").is_file() for m in menus)
    assert pc.reg_value("HKLM\\SOFTWARE\\Classes\\.baomdb", "") == "BAOM.Office"


def test_2_installed_command_line_reads_the_properties(pc: WinePrefix) -> None:
    version = baom(pc, "--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip().startswith("BAOM ")
    # LANG=ar: the command line speaks Arabic.
    helped = baom(pc, "--help")
    assert "إنشاء" in helped.stdout or "مكتب" in helped.stdout, helped.stdout
    # No --db, no --commune: the office goes to DATADIR, for the commune IT gave.
    created = baom(pc, "init", "--admin", "admin")
    assert created.returncode == 0, created.stdout + created.stderr
    assert (linux(pc, DATADIR) / "office.baomdb").is_file()
    checked = baom(pc, "check", "--user", "admin")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_3_installed_window_opens_at_unlock(pc: WinePrefix) -> None:
    # Wine keeps QT_* variables from Windows programs; WINEQT_QPA_PLATFORM reaches them as QT_QPA_PLATFORM.
    result = pc.run(
        f"{PROGRAM}\\baomw.exe", "--smoke-test", env={**APP_ENV, "WINEQT_QPA_PLATFORM": "offscreen"}, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    logs = list(pc.drive_c.glob("users/*/AppData/Local/BAOM/Logs/baom.log"))
    assert logs and "smoke test: UnlockDialog" in logs[0].read_text(encoding="utf-8")


def test_4_upgrade_keeps_data_settings_and_one_entry(pc: WinePrefix, releases: Releases) -> None:
    office = linux(pc, DATADIR) / "office.baomdb"
    before = office.read_bytes()
    backup = linux(pc, DATADIR) / "sauvegarde-fictive.baom"
    backup.write_bytes(b"not touched by the installer")
    result = msiexec(pc, "/i", windows_path(releases.current), "/qn")  # no properties given again
    assert result.returncode == 0, result.stdout + result.stderr
    assert product_entries(pc) == [("{" + msi.product_code(releases.current_version) + "}", releases.current_version)]
    assert pc.reg_value(SETTINGS_KEY, "DataDir") == DATADIR + "\\"
    assert pc.reg_value(SETTINGS_KEY, "Language") == "ar"
    assert pc.reg_value(SETTINGS_KEY, "Commune") == COMMUNE
    assert office.read_bytes() == before
    assert backup.read_bytes() == b"not touched by the installer"
    checked = baom(pc, "check", "--user", "admin")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_5_downgrade_is_refused(pc: WinePrefix, releases: Releases) -> None:
    result = msiexec(pc, "/i", windows_path(releases.previous), "/qn")
    # 1603, ERROR_INSTALL_FAILURE: the launch condition failed. A Linux exit status keeps its low byte.
    assert result.returncode == 1603 & 0xFF
    assert product_entries(pc) == [("{" + msi.product_code(releases.current_version) + "}", releases.current_version)]
    assert (linux(pc, PROGRAM) / "baom.exe").is_file()


def test_6_uninstall_removes_the_program_and_keeps_the_data(pc: WinePrefix, releases: Releases) -> None:
    result = msiexec(pc, "/x", windows_path(releases.current), "/qn")
    assert result.returncode == 0, result.stdout + result.stderr
    assert product_entries(pc) == []
    assert not (linux(pc, PROGRAM) / "baom.exe").exists()
    assert pc.reg_value(SETTINGS_KEY, "DataDir") is None
    assert (linux(pc, DATADIR) / "office.baomdb").is_file()
    assert (linux(pc, DATADIR) / "sauvegarde-fictive.baom").is_file()
