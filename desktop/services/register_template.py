"""The register template an office fills in before importing: .xlsx or .csv.

Sheet "Registre": the columns (French names, as the import expects), one obviously
fictitious example line and a note per column. Sheet "Valeurs": the accepted codes
of each coded column with their label in the interface language.
"""

from __future__ import annotations

import csv
from pathlib import Path

from desktop import i18n
from desktop.db.files import atomic_write_bytes
from desktop.domain import codelists

COLUMNS: tuple[str, ...] = (
    "nom",
    "prenom",
    "nom_ar",
    "prenom_ar",
    "sexe",
    "date_naissance",
    "age",
    "nationalite",
    "categorie",
    "date_premier_accueil",
    "telephone",
    "type_document",
    "numero_document",
    "besoins",
    "notes",
    "langues",
    "commune",
    "adresse",
    "statut_administratif",
    "date_arrivee",
)
EXAMPLE: tuple[str, ...] = (
    "Fictivi",
    "Awa",
    "فيكتيفي",
    "عوا",
    "F",
    "12/03/1990",
    "",
    "SN",
    "rpt_migrant",
    "02/01/2025",
    "0600 00 00 00",
    "passport",
    "ZZ0000000",
    "health_physical|housing",
    "Exemple fictif — à supprimer",
    "wo|fr",
    "",
    "Quartier Exemple",
    "irregular",
    "15/11/2024",
)
# Coded columns -> their code list (the "Valeurs" sheet).
CODED: dict[str, str] = {
    "sexe": "sex",
    "categorie": "category",
    "type_document": "document_type",
    "besoins": "domain",
    "langues": "language",
    "statut_administratif": "legal_status",
}


def write_template(path: Path, lang: str = i18n.DEFAULT_LANGUAGE) -> None:
    """The template as .xlsx (with the list of values) or .csv (``;``, UTF-8 with BOM, for Excel)."""
    if path.suffix.lower() == ".csv":
        _write_csv(path)
    else:
        _write_xlsx(path, lang)


def _write_csv(path: Path) -> None:
    import io

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow(EXAMPLE)
    atomic_write_bytes(path, b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))


def _write_xlsx(path: Path, lang: str) -> None:
    import io

    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Registre"
    sheet.append(list(COLUMNS))
    sheet.append(list(EXAMPLE))
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(COLUMNS, 1):
        cell = sheet.cell(row=1, column=index)
        cell.font = bold
        cell.fill = fill
        cell.comment = Comment(i18n.tr_in(lang, f"template.column.{column}"), "BAOM")
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(column) + 4)
        sheet.cell(row=2, column=index).number_format = "@"  # text: keeps 0600…, dates as typed
    sheet.freeze_panes = "A2"
    values = book.create_sheet("Valeurs")
    values.append([i18n.tr_in(lang, "template.values_column"), "code", i18n.tr_in(lang, "template.values_label")])
    for cell in values[1]:
        cell.font = bold
    for column, codelist in CODED.items():
        for code in codelists.CODELISTS[codelist]:
            values.append([column, code, i18n.tr_in(lang, codelists.label_key(codelist, code))])
    values.append(["nationalite", "SN, MA, CM…", i18n.tr_in(lang, "template.values_country")])
    for letter, width in (("A", 22), ("B", 22), ("C", 60)):
        values.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    atomic_write_bytes(path, buffer.getvalue())
