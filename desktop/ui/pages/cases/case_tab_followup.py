"""The Vulnérabilité, Contacts and Parcours tabs of the case window."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop import i18n
from desktop.domain.codelists import (
    ASSESSMENT_DOMAINS,
    CLOSURE_REASONS,
    CONTACT_CHANNELS,
    CONTACT_KINDS,
    STAGES,
    VULNERABILITY_CRITERIA,
    VULNERABILITY_LEVELS,
)
from desktop.domain.errors import InputRejected
from desktop.i18n import tr
from desktop.services import cases
from desktop.services.case_types import (
    CaseDetail,
    ContactInput,
    ContactRow,
    StageRow,
    VulnerabilityInput,
    VulnerabilityRow,
)
from desktop.ui.models.case_list_model import codelist_label
from desktop.ui.pages.cases.case_tabs import (
    CaseHost,
    CaseTab,
    CheckList,
    CodeCombo,
    LimitedTextEdit,
    OptionalDateEdit,
    RowsModel,
    caption,
    codes_text,
    date_edit,
    date_text,
    from_qdate,
    level_badge_style,
    level_text_colour,
    multi_line,
    print_case_file,
    reset_date,
    rows_table,
    short_text,
)

NOTE_LIMIT = 2000
"""A contact's note is short: what was said and done, not a report."""
OPEN_STAGES = tuple(stage for stage in STAGES if stage != "cloture")


class VulnerabilityTab(CaseTab):
    """The current level, the history of sheets, a new sheet."""

    title_key = "case.tab.vulnerability"
    COLUMNS = (
        "case.vulnerability.col.date",
        "case.vulnerability.col.level",
        "case.vulnerability.col.criteria",
        "case.vulnerability.col.officer",
    )

    def __init__(self, host: CaseHost, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self.current_caption = caption()
        self.current_badge = QLabel()
        current = QHBoxLayout()
        current.addWidget(self.current_caption)
        current.addWidget(self.current_badge)
        current.addStretch(1)

        self.model = RowsModel(self.COLUMNS, self._cell, self, foreground=self._foreground, tooltip=self._tooltip)
        self.table = rows_table(self.model, 2)
        self.history_box = QGroupBox()
        QVBoxLayout(self.history_box).addWidget(self.table)

        self.sheet_box = QGroupBox()
        self.date_label = caption()
        self.date_edit = date_edit()
        self.date_label.setBuddy(self.date_edit)
        self.level_label = caption()
        self.level_combo = CodeCombo("level", VULNERABILITY_LEVELS, empty_key="case.vulnerability.choose_level")
        self.level_label.setBuddy(self.level_combo)
        self.criteria_label = caption()
        self.criteria = CheckList("criterion", VULNERABILITY_CRITERIA, columns=3)
        self.note_label = caption()
        self.note_edit = multi_line(2.5)
        self.note_label.setBuddy(self.note_edit)
        self.save_button = QPushButton()
        self.save_button.clicked.connect(self.save)
        sheet = QGridLayout(self.sheet_box)
        sheet.addWidget(self.date_label, 0, 0)
        sheet.addWidget(self.date_edit, 0, 1)
        sheet.addWidget(self.level_label, 0, 2)
        sheet.addWidget(self.level_combo, 0, 3)
        sheet.setColumnStretch(4, 1)
        sheet.addWidget(self.criteria_label, 1, 0, 1, 5)
        sheet.addWidget(self.criteria, 2, 0, 1, 5)
        sheet.addWidget(self.note_label, 3, 0)
        sheet.addWidget(self.note_edit, 3, 1, 1, 4)
        for widget in (self.criteria, self.note_edit):
            widget.setContentsMargins(0, 0, 0, 0)
        self.level_combo.currentIndexChanged.connect(self._form_changed)
        self.criteria.changed.connect(self._form_changed)
        self.note_edit.textChanged.connect(self._form_changed)

        bottom = QHBoxLayout()
        bottom.addLayout(self.message_box(), 1)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(current)
        layout.addWidget(self.history_box, 1)
        layout.addWidget(self.sheet_box)
        layout.addLayout(bottom)
        self.retranslate()

    def _cell(self, row: VulnerabilityRow, column: int) -> str:
        if column == 0:
            return date_text(row.assessed_on)
        if column == 1:
            return codelist_label("level", row.level)
        if column == 2:
            return codes_text("criterion", row.criteria)
        return row.officer

    def _foreground(self, row: VulnerabilityRow, column: int) -> Any:
        return level_text_colour(row.level) if column == 1 else None

    def _tooltip(self, row: VulnerabilityRow, column: int) -> str:
        text = self._cell(row, column)
        return f"{text}\n\n{row.note}" if row.note else text

    def show_detail(self, detail: CaseDetail) -> None:
        self.model.set_rows(detail.vulnerabilities)
        self._show_level()

    def _show_level(self) -> None:
        level = self.detail.vulnerability_level if self.detail is not None else ""
        if self.detail is None:
            self.current_badge.clear()
            self.current_badge.setStyleSheet("")
            return
        self.current_badge.setText(codelist_label("level", level) if level else tr("case.vulnerability.not_assessed"))
        self.current_badge.setStyleSheet(level_badge_style(level))

    def _reset_form(self) -> None:
        reset_date(self.date_edit)
        self.level_combo.set_code("")
        self.criteria.set_checked([])
        self.note_edit.clear()

    def clear_fields(self) -> None:
        self.model.clear()
        self._reset_form()
        self._show_level()

    def is_dirty(self) -> bool:
        return self.detail is not None and bool(
            self.level_combo.code() or self.criteria.checked() or self.note_edit.toPlainText().strip()
        )

    def _form_changed(self, *_args: object) -> None:
        self.update_actions()

    def update_actions(self) -> None:
        self.save_button.setEnabled(self.detail is not None and not self.busy)

    def retranslate(self) -> None:
        super().retranslate()
        self.current_caption.setText(tr("case.vulnerability.current"))
        self.history_box.setTitle(tr("case.vulnerability.history_title"))
        self.sheet_box.setTitle(tr("case.vulnerability.new_title"))
        self.date_label.setText(tr("case.vulnerability.date"))
        self.level_label.setText(tr("case.vulnerability.level"))
        self.criteria_label.setText(tr("case.vulnerability.criteria"))
        self.note_label.setText(tr("case.vulnerability.note"))
        self.save_button.setText(tr("case.vulnerability.save"))
        self.level_combo.retranslate()
        self.criteria.retranslate()
        self.model.retranslate()
        self._show_level()

    def sheet(self) -> VulnerabilityInput:
        return VulnerabilityInput(
            assessed_on=from_qdate(self.date_edit.date()),
            level=self.level_combo.code(),
            criteria=self.criteria.checked(),
            note=self.note_edit.toPlainText(),
        )

    def save(self) -> None:
        if self.detail is None:
            return
        sheet = self.sheet()
        if not sheet.level:
            self.show_error(InputRejected("case.vulnerability.level_required"))
            self.level_combo.setFocus()
            return
        self.host.perform(
            self,
            cases.add_vulnerability_sheet,
            self.detail.case_id,
            sheet,
            status_key="case.vulnerability.saved",
            on_done=self._saved,
        )

    def _saved(self, _result: object) -> None:
        self._reset_form()


class ContactsTab(CaseTab):
    """Each visit or call: the log and a form to add one (with the next follow-up date)."""

    title_key = "case.tab.contacts"
    COLUMNS = (
        "case.contacts.col.date",
        "case.contacts.col.kind",
        "case.contacts.col.channel",
        "case.contacts.col.needs",
        "case.contacts.col.note",
        "case.contacts.col.officer",
    )

    def __init__(self, host: CaseHost, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self.model = RowsModel(self.COLUMNS, self._cell, self, tooltip=self._tooltip)
        self.table = rows_table(self.model, 4)
        self.log_box = QGroupBox()
        QVBoxLayout(self.log_box).addWidget(self.table)

        self.add_box = QGroupBox()
        self.date_label = caption()
        self.date_edit = date_edit()
        self.date_label.setBuddy(self.date_edit)
        self.kind_label = caption()
        self.kind_combo = CodeCombo("contact_kind", CONTACT_KINDS)
        self.kind_label.setBuddy(self.kind_combo)
        self.channel_label = caption()
        self.channel_combo = CodeCombo("contact_channel", CONTACT_CHANNELS)
        self.channel_label.setBuddy(self.channel_combo)
        self.needs_label = caption()
        self.needs = CheckList("domain", ASSESSMENT_DOMAINS, columns=3)
        self.note_label = caption()
        self.note_edit = LimitedTextEdit(NOTE_LIMIT)
        self.note_edit.setFixedHeight(self.note_edit.fontMetrics().lineSpacing() * 3 + 12)
        self.note_label.setBuddy(self.note_edit)
        self.note_count = QLabel()
        self.note_edit.textChanged.connect(self._note_changed)
        self.follow_up = OptionalDateEdit(not_after_today=False)
        self.follow_up.edit.setMinimumDate(QDate.currentDate())
        self.save_button = QPushButton()
        self.save_button.clicked.connect(self.save)
        form = QGridLayout(self.add_box)
        form.addWidget(self.date_label, 0, 0)
        form.addWidget(self.date_edit, 0, 1)
        form.addWidget(self.kind_label, 0, 2)
        form.addWidget(self.kind_combo, 0, 3)
        form.addWidget(self.channel_label, 0, 4)
        form.addWidget(self.channel_combo, 0, 5)
        form.setColumnStretch(6, 1)
        form.addWidget(self.needs_label, 1, 0, 1, 7)
        form.addWidget(self.needs, 2, 0, 1, 7)
        form.addWidget(self.note_label, 3, 0)
        form.addWidget(self.note_edit, 3, 1, 1, 6)
        form.addWidget(self.note_count, 4, 1, 1, 6)
        form.addWidget(self.follow_up, 5, 0, 1, 4)

        bottom = QHBoxLayout()
        bottom.addLayout(self.message_box(), 1)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.log_box, 1)
        layout.addWidget(self.add_box)
        layout.addLayout(bottom)
        self.retranslate()

    def _cell(self, row: ContactRow, column: int) -> str:
        if column == 0:
            return date_text(row.on_date)
        if column == 1:
            return codelist_label("contact_kind", row.kind)
        if column == 2:
            return codelist_label("contact_channel", row.channel)
        if column == 3:
            return codes_text("domain", row.needs)
        if column == 4:
            return short_text(row.note)
        return row.officer

    def _tooltip(self, row: ContactRow, column: int) -> str:
        return row.note if column == 4 else self._cell(row, column)

    def show_detail(self, detail: CaseDetail) -> None:
        self.model.set_rows(detail.contacts)

    def _reset_form(self) -> None:
        reset_date(self.date_edit)
        self.kind_combo.setCurrentIndex(0)
        self.channel_combo.setCurrentIndex(0)
        self.needs.set_checked([])
        self.note_edit.clear()
        self.follow_up.edit.setMinimumDate(QDate.currentDate())
        self.follow_up.set_value(None)

    def clear_fields(self) -> None:
        self.model.clear()
        self._reset_form()

    def is_dirty(self) -> bool:
        return self.detail is not None and bool(self.note_edit.toPlainText().strip() or self.needs.checked())

    def _note_changed(self) -> None:
        self.note_count.setText(tr("case.contacts.note_count", count=len(self.note_edit.text()), limit=NOTE_LIMIT))

    def update_actions(self) -> None:
        self.save_button.setEnabled(self.detail is not None and not self.busy)

    def retranslate(self) -> None:
        super().retranslate()
        self.log_box.setTitle(tr("case.contacts.log_title"))
        self.add_box.setTitle(tr("case.contacts.add_title"))
        self.date_label.setText(tr("case.contacts.date"))
        self.kind_label.setText(tr("case.contacts.kind"))
        self.channel_label.setText(tr("case.contacts.channel"))
        self.needs_label.setText(tr("case.contacts.needs"))
        self.note_label.setText(tr("case.contacts.note"))
        self.follow_up.set_text(tr("case.contacts.next_follow_up"))
        self.save_button.setText(tr("case.contacts.save"))
        self.kind_combo.retranslate()
        self.channel_combo.retranslate()
        self.needs.retranslate()
        self.model.retranslate()
        self._note_changed()

    def contact(self) -> ContactInput:
        return ContactInput(
            on_date=from_qdate(self.date_edit.date()),
            kind=self.kind_combo.code(),
            channel=self.channel_combo.code(),
            needs=self.needs.checked(),
            note=self.note_edit.text(),
            next_follow_up=self.follow_up.value(),
        )

    def save(self) -> None:
        if self.detail is None:
            return
        self.host.perform(
            self,
            cases.add_contact,
            self.detail.case_id,
            self.contact(),
            status_key="case.contacts.saved",
            on_done=self._saved,
        )

    def _saved(self, _result: object) -> None:
        self._reset_form()


class ParcoursTab(CaseTab):
    """The stages of the case: the timeline, change the stage, close, reopen, print the case file."""

    title_key = "case.tab.parcours"
    COLUMNS = (
        "case.parcours.col.date",
        "case.parcours.col.stage",
        "case.parcours.col.reason",
        "case.parcours.col.officer",
    )

    def __init__(self, host: CaseHost, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self.current_caption = caption()
        self.current_label = QLabel()
        font = self.current_label.font()
        font.setBold(True)
        self.current_label.setFont(font)
        self.print_button = QPushButton()
        self.print_button.clicked.connect(self.print_case_file)
        current = QHBoxLayout()
        current.addWidget(self.current_caption)
        current.addWidget(self.current_label)
        current.addStretch(1)
        current.addWidget(self.print_button)

        self.model = RowsModel(self.COLUMNS, self._cell, self)
        self.table = rows_table(self.model, 2)
        self.timeline_box = QGroupBox()
        QVBoxLayout(self.timeline_box).addWidget(self.table)

        self.stage_box = QGroupBox()
        self.stage_label = caption()
        self.stage_combo = CodeCombo("stage", OPEN_STAGES)
        self.stage_label.setBuddy(self.stage_combo)
        self.stage_date_label = caption()
        self.stage_date = date_edit()
        self.stage_date_label.setBuddy(self.stage_date)
        self.stage_button = QPushButton()
        self.stage_button.clicked.connect(self.change_stage)
        stage = QHBoxLayout(self.stage_box)
        for widget in (self.stage_label, self.stage_combo, self.stage_date_label, self.stage_date):
            stage.addWidget(widget)
        stage.addStretch(1)
        stage.addWidget(self.stage_button)

        self.close_box = QGroupBox()
        self.reason_label = caption()
        self.reason_combo = CodeCombo("closure_reason", CLOSURE_REASONS)
        self.reason_label.setBuddy(self.reason_combo)
        self.close_date_label = caption()
        self.close_date = date_edit()
        self.close_date_label.setBuddy(self.close_date)
        self.close_button = QPushButton()
        self.close_button.clicked.connect(self.close_case)
        closing = QHBoxLayout(self.close_box)
        for widget in (self.reason_label, self.reason_combo, self.close_date_label, self.close_date):
            closing.addWidget(widget)
        closing.addStretch(1)
        closing.addWidget(self.close_button)

        self.reopen_box = QGroupBox()
        self.reopen_date_label = caption()
        self.reopen_date = date_edit()
        self.reopen_date_label.setBuddy(self.reopen_date)
        self.reopen_button = QPushButton()
        self.reopen_button.clicked.connect(self.reopen)
        reopening = QHBoxLayout(self.reopen_box)
        reopening.addWidget(self.reopen_date_label)
        reopening.addWidget(self.reopen_date)
        reopening.addStretch(1)
        reopening.addWidget(self.reopen_button)
        self.reopen_box.hide()

        layout = QVBoxLayout(self)
        layout.addLayout(current)
        layout.addWidget(self.timeline_box, 1)
        layout.addWidget(self.stage_box)
        layout.addWidget(self.close_box)
        layout.addWidget(self.reopen_box)
        layout.addLayout(self.message_box())
        self.retranslate()

    def _cell(self, row: StageRow, column: int) -> str:
        if column == 0:
            return date_text(row.on_date)
        if column == 1:
            return codelist_label("stage", row.stage)
        if column == 2:
            return self._reason(row)
        return row.officer

    @staticmethod
    def _reason(row: StageRow) -> str:
        if not row.reason:
            return ""
        if row.reason == "reopened":
            return tr("case.parcours.reopened")
        if row.stage == "cloture":
            return codelist_label("closure_reason", row.reason)
        return row.reason

    @property
    def closed(self) -> bool:
        return self.detail is not None and self.detail.closed_on is not None

    def show_detail(self, detail: CaseDetail) -> None:
        self.model.set_rows(list(reversed(detail.stages)))
        if detail.stage in OPEN_STAGES:
            following = OPEN_STAGES.index(detail.stage) + 1
            self.stage_combo.set_code(OPEN_STAGES[min(following, len(OPEN_STAGES) - 1)])
        self._show_current()

    def _show_current(self) -> None:
        detail = self.detail
        if detail is None:
            self.current_label.clear()
        elif detail.closed_on is not None:
            self.current_label.setText(
                tr(
                    "case.parcours.closed_state",
                    date=date_text(detail.closed_on),
                    reason=codelist_label("closure_reason", detail.closure_reason),
                )
            )
        else:
            self.current_label.setText(codelist_label("stage", detail.stage))
        self.stage_box.setVisible(not self.closed)
        self.close_box.setVisible(not self.closed)
        self.reopen_box.setVisible(self.closed)

    def clear_fields(self) -> None:
        self.model.clear()
        for edit in (self.stage_date, self.close_date, self.reopen_date):
            reset_date(edit)
        self._show_current()

    def update_actions(self) -> None:
        loaded = self.detail is not None and not self.busy
        self.stage_button.setEnabled(loaded and not self.closed)
        self.close_button.setEnabled(loaded and not self.closed)
        self.reopen_button.setEnabled(loaded and self.closed)
        self.print_button.setEnabled(loaded)

    def retranslate(self) -> None:
        super().retranslate()
        self.current_caption.setText(tr("case.parcours.current"))
        self.print_button.setText(tr("case.parcours.print"))
        self.timeline_box.setTitle(tr("case.parcours.timeline_title"))
        self.stage_box.setTitle(tr("case.parcours.stage_title"))
        self.stage_label.setText(tr("case.parcours.stage"))
        self.stage_date_label.setText(tr("case.parcours.date"))
        self.stage_button.setText(tr("case.parcours.change_stage"))
        self.close_box.setTitle(tr("case.parcours.close_title"))
        self.reason_label.setText(tr("case.parcours.reason"))
        self.close_date_label.setText(tr("case.parcours.date"))
        self.close_button.setText(tr("case.parcours.close"))
        self.reopen_box.setTitle(tr("case.parcours.reopen_title"))
        self.reopen_date_label.setText(tr("case.parcours.date"))
        self.reopen_button.setText(tr("case.parcours.reopen"))
        self.stage_combo.retranslate()
        self.reason_combo.retranslate()
        self.model.retranslate()
        self._show_current()

    def change_stage(self) -> None:
        if self.detail is None:
            return
        stage = self.stage_combo.code()
        self.host.perform(
            self,
            cases.set_stage,
            self.detail.case_id,
            stage,
            from_qdate(self.stage_date.date()),
            status_key="case.parcours.stage_changed",
            status_params={"stage": codelist_label("stage", stage)},
        )

    def close_case(self) -> None:
        if self.detail is None:
            return
        reason = self.reason_combo.code()
        on: date = from_qdate(self.close_date.date())
        label = codelist_label("closure_reason", reason)
        if not self.host.confirm_action(tr("case.parcours.close_confirm", reason=label, date=date_text(on))):
            return
        self.host.perform(
            self, cases.close_case, self.detail.case_id, reason, on, status_key="case.parcours.closed_status"
        )

    def reopen(self) -> None:
        if self.detail is None:
            return
        self.host.perform(
            self,
            cases.reopen_case,
            self.detail.case_id,
            from_qdate(self.reopen_date.date()),
            status_key="case.parcours.reopened_status",
        )

    def print_case_file(self) -> None:
        if self.detail is None:
            return
        self.host.print_pdf(
            self,
            "case_pdf",
            tr("case.parcours.pdf_name", number=self.detail.number),
            print_case_file,
            self.detail,
            i18n.language(),
        )
