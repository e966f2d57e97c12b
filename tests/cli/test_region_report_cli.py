"""``baom region report``: the regional report written as PDF and XLSX, and its refusals.

The regional database holds signed extracts of two communes for two recent months (the
worked example's rows re-signed, tests/region_fixtures.py), imported in-process; the real
command then runs in a subprocess.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from desktop.db.models import AuditEntry
from desktop.services import office, region, region_import, region_keys
from tests.cli.conftest import CLI_PASSWORD, Runner
from tests.region_fixtures import EXAMPLE_COMMUNE, OTHER_COMMUNE, key_text, make_extract, months_before

TODAY = datetime.now(UTC).date()
P1, P2 = months_before(TODAY, 3), months_before(TODAY, 2)


@pytest.fixture
def region_db(tmp_path: Path, cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BAOM_INSECURE_FAST_KDF_FOR_TESTS", "1")
    db = tmp_path / "region.baomdb"
    handle, _ = region.create_region(
        db, region_code="09.", name="", admin_login="chef", admin_name="Chef Fictif", admin_password=CLI_PASSWORD
    )
    with handle:
        extracts = []
        for commune in (EXAMPLE_COMMUNE, OTHER_COMMUNE):
            region_keys.add_office(handle, commune, key_text(commune))
            extracts += [make_extract(tmp_path / "in", commune=commune, period=p) for p in (P1, P2)]
        summary = region_import.import_extracts(handle, extracts)
        assert summary.imported == 4
    return db


def _clean(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr


def test_report_writes_both_files_and_is_audited(region_db: Path, tmp_path: Path, baom: Runner) -> None:
    pdf, xlsx = tmp_path / "out" / "region.pdf", tmp_path / "out" / "region.xlsx"
    pdf.parent.mkdir()
    result = baom(
        "region", "report", "--db", str(region_db), "--user", "chef", "--from", P1, "--to", P2,
        "--pdf", str(pdf), "--xlsx", str(xlsx),
    )  # fmt: skip
    _clean(result)
    assert result.returncode == 0, result.stderr
    assert str(pdf) in result.stdout and str(xlsx) in result.stdout
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Rapport régional" in text and "Agadir" in text and "<5" in text
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames[0] == "Rapport" and not book.worksheets[1].sheet_view.rightToLeft
    handle = office.unlock(region_db, "chef", CLI_PASSWORD)
    with handle, handle.transaction() as session:
        details = set(session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "exported")))
    assert {f"regional {P1}..{P2} pdf", f"regional {P1}..{P2} xlsx"} <= details


def test_report_in_arabic(region_db: Path, tmp_path: Path, baom: Runner) -> None:
    xlsx = tmp_path / "region-ar.xlsx"
    result = baom(
        "region", "report", "--db", str(region_db), "--user", "chef", "--from", P2, "--to", P2,
        "--xlsx", str(xlsx), "--lang", "ar",
    )  # fmt: skip
    _clean(result)
    assert result.returncode == 0, result.stderr
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames[0] == "التقرير"
    assert all(sheet.sheet_view.rightToLeft for sheet in book.worksheets)


@pytest.mark.parametrize(("first", "last"), [("2025-13", "2025-12"), (P2, P1), ("mars", P2)])
def test_bad_months_are_refused_with_exit_4(
    region_db: Path, tmp_path: Path, baom: Runner, first: str, last: str
) -> None:
    pdf = tmp_path / "region.pdf"
    result = baom("region", "report", "--db", str(region_db), "--user", "chef", "--from", first, "--to", last,
                  "--pdf", str(pdf))  # fmt: skip
    _clean(result)
    assert result.returncode == 4
    assert not pdf.exists()


def test_an_office_database_is_refused_with_exit_4(
    tmp_path: Path, baom: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAOM_INSECURE_FAST_KDF_FOR_TESTS", "1")
    db = tmp_path / "office.baomdb"
    handle, _ = office.create_office(
        db, commune_code=EXAMPLE_COMMUNE, office_name="BAOM Fictif", admin_login="chef", admin_name="Chef Fictif",
        admin_password=CLI_PASSWORD,
    )  # fmt: skip
    handle.close()
    pdf = tmp_path / "region.pdf"
    result = baom("region", "report", "--db", str(db), "--user", "chef", "--from", P1, "--to", P2, "--pdf", str(pdf))
    _clean(result)
    assert result.returncode == 4
    assert "secrétariat régional" in result.stderr
    assert not pdf.exists()


def test_without_a_file_to_write_or_with_a_missing_folder(region_db: Path, tmp_path: Path, baom: Runner) -> None:
    result = baom("region", "report", "--db", str(region_db), "--user", "chef", "--from", P1, "--to", P2)
    _clean(result)
    assert result.returncode == 2
    missing = tmp_path / "nowhere" / "region.pdf"
    result = baom("region", "report", "--db", str(region_db), "--user", "chef", "--from", P1, "--to", P2,
                  "--pdf", str(missing))  # fmt: skip
    _clean(result)
    assert result.returncode == 4
