"""What the referral screens share: the cells of a referral row, a reason prompt, the slip, navigation.

The case tab, the "À relancer" list and the log show the same :class:`ReferralRow`
through :class:`ReferralRowsModel`, each choosing its columns by name; a late
referral reads in red with its days late wherever it appears.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialog, QLabel, QTableView, QVBoxLayout, QWidget

from desktop import i18n
from desktop.domain.errors import InputRejected
from desktop.domain.referrals import display_code
from desktop.i18n import tr
from desktop.services import referrals
from desktop.services.export_files import write_export
from desktop.services.office import OfficeHandle
from desktop.services.referral_types import ReferralRow
from desktop.ui.models.case_list_model import codelist_label
from desktop.ui.pages.cases.case_tabs import (
    LimitedTextEdit,
    RowsModel,
    date_text,
    rows_table,
    selected_row,
    warning_colour,
)
from desktop.ui.widgets.common import ErrorLabel, ok_cancel_buttons, select_row

MAX_COLUMN_WIDTH = 240
"""Pixels: a long provider or need name is cut (…), the others stay readable."""
REASON_LIMIT = 500
"""A cancellation or an override is explained in a sentence or two (the service keeps 500)."""


def provider_name(name_fr: str, name_ar: str) -> str:
    """The provider's name in the interface's script when the directory has it."""
    if i18n.language() == "ar":
        return name_ar or name_fr
    return name_fr or name_ar


def late_text(row: ReferralRow) -> str:
    return tr("referrals.days_late", days=row.days_late) if row.overdue else ""


def follow_up_text(row: ReferralRow) -> str:
    if row.last_follow_up_on is None:
        return ""
    return tr("referrals.follow_up_cell", date=date_text(row.last_follow_up_on), count=row.follow_ups)


def contact_text(row: ReferralRow) -> str:
    return tr("case.list_separator").join(part for part in (row.provider_phone, row.provider_focal_point) if part)


def state_text(row: ReferralRow) -> str:
    return codelist_label("referral_state", row.state)


def referral_cell(row: ReferralRow, name: str) -> str:
    """The text of one column (by name) of a referral row, in the interface language."""
    if name == "code":
        return display_code(row.code)
    if name == "date":
        return date_text(row.sent_on or row.created_on)
    if name == "need":
        return codelist_label("service_domain", row.domain)
    if name == "provider":
        return provider_name(row.provider_name, row.provider_name_ar)
    if name == "urgency":
        return tr(f"referrals.urgency_short.{row.urgency}") if row.direction == "outgoing" else ""
    if name == "state":
        return state_text(row)
    if name == "due":
        due = date_text(row.due_on)
        return tr("referrals.due_late", date=due, days=row.days_late) if row.overdue else due
    if name == "outcome":
        return codelist_label("outcome", row.outcome)
    if name == "days_late":
        return tr("referrals.days_short", days=row.days_late) if row.overdue else ""
    if name == "person":
        return row.person_name
    if name == "case":
        return row.case_number
    if name == "contact":
        return contact_text(row)
    if name == "follow_up":
        return follow_up_text(row)
    if name == "direction":
        return tr(f"referrals.direction_short.{row.direction}")
    return ""


LATE_COLUMNS = frozenset({"due", "days_late", "state"})


class ReferralSelection:
    """Selection helpers of the views listing referrals (they set ``model`` and ``table``)."""

    model: ReferralRowsModel
    table: QTableView

    def selected(self) -> ReferralRow | None:
        row = self.model.row_at(selected_row(self.table))
        return row if isinstance(row, ReferralRow) else None

    def selected_id(self) -> int | None:
        row = self.selected()
        return row.id if row is not None else None

    def select_referral(self, referral_id: int) -> bool:
        for number, row in enumerate(self.model.rows()):
            if row.id == referral_id:
                select_row(self.table, number)
                return True
        return False


class ReferralRowsModel(RowsModel):
    """Referral rows with the columns named in ``columns`` (headers ``referrals.col.<name>``)."""

    def __init__(self, columns: Sequence[str], parent: QObject | None = None) -> None:
        self.columns = tuple(columns)
        super().__init__(
            [f"referrals.col.{name}" for name in self.columns],
            self._cell,
            parent,
            foreground=self._foreground,
            tooltip=self._tooltip,
        )

    def column(self, name: str) -> int:
        return self.columns.index(name)

    def _cell(self, row: ReferralRow, column: int) -> str:
        return referral_cell(row, self.columns[column])

    def _foreground(self, row: ReferralRow, column: int) -> QColor | None:
        return warning_colour() if row.overdue and self.columns[column] in LATE_COLUMNS else None

    def _tooltip(self, row: ReferralRow, column: int) -> str:
        if self.columns[column] == "urgency":
            return codelist_label("urgency", row.urgency)
        if self.columns[column] == "direction":
            return codelist_label("direction", row.direction)
        text = self._cell(row, column)
        late = late_text(row)
        return f"{text}\n{late}" if late and late not in text else text


def referral_table(model: ReferralRowsModel, stretch: str) -> QTableView:
    """A read-only table of referrals; no column takes more than its share (full text as tooltip)."""
    table = rows_table(model, model.column(stretch))
    table.horizontalHeader().setMaximumSectionSize(MAX_COLUMN_WIDTH)
    return table


# -- a reason, asked for -------------------------------------------------------------------


class ReasonDialog(QDialog):
    """A short text the action needs (why cancel, why share without consent)."""

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.prompt = QLabel(prompt)
        self.prompt.setWordWrap(True)
        self.edit = LimitedTextEdit(REASON_LIMIT)
        self.edit.setFixedHeight(self.edit.fontMetrics().lineSpacing() * 4 + 12)
        self.prompt.setBuddy(self.edit)
        self.error_label = ErrorLabel()
        buttons, self.ok_button, self.cancel_button = ok_cancel_buttons(self.submit, self.reject)
        self.ok_button.setText(tr("referrals.reason.ok"))
        self.cancel_button.setText(tr("referrals.reason.cancel"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.edit)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.resize(460, self.sizeHint().height())

    def text(self) -> str:
        return self.edit.text().strip()

    def submit(self) -> None:
        if not self.text():
            self.error_label.show_error(InputRejected("referrals.reason.required"))
            self.edit.setFocus()
            return
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, prompt: str) -> str | None:
        """The reason typed, or None if the person gave up (tests replace this method)."""
        dialog = cls(title, prompt, parent)
        try:
            return dialog.text() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()


# -- the printed slip ----------------------------------------------------------------------




def print_referral_slip(handle: OfficeHandle, referral_id: int, lang: str, out: Path) -> Path:
    """The fiche de référence as a PDF (``slip`` audits the export: what the referral shares)."""
    from desktop.reports.referral_pdf import render_referral_slip_pdf  # type: ignore[import-not-found,unused-ignore]

    slip = referrals.slip(handle, referral_id)
    write_export(out, bytes(render_referral_slip_pdf(slip, lang)))
    return out


# -- navigation ----------------------------------------------------------------------------


def show_section(widget: QWidget, page_class: type[Any]) -> Any | None:
    """Show the main window's section of ``page_class`` (None outside a main window)."""
    show_page = getattr(widget.window(), "show_page", None)
    if not callable(show_page):
        return None
    try:
        return show_page(page_class)
    except KeyError:
        return None


def open_case(widget: QWidget, case_id: int) -> bool:
    """Open a case in the Dossiers section of the main window holding ``widget``."""
    from desktop.ui.pages.cases.section import CasesSection

    section = show_section(widget, CasesSection)
    if section is None:
        return False
    section.open_case(case_id)
    return True
