"""The preview of the regional extract: the privacy summary, the three CSV files as tables, the manifest.

What is shown is read back from the very bytes that will be written (``Extract.files``),
not from the rows they were made of: the tables are the files. Cells show the codes as
written; "Afficher les libellés" shows their labels instead (the files do not change),
and each cell's tooltip gives the other form.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop import i18n
from desktop.domain import extract_format as fmt
from desktop.domain.geography import geography
from desktop.domain.periods import Period
from desktop.i18n import tr
from desktop.reports import stats_tables
from desktop.services import extract
from desktop.services.extract import Extract
from desktop.services.office import OfficeHandle
from desktop.ui.pages.statistics.texts import LRI, PDI, ltr, month_label
from desktop.ui.widgets.common import format_number

KEY_COLUMN_WIDTH = 150
"""The 64-hex keys, elided in the middle (the tooltip gives them whole)."""
KEY_COLUMNS = frozenset({"person_key", "referral_key"})
YES_NO_COLUMNS = frozenset({"received_in_month", "overdue_at_end", *fmt.VULN_COLUMNS})
VALUE_PREFIX = {
    "category": "category",
    "sex": "sex",
    "age_band": "stats.age_band",
    "nationality_group": "stats.nationality_group",
    "stage": "stage",
    "vulnerability_level": "level",
    "direction": "direction",
    "domain": "service_domain",
    "provider_kind": "stats.provider_kind",
    "urgency": "urgency",
    "state_at_end": "referral_state",
    "outcome": "outcome",
}
"""Columns whose codes have a label in the code lists (``prefix.code``)."""
GENERALISED = {
    "returnee": "extract_ui.value.returnee",
    "rpt": "extract_ui.value.rpt",
    "0-17": "extract_ui.value.age_0_17",
    "18-59": "extract_ui.value.age_18_59",
    "foreign": "extract_ui.value.foreign",
}
"""Values the k-anonymity ladder writes that no code list has."""


@dataclass(frozen=True)
class CsvTable:
    """One CSV file as read back from its bytes: its header and its rows, cells as written."""

    name: str
    header: tuple[str, ...]
    rows: list[tuple[str, ...]] = field(default_factory=list)


@dataclass(frozen=True)
class Preview:
    """The extract (what will be written, byte for byte) and its CSV files read back."""

    extract: Extract
    tables: Mapping[str, CsvTable]

    @property
    def period(self) -> Period:
        return self.extract.period


def read_csv(name: str, data: bytes) -> CsvTable:
    """The file as a spreadsheet would read it: UTF-8 with BOM, ``;``, RFC 4180."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";")
    lines = [tuple(line) for line in reader]
    if not lines:
        return CsvTable(name, ())
    return CsvTable(name, lines[0], lines[1:])


def build_preview(handle: OfficeHandle, period: Period) -> Preview:
    """On the database thread: the month's extract, and its files read back for the tables."""
    built = extract.build_extract(handle, period)
    return Preview(built, {name: read_csv(name, built.files[name]) for name in fmt.CSV_FILES})


# -- what a code means --------------------------------------------------------------------------


def _known(key: str, **params: Any) -> str | None:
    return tr(key, **params) if key in i18n.messages() else None


def _place(code: str, lang: str) -> str | None:
    geo = geography()
    try:
        if len(code) == 13:
            return geo.name(geo.commune(code), lang)
        if len(code) == 7:
            return tr("extract_ui.value.province", name=geo.name(geo.province(code), lang))
        if len(code) == 3:
            return tr("extract_ui.value.region", name=geo.name(geo.region(code), lang))
    except KeyError:
        return None
    return None


def _first_reception(value: str) -> str | None:
    lang = i18n.language()
    if len(value) == 7 and value[4] == "-" and value[5:].isdigit() and 1 <= int(value[5:]) <= 12:
        return i18n.tr_in(lang, f"stats.month.{int(value[5:])}") + f" {value[:4]}"
    if len(value) == 7 and value[5] == "Q":
        return tr("extract_ui.value.quarter", quarter=value[6], year=value[:4])
    return None


def cell_label(column: str, value: str, row: Mapping[str, str]) -> str | None:
    """What a cell's code means in the interface language (None: the code says it all)."""
    if value == "":
        return None
    if column in YES_NO_COLUMNS:
        return tr("extract_ui.value.yes") if value == "1" else tr("extract_ui.value.no") if value == "0" else None
    if value in GENERALISED and column in ("category", "age_band", "nationality_group"):
        return tr(GENERALISED[value])
    if column == "residence":
        return tr("extract_ui.value.unknown") if value == "unknown" else _place(value, i18n.language())
    if column in ("first_reception", "month_sent", "counter_month"):
        return _first_reception(value)
    if column in VALUE_PREFIX:
        return _known(f"{VALUE_PREFIX[column]}.{value}")
    if column == "indicator":
        return _known(f"stats.indicator.{value}")
    if column == "unit":
        return _known(f"extract_ui.unit.{value}")
    if column in ("dimension", "key") and value == "total":
        return tr("extract_ui.value.total")
    if column == "dimension":
        return _known(f"stats.dimension.{value}")
    if column == "key":
        dimension = row.get("dimension", "")
        if dimension == "provider":
            return None  # the directory's uid: the region's directory names it
        label = stats_tables.value_label(dimension, value, i18n.language())
        return label if label != value else None
    return None


def column_tip(file_name: str, column: str) -> str:
    """What a column holds, for its header's tooltip."""
    if column.startswith("vuln_"):
        criterion = column[len("vuln_") :]
        text = tr("extract_ui.column.vuln", criterion=_known(f"criterion.{criterion}") or criterion)
    elif column == "person_key" and file_name == fmt.REFERRALS:
        text = tr("extract_ui.column.referral_person_key")
    else:
        text = _known(f"extract_ui.column.{column}") or column
    if file_name == fmt.PERSONS and column in fmt.QUASI_IDENTIFIERS:
        text += "\n" + tr("extract_ui.column.qi")
    return text


def _is_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def as_written(text: str) -> str:
    """A code kept left to right in a right-to-left cell ("09.001." does not become ".09.001")."""
    return f"{LRI}{text}{PDI}" if text and i18n.is_rtl() and not _is_arabic(text) else text


def rtl_paragraph(text: str) -> str:
    """A label's text that starts with Latin still reads from the right in Arabic (RLM in front)."""
    return "\u200f" + text if text and i18n.is_rtl() else text


def _mono_font() -> Any:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


# -- the tables -----------------------------------------------------------------------------------


class CsvModel(QAbstractTableModel):
    """One CSV file's rows, cells as written (or their labels); headers are the file's column names."""

    def __init__(self, file_name: str) -> None:
        super().__init__()
        self.file_name = file_name
        self.table = CsvTable(file_name, ())
        self.labels = False

    def set_table(self, table: CsvTable | None) -> None:
        self.beginResetModel()
        self.table = table or CsvTable(self.file_name, ())
        self.endResetModel()

    def set_labels(self, on: bool) -> None:
        if on != self.labels:
            self.labels = on
            self.refresh()

    def refresh(self) -> None:
        """The language (or the labels switch) changed: every text again."""
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))
        if self.columnCount():
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.table.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.table.header)

    def cell(self, row: int, column: int) -> str:
        cells = self.table.rows[row]
        return cells[column] if column < len(cells) else ""

    def label(self, row: int, column: int) -> str | None:
        cells = self.table.rows[row]
        named = dict(zip(self.table.header, cells, strict=False))
        return cell_label(self.table.header[column], self.cell(row, column), named)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            value = self.cell(row, column)
            label = self.label(row, column) if self.labels else None
            return label if label is not None else as_written(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            value = self.cell(row, column)
            label = self.label(row, column)
            if label is None:
                return value or tr("extract_ui.column.empty")
            if self.labels:
                return tr("extract_ui.column.code", code=value)
            return tr("extract_ui.column.label", label=label)
        if role == Qt.ItemDataRole.FontRole and self.table.header[column] in KEY_COLUMNS:
            return _mono_font()
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical:
            return format_number(section + 1) if role == Qt.ItemDataRole.DisplayRole else None
        if not 0 <= section < len(self.table.header):
            return None
        column = self.table.header[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column
        if role == Qt.ItemDataRole.ToolTipRole:
            return column_tip(self.file_name, column)
        return None


class CsvPage(QWidget):
    """A note on what the file is, then its rows."""

    def __init__(self, file_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.file_name = file_name
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.model = CsvModel(file_name)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 6, 4, 4)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)

    def set_table(self, table: CsvTable | None) -> None:
        self.model.set_table(table)
        self.fit_columns()

    def fit_columns(self) -> None:
        self.table.resizeColumnsToContents()
        for index, column in enumerate(self.model.table.header):
            if column in KEY_COLUMNS:
                self.table.setColumnWidth(index, KEY_COLUMN_WIDTH)

    def retranslate(self) -> None:
        key = {fmt.PERSONS: "persons", fmt.REFERRALS: "referrals", fmt.INDICATORS: "indicators"}[self.file_name]
        self.note.setText(tr(f"extract_ui.note.{key}", k=fmt.K))
        self.model.refresh()
        if self.model.labels:
            self.fit_columns()


# -- the privacy summary ---------------------------------------------------------------------------


class PrivacySummary(QGroupBox):
    """What never leaves, k reached, persons written / generalised / suppressed, referrals, indicators."""

    ROWS = ("never", "k", "persons", "referrals", "indicators")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headings: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        grid = QGridLayout(self)
        grid.setColumnStretch(1, 1)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        for line, name in enumerate(self.ROWS):
            heading = QLabel()
            heading.setStyleSheet("font-weight: 600;")
            heading.setAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignTop)
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(heading, line, 0)
            grid.addWidget(value, line, 1)
            self.headings[name], self.values[name] = heading, value
        self.built: Extract | None = None

    def show_extract(self, built: Extract | None) -> None:
        self.built = built
        self.retranslate()

    def text(self) -> str:
        """Every line as read (for tests and the clipboard)."""
        return "\n".join(f"{self.headings[n].text()} {self.values[n].text()}" for n in self.ROWS)

    def retranslate(self) -> None:
        self.setTitle(tr("extract_ui.privacy.title"))
        for name in self.ROWS:
            self.headings[name].setText(tr(f"extract_ui.privacy.{name}_heading"))
        self.values["never"].setText(tr("extract_ui.privacy.never"))
        self.values["persons"].setToolTip(tr("extract_ui.privacy.persons_tip"))
        self.headings["persons"].setToolTip(tr("extract_ui.privacy.persons_tip"))
        built = self.built
        if built is None:
            for name in self.ROWS[1:]:
                self.values[name].clear()
            return
        n = format_number
        if built.smallest_class:
            k_text = tr("extract_ui.privacy.k", reached=n(built.smallest_class), required=n(fmt.K))
        else:
            k_text = tr("extract_ui.privacy.k_none", required=n(fmt.K))
        self.values["k"].setText(k_text)
        self.values["persons"].setText(
            tr(
                "extract_ui.privacy.persons",
                population=n(built.count("persons", "population")),
                written=n(built.count("persons", "written")),
                generalised=n(built.count("persons", "generalised")),
                suppressed=n(built.count("persons", "suppressed")),
            )
        )
        self.values["referrals"].setText(
            tr(
                "extract_ui.privacy.referrals",
                written=n(built.count("referrals", "written")),
                blanked=n(built.count("referrals", "person_key_blanked")),
            )
        )
        rows = int(built.manifest["files"][fmt.INDICATORS]["rows"])
        self.values["indicators"].setText(tr("extract_ui.privacy.indicators", rows=n(rows)))


# -- the manifest ------------------------------------------------------------------------------------


def _generated_text(stamp: str) -> str:
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    # Not the locale's format: Arabic's holds right-to-left marks that scramble it beside the UTC stamp.
    local = moment.astimezone().strftime("%d/%m/%Y %H:%M")
    return tr("extract_ui.manifest.generated_value", local=ltr(local), utc=ltr(stamp))


class ManifestPage(QWidget):
    """The manifest as a form, its files with rows and SHA-256, and its exact text."""

    FIELDS = ("commune", "period", "generated_at", "app_version", "schema", "signing_key", "key_series", "k", "sha256")
    FILE_COLUMNS = ("name", "rows", "size", "sha256")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.built: Extract | None = None
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.labels: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        for name in self.FIELDS:
            label, value = QLabel(), QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if name in ("signing_key", "key_series", "sha256"):
                value.setFont(_mono_font())
            self.form.addRow(label, value)
            self.labels[name], self.values[name] = label, value
        self.files = QTableWidget(0, len(self.FILE_COLUMNS))
        self.files.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.files.verticalHeader().hide()
        self.files.horizontalHeader().setStretchLastSection(True)
        self.files.horizontalHeader().setHighlightSections(False)
        self.files.setAlternatingRowColors(True)
        self.files.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.files.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.files.verticalHeader().setDefaultSectionSize(self.files.fontMetrics().height() + 8)
        self.raw_label = QLabel()
        self.raw = QPlainTextEdit()
        self.raw.setReadOnly(True)
        self.raw.setFont(_mono_font())
        self.raw.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.raw.setWordWrapMode(self.raw.wordWrapMode().WrapAnywhere)
        self.raw.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # JSON reads left to right
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 6, 4, 4)
        layout.addWidget(self.note)
        layout.addLayout(self.form)
        layout.addWidget(self.files)
        layout.addWidget(self.raw_label)
        layout.addWidget(self.raw, 1)

    def show_extract(self, built: Extract | None) -> None:
        self.built = built
        self.raw.setPlainText(built.files[fmt.MANIFEST].decode("ascii") if built is not None else "")
        self.retranslate()

    def value_text(self, name: str) -> str:
        return self.values[name].text()

    def _fill_files(self, built: Extract | None) -> None:
        entries: Mapping[str, Mapping[str, Any]] = built.manifest["files"] if built is not None else {}
        names = [name for name in fmt.FILES if name in entries]
        self.files.setRowCount(len(names))
        for row, name in enumerate(names):
            assert built is not None
            entry = entries[name]
            rows = format_number(int(entry["rows"])) if "rows" in entry else "—"
            cells = (name, rows, format_number(len(built.files[name])), str(entry["sha256"]))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if column == 3:
                    item.setFont(_mono_font())
                self.files.setItem(row, column, item)
        self.files.resizeColumnsToContents()
        rows_height = sum(self.files.rowHeight(row) for row in range(self.files.rowCount()))
        frame = 2 * self.files.frameWidth()
        self.files.setFixedHeight(self.files.horizontalHeader().sizeHint().height() + rows_height + frame)

    def retranslate(self) -> None:
        self.note.setText(tr("extract_ui.note.manifest"))
        for name in self.FIELDS:
            self.labels[name].setText(tr(f"extract_ui.manifest.{name}"))
        self.labels["signing_key"].setToolTip(tr("extract_ui.manifest.signing_key_tip"))
        self.labels["sha256"].setToolTip(tr("extract_ui.manifest.sha256_tip"))
        self.files.setHorizontalHeaderLabels([tr(f"extract_ui.file.{c}") for c in self.FILE_COLUMNS])
        self.raw_label.setText(tr("extract_ui.manifest.raw"))
        built = self.built
        self._fill_files(built)
        if built is None:
            for value in self.values.values():
                value.clear()
            return
        manifest = built.manifest
        lang = i18n.language()
        commune = str(manifest["commune_code"])
        place = _place(commune, lang)
        texts = {
            "commune": f"{ltr(commune)} — {place}" if place else commune,
            "period": f"{month_label(built.period.start, lang)} ({ltr(str(manifest['period']))})",
            "generated_at": _generated_text(str(manifest["generated_at"])),
            "app_version": ltr(str(manifest["app_version"])),
            "schema": tr(
                "extract_ui.manifest.schema_value",
                format=manifest["format"],
                version=manifest["schema_version"],
                release=ltr(str(manifest["schema_release"])),
            ),
            "signing_key": ltr(str(manifest["signing_key"])),
            "key_series": str(manifest["key_series"]),
            "k": format_number(int(manifest["k"])),
            "sha256": built.manifest_sha256,
        }
        for name, text in texts.items():
            self.values[name].setText(rtl_paragraph(text))
