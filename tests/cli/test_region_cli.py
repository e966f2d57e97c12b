"""``baom region``: init, add-office, import (exit 4 after importing the others), status."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop.services import office
from tests.cli.conftest import CLI_PASSWORD, Runner
from tests.region_fixtures import (
    EXAMPLE_COMMUNE,
    OTHER_COMMUNE,
    OUTSIDE_COMMUNE,
    key_text,
    make_extract,
    month_shift,
    months_before,
    tampered,
)

CODE = re.compile(r"\b[0-9A-Z]{5}(?:-[0-9A-Z]{5}){5}\b")
# Recent months, so that the extracts are plausible against the real clock of the command.
TODAY = datetime.now(UTC).date()
P1, P2 = months_before(TODAY, 3), months_before(TODAY, 2)


def _clean(result: object) -> None:
    assert "Traceback" not in getattr(result, "stderr", "")


@pytest.fixture
def region_db(tmp_path: Path, baom: Runner) -> Path:
    db = tmp_path / "region.baomdb"
    result = baom("region", "init", "--db", str(db), "--region", "09.", "--admin", "chef")
    assert result.returncode == 0, result.stderr
    assert len(CODE.findall(result.stdout)) == 1
    return db


def _key_file(folder: Path, name: str, content: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content.encode("utf-8"))
    return str(path)


def _add(baom: Runner, db: Path, commune: str, key: str) -> object:
    return baom("region", "add-office", "--db", str(db), "--user", "chef", "--commune", commune, "--key", key)


@pytest.fixture
def registered_db(region_db: Path, tmp_path: Path, baom: Runner) -> Path:
    result = _add(baom, region_db, EXAMPLE_COMMUNE, _key_file(tmp_path / "keys", "k.txt", key_text()))
    assert result.returncode == 0, result.stderr  # type: ignore[attr-defined]
    return region_db


def test_region_init(tmp_path: Path, baom: Runner) -> None:
    bad = tmp_path / "bad.baomdb"
    result = baom("region", "init", "--db", str(bad), "--region", "99", "--admin", "chef")
    assert result.returncode == 4
    assert "Code de région inconnu" in result.stderr
    assert not bad.exists()
    db = tmp_path / "r.baomdb"
    result = baom("region", "init", "--db", str(db), "--region", "09", "--admin", "chef", "--name", "Secrétariat SM")
    assert result.returncode == 0, result.stderr
    [code] = CODE.findall(result.stdout)
    with office.unlock_with_recovery(db, code) as handle:
        info = office.office_info(handle)
    assert (info.kind, info.commune_code, info.name) == ("region", "09.", "Secrétariat SM")
    with office.unlock(db, "chef", CLI_PASSWORD) as handle:
        assert handle.actor.role == "admin"


def test_add_office_and_its_refusals(region_db: Path, tmp_path: Path, baom: Runner) -> None:
    keys = tmp_path / "keys"
    good = key_text()
    wrong_fingerprint = good.replace("567C 33CA", "567C 33CB")
    not_base64 = good.replace("Kay64UG8", "Kay6*UG8")
    cases = [
        (EXAMPLE_COMMUNE, wrong_fingerprint, "ne correspond pas à la clé"),
        (EXAMPLE_COMMUNE, not_base64, "base64"),
        (OTHER_COMMUNE, good, "est celui de la commune 09.001.01.01."),
        (OUTSIDE_COMMUNE, key_text(OUTSIDE_COMMUNE), "n'est pas dans la région 09."),
    ]
    for i, (commune, content, message) in enumerate(cases):
        result = _add(baom, region_db, commune, _key_file(keys, f"bad{i}.txt", content))
        _clean(result)
        assert result.returncode == 4, (i, result.stdout)  # type: ignore[attr-defined]
        assert message in result.stderr  # type: ignore[attr-defined]
    path = _key_file(keys, "good.txt", good)
    result = _add(baom, region_db, EXAMPLE_COMMUNE, path)
    assert result.returncode == 0, result.stderr  # type: ignore[attr-defined]
    assert "enregistré" in result.stdout and "24F6 ED6A CBFE 1009 C030 D7CA 567C 33CA" in result.stdout  # type: ignore[attr-defined]
    again = _add(baom, region_db, EXAMPLE_COMMUNE, path)
    assert again.returncode == 0  # type: ignore[attr-defined]
    assert "déjà enregistrée" in again.stdout  # type: ignore[attr-defined]


def test_import_rejects_one_and_imports_the_others(registered_db: Path, tmp_path: Path, baom: Runner) -> None:
    inbox = tmp_path / "inbox"
    first = make_extract(inbox, period=P1)
    make_extract(inbox, period=P2, as_zip=False)
    bad = tampered(make_extract(tmp_path / "src", period=P2, generated_at=f"{month_shift(P2, 1)}-03T08:00:00Z"), inbox)
    result = baom("region", "import", "--db", str(registered_db), "--user", "chef", str(inbox))
    _clean(result)
    assert result.returncode == 4, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"{first.name} : importé — commune {EXAMPLE_COMMUNE}, {P1}") for line in lines)
    assert any(
        f"commune {EXAMPLE_COMMUNE}, {P2} (5 personnes, 4 orientations, 66 indicateurs)" in line for line in lines
    )
    at = next(i for i, line in enumerate(lines) if line.startswith(f"{bad.name} : REFUSÉ"))
    assert "persons.csv" in lines[at + 1] and lines[at + 1].startswith("    ")
    assert "Importés : 2 — remplacés : 0 — déjà importés : 0 — refusés : 1" in result.stdout
    assert "1 extrait(s) refusé(s)" in result.stderr

    again = baom("region", "import", "--db", str(registered_db), "--user", "chef", str(first), "--json")
    assert again.returncode == 0, again.stderr
    document = json.loads(again.stdout)
    assert document["totals"] == {"imported": 0, "replaced": 0, "already": 1, "rejected": 0}
    [extract] = document["extracts"]
    assert (extract["outcome"], extract["period"], extract["rows"]["persons"]) == ("already", P1, 5)

    status = baom("region", "status", "--db", str(registered_db), "--user", "chef", "--json")
    assert status.returncode == 0, status.stderr
    rows = json.loads(status.stdout)
    assert [(r["commune_code"], r["period"], r["rows"]) for r in rows] == [
        (EXAMPLE_COMMUNE, P1, {"persons": 5, "referrals": 4, "indicators": 66}),
        (EXAMPLE_COMMUNE, P2, {"persons": 5, "referrals": 4, "indicators": 66}),
    ]
    assert rows[0]["office_name"] == "BAOM Exemple (fictif)" and rows[0]["imported_by"] == "chef"
    text = baom("region", "status", "--db", str(registered_db), "--user", "chef")
    assert text.returncode == 0
    assert f"{EXAMPLE_COMMUNE}  BAOM Exemple (fictif)  {P2}" in text.stdout


def test_an_older_extract_needs_confirm_older(registered_db: Path, tmp_path: Path, baom: Runner) -> None:
    day = month_shift(P1, 1)
    older = make_extract(tmp_path / "old", period=P1, generated_at=f"{day}-02T08:00:00Z")
    newer = make_extract(tmp_path / "new", period=P1, generated_at=f"{day}-04T08:00:00Z", stages={0: "suivi"})
    db = str(registered_db)
    assert baom("region", "import", "--db", db, "--user", "chef", str(newer)).returncode == 0
    refused = baom("region", "import", "--db", db, "--user", "chef", str(older), "--json")
    assert refused.returncode == 4
    [extract] = json.loads(refused.stdout)["extracts"]
    assert extract["outcome"] == "rejected"
    assert [(p["code"], p["field"]) for p in extract["problems"]] == [("import.older", "generated_at")]
    assert "avant celui déjà importé" in extract["problems"][0]["message"]
    confirmed = baom("region", "import", "--db", db, "--user", "chef", str(older), "--confirm-older")
    assert confirmed.returncode == 0, confirmed.stderr
    assert "remplace l'extrait déjà importé" in confirmed.stdout
    assert "remplacés : 1" in confirmed.stdout


def test_an_office_database_refuses_region_commands(tmp_path: Path, baom: Runner) -> None:
    db = tmp_path / "bureau.baomdb"
    assert baom("init", "--db", str(db), "--commune", EXAMPLE_COMMUNE, "--admin", "chef").returncode == 0
    extract = make_extract(tmp_path / "x", period=P1)
    result = baom("region", "import", "--db", str(db), "--user", "chef", str(extract))
    _clean(result)
    assert result.returncode == 4
    assert "n'est pas celle d'un secrétariat régional" in result.stderr
    status = baom("region", "status", "--db", str(db), "--user", "chef")
    assert status.returncode == 4


def test_status_of_an_empty_region_and_arabic(region_db: Path, baom: Runner) -> None:
    result = baom("region", "status", "--db", str(region_db), "--user", "chef")
    assert result.returncode == 0
    assert "Aucun extrait importé" in result.stdout
    arabic = baom("--lang", "ar", "region", "status", "--db", str(region_db), "--user", "chef")
    assert "لا يوجد أي مستخرج مستورد" in arabic.stdout
