"""Importing an existing register: real files (CSV, XLSX) into a real encrypted office."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from desktop.db.models import AuditEntry, Case, Contact, Person
from desktop.domain.errors import InputRejected
from desktop.services import case_list, cases, register_import, register_template
from desktop.services.case_types import CaseFilter
from desktop.services.register_import import LINK, NEW, SKIP, LineDecision, import_register, preview_import
from tests.fictitious import fictitious

HEADER = (
    "nom;prenom;nom_ar;prenom_ar;sexe;date_naissance;age;nationalite;categorie;"
    "date_premier_accueil;telephone;type_document;numero_document;besoins;notes"
)
GOOD_LINES = [
    "Fictivi;Awa;;;F;12/03/1990;;Sénégal;migrant;2024-02-01;0600001111;passeport;ZZ0000111;"
    "santé|logement;Exemple fictif",
    "Exemplo;Jean;;;M;;34;CM;demandeur d'asile;15/06/2025;;;;;",
    ";;فيكتيفي;فاطمة;F;1985;;MA;MRE;01/01/2025;;;;administrative;",
]
TODAY = date(2026, 1, 15)


def write(path: Path, lines: list[str], encoding: str = "utf-8-sig", header: str = HEADER) -> Path:
    path.write_bytes(("\r\n".join([header, *lines]) + "\r\n").encode(encoding))
    return path


def count(handle: object, model: type) -> int:
    with handle.transaction() as session:  # type: ignore[attr-defined]
        return int(session.scalar(select(func.count()).select_from(model)))


# -- good files --------------------------------------------------------------------------
def test_a_good_csv_becomes_persons_cases_and_first_contacts(office, tmp_path):
    handle, _, _ = office
    preview = preview_import(handle, write(tmp_path / "registre.csv", GOOD_LINES), today=TODAY)
    assert preview.ok, preview.problems
    assert [line.line for line in preview.lines] == [2, 3, 4]
    assert preview.to_decide == []

    result = import_register(handle, preview)

    assert (result.new_persons, result.linked, result.skipped) == (3, 0, 0)
    with handle.transaction() as session:
        awa = session.scalars(select(Person).where(Person.given_name == "Awa")).one()
        assert (awa.sex, awa.nationality, awa.category, awa.birth_date) == ("F", "SN", "rpt_migrant", date(1990, 3, 12))
        case = session.scalars(select(Case).where(Case.person_id == awa.id)).one()
        assert case.opened_on == date(2024, 2, 1)
        assert case.number.startswith("B-2024-")
        contact = session.scalars(select(Contact).where(Contact.case_id == case.id)).one()
        assert (contact.kind, contact.needs, contact.note) == ("accueil", "health_physical|housing", "Exemple fictif")
        jean = session.scalars(select(Person).where(Person.given_name == "Jean")).one()
        assert jean.birth_year == TODAY.year - 34
        assert jean.category == "rpt_asylum_seeker"
        fatima = session.scalars(select(Person).where(Person.given_name_ar == "فاطمة")).one()
        assert fatima.birth_date is None and fatima.birth_year == 1985
    detail = cases.get_case(handle, case.id)
    assert [(d.kind, d.number) for d in detail.person.documents] == [("passport", "ZZ0000111")]
    assert [c.purpose for c in detail.consents] == ["processing"]
    # the search index knows them, in both scripts
    assert len(case_list.case_ids(handle, CaseFilter(search="Fictivi"))) == 1
    assert len(case_list.case_ids(handle, CaseFilter(search="فيكتيفي"))) == 1


def test_the_import_is_audited_once_per_record_and_once_for_the_file(office, tmp_path):
    handle, _, _ = office
    preview = preview_import(handle, write(tmp_path / "r.csv", GOOD_LINES), today=TODAY)
    import_register(handle, preview)
    with handle.transaction() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.detail.like("register %"))).all()
    tag = f"register {preview.sha256[:16]}"
    created = [e for e in entries if e.action == "created" and e.detail == tag]
    assert sorted({e.record_type for e in created}) == ["case", "person"]
    assert len([e for e in created if e.record_type == "person"]) == 3
    summary = [e for e in entries if e.action == "imported"]
    assert len(summary) == 1
    assert summary[0].detail == f"{tag}: 3 lines, 3 new, 0 linked, 0 skipped"
    for entry in entries:  # never a name in the audit detail
        assert "Fictivi" not in entry.detail and "Awa" not in entry.detail


def test_a_comma_csv_without_bom_and_a_second_read_warns_it_was_imported(office, tmp_path):
    handle, _, _ = office
    lines = [line.replace(";", ",") for line in GOOD_LINES[:2]]
    path = write(tmp_path / "r.csv", lines, encoding="utf-8", header=HEADER.replace(";", ","))
    preview = preview_import(handle, path, today=TODAY)
    assert preview.ok and len(preview.lines) == 2
    assert preview.imported_before is None
    import_register(handle, preview)
    again = preview_import(handle, path, today=TODAY)
    assert isinstance(again.imported_before, datetime)
    assert {line.line for line in again.to_decide} == {2, 3}  # every line is now a known person


# -- bad files ---------------------------------------------------------------------------
def test_bad_lines_are_all_reported_by_line_and_column_and_nothing_is_written(office, tmp_path):
    handle, _, _ = office
    lines = [
        *GOOD_LINES,
        "Faux;Ligne;;;X;31/02/1990;;Atlantide;inconnu;;abc;;;;",
        "Fictivi;Deux;;;F;12/03/90;;SN;transit;01/01/2025;;;ZZ0000999;;",
        "Fictivi;Trois;;;F;;;SN;transit;01/01/2030;;;;banane;",
        "محمد;;;;M;;30;SN;transit;01/01/2025;;;;;",
    ]
    preview = preview_import(handle, write(tmp_path / "r.csv", lines), today=TODAY)
    got = {(p.line, p.column, p.key) for p in preview.problems}
    assert {
        (5, "sexe", "import.sex_unknown"),
        (5, "date_naissance", "import.date_invalid"),
        (5, "nationalite", "import.nationality_unknown"),
        (5, "categorie", "import.category_unknown"),
        (5, "date_premier_accueil", "import.opened_missing"),
        (5, "telephone", "error.phone_invalid"),
        (6, "date_naissance", "import.year_two_digits"),
        (6, "type_document", "import.document_type_missing"),
        (7, "date_naissance", "error.age_required"),
        (7, "date_premier_accueil", "import.date_future"),
        (7, "besoins", "import.need_unknown"),
        (8, "nom", "error.name_latin_expected"),
    } <= got
    assert all(p.line in (5, 6, 7, 8) for p in preview.problems)
    bad_sex = next(p for p in preview.problems if p.key == "import.sex_unknown")
    assert bad_sex.params == {"value": "X"}
    assert not preview.ok
    with pytest.raises(InputRejected) as refused:
        import_register(handle, preview)
    assert refused.value.key == "import.has_problems"
    assert count(handle, Person) == 0 and count(handle, Case) == 0


def test_a_latin1_csv_is_refused_with_the_line_and_how_to_save_it(office, tmp_path):
    handle, _, _ = office
    path = write(tmp_path / "r.csv", ["Fictivi;Awa;;;F;12/03/1990;;SN;rpt_migrant;01/02/2024;;;;;", *GOOD_LINES[1:2]])
    path.write_bytes(path.read_bytes().decode("utf-8-sig").replace("Awa", "Aïcha").encode("latin-1"))
    with pytest.raises(InputRejected) as refused:
        preview_import(handle, path, today=TODAY)
    assert refused.value.key == "import.not_utf8"
    assert refused.value.params == {"line": 2}
    assert count(handle, Person) == 0


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("nom;prenom;sexe;age;categorie;date_premier_accueil", "import.columns_missing"),
        ("a;b;c;d", "import.no_header"),
    ],
)
def test_files_without_the_needed_columns_are_refused_whole(office, tmp_path, header, key):
    handle, _, _ = office
    path = write(tmp_path / "r.csv", ["x;y;z;w;v;u"], header=header)
    with pytest.raises(InputRejected) as refused:
        preview_import(handle, path, today=TODAY)
    assert refused.value.key == key
    if key == "import.columns_missing":
        assert refused.value.params == {"columns": "nationalite"}


@pytest.mark.parametrize(
    ("name", "data", "key"),
    [
        ("r.xls", b"\xd0\xcf\x11\xe0 old excel", "import.format_old"),
        ("r.xlsx", b"PK\x03\x04 not really a zip", "import.xlsx_unreadable"),
        ("r.pdf", b"%PDF-1.4", "import.format_unknown"),
        ("r.csv", b"", "import.empty"),
    ],
)
def test_files_that_are_not_registers_are_refused_in_plain_words(office, tmp_path, name, data, key):
    handle, _, _ = office
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputRejected) as refused:
        preview_import(handle, path, today=TODAY)
    assert refused.value.key == key


# -- Excel -------------------------------------------------------------------------------
def excel_computed(path: Path, values: dict[str, str | int]) -> None:
    """What Excel does on save: store each formula's computed value beside it."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    for ref, value in values.items():
        kind = ' t="str"' if isinstance(value, str) else ""
        xml, n = re.subn(
            rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/>', rf'<c r="{ref}"\1{kind}><f>\2</f><v>{value}</v>', xml
        )
        assert n == 1, ref
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)


def excel_register(path: Path) -> Path:
    """A register as offices keep them: a merged title, merged group headings, dates, formulas."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Registre BAOM fictif — 2025"])
    sheet.merge_cells("A1:J1")
    sheet.append(["Identité", None, None, "Naissance", None, "Origine", None, "Accueil", None, None])
    sheet.merge_cells("A2:C2")
    sheet.merge_cells("D2:E2")
    sheet.merge_cells("F2:G2")
    sheet.merge_cells("H2:J2")
    sheet.append(["Nom", "Prénom", "Sexe", "Date de naissance", "Âge", "Nationalité", "Catégorie",
                  "Date d'accueil", "Téléphone", "N° document"])  # fmt: skip
    sheet.append(["=UPPER(\"fictivi\")", "Awa", "F", datetime(1990, 3, 12), None, "Sénégalaise", "transit",
                  datetime(2025, 1, 2), 600001111, "=CONCATENATE(\"ZZ\",\"0001\")"])  # fmt: skip
    sheet.append(["Exemplo", "Jean", "M", None, "=2025-1990", "SN", None, datetime(2025, 1, 3), None, None])
    sheet.merge_cells("G4:G5")  # one category written once for two lines
    sheet.append(["Total : 2 personnes"])  # a footer offices add
    sheet.merge_cells("A6:J6")
    book.save(path)
    return path


def test_an_excel_register_with_formulas_and_merged_cells(office, tmp_path):
    handle, _, _ = office
    path = excel_register(tmp_path / "registre.xlsx")
    excel_computed(path, {"A4": "FICTIVI", "J4": "ZZ0001", "E5": 35})
    preview = preview_import(handle, path, today=TODAY)
    # the footer is a line like any other: it is reported, not silently dropped
    assert {(p.line, p.column) for p in preview.problems} >= {(6, "Sexe")}
    assert all(p.line == 6 for p in preview.problems)
    first, second = preview.lines
    assert (first.line, second.line) == (4, 5)
    assert first.person.family_name == "FICTIVI"
    assert first.person.birth_date == date(1990, 3, 12)
    assert first.person.phone == "0600001111"  # Excel dropped the leading 0
    assert first.person.nationality == "SN"
    assert [(d.kind, d.number) for d in first.person.documents] == [("other", "ZZ0001")]
    assert first.opened_on == date(2025, 1, 2)
    assert second.person.estimated_age == 35
    assert first.person.category == second.person.category == "rpt_transit"  # merged down


def test_formulas_excel_never_computed_are_named_by_cell(office, tmp_path):
    handle, _, _ = office
    path = excel_register(tmp_path / "registre.xlsx")  # saved by a program, not Excel
    preview = preview_import(handle, path, today=TODAY)
    uncomputed = [p for p in preview.problems if p.key == "import.formula_not_computed"]
    assert {(p.line, p.column, p.params["cell"]) for p in uncomputed} == {
        (4, "Nom", "A4"),
        (4, "N° document", "J4"),
        (5, "Âge", "E5"),
    }


def test_the_template_imports_its_own_example(office, tmp_path):
    handle, _, _ = office
    for name in ("modele.xlsx", "modele.csv"):
        path = tmp_path / name
        register_template.write_template(path, "fr")
        preview = preview_import(handle, path, today=TODAY)
        assert preview.ok, preview.problems
        assert preview.ignored_columns == []
        (line,) = preview.lines
        assert line.person.given_name == "Awa" and line.person.given_name_ar == "عوا"
        assert line.person.languages == ["wo", "fr"] and line.needs == ["health_physical", "housing"]
    book = openpyxl.load_workbook(tmp_path / "modele.xlsx")
    assert book.sheetnames == ["Registre", "Valeurs"]
    codes = {(row[0], row[1]) for row in book["Valeurs"].iter_rows(min_row=2, values_only=True)}
    assert ("categorie", "rpt_refugee") in codes and ("besoins", "legal") in codes


# -- duplicates --------------------------------------------------------------------------
def test_a_known_person_must_be_decided_then_skipped_or_linked(office, tmp_path):
    handle, _, _ = office
    known_id, known_case = cases.register(handle, fictitious(), opened_on=date(2024, 5, 2))
    lines = [
        "FICTIVI;Mohammed;;;M;12/04/1990;;SN;migrant;03/03/2025;;passport;ZZ123456;;",
        "Exemplo;Nouveau;;;M;;40;ML;transit;03/03/2025;;;;;",
        "Fictivi;Mouhamed;;;M;12/04/1990;;SN;migrant;04/03/2025;;;;;deuxième ligne",
    ]
    preview = preview_import(handle, write(tmp_path / "r.csv", lines), today=TODAY)
    assert preview.ok
    decide = {line.line: line for line in preview.to_decide}
    assert set(decide) == {2, 4}
    assert decide[2].duplicates[0].person_id == known_id
    with pytest.raises(InputRejected) as refused:
        import_register(handle, preview, {2: LineDecision(SKIP)})
    assert refused.value.key == "import.duplicates_undecided"
    assert count(handle, Case) == 1

    result = import_register(handle, preview, {2: LineDecision(LINK, person_id=known_id), 4: LineDecision(SKIP)})

    assert (result.new_persons, result.linked, result.skipped) == (1, 1, 1)
    detail = cases.get_case(handle, result.case_ids[0])
    assert detail.person_id == known_id
    assert detail.person.given_name == "Mohamed"  # the known identity is kept as it was
    assert (known_case, cases.get_case(handle, known_case).number) in detail.other_cases
    assert count(handle, Person) == 2


def test_two_lines_of_the_file_for_one_person(office, tmp_path):
    handle, _, _ = office
    lines = [
        "Fictivi;Awa;;;F;12/03/1990;;SN;migrant;01/02/2024;;passport;ZZ0000111;;",
        "Fictivi;Aoua;;;F;;35;SN;migrant;01/02/2025;;passeport;ZZ 0000 111;;",
    ]
    preview = preview_import(handle, write(tmp_path / "r.csv", lines), today=TODAY)
    (second,) = preview.to_decide
    assert (second.line, second.same_as_line, second.duplicates) == (3, 2, [])
    result = import_register(handle, preview, register_import.default_decisions(preview, LINK))
    assert (result.new_persons, result.linked) == (1, 1)
    first_case, second_case = (cases.get_case(handle, cid) for cid in result.case_ids)
    assert first_case.person_id == second_case.person_id
    with pytest.raises(InputRejected) as refused:  # linked to a line that is not imported
        import_register(handle, preview, {3: LineDecision(LINK, line=2), 2: LineDecision(SKIP)})
    assert refused.value.key == "import.link_target_missing"


def test_default_decisions_new_keeps_everyone(office, tmp_path):
    handle, _, _ = office
    cases.register(handle, fictitious(), opened_on=date(2024, 5, 2))
    lines = ["Fictivi;Mohamed;;;M;12/04/1990;;SN;migrant;03/03/2025;;;;;"]
    preview = preview_import(handle, write(tmp_path / "r.csv", lines), today=TODAY)
    decisions = register_import.default_decisions(preview, NEW)
    assert decisions == {2: LineDecision(NEW)}
    assert import_register(handle, preview, decisions).new_persons == 1
    assert count(handle, Person) == 2


# -- all or nothing ----------------------------------------------------------------------
def test_a_failure_in_the_middle_leaves_the_office_as_it_was(office, tmp_path, monkeypatch):
    handle, _, _ = office
    lines = [*GOOD_LINES, "Fictivi;Quatre;;;F;01/01/1991;;SN;migrant;01/02/2024;;;;housing;"]
    preview = preview_import(handle, write(tmp_path / "r.csv", lines), today=TODAY)
    real = cases.add_contact_in
    calls = []

    def fail_on_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(cases, "add_contact_in", fail_on_third)
    with pytest.raises(OSError):
        import_register(handle, preview)
    assert count(handle, Person) == 0 and count(handle, Case) == 0 and count(handle, Contact) == 0
    with handle.transaction() as session:
        assert session.scalar(select(func.count()).where(AuditEntry.action == "imported")) == 0
    assert case_list.case_ids(handle, CaseFilter(search="Fictivi")) == []


def test_officers_cannot_import_registers(office, tmp_path):
    from desktop.domain.errors import PermissionDenied
    from desktop.services import office as office_service
    from desktop.services import users

    handle, _, path = office
    users.add_user(handle, "agent", "Agent Fictif", "officer", "mot-de-passe-agent")
    register = write(tmp_path / "r.csv", GOOD_LINES)
    preview = preview_import(handle, register, today=TODAY)
    handle.close()
    with office_service.unlock(path, "agent", "mot-de-passe-agent") as officer:
        with pytest.raises(PermissionDenied):
            preview_import(officer, register, today=TODAY)
        with pytest.raises(PermissionDenied):
            import_register(officer, preview)
