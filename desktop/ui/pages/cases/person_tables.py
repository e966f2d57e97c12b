"""The person form's two tables: identity documents and household members."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import codelists
from desktop.services.case_types import HouseholdInput
from desktop.ui.pages.cases.person_fields import (
    DOCUMENT_COLUMNS,
    MEMBER_COLUMNS,
    _combo,
    _DocumentRow,
    _fill_codes,
    _latin,
    _MemberRow,
    _Row,
    _select_code,
    codelist_label,
)
from desktop.ui.widgets.common import ErrorLabel


class PersonTables:
    """Mixed into :class:`PersonForm`: building, filling and reading the two tables."""

    def _table(self, columns: tuple[str, ...]) -> QTableWidget:
        table = QTableWidget(0, len(columns))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        table.horizontalHeader().setHighlightSections(False)
        row_height = max(_combo().sizeHint().height(), QLineEdit().sizeHint().height()) + 4
        table.verticalHeader().setDefaultSectionSize(row_height)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        return table

    def _fit_height(self, table: QTableWidget) -> None:
        rows = max(table.rowCount(), 1)
        height = table.horizontalHeader().sizeHint().height() + rows * table.verticalHeader().defaultSectionSize()
        table.setFixedHeight(height + 2 * table.frameWidth() + 2)

    def _table_buttons(self, add: QPushButton, remove: QPushButton) -> QHBoxLayout:
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        return buttons

    def _build_documents(self) -> None:
        self.documents_group = self._group("person_form.section.documents")
        layout = QVBoxLayout(self.documents_group)
        self.documents_table = self._table(DOCUMENT_COLUMNS)
        header = self.documents_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # document types have long names
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        self.documents_table.setColumnWidth(1, self.fontMetrics().horizontalAdvance("M") * 12)
        self.documents_table.itemSelectionChanged.connect(self._update_buttons)
        self._fit_height(self.documents_table)
        self.add_document_button = QPushButton()
        self.remove_document_button = QPushButton()
        self.add_document_button.clicked.connect(self._add_document_clicked)
        self.remove_document_button.clicked.connect(self.remove_selected_document)
        self.documents_error = ErrorLabel()
        layout.addWidget(self.documents_table)
        layout.addWidget(self.documents_error)
        layout.addLayout(self._table_buttons(self.add_document_button, self.remove_document_button))
        self._rows["documents"] = _Row("person_form.section.documents", None, self.documents_error)

    def _build_household(self) -> None:
        self.household_group = self._group("person_form.section.household")
        layout = QVBoxLayout(self.household_group)
        self.household_table = self._table(MEMBER_COLUMNS)
        header = self.household_table.horizontalHeader()
        for column in range(len(MEMBER_COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(MEMBER_COLUMNS.index("name"), QHeaderView.ResizeMode.Stretch)
        self.household_table.itemSelectionChanged.connect(self._update_buttons)
        self._fit_height(self.household_table)
        self.add_member_button = QPushButton()
        self.remove_member_button = QPushButton()
        self.add_member_button.clicked.connect(self._add_member_clicked)
        self.remove_member_button.clicked.connect(self.remove_selected_member)
        self.household_error = ErrorLabel()
        layout.addWidget(self.household_table)
        layout.addWidget(self.household_error)
        layout.addLayout(self._table_buttons(self.add_member_button, self.remove_member_button))
        self._rows["household"] = _Row("person_form.section.household", None, self.household_error)

    # -- documents and household rows ----------------------------------------------------------
    def add_document(self, kind: str = "", number: str = "") -> int:
        """A new row in the documents table; returns its index."""
        kind_combo = _combo()
        _fill_codes(kind_combo, "document_type", codelists.DOCUMENT_TYPES, placeholder=True)
        _select_code(kind_combo, kind)
        kind_combo.setToolTip(kind_combo.currentText())
        kind_combo.currentTextChanged.connect(kind_combo.setToolTip)  # long names are cut in the cell
        number_edit = _latin(QLineEdit(number))
        row = _DocumentRow(kind_combo, number_edit)
        index = self.documents_table.rowCount()
        self.documents_table.insertRow(index)
        self.documents_table.setCellWidget(index, 0, kind_combo)
        self.documents_table.setCellWidget(index, 1, number_edit)
        self._document_rows.append(row)
        kind_combo.currentIndexChanged.connect(self._changed)
        number_edit.textChanged.connect(self._changed)
        self._prepare_cells(row.widgets(), "documents")
        self._rows_changed(self.documents_table)
        return index

    def add_member(self, member: HouseholdInput | None = None) -> int:
        """A new row in the household table; returns its index."""
        member = member or HouseholdInput(relation="")
        relation = _combo()
        _fill_codes(relation, "relation", codelists.HOUSEHOLD_RELATIONS, placeholder=True)
        _select_code(relation, member.relation)
        name = QLineEdit(member.name)
        sex = _combo()
        sex.addItem("—", "")
        for code in codelists.SEXES:
            sex.addItem(codelist_label("sex", code), code)
        _select_code(sex, member.sex or None)
        if not member.sex:
            sex.setCurrentIndex(0)
        birth_year = _latin(QLineEdit("" if member.birth_year is None else str(member.birth_year)))
        birth_year.setValidator(QIntValidator(0, 9999, birth_year))
        birth_year.setMaxLength(4)
        schooling = _combo()
        _fill_codes(schooling, "schooling", codelists.SCHOOLING, placeholder=False)
        _select_code(schooling, member.schooling)
        registration = _combo()
        _fill_codes(registration, "birth_registration", codelists.BIRTH_REGISTRATION, placeholder=False)
        _select_code(registration, member.birth_registration)
        lives_with = QCheckBox()
        lives_with.setChecked(member.lives_with)
        cell = QWidget()
        cell_layout = QHBoxLayout(cell)
        cell_layout.setContentsMargins(0, 0, 0, 0)
        cell_layout.addWidget(lives_with, 0, Qt.AlignmentFlag.AlignCenter)
        row = _MemberRow(relation, name, sex, birth_year, schooling, registration, lives_with, cell)
        index = self.household_table.rowCount()
        self.household_table.insertRow(index)
        for column, widget in enumerate((relation, name, sex, birth_year, schooling, registration, cell)):
            self.household_table.setCellWidget(index, column, widget)
        self._member_rows.append(row)
        for combo in (relation, sex, schooling, registration):
            combo.currentIndexChanged.connect(self._changed)
        name.textChanged.connect(self._changed)
        birth_year.textChanged.connect(self._changed)
        lives_with.toggled.connect(self._changed)
        self._prepare_cells(row.widgets(), "household")
        self._fit_member_columns(row)
        self._rows_changed(self.household_table)
        return index

    def _fit_member_columns(self, row: _MemberRow) -> None:
        minimum = {"birth_year": self.fontMetrics().horizontalAdvance("0000") * 2}
        for column, widget in enumerate(row.widgets()):
            name = MEMBER_COLUMNS[column]
            if name == "name":
                continue
            width = max(widget.sizeHint().width(), minimum.get(name, 0)) + 8
            if self.household_table.columnWidth(column) < width:
                self.household_table.setColumnWidth(column, width)

    def _prepare_cells(self, widgets: list[QWidget], table: str) -> None:
        for widget in widgets:
            widget.setEnabled(not self._read_only)
            if isinstance(widget, QLineEdit):
                widget.setFrame(False)
            self._watch(widget, table)

    def remove_selected_document(self) -> None:
        self._remove_row(self.documents_table, self._document_rows)

    def remove_selected_member(self) -> None:
        self._remove_row(self.household_table, self._member_rows)

    def _current_row(self, table: QTableWidget) -> int:
        selected = table.selectionModel().selectedRows()
        if selected:
            return selected[0].row()
        focused = self.focusWidget()
        for row in range(table.rowCount()):
            for column in range(table.columnCount()):
                cell = table.cellWidget(row, column)
                if cell is not None and focused is not None and (cell is focused or cell.isAncestorOf(focused)):
                    return row
        return table.rowCount() - 1

    def _remove_row(self, table: QTableWidget, rows: list[_DocumentRow] | list[_MemberRow]) -> None:
        index = self._current_row(table)
        if not 0 <= index < len(rows):
            return
        for widget in rows[index].widgets():
            self._field_of.pop(widget, None)
        del rows[index]
        table.removeRow(index)
        # Row numbers in the messages no longer match: the table is checked afresh.
        self._errors = [e for e in self._errors if not e.field.startswith(("documents.", "household."))]
        self._rows_changed(table)
        self._revalidate()

    def _rows_changed(self, table: QTableWidget) -> None:
        self._fit_height(table)
        self._update_buttons()
        self._changed()

    def _add_document_clicked(self) -> None:
        index = self.add_document()
        self._document_rows[index].kind.setFocus()

    def _add_member_clicked(self) -> None:
        index = self.add_member()
        self._member_rows[index].relation.setFocus()

    def _update_buttons(self) -> None:
        editable = not self._read_only
        for add, remove, table in (
            (self.add_document_button, self.remove_document_button, self.documents_table),
            (self.add_member_button, self.remove_member_button, self.household_table),
        ):
            add.setVisible(editable)
            remove.setVisible(editable)
            remove.setEnabled(table.rowCount() > 0)

    # -- public API --------------------------------------------------------------------------
    def _clear_table(self, table: QTableWidget, rows: list[_DocumentRow] | list[_MemberRow]) -> None:
        for row in rows:
            for widget in row.widgets():
                self._field_of.pop(widget, None)
        rows.clear()
        table.setRowCount(0)
        self._fit_height(table)

    def _all_rows(self) -> list[_DocumentRow | _MemberRow]:
        return [*self._document_rows, *self._member_rows]
