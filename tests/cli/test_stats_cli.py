"""``baom stats`` and ``baom report``: a month's indicators for IT scripts and the regional secretariat."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import openpyxl
import pytest

from tests.cli.conftest import CLI_PASSWORD, Runner
from tests.reports.test_stats_xlsx import MONTH, build_stats_office


@pytest.fixture(scope="module")
def stats_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BAOM_INSECURE_FAST_KDF_FOR_TESTS", "1")
        db = tmp_path_factory.mktemp("stats_cli") / "bureau.baomdb"
        build_stats_office(db, CLI_PASSWORD)
    return db


def _ok(result: object) -> None:
    assert getattr(result, "returncode", None) == 0, getattr(result, "stderr", "")
    assert "Traceback" not in getattr(result, "stderr", "")


def _line(stdout: str, start: str) -> list[str]:
    (line,) = [line for line in stdout.splitlines() if line.startswith(start)]
    return line[len(start) :].split()


def test_stats_prints_every_indicator_with_its_comparisons(stats_db: Path, baom: Runner) -> None:
    result = baom("stats", "--db", str(stats_db), "--user", "admin", "--month", MONTH)
    _ok(result)
    lines = result.stdout.splitlines()
    assert lines[0] == "octobre 2025 — Usage interne du bureau"
    assert lines[1].split()[:2] == ["Indicateur", "Période"]
    assert _line(result.stdout, "Dossiers ouverts") == ["8", "1", "1"]
    assert _line(result.stdout, "Personnes reçues") == ["9", "1", "1"]
    assert _line(result.stdout, "Taux de contre-référence") == ["50", "%", "—", "—"]
    assert len(lines) == 2 + 14


def test_stats_in_english(stats_db: Path, baom: Runner) -> None:
    result = baom("stats", "--db", str(stats_db), "--user", "admin", "--month", MONTH, "--lang", "en")
    _ok(result)
    assert result.stdout.startswith("October 2025 — Office internal use")
    assert _line(result.stdout, "Cases opened") == ["8", "1", "1"]


def test_stats_json(stats_db: Path, baom: Runner) -> None:
    result = baom("stats", "--db", str(stats_db), "--user", "admin", "--month", MONTH, "--json")
    _ok(result)
    data = json.loads(result.stdout)
    assert (data["period"], data["audience"]) == ("2025-10", "internal")
    opened = data["indicators"]["cases_opened"]
    assert (opened["value"], opened["previous"], opened["last_year"]) == (8, 1, 1)
    assert opened["base"] is None
    assert opened["breakdowns"]["category"]["rpt_migrant"] == 4
    people = data["indicators"]["people_received"]
    assert people["value"] == 9
    assert (people["breakdowns"]["sex"]["F"], people["breakdowns"]["sex"]["M"]) == (3, 6)
    rate = data["indicators"]["counter_referral_rate"]
    assert (rate["value"], rate["base"], rate["previous"]) == (0.5, 2, None)
    assert rate["breakdowns"]["referral_domain"]["housing"] == 1.0
    assert data["indicators"]["referrals_sent"]["breakdowns"]["referral_domain"]["social_aid"] == 1


def test_stats_outside_hides_small_cells(stats_db: Path, baom: Runner) -> None:
    result = baom("stats", "--db", str(stats_db), "--user", "admin", "--month", MONTH, "--json", "--outside")
    _ok(result)
    data = json.loads(result.stdout)
    assert data["audience"] == "outside"
    people = data["indicators"]["people_received"]
    assert people["value"] == 8  # the person who withdrew their consent is left out
    assert people["breakdowns"]["sex"]["F"] == "<5" and people["breakdowns"]["sex"]["M"] == "<5"
    assert data["indicators"]["counter_referrals"]["value"] == "<5"
    rate = data["indicators"]["counter_referral_rate"]
    assert rate["value"] == "<5" and rate["base"] == "<5"
    text = baom("stats", "--db", str(stats_db), "--user", "admin", "--month", MONTH, "--outside")
    _ok(text)
    assert "Diffusion hors du bureau" in text.stdout.splitlines()[0]
    assert _line(text.stdout, "Contre-références reçues")[0] == "<5"
    assert _line(text.stdout, "Dossiers ouverts") == ["7", "<5", "<5"]


@pytest.mark.parametrize("month", ["2025-13", "octobre", "2025/10", "25-10"])
def test_a_bad_month_is_refused_in_plain_words(stats_db: Path, baom: Runner, month: str, tmp_path: Path) -> None:
    never = tmp_path / "jamais.xlsx"
    for command in (["stats"], ["report", "--xlsx", str(never)]):
        result = baom(*command, "--db", str(stats_db), "--user", "admin", "--month", month)
        assert result.returncode == 4, result.stderr
        assert "n'est pas un mois" in result.stderr and "AAAA-MM" in result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not never.exists()


def test_wrong_password_is_refused(stats_db: Path, baom: Runner) -> None:
    result = baom("stats", "--db", str(stats_db), "--user", "admin", "--month", MONTH, env={"BAOM_PASSWORD": "faux"})
    assert result.returncode == 3


def _audit_exports(baom: Runner, db: Path) -> list[str]:
    result = baom("audit", "--db", str(db), "--user", "admin", "--record-type", "statistics")
    _ok(result)
    return [line for line in result.stdout.splitlines() if "\texported\t" in line]


def test_report_writes_the_workbook_and_is_audited(stats_db: Path, baom: Runner, tmp_path: Path) -> None:
    before = len([e for e in _audit_exports(baom, stats_db) if e.endswith("xlsx outside")])
    out = tmp_path / "rapport octobre.xlsx"  # a space in the name
    result = baom(
        "report", "--db", str(stats_db), "--user", "admin", "--month", MONTH, "--outside", "--lang", "ar",
        "--xlsx", str(out),
    )  # fmt: skip
    _ok(result)
    assert str(out) in result.stdout
    book = openpyxl.load_workbook(out)
    assert book.worksheets[0].sheet_view.rightToLeft
    summary = {row[0]: row for row in book.worksheets[0].iter_rows(values_only=True) if row and row[0]}
    assert summary["people_received"][3] == 8
    assert summary["counter_referrals"][3] == "<5"
    exports = [e for e in _audit_exports(baom, stats_db) if e.endswith("xlsx outside")]
    assert len(exports) == before + 1
    assert "\tstatistics\t2025-10\t" in exports[0]
    assert [p.name for p in tmp_path.glob("*xlsx*")] == [out.name]  # no temporary file left behind


def test_report_writes_the_pdf_too(stats_db: Path, baom: Runner, tmp_path: Path) -> None:
    if importlib.util.find_spec("desktop.reports.stats_pdf") is None:
        pytest.skip("desktop.reports.stats_pdf (the PDF report) is not written yet")
    pdf, xlsx = tmp_path / "rapport.pdf", tmp_path / "rapport.xlsx"
    result = baom(
        "report", "--db", str(stats_db), "--user", "admin", "--month", MONTH, "--pdf", str(pdf), "--xlsx", str(xlsx)
    )
    _ok(result)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert xlsx.read_bytes()[:2] == b"PK"
    assert sum(1 for e in _audit_exports(baom, stats_db) if e.endswith("pdf internal")) >= 1


def test_report_needs_a_file_and_an_existing_folder(stats_db: Path, baom: Runner, tmp_path: Path) -> None:
    nothing = baom("report", "--db", str(stats_db), "--user", "admin", "--month", MONTH)
    assert nothing.returncode == 2
    assert "--pdf" in nothing.stderr and "--xlsx" in nothing.stderr and "Traceback" not in nothing.stderr
    missing = tmp_path / "absent" / "rapport.xlsx"
    no_folder = baom("report", "--db", str(stats_db), "--user", "admin", "--month", MONTH, "--xlsx", str(missing))
    assert no_folder.returncode == 4
    assert "n'existe pas" in no_folder.stderr and "Traceback" not in no_folder.stderr
