"""``baom extract``: the month's anonymised extract, written by a script at month end."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.cli.conftest import CLI_PASSWORD, Runner
from tests.reports.test_stats_xlsx import MONTH, build_stats_office


@pytest.fixture(scope="module")
def office_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BAOM_INSECURE_FAST_KDF_FOR_TESTS", "1")
        db = tmp_path_factory.mktemp("extract_cli") / "bureau.baomdb"
        build_stats_office(db, CLI_PASSWORD)
    return db


def test_extract_to_a_zip_then_to_a_folder(office_db: Path, baom: Runner, tmp_path: Path) -> None:
    out = tmp_path / "extrait.zip"
    result = baom("extract", "--db", str(office_db), "--user", "admin", "--month", MONTH, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"Extrait écrit : {out}"
    assert result.stdout.splitlines()[1].startswith("Personnes : ")
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["period"] == MONTH
    assert f"{manifest['persons']['population']} (supprimées" in result.stdout.replace("sur ", "")

    result = baom("extract", "--db", str(office_db), "--user", "admin", "--month", MONTH, "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    (folder,) = [p for p in tmp_path.iterdir() if p.is_dir() and p.name.startswith("BAOM-")]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["manifest.json", "manifest.sig", "datapackage.json", "persons.csv", "referrals.csv", "indicators.csv"]
    )


@pytest.mark.parametrize(
    ("month", "out", "message"),
    [
        ("2999-01", "x.zip", "pas terminé"),
        ("2025-13", "x.zip", "AAAA-MM"),
        (MONTH, "missing/x.zip", "n'existe pas"),
    ],
)
def test_refusals_are_one_clear_line(
    office_db: Path, baom: Runner, tmp_path: Path, month: str, out: str, message: str
) -> None:
    result = baom("extract", "--db", str(office_db), "--user", "admin", "--month", month, "--out", str(tmp_path / out))
    assert result.returncode == 4, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not list(tmp_path.glob("*.zip"))
