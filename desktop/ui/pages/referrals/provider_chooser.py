"""Choosing the provider of a referral from the service directory (cartographie).

The list first shows only the providers that fit the person: the need's domain, a
coverage that includes the person's commune (or the office's), and access open to the
person's public (MRE, returnee, refugee…). "Élargir" drops the area and the public:
a provider further away is better than none. Then, optionally, one of its services.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import shiboken6
from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop.i18n import tr
from desktop.services import directory
from desktop.services.referral_types import DirectoryFilter, ProviderInput, ProviderRow, ServiceInput
from desktop.ui.context import AppContext
from desktop.ui.models.case_list_model import codelist_label
from desktop.ui.pages.cases.case_tab_identity import commune_name
from desktop.ui.pages.cases.case_tabs import RowsModel, caption, date_text, rows_table, selected_row, warning_colour
from desktop.ui.pages.referrals.common import provider_name
from desktop.ui.widgets.common import select_row

COLUMNS = (
    "referrals.chooser.col.name",
    "referrals.chooser.col.kind",
    "referrals.chooser.col.contact",
    "referrals.chooser.col.verified",
)


@dataclass(frozen=True)
class Criteria:
    """Who the referral is for: what the directory is filtered by."""

    domain: str = ""
    area: str = ""  # commune code
    public: str = ""  # codelists.PUBLICS
    incoming: bool = False  # the provider is where the referral comes from: any provider


class ProviderChooser(QWidget):
    """The directory filtered for a referral, a provider picked, maybe one of its services."""

    sig_changed = Signal()
    """The provider or the service chosen changed."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.criteria = Criteria()
        self._generation = 0
        self._services: list[ServiceInput] = []
        self.filter_label = QLabel()
        self.filter_label.setWordWrap(True)
        self.widen_check = QCheckBox()
        self.widen_check.toggled.connect(self.reload)
        self.model = RowsModel(COLUMNS, self._cell, self, foreground=self._foreground)
        self.table = rows_table(self.model, 0)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.empty_label = QLabel()
        self.empty_label.setWordWrap(True)
        self.empty_label.hide()
        self.service_label = caption()
        self.service_combo = QComboBox()
        self.service_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.service_combo.setMinimumContentsLength(24)
        self.service_label.setBuddy(self.service_combo)
        self.service_combo.currentIndexChanged.connect(self._service_changed)
        service_row = QHBoxLayout()
        service_row.addWidget(self.service_label)
        service_row.addWidget(self.service_combo, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter_label)
        layout.addWidget(self.widen_check)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addLayout(service_row)
        self.retranslate()

    # -- what the dialog asks --------------------------------------------------------

    def set_criteria(self, criteria: Criteria) -> None:
        if criteria != self.criteria:
            self.criteria = criteria
            self.reload()

    def provider(self) -> ProviderRow | None:
        row = self.model.row_at(selected_row(self.table))
        return row if isinstance(row, ProviderRow) else None

    def provider_id(self) -> int | None:
        provider = self.provider()
        return provider.id if provider is not None else None

    def service_id(self) -> int | None:
        data = self.service_combo.currentData()
        return int(data) if isinstance(data, int) else None

    def select_provider(self, provider_id: int) -> bool:
        for number, row in enumerate(self.model.rows()):
            if row.id == provider_id:
                select_row(self.table, number)
                return True
        return False

    def directory_filter(self) -> DirectoryFilter:
        c = self.criteria
        if c.incoming:
            return DirectoryFilter()
        if self.widen_check.isChecked():
            return DirectoryFilter(domain=c.domain)
        return DirectoryFilter(domain=c.domain, area=c.area, public=c.public)

    def reload(self) -> None:
        """Ask the directory again (an older answer arriving later is dropped)."""
        self._generation += 1
        generation = self._generation
        self.model.clear()
        self._set_services([])
        self._describe()
        if not self.criteria.domain and not self.criteria.incoming:
            self.empty_label.hide()
            return
        self.ctx.call(directory.list_providers, self.directory_filter(), on_done=partial(self._listed, generation))

    def clear(self) -> None:
        self._generation += 1
        self.criteria = Criteria()
        self.model.clear()
        self._set_services([])
        self._describe()

    # -- answers ---------------------------------------------------------------------

    def _listed(self, generation: int, rows: list[ProviderRow]) -> None:
        if not shiboken6.isValid(self) or generation != self._generation:
            return
        self.model.set_rows(rows)
        self.empty_label.setVisible(not rows)
        if len(rows) == 1:
            select_row(self.table, 0)
        self.sig_changed.emit()

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._set_services([])
        provider_id = self.provider_id()
        if provider_id is not None:
            generation = self._generation
            done = partial(self._provider_read, generation, provider_id)
            self.ctx.call(directory.get_provider, provider_id, on_done=done)
        self.sig_changed.emit()

    def _provider_read(self, generation: int, provider_id: int, data: ProviderInput) -> None:
        if not shiboken6.isValid(self) or generation != self._generation or self.provider_id() != provider_id:
            return
        domain = self.criteria.domain
        services = [s for s in data.services if s.active and s.id is not None and (not domain or s.domain == domain)]
        self._set_services(services)

    def _set_services(self, services: list[ServiceInput]) -> None:
        self._services = services
        self.service_combo.blockSignals(True)
        self.service_combo.clear()
        self.service_combo.addItem(tr("referrals.chooser.any_service"), None)
        for service in services:
            self.service_combo.addItem(provider_name(service.name_fr, service.name_ar), service.id)
            if service.conditions:
                self.service_combo.setItemData(
                    self.service_combo.count() - 1, service.conditions, Qt.ItemDataRole.ToolTipRole
                )
        self.service_combo.blockSignals(False)
        self.service_combo.setEnabled(bool(services))

    def _service_changed(self, _index: int) -> None:
        self.sig_changed.emit()

    # -- cells and texts -------------------------------------------------------------

    def _cell(self, row: ProviderRow, column: int) -> str:
        if column == 0:
            return provider_name(row.name_fr, row.name_ar)
        if column == 1:
            return codelist_label("provider_kind", row.kind)
        if column == 2:
            return tr("case.list_separator").join(part for part in (row.phone, row.focal_point) if part)
        if row.verified_on is None:
            return tr("referrals.chooser.never_verified")
        return date_text(row.verified_on)

    def _foreground(self, row: ProviderRow, column: int) -> QColor | None:
        return warning_colour() if column == 3 and row.stale else None

    def _describe(self) -> None:
        c = self.criteria
        self.widen_check.setVisible(not c.incoming)
        if c.incoming:
            text = tr("referrals.chooser.incoming")
        elif not c.domain:
            text = tr("referrals.chooser.choose_domain")
        elif self.widen_check.isChecked():
            text = tr("referrals.chooser.widened", domain=codelist_label("service_domain", c.domain))
        else:
            text = tr(
                "referrals.chooser.filtered",
                domain=codelist_label("service_domain", c.domain),
                commune=commune_name(c.area) or tr("referrals.chooser.any_commune"),
                public=codelist_label("public", c.public),
            )
        self.filter_label.setText(text)

    def retranslate(self) -> None:
        self.widen_check.setText(tr("referrals.chooser.widen"))
        self.empty_label.setText(tr("referrals.chooser.none"))
        self.service_label.setText(tr("referrals.chooser.service"))
        if self.service_combo.count():
            self.service_combo.setItemText(0, tr("referrals.chooser.any_service"))
        for index, service in enumerate(self._services, start=1):
            self.service_combo.setItemText(index, provider_name(service.name_fr, service.name_ar))
        self.model.retranslate()
        self._describe()
