"""The Bilan social tab: the assessments of the case and the editor of one.

The list on top shows every bilan (date, officer, review); the editor below shows
the one selected, or a new one: the date, for each domain of DOMAIN.md the
situation, the need and a priority, a summary and the action plan. Saving a bilan
already reviewed clears its review (the service does): it needs a new look.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop import i18n
from desktop.domain.codelists import ASSESSMENT_DOMAINS, PRIORITIES
from desktop.i18n import tr
from desktop.services import cases
from desktop.services.case_types import (
    ActionInput,
    AssessmentInput,
    AssessmentItemInput,
    AssessmentRow,
    CaseDetail,
)
from desktop.ui.models.case_list_model import codelist_label
from desktop.ui.pages.cases.case_tabs import (
    CaseHost,
    CaseTab,
    CodeCombo,
    OptionalDateEdit,
    RowsModel,
    caption,
    date_edit,
    date_text,
    from_qdate,
    good_colour,
    multi_line,
    print_assessment,
    rows_table,
    selected_row,
    to_qdate,
)
from desktop.ui.widgets.common import format_datetime, select_row

ACTION, ACTION_DOMAIN, RESPONSIBLE, DUE, DONE = range(5)
ACTION_COLUMNS = (
    "case.assessment.plan.action",
    "case.assessment.plan.domain",
    "case.assessment.plan.responsible",
    "case.assessment.plan.due",
    "case.assessment.plan.done",
)


class DomainRow:
    """One domain of the bilan: its name, situation, need and priority fields."""

    def __init__(self, domain: str) -> None:
        self.domain = domain
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.situation = multi_line(2.2)
        self.need = multi_line(2.2)
        self.priority = CodeCombo("priority", PRIORITIES, empty_key="case.assessment.priority_none")

    def set_item(self, item: AssessmentItemInput | None) -> None:
        self.situation.setPlainText(item.situation if item else "")
        self.need.setPlainText(item.need if item else "")
        self.priority.set_code(item.priority if item else "")

    def item(self) -> AssessmentItemInput | None:
        situation = self.situation.toPlainText().strip()
        need = self.need.toPlainText().strip()
        priority = self.priority.code()
        if not (situation or need or priority):
            return None
        return AssessmentItemInput(self.domain, situation, need, priority)

    def retranslate(self) -> None:
        self.label.setText(codelist_label("domain", self.domain))
        self.priority.retranslate()


class ActionPlanTable(QTableWidget):
    """The action plan: one editable row an action (domain, responsible, due and done dates)."""

    def __init__(self, on_change: Any, parent: QWidget | None = None) -> None:
        super().__init__(0, len(ACTION_COLUMNS), parent)
        self._on_change = on_change
        self.verticalHeader().hide()
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ACTION, QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 16)
        self.itemChanged.connect(self._changed)

    def _changed(self, *_args: object) -> None:
        self._on_change()

    def add_action(self, action: ActionInput | None = None) -> int:
        row = self.rowCount()
        self.blockSignals(True)
        self.insertRow(row)
        self.setItem(row, ACTION, QTableWidgetItem(action.action if action else ""))
        self.setItem(row, RESPONSIBLE, QTableWidgetItem(action.responsible if action else ""))
        self.blockSignals(False)
        domain = CodeCombo("domain", ASSESSMENT_DOMAINS, empty_key="case.assessment.plan.no_domain")
        domain.set_code(action.domain if action else "")
        domain.currentIndexChanged.connect(self._changed)
        self.setCellWidget(row, ACTION_DOMAIN, domain)
        dates = (
            (DUE, action.due_on if action else None, False),
            (DONE, action.done_on if action else None, True),
        )
        for column, value, past_only in dates:
            edit = OptionalDateEdit(not_after_today=past_only)
            edit.set_value(value)
            edit.changed.connect(self._changed)
            self.setCellWidget(row, column, edit)
        return row

    def remove_selected(self) -> bool:
        rows = self.selectionModel().selectedRows()
        row = rows[0].row() if rows else self.currentRow()
        if row < 0:
            return False
        self.removeRow(row)
        return True

    def set_actions(self, actions: list[ActionInput]) -> None:
        self.setRowCount(0)
        for action in actions:
            self.add_action(action)

    def action_inputs(self) -> list[ActionInput]:
        found = []
        for row in range(self.rowCount()):
            text = self._text(row, ACTION)
            if not text:
                continue
            responsible = self._text(row, RESPONSIBLE)
            domain = self.cellWidget(row, ACTION_DOMAIN)
            due = self.cellWidget(row, DUE)
            done = self.cellWidget(row, DONE)
            found.append(
                ActionInput(
                    action=text,
                    domain=domain.code() if isinstance(domain, CodeCombo) else "",
                    responsible=responsible,
                    due_on=due.value() if isinstance(due, OptionalDateEdit) else None,
                    done_on=done.value() if isinstance(done, OptionalDateEdit) else None,
                )
            )
        return found

    def _text(self, row: int, column: int) -> str:
        item = self.item(row, column)
        return item.text().strip() if item is not None else ""

    def retranslate(self) -> None:
        self.setHorizontalHeaderLabels([tr(key) for key in ACTION_COLUMNS])
        for row in range(self.rowCount()):
            domain = self.cellWidget(row, ACTION_DOMAIN)
            if isinstance(domain, CodeCombo):
                domain.retranslate()


class AssessmentTab(CaseTab):
    title_key = "case.tab.assessment"
    COLUMNS = ("case.assessment.col.date", "case.assessment.col.officer", "case.assessment.col.review")

    def __init__(self, host: CaseHost, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self.editing_id: int | None = None
        """The bilan in the editor (None: a new one)."""
        self.dirty = False
        self._loading = False

        self.model = RowsModel(self.COLUMNS, self._cell, self, foreground=self._foreground)
        self.table = rows_table(self.model, 2)
        self.table.setMaximumHeight(self.table.verticalHeader().defaultSectionSize() * 3 + 30)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.new_button = QPushButton()
        self.new_button.clicked.connect(self.new_assessment)
        self.review_button = QPushButton()
        self.review_button.clicked.connect(self.review)
        self.print_button = QPushButton()
        self.print_button.clicked.connect(self.print_assessment)
        buttons = QVBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.review_button)
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.table, 1)
        top.addLayout(buttons)

        # -- the editor --
        self.editor_title = QLabel()
        font = self.editor_title.font()
        font.setBold(True)
        self.editor_title.setFont(font)
        self.date_label = caption()
        self.date_edit = date_edit()
        self.date_label.setBuddy(self.date_edit)
        self.date_edit.dateChanged.connect(self._edited)
        self.review_state = QLabel()
        head = QHBoxLayout()
        head.addWidget(self.editor_title)
        head.addSpacing(16)
        head.addWidget(self.date_label)
        head.addWidget(self.date_edit)
        head.addStretch(1)
        head.addWidget(self.review_state)

        self.domains_box = QGroupBox()
        grid = QGridLayout(self.domains_box)
        self.domain_header = [QLabel() for _ in range(4)]
        for column, label in enumerate(self.domain_header):
            label.setStyleSheet("font-weight: 600;")
            grid.addWidget(label, 0, column)
        self.domain_rows: list[DomainRow] = []
        for number, domain in enumerate(ASSESSMENT_DOMAINS, start=1):
            row = DomainRow(domain)
            row.situation.textChanged.connect(self._edited)
            row.need.textChanged.connect(self._edited)
            row.priority.currentIndexChanged.connect(self._edited)
            grid.addWidget(row.label, number, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(row.situation, number, 1)
            grid.addWidget(row.need, number, 2)
            grid.addWidget(row.priority, number, 3, Qt.AlignmentFlag.AlignTop)
            self.domain_rows.append(row)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(2, 3)
        grid.setColumnStretch(0, 1)

        self.summary_box = QGroupBox()
        self.summary_edit = QPlainTextEdit()
        self.summary_edit.setTabChangesFocus(True)
        self.summary_edit.setFixedHeight(self.summary_edit.fontMetrics().lineSpacing() * 4 + 12)
        self.summary_edit.textChanged.connect(self._edited)
        QVBoxLayout(self.summary_box).addWidget(self.summary_edit)

        self.plan_box = QGroupBox()
        self.plan_table = ActionPlanTable(self._edited)
        self.plan_table.setMinimumHeight(self.plan_table.verticalHeader().defaultSectionSize() * 4 + 30)
        self.add_action_button = QPushButton()
        self.add_action_button.clicked.connect(self.add_action)
        self.remove_action_button = QPushButton()
        self.remove_action_button.clicked.connect(self.remove_action)
        plan_buttons = QHBoxLayout()
        plan_buttons.addWidget(self.add_action_button)
        plan_buttons.addWidget(self.remove_action_button)
        plan_buttons.addStretch(1)
        plan = QVBoxLayout(self.plan_box)
        plan.addWidget(self.plan_table)
        plan.addLayout(plan_buttons)

        editor = QWidget()
        editor_layout = QVBoxLayout(editor)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.addLayout(head)
        editor_layout.addWidget(self.domains_box)
        editor_layout.addWidget(self.summary_box)
        editor_layout.addWidget(self.plan_box)
        self.editor_scroll = QScrollArea()
        self.editor_scroll.setWidgetResizable(True)
        self.editor_scroll.setWidget(editor)

        self.save_button = QPushButton()
        self.save_button.clicked.connect(self.save)
        bottom = QHBoxLayout()
        bottom.addLayout(self.message_box(), 1)
        bottom.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.editor_scroll, 1)
        layout.addLayout(bottom)
        self.retranslate()

    # -- list ------------------------------------------------------------------

    def _cell(self, row: AssessmentRow, column: int) -> str:
        if column == 0:
            return date_text(row.assessed_on)
        if column == 1:
            return row.officer
        if row.reviewed_at is not None:
            return tr("case.assessment.reviewed_by", name=row.reviewed_by, date=format_datetime(row.reviewed_at))
        return tr("case.assessment.not_reviewed")

    def _foreground(self, row: AssessmentRow, column: int) -> Any:
        return good_colour() if column == 2 and row.reviewed_at is not None else None

    def assessment(self, assessment_id: int | None) -> AssessmentRow | None:
        for row in self.detail.assessments if self.detail else []:
            if row.id == assessment_id:
                return row
        return None

    def selected_assessment(self) -> AssessmentRow | None:
        found = self.model.row_at(selected_row(self.table))
        return found if isinstance(found, AssessmentRow) else None

    def _select(self, assessment_id: int | None) -> None:
        self.table.selectionModel().blockSignals(True)
        self.table.clearSelection()
        for number, row in enumerate(self.model.rows()):
            if row.id == assessment_id:
                select_row(self.table, number)
        self.table.selectionModel().blockSignals(False)
        self.table.viewport().update()

    def _selection_changed(self, *_args: object) -> None:
        chosen = self.selected_assessment()
        if chosen is None or chosen.id == self.editing_id:
            self.update_actions()
            return
        if self.dirty and not self.host.confirm_action(tr("case.assessment.discard_confirm")):
            self._select(self.editing_id)
            return
        self.load(chosen)

    def show_detail(self, detail: CaseDetail) -> None:
        self.model.set_rows(detail.assessments)
        if self.editing_id is None and not self.dirty and detail.assessments:
            self.editing_id = detail.assessments[0].id
        current = self.assessment(self.editing_id)
        if self.editing_id is not None and current is None:
            self.editing_id = None  # gone (another case?): start a new one
        if not self.dirty:
            self.load(current)
        self._select(self.editing_id)

    # -- editor ----------------------------------------------------------------

    def load(self, row: AssessmentRow | None) -> None:
        """Show a saved bilan in the editor (None: a blank new one)."""
        self._loading = True
        try:
            self.editing_id = row.id if row is not None else None
            self.date_edit.setMaximumDate(to_qdate(date.today()))
            self.date_edit.setDate(to_qdate(row.assessed_on if row else date.today()))
            items = {item.domain: item for item in row.items} if row else {}
            for domain_row in self.domain_rows:
                domain_row.set_item(items.get(domain_row.domain))
            self.summary_edit.setPlainText(row.summary if row else "")
            self.plan_table.set_actions(list(row.actions) if row else [])
        finally:
            self._loading = False
        self.dirty = False
        self._show_editor_state()
        self.update_actions()

    def value(self) -> AssessmentInput:
        items = [item for row in self.domain_rows if (item := row.item()) is not None]
        return AssessmentInput(
            assessed_on=from_qdate(self.date_edit.date()),
            items=items,
            actions=self.plan_table.action_inputs(),
            summary=self.summary_edit.toPlainText(),
            id=self.editing_id,
        )

    def domain_row(self, domain: str) -> DomainRow:
        return next(row for row in self.domain_rows if row.domain == domain)

    def _edited(self, *_args: object) -> None:
        if self._loading or self.detail is None:
            return
        if not self.dirty:
            self.dirty = True
            self.update_actions()

    def is_dirty(self) -> bool:
        return self.detail is not None and self.dirty

    def _show_editor_state(self) -> None:
        current = self.assessment(self.editing_id)
        if self.detail is None:
            self.editor_title.setText(tr("case.assessment.editor_empty"))
        elif current is None:
            self.editor_title.setText(tr("case.assessment.editor_new"))
        else:
            self.editor_title.setText(tr("case.assessment.editor_title", date=date_text(current.assessed_on)))
        if current is not None and current.reviewed_at is not None:
            self.review_state.setText(
                tr("case.assessment.reviewed_by", name=current.reviewed_by, date=format_datetime(current.reviewed_at))
            )
        elif current is not None:
            self.review_state.setText(tr("case.assessment.not_reviewed"))
        else:
            self.review_state.clear()

    def clear_fields(self) -> None:
        self.model.clear()
        self.load(None)
        self.editing_id = None
        self._show_editor_state()

    def update_actions(self) -> None:
        loaded = self.detail is not None and not self.busy
        current = self.assessment(self.editing_id)
        self.review_button.setVisible(self.host.can_review())
        self.review_button.setEnabled(loaded and current is not None and current.reviewed_at is None and not self.dirty)
        self.print_button.setEnabled(loaded and current is not None)
        self.new_button.setEnabled(loaded)
        self.save_button.setEnabled(loaded and (self.dirty or current is None))
        self.add_action_button.setEnabled(self.detail is not None)
        self.remove_action_button.setEnabled(self.detail is not None and self.plan_table.rowCount() > 0)
        self.editor_scroll.setEnabled(self.detail is not None)

    def retranslate(self) -> None:
        super().retranslate()
        self.new_button.setText(tr("case.assessment.new"))
        self.review_button.setText(tr("case.assessment.review"))
        self.print_button.setText(tr("case.assessment.print"))
        self.date_label.setText(tr("case.assessment.date"))
        for label, key in zip(
            self.domain_header,
            (
                "case.assessment.domain",
                "case.assessment.situation",
                "case.assessment.need",
                "case.assessment.priority",
            ),
            strict=True,
        ):
            label.setText(tr(key))
        for row in self.domain_rows:
            row.retranslate()
        self.domains_box.setTitle(tr("case.assessment.domains_title"))
        self.summary_box.setTitle(tr("case.assessment.summary"))
        self.plan_box.setTitle(tr("case.assessment.plan_title"))
        self.add_action_button.setText(tr("case.assessment.plan.add"))
        self.remove_action_button.setText(tr("case.assessment.plan.remove"))
        self.save_button.setText(tr("case.assessment.save"))
        self.plan_table.retranslate()
        self.model.retranslate()
        self._show_editor_state()

    # -- actions ---------------------------------------------------------------

    def new_assessment(self) -> None:
        if self.dirty and not self.host.confirm_action(tr("case.assessment.discard_confirm")):
            return
        self.load(None)
        self._select(None)

    def add_action(self) -> None:
        row = self.plan_table.add_action()
        self.plan_table.setCurrentCell(row, ACTION)
        item = self.plan_table.item(row, ACTION)
        if item is not None:
            self.plan_table.editItem(item)
        self._edited()
        self.update_actions()

    def remove_action(self) -> None:
        if self.plan_table.remove_selected():
            self._edited()
            self.update_actions()

    def save(self) -> None:
        if self.detail is None:
            return
        self.host.perform(
            self,
            cases.save_assessment,
            self.detail.case_id,
            self.value(),
            status_key="case.assessment.saved",
            on_done=self._saved,
        )

    def _saved(self, assessment_id: object) -> None:
        self.editing_id = int(assessment_id) if isinstance(assessment_id, int) else self.editing_id
        self.dirty = False  # the reload shows the bilan as saved

    def review(self) -> None:
        current = self.assessment(self.editing_id)
        if current is None:
            return
        self.host.perform(self, cases.review_assessment, current.id, status_key="case.assessment.reviewed_status")

    def print_assessment(self) -> None:
        current = self.assessment(self.editing_id)
        if self.detail is None or current is None:
            return
        self.host.print_pdf(
            self,
            "case_pdf",
            tr("case.assessment.pdf_name", number=self.detail.number, date=current.assessed_on.isoformat()),
            print_assessment,
            self.detail,
            current.id,
            i18n.language(),
        )
