"""The frozen folder built by installer/baom.spec on this OS (Linux here): it runs, alone."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from desktop import __version__
from tests.deployment.support import frozen_env, run_frozen

pytestmark = pytest.mark.slow

BUDGET_BYTES = 250 * 1024 * 1024
PASSWORD = "mot-de-passe-fictif"
COMMUNE = "09.581.11.09."


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def test_folder_fits_the_budget(frozen_folder: Path) -> None:
    assert folder_bytes(frozen_folder) <= BUDGET_BYTES


def test_folder_holds_what_the_application_reads(frozen_folder: Path) -> None:
    internal = frozen_folder / "_internal"
    for relative in (
        "resources/fonts/Amiri-Regular.ttf",
        "resources/i18n/core.json",
        "resources/extract/datapackage.json",
        "desktop/db/migrations/env.py",
        "desktop/db/migrations/versions/0001_initial_schema.py",
        "PySide6/Qt/translations/qtbase_ar.qm",
        "PySide6/Qt/translations/qtbase_fr.qm",
        "pycountry/locales/ar/LC_MESSAGES/iso3166-1.mo",
    ):
        assert (internal / relative).is_file(), relative
    assert list((internal / "resources" / "reference").iterdir())
    assert list((internal / "sqlcipher3").glob("_sqlite3*")), "sqlcipher3's native module"
    # Trimmed: other languages, unused Qt modules.
    assert not (internal / "PySide6/Qt/translations/qtbase_de.qm").exists()
    assert not (internal / "pycountry/locales/de").exists()
    assert not list(internal.glob("PySide6/QtNetwork*"))


def test_version(frozen_folder: Path, tmp_path: Path) -> None:
    result = run_frozen(frozen_folder, "baom", "--version", env=frozen_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"BAOM {__version__}"


def test_init_check_and_the_window_open_on_the_new_office(frozen_folder: Path, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    env = frozen_env(tmp_path, BAOM_PASSWORD=PASSWORD, BAOM_COMMUNE=COMMUNE)
    # No --db and no --commune: this PC's data folder and commune, as IT set them.
    created = run_frozen(frozen_folder, "baom", "init", "--admin", "admin", env=env)
    assert created.returncode == 0, created.stderr
    office = tmp_path / "data" / "office.baomdb"
    assert office.is_file()
    checked = run_frozen(frozen_folder, "baom", "check", "--user", "admin", env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    window = run_frozen(frozen_folder, "baomw", "--smoke-test", env=env)
    assert window.returncode == 0, window.stderr
    assert "smoke-test: UnlockDialog" in window.stdout


def test_window_without_an_office_welcomes(frozen_folder: Path, tmp_path: Path) -> None:
    window = run_frozen(frozen_folder, "baomw", "--smoke-test", env=frozen_env(tmp_path))
    assert window.returncode == 0, window.stderr
    assert "smoke-test: WelcomeDialog" in window.stdout


def test_arabic_pdf_report_from_the_frozen_folder(frozen_folder: Path, tmp_path: Path) -> None:
    """Fonts, shaping (uharfbuzz) and reportlab travel with the folder."""
    (tmp_path / "data").mkdir()
    env = frozen_env(tmp_path, BAOM_PASSWORD=PASSWORD, BAOM_COMMUNE=COMMUNE)
    assert run_frozen(frozen_folder, "baom", "init", "--admin", "admin", env=env).returncode == 0
    pdf = tmp_path / "report.pdf"
    made = run_frozen(
        frozen_folder,
        "baom",
        "report",
        "--user",
        "admin",
        "--month",
        "2026-10",
        "--lang",
        "ar",
        "--pdf",
        str(pdf),
        env=env,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert any("\u0600" <= ch <= "\u06ff" or "\ufe70" <= ch <= "\ufeff" for ch in text)


def test_a_wrong_password_is_a_sentence_not_a_traceback(frozen_folder: Path, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    env = frozen_env(tmp_path, BAOM_PASSWORD=PASSWORD, BAOM_COMMUNE=COMMUNE)
    assert run_frozen(frozen_folder, "baom", "init", "--admin", "admin", env=env).returncode == 0
    wrong = run_frozen(frozen_folder, "baom", "check", "--user", "admin", env={**env, "BAOM_PASSWORD": "faux"})
    assert wrong.returncode != 0
    assert "Traceback" not in wrong.stderr and wrong.stderr.startswith("baom: ")
