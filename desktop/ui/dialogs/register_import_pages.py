"""The two pages of the register import: the problems to fix, and the lines to decide.

Problems: one row per (line, column, why), sortable, copied as tab-separated text so
the officer can paste the report beside the file they are correcting.

Lines to decide: a line of the file that looks like a person already registered (or
like an earlier line of the same file). Nothing is pre-chosen: each line starts "À
décider" and the officer picks a new person, the same person (a new case for them),
or not importing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.i18n import tr
from desktop.services.duplicates import DuplicateCandidate
from desktop.services.register_import import LINK, NEW, SKIP, ImportLine, ImportProblem, LineDecision
from desktop.ui.widgets.common import records_table
from desktop.ui.widgets.duplicates_panel import score_level

LINK_PERSON = "link:person:"  # + person id: a new case for a person already known
LINK_LINE = "link:line:"  # + line number: the person of an earlier line of the file
MAX_TARGETS = 3  # known persons offered per line
"""The decision combo's entries, in order; None is "À décider"."""

_ModelIndex = QModelIndex | QPersistentModelIndex


def problem_text(problem: ImportProblem) -> str:
    return tr(problem.key, **problem.params)


class ProblemsModel(QAbstractTableModel):
    """Ligne | Colonne | Problème; sorted by line (the file's order) unless asked otherwise."""

    LINE, COLUMN, PROBLEM = range(3)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._problems: list[ImportProblem] = []
        self._order: list[int] = []  # file order of each problem, for stable sorting

    def set_problems(self, problems: Sequence[ImportProblem]) -> None:
        self.beginResetModel()
        indexed = sorted(enumerate(problems), key=lambda pair: (pair[1].line, pair[0]))
        self._order = [i for i, _ in indexed]
        self._problems = [p for _, p in indexed]
        self.endResetModel()

    def problems(self) -> list[ImportProblem]:
        """In the order shown."""
        return list(self._problems)

    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._problems)

    def columnCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def cell_text(self, row: int, column: int) -> str:
        problem = self._problems[row]
        if column == self.LINE:
            return str(problem.line) if problem.line else tr("import_dialog.whole_file")
        if column == self.COLUMN:
            return problem.column or tr("import_dialog.whole_line")
        return problem_text(problem)

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._problems):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.cell_text(index.row(), index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == self.LINE:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole or not 0 <= section < 3:
            return None
        return (tr("import_dialog.column.line"), tr("import_dialog.column.column"),
                tr("import_dialog.column.problem"))[section]  # fmt: skip

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """By line (then the file's column order), by column name, or by message."""
        self.layoutAboutToBeChanged.emit()
        rows = list(range(len(self._problems)))

        def key(i: int) -> tuple[Any, ...]:
            p = self._problems[i]
            if column == self.COLUMN:
                return (p.column.casefold(), p.line, self._order[i])
            if column == self.PROBLEM:
                return (problem_text(p).casefold(), p.line, self._order[i])
            return (p.line, self._order[i])

        rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        self._problems = [self._problems[i] for i in rows]
        self._order = [self._order[i] for i in rows]
        self.layoutChanged.emit()

    def report_text(self) -> str:
        """Tab-separated, a header line first, in the order shown (for a spreadsheet or an email)."""
        lines = ["\t".join(str(self.headerData(c, Qt.Orientation.Horizontal)) for c in range(3))]
        for row in range(len(self._problems)):
            cells = (self.cell_text(row, c).replace("\t", " ").replace("\n", " ") for c in range(3))
            lines.append("\t".join(cells))
        return "\n".join(lines) + "\n"

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 2)
        if self._problems:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._problems) - 1, 2))


def _person_text(line: ImportLine, year_now: int) -> str:
    person = line.person
    if person.birth_date is not None:
        return f"{line.display_name} ({person.birth_date:%d/%m/%Y})"
    if person.estimated_age is not None:
        return f"{line.display_name} (≈{year_now - person.estimated_age})"
    return line.display_name


def _candidate_text(candidate: DuplicateCandidate) -> str:
    name = candidate.display_name or candidate.display_name_ar
    born = f" ({candidate.birth_year})" if candidate.birth_year else ""
    return f"{candidate.case_number} · {name}{born}"


def _candidate_tip(candidate: DuplicateCandidate) -> str:
    parts = [
        tr("duplicates_panel.case_number", number=candidate.case_number),
        " / ".join(n for n in (candidate.display_name, candidate.display_name_ar) if n),
        tr("duplicates_panel.born_in", year=candidate.birth_year)
        if candidate.birth_year
        else tr("duplicates_panel.birth_unknown"),
        tr(f"duplicates_panel.score.{score_level(candidate.score)}"),
    ]
    reasons = " · ".join(tr(key) for key in candidate.reasons)
    if reasons:
        parts.append(tr("duplicates_panel.reasons", reasons=reasons))
    return " — ".join(parts)


class DecisionsTable(QTableWidget):
    """Ligne | Personne dans le fichier | Ressemble à | Décision (a combo per line)."""

    sig_changed = Signal()
    """A decision changed (the dialog re-checks whether it may import)."""

    LINE, PERSON, LOOKS_LIKE, DECISION = range(4)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 4, parent)
        self._lines: list[ImportLine] = []
        self._combos: list[QComboBox] = []
        self._year_now = 0
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(True)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.LOOKS_LIKE, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(48)

    def set_lines(self, lines: Sequence[ImportLine], year_now: int) -> None:
        self._lines = list(lines)
        self._year_now = year_now
        self._combos = []
        self.setRowCount(len(self._lines))
        for row, line in enumerate(self._lines):
            self.setItem(row, self.LINE, QTableWidgetItem(str(line.line)))
            self.item(row, self.LINE).setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.setItem(row, self.PERSON, QTableWidgetItem(_person_text(line, year_now)))
            self.setItem(row, self.LOOKS_LIKE, QTableWidgetItem())
            combo = QComboBox()
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            for choice in _choices(line):
                combo.addItem("", choice)
            combo.currentIndexChanged.connect(self._combo_changed)
            self._combos.append(combo)
            self.setCellWidget(row, self.DECISION, combo)
        self.retranslate()

    def lines(self) -> list[ImportLine]:
        return list(self._lines)

    def combo(self, line: int) -> QComboBox:
        return self._combos[self._row_of(line)]

    def _row_of(self, line: int) -> int:
        for row, candidate in enumerate(self._lines):
            if candidate.line == line:
                return row
        raise KeyError(line)

    def action(self, line: int) -> str | None:
        data = self.combo(line).currentData()
        if not data:
            return None
        return LINK if str(data).startswith("link:") else str(data)

    def set_action(self, line: int, action: str | None) -> None:
        """NEW, SKIP, LINK (to the first target offered) or a target (``LINK_PERSON``/``LINK_LINE`` + id)."""
        combo = self.combo(line)
        choices = [combo.itemData(i) for i in range(combo.count())]
        if action == LINK:
            combo.setCurrentIndex(next(i for i, c in enumerate(choices) if c and str(c).startswith("link:")))
        else:
            combo.setCurrentIndex(combo.findData(action) if action else 0)

    def set_all(self, action: str) -> None:
        for combo in self._combos:
            combo.blockSignals(True)
            combo.setCurrentIndex(combo.findData(action))
            combo.blockSignals(False)
        self.sig_changed.emit()

    def undecided(self) -> list[int]:
        return [line.line for line in self._lines if self.action(line.line) is None]

    def decisions(self) -> dict[int, LineDecision]:
        """The lines decided so far; LINK goes to the person the officer chose."""
        decisions: dict[int, LineDecision] = {}
        for line in self._lines:
            choice = str(self.combo(line.line).currentData() or "")
            if choice.startswith(LINK_PERSON):
                decisions[line.line] = LineDecision(LINK, person_id=int(choice.removeprefix(LINK_PERSON)))
            elif choice.startswith(LINK_LINE):
                decisions[line.line] = LineDecision(LINK, line=int(choice.removeprefix(LINK_LINE)))
            elif choice:
                decisions[line.line] = LineDecision(choice)
        return decisions

    def skipped_targets(self) -> list[int]:
        """Earlier lines that a line is linked to but that will not be imported."""
        decisions = self.decisions()
        return sorted(
            {
                d.line
                for d in decisions.values()
                if d.action == LINK and d.line is not None and d.line in decisions
                and decisions[d.line].action == SKIP
            }
        )  # fmt: skip

    def _combo_changed(self, _index: int) -> None:
        self.sig_changed.emit()

    def retranslate(self) -> None:
        self.setHorizontalHeaderLabels(
            [
                tr("import_dialog.column.line"),
                tr("import_dialog.column.person"),
                tr("import_dialog.column.looks_like"),
                tr("import_dialog.column.decision"),
            ]
        )
        for row, line in enumerate(self._lines):
            looks = [_candidate_text(c) for c in line.duplicates[:1]]
            if len(line.duplicates) > 1:
                looks[0] += f" (+{len(line.duplicates) - 1})"
            tips = [_candidate_tip(c) for c in line.duplicates]
            if line.same_as_line is not None:
                looks.append(tr("import_dialog.same_line", line=line.same_as_line))
                tips.append(tr("import_dialog.same_line", line=line.same_as_line))
            item = self.item(row, self.LOOKS_LIKE)
            item.setText("\n".join(looks))
            item.setToolTip("\n".join(tips))
            combo = self._combos[row]
            for index in range(combo.count()):
                text, tip = _choice_texts(line, combo.itemData(index))
                combo.setItemText(index, text)
                combo.setItemData(index, tip or None, Qt.ItemDataRole.ToolTipRole)
        self.resizeColumnsToContents()
        self.resizeRowsToContents()


def _choices(line: ImportLine) -> list[str | None]:
    """The decisions offered for one line: a link per known person (and to the earlier line)."""
    links = [f"{LINK_PERSON}{c.person_id}" for c in line.duplicates[:MAX_TARGETS]]
    if line.same_as_line is not None:
        links.append(f"{LINK_LINE}{line.same_as_line}")
    return [None, NEW, *links, SKIP]


def _choice_texts(line: ImportLine, choice: str | None) -> tuple[str, str]:
    """(label, tool tip) of one decision."""
    if not choice:
        return tr("import_dialog.decision.undecided"), ""
    if choice.startswith(LINK_PERSON):
        person_id = int(choice.removeprefix(LINK_PERSON))
        number = next((c.case_number for c in line.duplicates if c.person_id == person_id), "")
        return (
            tr("import_dialog.decision.link_person", number=number),
            tr("import_dialog.link_tip_person", number=number),
        )
    if choice.startswith(LINK_LINE):
        other = int(choice.removeprefix(LINK_LINE))
        return tr("import_dialog.decision.link_line", line=other), tr("import_dialog.link_tip_line", line=other)
    return tr("import_dialog.decision.new" if choice == NEW else "import_dialog.decision.skip"), ""


def _page(hint: QLabel, table: QWidget, buttons: Sequence[QWidget], trailing: QWidget | None = None) -> QVBoxLayout:
    layout = QVBoxLayout()
    layout.setContentsMargins(0, 0, 0, 0)
    hint.setWordWrap(True)
    layout.addWidget(hint)
    layout.addWidget(table, 1)
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    if trailing is not None:
        row.addWidget(trailing)
    layout.addLayout(row)
    return layout


class ProblemsPage(QWidget):
    """What to fix in the file: the table of problems and "Copier le rapport"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ProblemsModel(self)
        self.table = records_table(self.model, ProblemsModel.PROBLEM)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(ProblemsModel.LINE, Qt.SortOrder.AscendingOrder)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.hint = QLabel()
        self.copy_button = QPushButton()
        self.setLayout(_page(self.hint, self.table, [self.copy_button]))

    def set_problems(self, problems: Sequence[ImportProblem]) -> None:
        self.model.set_problems(problems)
        header = self.table.horizontalHeader()
        self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())

    def retranslate(self) -> None:
        self.hint.setText(tr("import_dialog.problems_hint"))
        self.copy_button.setText(tr("import_dialog.copy_report"))
        self.table.setAccessibleName(tr("import_dialog.column.problem"))
        self.model.retranslate()


class DecisionsPage(QWidget):
    """The lines to decide, with "Tout : nouvelle personne" / "Tout : ne pas importer"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = DecisionsTable()
        self.hint = QLabel()
        self.all_new_button = QPushButton()
        self.all_skip_button = QPushButton()
        self.all_new_button.clicked.connect(self.decide_all_new)
        self.all_skip_button.clicked.connect(self.decide_all_skip)
        self.undecided_label = QLabel()
        self.setLayout(_page(self.hint, self.table, [self.all_new_button, self.all_skip_button], self.undecided_label))

    def decide_all_new(self) -> None:
        self.table.set_all(NEW)

    def decide_all_skip(self) -> None:
        self.table.set_all(SKIP)

    def update_state(self, running: bool) -> None:
        for widget in (self.all_new_button, self.all_skip_button, self.table):
            widget.setEnabled(not running)
        undecided = len(self.table.undecided())
        self.undecided_label.setText(tr("import_dialog.undecided_left", count=undecided))
        self.undecided_label.setVisible(undecided > 0)

    def retranslate(self) -> None:
        self.hint.setText(tr("import_dialog.decide_hint"))
        self.all_new_button.setText(tr("import_dialog.all_new"))
        self.all_skip_button.setText(tr("import_dialog.all_skip"))
        self.table.setAccessibleName(tr("import_dialog.column.decision"))
        self.table.retranslate()
