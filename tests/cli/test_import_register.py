"""``baom import-register`` and ``baom register-template``: the real command on real files."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from desktop.db.models import Case, Person
from desktop.services import office
from tests.cli.conftest import CLI_PASSWORD, Runner

HEADER = "nom;prenom;sexe;date_naissance;age;nationalite;categorie;date_premier_accueil;besoins"
GOOD = ["Fictivi;Awa;F;12/03/1990;;SN;migrant;01/02/2024;santé", "Exemplo;Jean;M;;34;CM;réfugié;15/06/2025;"]


@pytest.fixture
def office_db(tmp_path: Path, baom: Runner) -> Path:
    db = tmp_path / "bureau.baomdb"
    result = baom("init", "--db", str(db), "--commune", "09.001.01.01.", "--admin", "admin")
    assert result.returncode == 0, result.stderr
    return db


def register(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "registre.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8-sig")
    return path


def persons(db: Path) -> int:
    with office.unlock(db, "admin", CLI_PASSWORD) as handle, handle.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Person)))


def test_import_then_the_same_file_again_asks_about_duplicates(tmp_path: Path, office_db: Path, baom: Runner) -> None:
    path = register(tmp_path, GOOD)
    result = baom("import-register", "--db", str(office_db), "--user", "admin", str(path))
    assert result.returncode == 0, result.stderr
    assert "2 dossier(s) créé(s) (2 nouvelle(s) personne(s)" in result.stdout

    again = baom("import-register", "--db", str(office_db), "--user", "admin", str(path))
    assert again.returncode == 4
    assert "déjà été importé" in again.stdout
    assert "ligne 2 : Fictivi Awa ressemble à B-2024-00001" in again.stdout
    assert "--duplicates" in again.stderr
    assert persons(office_db) == 2

    linked = baom("--lang", "en", "import-register", "--db", str(office_db), "--user", "admin", str(path),
                  "--duplicates", "link")  # fmt: skip
    assert linked.returncode == 0, linked.stderr
    assert "2 case(s) created (0 new person(s), 2 linked" in linked.stdout
    with office.unlock(office_db, "admin", CLI_PASSWORD) as handle, handle.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 4
    assert persons(office_db) == 2


def test_bad_lines_are_listed_and_nothing_is_imported(tmp_path: Path, office_db: Path, baom: Runner) -> None:
    path = register(tmp_path, [*GOOD, "Faux;Ligne;X;31/02/1990;;Atlantide;migrant;01/02/2024;"])
    result = baom("import-register", "--db", str(office_db), "--user", "admin", str(path))
    assert result.returncode == 4
    assert "ligne 4, colonne « sexe » : Sexe « X » : écrivez F ou M." in result.stderr
    assert "ligne 4, colonne « nationalite »" in result.stderr
    assert "rien n'a été importé" in result.stderr
    assert "Traceback" not in result.stderr
    assert persons(office_db) == 0


def test_dry_run_and_latin1(tmp_path: Path, office_db: Path, baom: Runner) -> None:
    path = register(tmp_path, GOOD)
    dry = baom("import-register", "--db", str(office_db), "--user", "admin", str(path), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "2 ligne(s) valides" in dry.stdout
    assert persons(office_db) == 0
    path.write_bytes(path.read_bytes().decode("utf-8-sig").replace("Awa", "Aïcha").encode("cp1252"))
    latin = baom("--lang", "ar", "import-register", "--db", str(office_db), "--user", "admin", str(path))
    assert latin.returncode == 4
    assert "UTF-8" in latin.stderr and "السطر 2" in latin.stderr


def test_register_template(tmp_path: Path, baom: Runner) -> None:
    out = tmp_path / "modele.xlsx"
    result = baom("register-template", str(out))
    assert result.returncode == 0, result.stderr
    sheet = openpyxl.load_workbook(out)["Registre"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["nom", "prenom", "nom_ar", "prenom_ar"]
    assert "date_premier_accueil" in header and "besoins" in header
