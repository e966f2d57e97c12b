"""The referral log: every referral of the office, filtered by state, direction, need, provider, period.

It answers what was sent, to whom, what came back and what is late. Each change of a
filter re-runs the query (newest first); a double click opens the person's case.
"""

from __future__ import annotations

from datetime import date
from functools import partial

import shiboken6
from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.domain.codelists import REFERRAL_DIRECTIONS, REFERRAL_STATES, SERVICE_DOMAINS
from desktop.i18n import tr
from desktop.services import directory, referrals
from desktop.services.referral_types import DirectoryFilter, ProviderRow, ReferralFilter, ReferralRow
from desktop.ui.context import AppContext
from desktop.ui.pages.cases.case_tabs import CodeCombo, OptionalDateEdit, caption
from desktop.ui.pages.referrals.common import ReferralRowsModel, ReferralSelection, provider_name, referral_table
from desktop.ui.widgets.common import ErrorLabel, format_number

COLUMNS = ("code", "date", "person", "case", "direction", "need", "provider", "urgency", "state", "due", "outcome")
LIMIT = 1000  # the newest; filters narrow the rest


class LogView(ReferralSelection, QWidget):
    """Filters above, the referrals below."""

    sig_open_case = Signal(int)
    """Open this case id."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._generation = 0
        self._providers: list[ProviderRow] = []
        self.state_label, self.direction_label, self.need_label = caption(), caption(), caption()
        self.provider_label, self.period_label = caption(), caption()
        self.state_combo = CodeCombo("referral_state", REFERRAL_STATES, empty_key="referrals.log.all")
        self.direction_combo = CodeCombo("direction", REFERRAL_DIRECTIONS, empty_key="referrals.log.all")
        self.need_combo = CodeCombo("service_domain", SERVICE_DOMAINS, empty_key="referrals.log.all")
        self.provider_combo = QComboBox()
        self.provider_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.provider_combo.setMinimumContentsLength(20)
        self.sent_from = OptionalDateEdit(not_after_today=True)
        self.sent_to = OptionalDateEdit(not_after_today=True)
        self.overdue_check = QCheckBox()
        self.reset_button = QPushButton()
        self.reset_button.clicked.connect(self.reset_filters)
        for label, widget in (
            (self.state_label, self.state_combo),
            (self.direction_label, self.direction_combo),
            (self.need_label, self.need_combo),
            (self.provider_label, self.provider_combo),
        ):
            label.setBuddy(widget)
        first, second, third = QHBoxLayout(), QHBoxLayout(), QHBoxLayout()
        for label, widget in (
            (self.state_label, self.state_combo),
            (self.direction_label, self.direction_combo),
            (self.need_label, self.need_combo),
        ):
            first.addWidget(label)
            first.addWidget(widget)
            first.addSpacing(12)
        first.addStretch(1)
        second.addWidget(self.provider_label)
        second.addWidget(self.provider_combo)
        second.addSpacing(12)
        second.addWidget(self.period_label)
        second.addWidget(self.sent_from)
        second.addWidget(self.sent_to)
        second.addStretch(1)
        third.addWidget(self.overdue_check)
        third.addStretch(1)
        third.addWidget(self.reset_button)
        filters = QVBoxLayout()
        for row in (first, second, third):
            filters.addLayout(row)

        self.model = ReferralRowsModel(COLUMNS, self)
        self.table = referral_table(self.model, "outcome")  # many columns: scroll rather than squeeze
        self.table.doubleClicked.connect(self._double_clicked)
        self.count_label = QLabel()
        self.open_button = QPushButton()
        self.open_button.clicked.connect(self.open_case)
        self.error_label = ErrorLabel()
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error_label)
        layout.addLayout(bottom)

        for combo in (self.state_combo, self.direction_combo, self.need_combo, self.provider_combo):
            combo.currentIndexChanged.connect(self._filters_changed)
        self.sent_from.changed.connect(self._filters_changed)
        self.sent_to.changed.connect(self._filters_changed)
        self.overdue_check.toggled.connect(self._filters_changed)
        self.retranslate()

    # -- data ------------------------------------------------------------------------

    def referral_filter(self) -> ReferralFilter:
        provider = self.provider_combo.currentData()
        return ReferralFilter(
            state=self.state_combo.code(),
            direction=self.direction_combo.code(),
            domain=self.need_combo.code(),
            provider_id=int(provider) if isinstance(provider, int) else None,
            overdue_only=self.overdue_check.isChecked(),
            sent_from=self.sent_from.value(),
            sent_to=self.sent_to.value(),
        )

    def reload(self) -> None:
        """The providers for the filter, then the log."""
        if self.ctx.actor is None:
            return
        self.ctx.call(directory.list_providers, DirectoryFilter(include_inactive=True), on_done=self._providers_listed)
        self.refresh()

    def refresh(self) -> None:
        if self.ctx.actor is None:
            return
        self._generation += 1
        done = partial(self._listed, self._generation)
        self.ctx.call(referrals.referral_rows, self.referral_filter(), None, LIMIT, on_done=done, on_error=self._failed)

    def _providers_listed(self, rows: list[ProviderRow]) -> None:
        if not shiboken6.isValid(self) or self.ctx.actor is None:
            return
        self._providers = rows
        self._fill_providers()

    def _fill_providers(self) -> None:
        chosen = self.provider_combo.currentData()
        self.provider_combo.blockSignals(True)
        self.provider_combo.clear()
        self.provider_combo.addItem(tr("referrals.log.all"), None)
        for row in self._providers:
            self.provider_combo.addItem(provider_name(row.name_fr, row.name_ar), row.id)
        self.provider_combo.setCurrentIndex(max(0, self.provider_combo.findData(chosen)))
        self.provider_combo.blockSignals(False)

    def _listed(self, generation: int, rows: list[ReferralRow]) -> None:
        if not shiboken6.isValid(self) or generation != self._generation or self.ctx.actor is None:
            return
        self.error_label.clear_text()
        self.model.set_rows(rows)
        self._show_count()

    def _failed(self, error: BaseException) -> None:
        if shiboken6.isValid(self) and self.ctx.actor is not None:
            self.error_label.show_error(error)

    def clear(self) -> None:
        self._generation += 1
        self.model.clear()
        self._providers = []
        self._fill_providers()
        self.error_label.clear_text()
        self._show_count()

    def _filters_changed(self, *_args: object) -> None:
        self.refresh()

    def reset_filters(self) -> None:
        widgets = (self.state_combo, self.direction_combo, self.need_combo, self.provider_combo, self.overdue_check)
        for widget in (*widgets, self.sent_from, self.sent_to):
            widget.blockSignals(True)
        for combo in (self.state_combo, self.direction_combo, self.need_combo, self.provider_combo):
            combo.setCurrentIndex(0)
        self.overdue_check.setChecked(False)
        self.sent_from.set_value(None)
        self.sent_to.set_value(None)
        for widget in (*widgets, self.sent_from, self.sent_to):
            widget.blockSignals(False)
        self.refresh()

    def set_period(self, start: date | None, end: date | None) -> None:
        self.sent_from.set_value(start)
        self.sent_to.set_value(end)

    # -- actions ---------------------------------------------------------------------

    def open_case(self) -> None:
        row = self.selected()
        if row is not None:
            self.sig_open_case.emit(row.case_id)

    def _double_clicked(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if isinstance(row, ReferralRow):
            self.sig_open_case.emit(row.case_id)

    # -- language --------------------------------------------------------------------

    def _show_count(self) -> None:
        count = self.model.rowCount()
        key = "referrals.log.count_limited" if count >= LIMIT else "referrals.log.count"
        self.count_label.setText(tr(key, count=format_number(count)))

    def retranslate(self) -> None:
        self.state_label.setText(tr("referrals.log.state"))
        self.direction_label.setText(tr("referrals.log.direction"))
        self.need_label.setText(tr("referrals.log.need"))
        self.provider_label.setText(tr("referrals.log.provider"))
        self.period_label.setText(tr("referrals.log.period"))
        self.sent_from.set_text(tr("referrals.log.from"))
        self.sent_to.set_text(tr("referrals.log.to"))
        self.overdue_check.setText(tr("referrals.log.overdue_only"))
        self.reset_button.setText(tr("referrals.log.reset"))
        self.open_button.setText(tr("referrals.open_case"))
        for combo in (self.state_combo, self.direction_combo, self.need_combo):
            combo.retranslate()
        if self.provider_combo.count():
            self.provider_combo.setItemText(0, tr("referrals.log.all"))
        for index, row in enumerate(self._providers, start=1):
            self.provider_combo.setItemText(index, provider_name(row.name_fr, row.name_ar))
        self.model.retranslate()
        self._show_count()
