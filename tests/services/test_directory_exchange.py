"""Exchanging the directory as .xlsx / .csv: real files, real encrypted offices, fictitious providers."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

from desktop.db.models import AuditEntry, Provider
from desktop.domain.errors import InputRejected
from desktop.services import directory
from desktop.services import office as office_service
from desktop.services.directory_exchange import apply_directory_import, export_directory, preview_directory_import
from desktop.services.directory_file import FORMULA_START, neutralise, restore
from desktop.services.office import OfficeHandle
from desktop.services.referral_types import DirectoryFilter, ProviderInput, ServiceInput
from tests.conftest import ADMIN_LOGIN, ADMIN_NAME, ADMIN_PASSWORD, OFFICE_COMMUNE

TODAY = date(2026, 3, 1)
PAYLOAD = '=HYPERLINK("http://x","y")'
PHONE = "+212 600 000 000"


def providers() -> list[ProviderInput]:
    return [
        ProviderInput(
            name_fr="Association Exemple Fictive",
            name_ar="جمعية مثال وهمية",
            kind="associative",
            domains=["housing", "legal_aid"],
            address="12 rue Imaginaire",
            commune_code=OFFICE_COMMUNE,
            coverage="province",
            focal_point="Mme Fictive",
            phone=PHONE,
            email="contact@exemple-fictif.ma",
            hours={"mon": "08:30-12:00, 14:00-16:30", "fri": "09:00-12:00"},
            languages=["fr", "ar", "ary"],
            cost="reduced",
            documents_required="Pièce d'identité; justificatif",
            publics=["refugee", "asylum_seeker"],
            notes='Première ligne\nseconde ligne; avec « guillemets » et "doubles"',
            verified_on=date(2025, 11, 3),
            services=[
                ServiceInput("Hébergement d'urgence", "housing", "إيواء", "Femmes seules", "-poste 12"),
                ServiceInput("Permanence juridique", "legal_aid", active=False),
            ],
        ),
        ProviderInput(name_fr=PAYLOAD, kind="private", domains=["other"], coverage="national", phone="-1", notes="@x"),
        ProviderInput(
            name_fr="Centre Fictif de Santé",
            kind="public",
            domains=["health_physical"],
            commune_code="09.001.01.01.",
            phone="0522 00 00 00",
            verified_on=date(2025, 6, 1),
            active=False,
        ),
    ]


@pytest.fixture
def filled(office: tuple[OfficeHandle, str, Path]) -> OfficeHandle:
    handle = office[0]
    for data in providers():
        directory.save_provider(handle, data)
    return handle


@pytest.fixture
def second(tmp_path: Path) -> Iterator[OfficeHandle]:
    handle, _ = office_service.create_office(
        tmp_path / "autre.baomdb",
        commune_code="09.001.01.01.",
        office_name="Autre BAOM Fictif",
        admin_login=ADMIN_LOGIN,
        admin_name=ADMIN_NAME,
        admin_password=ADMIN_PASSWORD,
    )
    try:
        yield handle
    finally:
        handle.close()


def everything(handle: OfficeHandle) -> dict[str, ProviderInput]:
    """Every provider by uid, services without their (office-specific) ids."""
    rows = directory.list_providers(handle, DirectoryFilter(include_inactive=True))
    found = {}
    for row in rows:
        data = directory.get_provider(handle, row.id)
        found[data.uid] = dataclasses.replace(data, services=[dataclasses.replace(s, id=None) for s in data.services])
    return found


def by_name(handle: OfficeHandle, name: str) -> ProviderInput:
    return next(d for d in everything(handle).values() if d.name_fr == name)


def provider_count(handle: OfficeHandle) -> int:
    with handle.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Provider)))


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline=""), delimiter=";"))


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8-sig"))
    return path


# -- round trip --------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_round_trip_into_a_fresh_office(filled: OfficeHandle, second: OfficeHandle, tmp_path: Path, suffix: str):
    path = tmp_path / f"annuaire{suffix}"
    assert export_directory(filled, path) == 3

    preview = preview_directory_import(second, path, today=TODAY)
    assert preview.ok, preview.problems
    assert sorted(e.name for e in preview.added) == sorted(p.name_fr for p in providers())
    assert (preview.changed, preview.unchanged, preview.local_only) == ([], [], [])
    result = apply_directory_import(second, preview)
    assert (result.added, result.changed, result.kept, result.unchanged, result.local_only) == (3, 0, 0, 0, 0)

    assert everything(second) == everything(filled)
    assert by_name(second, PAYLOAD).phone == "-1"
    assert by_name(second, "Association Exemple Fictive").phone == PHONE

    again = preview_directory_import(second, path, today=TODAY)
    assert again.ok and (again.added, again.changed, again.local_only) == ([], [], [])
    assert len(again.unchanged) == 3


def test_export_is_audited_and_shaped_for_excel(filled: OfficeHandle, tmp_path: Path):
    path = tmp_path / "annuaire.csv"
    export_directory(filled, path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(path)
    assert rows[0][:4] == ["uid", "nom", "nom_ar", "type"] and rows[0][-3:] == ["verifie_le", "actif", "services"]
    assert len(rows) == 4 and all(len(r) == len(rows[0]) for r in rows)
    for row in rows:
        for cell in row:
            assert cell[:1] not in FORMULA_START, cell  # no cell a spreadsheet could run
    names = {r[1] for r in rows[1:]}
    assert "'" + PAYLOAD in names
    assert "'" + PHONE in {r[9] for r in rows[1:]}
    assert "2025-11-03" in {r[rows[0].index("verifie_le")] for r in rows[1:]}
    with filled.transaction() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None
        assert (entry.action, entry.record_type, entry.detail) == ("exported", "provider", "directory csv: 3 providers")


def test_xlsx_cells_are_text_never_formulas(filled: OfficeHandle, tmp_path: Path):
    path = tmp_path / "annuaire.xlsx"
    export_directory(filled, path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Annuaire", "Services"]
    sheet = book["Annuaire"]
    header = [c.value for c in sheet[1]]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert all(c.data_type != "f" for c in cells)
    names = [c.value for c in sheet[get_column(header, "nom")]][1:]
    assert "'" + PAYLOAD in names
    dates = [c.value for c in sheet[get_column(header, "verifie_le")]][1:]
    assert date(2025, 11, 3) in [d.date() if d else None for d in dates]
    services = book["Services"]
    assert [c.value for c in services[1]][:3] == ["structure_uid", "structure", "nom"]
    assert services.max_row == 3  # two services, both written (one inactive)
    assert "'-poste 12" in [c.value for row in services.iter_rows() for c in row]


def get_column(header: list[object], name: str) -> str:
    return get_column_letter(header.index(name) + 1)


@pytest.mark.parametrize(
    "text", ["=1+1", "+212 600", "-", "@SUM(A1)", "\tx", "'abc", "'=x", "''", "'", "normal", "", "l'=x"]
)
def test_neutralise_then_restore_is_exact(text: str):
    written = neutralise(text)
    assert written[:1] not in FORMULA_START
    assert restore(written) == text


# -- diff --------------------------------------------------------------------------------
def test_a_modified_file_shows_added_changed_unchanged_and_local_only(filled: OfficeHandle, tmp_path: Path):
    path = tmp_path / "annuaire.csv"
    export_directory(filled, path)
    rows = csv_rows(path)
    header = rows[0]
    by = {r[1]: r for r in rows[1:]}
    association = by["Association Exemple Fictive"]
    association[header.index("telephone")] = "0537 11 22 33"
    del by["Centre Fictif de Santé"]  # removed from the file: stays in the office
    new = [""] * len(header)
    new[header.index("nom")] = "Association Exemple Fictive Nouvelle"
    new[header.index("type")] = "associative"
    new[header.index("domaines")] = "psychosocial|education"
    new[header.index("commune")] = OFFICE_COMMUNE
    write_csv(path, [header, *by.values(), new])

    preview = preview_directory_import(filled, path, today=TODAY)

    assert preview.ok, preview.problems
    # line numbers are the file's physical lines: the association's notes take two
    assert [(e.line, e.name) for e in preview.added] == [(5, "Association Exemple Fictive Nouvelle")]
    [changed] = preview.changed
    assert (changed.name, changed.kept) == ("Association Exemple Fictive", False)
    assert [(c.column, c.old, c.new) for c in changed.changes] == [("telephone", PHONE, "0537 11 22 33")]
    assert [e.name for e in preview.unchanged] == [PAYLOAD]
    assert [p.name for p in preview.local_only] == ["Centre Fictif de Santé"]
    assert provider_count(filled) == 3  # the preview writes nothing

    result = apply_directory_import(filled, preview)

    assert (result.added, result.changed, result.unchanged, result.local_only) == (1, 1, 1, 1)
    assert provider_count(filled) == 4
    assert by_name(filled, "Centre Fictif de Santé").phone == "0522 00 00 00"  # never deleted
    assert by_name(filled, "Association Exemple Fictive").phone == "0537 11 22 33"
    assert by_name(filled, "Association Exemple Fictive").services == providers()[0].services
    added = by_name(filled, "Association Exemple Fictive Nouvelle")
    assert (added.domains, added.cost, len(added.uid)) == (["psychosocial", "education"], "free", 36)
    with filled.transaction() as session:
        details = list(session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "imported")))
        assert len(details) == 1 and details[0].endswith("1 added, 1 changed, 0 kept, 1 unchanged, 1 local only")


def test_the_office_copy_verified_later_is_kept(filled: OfficeHandle, tmp_path: Path):
    path = tmp_path / "annuaire.xlsx"
    export_directory(filled, path)
    book = openpyxl.load_workbook(path)
    sheet = book["Annuaire"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("nom")].value == "Association Exemple Fictive":
            row[header.index("telephone")].value = "0537 99 99 99"
            row[header.index("verifie_le")].value = date(2024, 1, 1)  # older than the office's
        if row[header.index("nom")].value == "Centre Fictif de Santé":
            row[header.index("email")].value = "sante@exemple-fictif.ma"
            row[header.index("verifie_le")].value = date(2026, 2, 1)  # newer: the file wins
    book.save(path)

    preview = preview_directory_import(filled, path, today=TODAY)

    assert preview.ok, preview.problems
    [kept] = preview.kept
    assert kept.name == "Association Exemple Fictive"
    assert [(c.column, c.new) for c in kept.changes] == [("telephone", "0537 99 99 99")]
    [written] = [e for e in preview.changed if not e.kept]
    assert written.fields == ["email", "verifie_le"]
    result = apply_directory_import(filled, preview)
    assert (result.changed, result.kept) == (1, 1)
    assert by_name(filled, "Association Exemple Fictive").phone == PHONE
    centre = by_name(filled, "Centre Fictif de Santé")
    assert (centre.email, centre.verified_on) == ("sante@exemple-fictif.ma", date(2026, 2, 1))


def test_a_hand_made_file_matches_by_name_and_commune(filled: OfficeHandle, tmp_path: Path):
    """No uid, labels instead of codes, commas, a column missing: it still merges, nothing lost."""
    path = tmp_path / "fait-main.csv"
    path.write_text(
        "Nom,Type,Domaines,Commune,Téléphone\n"
        "ASSOCIATION exemple fictive,Associative,Hébergement et logement;Aide juridique,"
        f"{OFFICE_COMMUNE},0537 00 00 01\n"
        "Centre fictif de sante,public,health_physical,09.541.01.11.,0522 00 00 00\n",
        encoding="utf-8",
    )
    preview = preview_directory_import(filled, path, today=TODAY)
    assert preview.ok, preview.problems
    [changed] = preview.changed
    assert (changed.name, changed.fields) == ("ASSOCIATION exemple fictive", ["nom", "telephone"])
    # same name, other commune: another provider
    assert [e.name for e in preview.added] == ["Centre fictif de sante"]
    apply_directory_import(filled, preview)
    kept = by_name(filled, "ASSOCIATION exemple fictive")
    assert kept.email == "contact@exemple-fictif.ma" and kept.hours["mon"] == "08:30-12:00, 14:00-16:30"
    assert kept.uid == changed.data.uid and len(kept.services) == 2


def test_services_absent_from_the_file_are_kept(filled: OfficeHandle, tmp_path: Path):
    path = tmp_path / "annuaire.csv"
    export_directory(filled, path)
    rows = csv_rows(path)
    column = rows[0].index("services")
    for row in rows[1:]:
        if row[1] == "Association Exemple Fictive":
            row[column] = json.dumps(
                [
                    {"domaine": "housing", "nom": "Hébergement d'urgence", "actif": "non"},
                    {"domaine": "Éducation", "nom": "Cours de darija"},  # a label is read as its code
                ]
            )
    write_csv(path, rows)
    preview = preview_directory_import(filled, path, today=TODAY)
    assert preview.ok, preview.problems
    [changed] = preview.changed
    assert changed.fields == ["services"]
    apply_directory_import(filled, preview)
    services = {s.name_fr: s for s in by_name(filled, "Association Exemple Fictive").services}
    assert set(services) == {"Hébergement d'urgence", "Permanence juridique", "Cours de darija"}
    assert not services["Hébergement d'urgence"].active
    assert services["Hébergement d'urgence"].conditions == ""  # the file's values
    assert services["Cours de darija"].domain == "education"


# -- refusals ----------------------------------------------------------------------------
def test_bad_rows_are_listed_by_line_and_nothing_is_applied(filled: OfficeHandle, tmp_path: Path):
    path = tmp_path / "annuaire.csv"
    export_directory(filled, path)
    rows = csv_rows(path)
    header = rows[0]
    rows[1][header.index("domaines")] = "housing|astrologie"
    rows[2][header.index("commune")] = "99.999.99.99."
    rows[3][header.index("email")] = "pas-une-adresse"
    good = [""] * len(header)
    good[header.index("nom")], good[header.index("type")], good[header.index("domaines")] = "Neuve", "public", "other"
    good[header.index("couverture")] = "national"
    write_csv(path, [*rows, good])
    before = everything(filled)

    preview = preview_directory_import(filled, path, today=TODAY)

    assert not preview.ok
    found = [(p.line, p.column, p.key) for p in preview.problems]
    assert found == [
        (2, "domaines", "directory.import.domain_unknown"),
        (3, "commune", "import.commune_unknown"),
        (5, "email", "directory.import.email_invalid"),  # the line before holds a two-line note
    ]
    assert preview.problems[0].params == {"value": "astrologie"}
    with pytest.raises(InputRejected) as refused:
        apply_directory_import(filled, preview)
    assert refused.value.key == "directory.import.has_problems" and refused.value.params == {"count": 3}
    assert everything(filled) == before


def test_services_sheet_lines_are_checked_too(filled: OfficeHandle, tmp_path: Path):
    path = tmp_path / "annuaire.xlsx"
    export_directory(filled, path)
    book = openpyxl.load_workbook(path)
    book["Services"].append(["inconnu-0001", "", "Service orphelin", "", "housing"])
    book["Services"].append([None, "Association Exemple Fictive", "Sans domaine"])
    book.save(path)
    preview = preview_directory_import(filled, path, today=TODAY)
    found = [(p.sheet, p.line, p.column, p.key) for p in preview.problems]
    assert found == [
        ("Services", 4, "structure_uid", "directory.import.service_provider_unknown"),
        ("Services", 5, "domaine", "directory.import.service_domain_missing"),
    ]


def test_two_lines_for_one_provider_are_refused(filled: OfficeHandle, tmp_path: Path):
    path = tmp_path / "annuaire.csv"
    export_directory(filled, path)
    rows = csv_rows(path)
    write_csv(path, [*rows, rows[1]])
    preview = preview_directory_import(filled, path, today=TODAY)
    assert [(p.line, p.column, p.key) for p in preview.problems] == [(6, "uid", "directory.import.uid_twice")]
    assert preview.problems[0].params == {"line": 2}


def test_latin1_csv_is_refused(filled: OfficeHandle, tmp_path: Path):
    path = tmp_path / "annuaire.csv"
    path.write_bytes("nom;type;domaines;couverture\nCentre Fictif de Santé;public;other;national\n".encode("cp1252"))
    with pytest.raises(InputRejected) as refused:
        preview_directory_import(filled, path, today=TODAY)
    assert refused.value.key == "import.not_utf8" and refused.value.params == {"line": 2}


def test_a_file_without_directory_columns_is_refused(filled: OfficeHandle, tmp_path: Path):
    path = tmp_path / "registre.csv"
    path.write_text("nom;prenom;sexe\nFictivi;Awa;F\n", encoding="utf-8")
    with pytest.raises(InputRejected) as refused:
        preview_directory_import(filled, path, today=TODAY)
    assert refused.value.key == "directory.import.no_header"


def test_applying_a_stale_preview_is_refused(filled: OfficeHandle, tmp_path: Path):
    path = tmp_path / "annuaire.csv"
    export_directory(filled, path)
    preview = preview_directory_import(filled, path, today=TODAY)
    meanwhile = ProviderInput(name_fr="Ajoutée entre-temps", kind="public", domains=["other"], coverage="national")
    directory.save_provider(filled, meanwhile)
    with pytest.raises(InputRejected) as refused:
        apply_directory_import(filled, preview)
    assert refused.value.key == "directory.import.stale"


def test_export_format_is_checked(filled: OfficeHandle, tmp_path: Path):
    with pytest.raises(InputRejected) as refused:
        export_directory(filled, tmp_path / "annuaire.ods")
    assert refused.value.key == "directory.export.format"
    assert not (tmp_path / "annuaire.ods").exists()
