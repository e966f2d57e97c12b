"""What the MSI says about itself (msiinfo), for the two releases built from the same folder."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from installer import build, msi
from tests.deployment.support import Releases

pytestmark = pytest.mark.slow


def table(package: Path, name: str) -> list[dict[str, str]]:
    """An MSI table as msiinfo exports it (.idt: names, types, keys, then tab-separated rows)."""
    text = subprocess.run(["msiinfo", "export", str(package), name], capture_output=True, text=True, check=True).stdout
    lines = text.split("\r\n") if "\r\n" in text else text.split("\n")
    columns = lines[0].split("\t")
    return [dict(zip(columns, line.split("\t"), strict=False)) for line in lines[3:] if line]


def properties(package: Path) -> dict[str, str]:
    return {row["Property"]: row["Value"] for row in table(package, "Property")}


def summary(package: Path) -> str:
    return subprocess.run(["msiinfo", "suminfo", str(package)], capture_output=True, text=True, check=True).stdout


def test_upgrade_code_fixed_and_product_code_new_per_version(releases: Releases) -> None:
    old, new = properties(releases.previous), properties(releases.current)
    assert old["UpgradeCode"] == new["UpgradeCode"] == "{" + msi.UPGRADE_CODE + "}"
    assert old["ProductCode"] != new["ProductCode"]
    assert new["ProductCode"] == "{" + msi.product_code(releases.current_version) + "}"
    assert old["ProductVersion"] == releases.previous_version
    assert new["ProductVersion"] == releases.current_version
    assert new["Manufacturer"] == "BAOM" and new["ProductName"] == "BAOM"


def test_per_machine_x64_package(releases: Releases) -> None:
    props = properties(releases.current)
    assert props["ALLUSERS"] == "1"
    assert props["ProductLanguage"] == "1036"  # French, the offices' first language
    info = summary(releases.current)
    assert "Template: x64;" in info  # a 64-bit package: Program Files, not Program Files (x86)
    assert f"Subject: BAOM {releases.current_version}" in info


def test_upgrade_table_finds_older_and_refuses_newer(releases: Releases) -> None:
    rows = table(releases.current, "Upgrade")
    code = "{" + msi.UPGRADE_CODE + "}"
    by_action = {row["ActionProperty"]: row for row in rows}
    assert by_action["WIX_UPGRADE_DETECTED"]["UpgradeCode"] == code
    assert by_action["WIX_UPGRADE_DETECTED"]["VersionMax"] == releases.current_version
    assert by_action["WIX_DOWNGRADE_DETECTED"]["VersionMin"] == releases.current_version
    conditions = {row["Condition"]: row["Description"] for row in table(releases.current, "LaunchCondition")}
    assert "NOT WIX_DOWNGRADE_DETECTED" in conditions
    assert "plus récente" in conditions["NOT WIX_DOWNGRADE_DETECTED"]
    actions = {row["Action"] for row in table(releases.current, "InstallExecuteSequence")}
    assert {"FindRelatedProducts", "RemoveExistingProducts", "KeepDataDir", "KeepLang", "KeepCommune"} <= actions


def test_properties_land_in_the_registry_where_the_application_reads_them(releases: Releases) -> None:
    rows = {(row["Key"], row["Name"]): row for row in table(releases.current, "Registry")}
    for name, prop in (("DataDir", "[DATADIR]"), ("Language", "[LANG]"), ("Commune", "[COMMUNE]")):
        row = rows[("SOFTWARE\\BAOM", name)]
        assert row["Root"] == "2"  # HKLM
        assert row["Value"] == prop
    # Read back on upgrade (AppSearch), so an upgrade without them keeps the earlier values.
    searches = {row["Name"]: row for row in table(releases.current, "RegLocator")}
    assert {"DataDir", "Language", "Commune"} <= set(searches)
    assert all(int(searches[n]["Type"]) & 16 for n in ("DataDir", "Language", "Commune"))  # 64-bit view


def test_managed_installs_pass_the_properties_through(releases: Releases) -> None:
    secure = properties(releases.current)["SecureCustomProperties"].split(";")
    assert {"DATADIR", "LANG", "COMMUNE", "WIX_UPGRADE_DETECTED", "WIX_DOWNGRADE_DETECTED"} <= set(secure)


def test_program_files_shortcut_and_data_folder(releases: Releases, windows_folder: Path) -> None:
    files = {row["FileName"].split("|")[-1] for row in table(releases.current, "File")}
    assert {"baomw.exe", "baom.exe"} <= files
    assert "bcryptprimitives.dll" not in files  # the Wine test bed's part never ships
    shipped = sum(1 for p in windows_folder.rglob("*") if p.is_file())
    assert len(table(releases.current, "File")) == shipped
    directories = {row["Directory"]: row for row in table(releases.current, "Directory")}
    assert directories["INSTALLDIR"]["Directory_Parent"] == "ProgramFiles64Folder"
    assert directories["DATADIR"]["Directory_Parent"] == "CommonAppDataFolder"
    shortcuts = table(releases.current, "Shortcut")
    assert [row["Name"].split("|")[-1] for row in shortcuts] == ["BAOM"]
    assert shortcuts[0]["Target"] == "[INSTALLDIR]baomw.exe"
    assert any(row["Directory_"] == "DATADIR" for row in table(releases.current, "CreateFolder"))


def test_an_incomplete_folder_makes_no_msi(tmp_path: Path) -> None:
    payload = tmp_path / "BAOM"
    (payload / "_internal").mkdir(parents=True)
    (payload / "baom.exe").write_bytes(b"MZ fictitious")  # baomw.exe missing
    out = tmp_path / "dist" / "BAOM-9.9.9.msi"
    with pytest.raises(FileNotFoundError, match="baomw"):
        msi.build_msi(payload, "9.9.9", out)
    assert not out.exists()


def test_build_py_says_what_failed_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = tmp_path / "BAOM"
    payload.mkdir()  # a Windows folder that lost its programs
    monkeypatch.setattr(build, "windows", lambda: payload)
    assert build.main(["msi", "--version", "9.9.9", "--out", str(tmp_path / "dist")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("build.py msi: ") and "baomw.exe" in err and "Traceback" not in err
    assert err.count("\n") == 1
    assert not (tmp_path / "dist" / "BAOM-9.9.9.msi").exists()
