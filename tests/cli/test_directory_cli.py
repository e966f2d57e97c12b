"""``baom directory export|import`` and ``baom referrals overdue``: the real command on real files."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.db.models import Provider
from desktop.domain import referrals as rules
from desktop.services import cases, directory, office, referrals
from desktop.services.referral_types import ProviderInput, ReferralInput
from tests.cli.conftest import CLI_PASSWORD, Runner
from tests.fictitious import fictitious

COMMUNE = "09.001.01.01."
ASSOCIATION = ProviderInput(
    name_fr="Association Exemple Fictive",
    kind="associative",
    domains=["housing"],
    commune_code=COMMUNE,
    phone="+212 600 000 000",
    verified_on=date(2025, 5, 2),
)
CENTRE = ProviderInput(
    name_fr="Centre Fictif de Santé", kind="public", domains=["health_physical"], coverage="national"
)


def init(tmp_path: Path, baom: Runner, name: str) -> Path:
    db = tmp_path / name
    result = baom("init", "--db", str(db), "--commune", COMMUNE, "--admin", "admin")
    assert result.returncode == 0, result.stderr
    return db


@pytest.fixture
def office_db(tmp_path: Path, baom: Runner) -> Path:
    db = init(tmp_path, baom, "bureau.baomdb")
    with office.unlock(db, "admin", CLI_PASSWORD) as handle:
        for data in (ASSOCIATION, CENTRE):
            directory.save_provider(handle, data)
    return db


def providers(db: Path) -> dict[str, str]:
    """French name -> phone."""
    with office.unlock(db, "admin", CLI_PASSWORD) as handle, handle.transaction() as session:
        return {name: phone for name, phone in session.execute(select(Provider.name_fr, Provider.phone))}


def test_export_then_import_into_another_office(tmp_path: Path, office_db: Path, baom: Runner) -> None:
    out = tmp_path / "annuaire.xlsx"
    exported = baom("directory", "export", "--db", str(office_db), "--user", "admin", str(out))
    assert exported.returncode == 0, exported.stderr
    assert f"2 structure(s) écrite(s) dans {out}" in exported.stdout

    other = init(tmp_path, baom, "autre.baomdb")
    dry = baom("directory", "import", "--db", str(other), "--user", "admin", str(out), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Ajoutées : 2 · modifiées : 0" in dry.stdout
    assert "+ ligne 2 : Association Exemple Fictive (nouvelle)" in dry.stdout
    assert "Rien n'a été écrit (--dry-run)." in dry.stdout
    assert providers(other) == {}

    done = baom("directory", "import", "--db", str(other), "--user", "admin", str(out))
    assert done.returncode == 0, done.stderr
    assert "Annuaire mis à jour : 2 structure(s) ajoutée(s), 0 modifiée(s)." in done.stdout
    assert providers(other) == providers(office_db)
    assert providers(other)["Association Exemple Fictive"] == "+212 600 000 000"


def test_import_shows_changed_fields_and_local_only(tmp_path: Path, office_db: Path, baom: Runner) -> None:
    out = tmp_path / "annuaire.csv"
    assert baom("directory", "export", "--db", str(office_db), "--user", "admin", str(out)).returncode == 0
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    changed = [line.replace("'+212 600 000 000", "0537 00 00 00") for line in lines if "Centre" not in line]
    out.write_text("\n".join(changed) + "\n", encoding="utf-8-sig")

    result = baom("--lang", "en", "directory", "import", "--db", str(office_db), "--user", "admin", str(out))

    assert result.returncode == 0, result.stderr
    assert "Added: 0 · changed: 1 · kept (verified more recently here): 0 · unchanged: 0" in result.stdout
    assert "only in the office (never deleted): 1" in result.stdout
    assert "~ line 2: Association Exemple Fictive" in result.stdout
    assert "    telephone: +212 600 000 000 → 0537 00 00 00" in result.stdout
    assert "· Centre Fictif de Santé: only in the office, kept" in result.stdout
    assert providers(office_db) == {"Association Exemple Fictive": "0537 00 00 00", "Centre Fictif de Santé": ""}


def test_import_problems_exit_4_and_write_nothing(tmp_path: Path, office_db: Path, baom: Runner) -> None:
    path = tmp_path / "annuaire.csv"
    path.write_text(
        "nom;type;domaines;commune;email\n"
        f"Association Exemple Fictive;associative;housing;{COMMUNE};\n"
        f"Nouvelle Association Fictive;associative;astrologie;{COMMUNE};\n"
        f"Autre Association Fictive;associative;housing;99.999.99.99.;pas-une-adresse\n",
        encoding="utf-8",
    )
    before = providers(office_db)
    result = baom("directory", "import", "--db", str(office_db), "--user", "admin", str(path))
    assert result.returncode == 4
    assert "ligne 3, colonne « domaines » : Domaine « astrologie » inconnu" in result.stderr
    assert "ligne 4, colonne « commune » : Commune « 99.999.99.99. » introuvable" in result.stderr
    assert "ligne 4, colonne « email » : Adresse e-mail « pas-une-adresse » non valide." in result.stderr
    assert "3 problème(s) : rien n'a été importé" in result.stderr
    assert "Traceback" not in result.stderr
    assert providers(office_db) == before

    path.write_bytes("nom;type;domaines\nCentre Fictif de Santé;public;other\n".encode("cp1252"))
    latin = baom("directory", "import", "--db", str(office_db), "--user", "admin", str(path))
    assert latin.returncode == 4 and "UTF-8" in latin.stderr


def test_referrals_overdue(tmp_path: Path, office_db: Path, baom: Runner) -> None:
    none = baom("referrals", "overdue", "--db", str(office_db), "--user", "admin")
    assert none.returncode == 0, none.stderr
    assert "Aucune référence à relancer." in none.stdout

    sent = date(2026, 1, 5)
    with office.unlock(office_db, "admin", CLI_PASSWORD) as handle:
        with handle.transaction() as session:
            provider_id = session.scalars(select(Provider.id).where(Provider.kind == "associative")).one()
        person_id, case_id = cases.register(handle, fictitious(), opened_on=date(2026, 1, 2))
        cases.give_consent(handle, person_id, "referral_sharing", sent)
        referral_id = referrals.create_referral(
            handle, case_id, ReferralInput(domain="housing", provider_id=provider_id), on=sent, send=True
        )
        [row] = referrals.overdue(handle)
        assert row.id == referral_id
    code = rules.display_code(row.code)
    late = rules.days_late(rules.due_on(sent, "weeks2"), rules.office_today())
    assert late > 0

    text = baom("referrals", "overdue", "--db", str(office_db), "--user", "admin")
    assert text.returncode == 0, text.stderr
    assert text.stdout.splitlines() == [
        f"{code}\t{late} j de retard\tAssociation Exemple Fictive\t+212 600 000 000\tdossier {row.case_number}"
    ]

    as_json = baom("referrals", "overdue", "--db", str(office_db), "--user", "admin", "--json")
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == [
        {
            "code": code,
            "days_late": late,
            "provider_name": "Association Exemple Fictive",
            "provider_phone": "+212 600 000 000",
            "case_number": row.case_number,
            "sent_on": "2026-01-05",
            "due_on": rules.due_on(sent, "weeks2").isoformat(),
        }
    ]


def test_directory_needs_an_action(office_db: Path, baom: Runner) -> None:
    result = baom("directory", "--db", str(office_db))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
