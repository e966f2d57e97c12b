"""The services a provider offers, edited in place: name (French, Arabic), domain, conditions, contact.

A removed row is not deleted by the service (referrals may point to it): it is
deactivated, so services already inactive are not shown here either.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.codelists import SERVICE_DOMAINS
from desktop.i18n import tr
from desktop.services.referral_types import ServiceInput
from desktop.ui.models.case_list_model import codelist_label

COLUMN_KEYS = (
    "directory.service.name_fr",
    "directory.service.name_ar",
    "directory.service.domain",
    "directory.service.conditions",
    "directory.service.contact",
)
NAME_FR, NAME_AR, DOMAIN, CONDITIONS, CONTACT = range(len(COLUMN_KEYS))
ServiceIdRole = Qt.ItemDataRole.UserRole


class ServicesTable(QWidget):
    """The table and its Add / Remove buttons."""

    sig_changed = Signal()
    """A cell, a domain or the rows changed."""

    def __init__(self, default_domain: Callable[[], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._default_domain = default_domain
        self.table = QTableWidget(0, len(COLUMN_KEYS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 14)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(DOMAIN, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(DOMAIN, self.fontMetrics().averageCharWidth() * 30)
        self.table.itemChanged.connect(self._item_changed)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.add_button = QPushButton()
        self.add_button.clicked.connect(self.add_row)
        self.remove_button = QPushButton()
        self.remove_button.clicked.connect(self.remove_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.retranslate()
        self._update_buttons()

    # -- rows ------------------------------------------------------------------------
    def add_row(self, service: ServiceInput | None = None) -> int:
        """Append a row (empty, in the provider's first domain, when ``service`` is None)."""
        if not isinstance(service, ServiceInput):  # clicked(bool) passes a bool
            service = ServiceInput(name_fr="", domain=self._default_domain())
        row = self.table.rowCount()
        self.table.blockSignals(True)
        try:
            self.table.insertRow(row)
            texts = {NAME_FR: service.name_fr, NAME_AR: service.name_ar, CONDITIONS: service.conditions,
                     CONTACT: service.contact}  # fmt: skip
            items = {column: QTableWidgetItem(text) for column, text in texts.items()}
            items[NAME_FR].setData(ServiceIdRole, service.id)
            items[NAME_AR].setTextAlignment(
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter  # Arabic, whatever the UI language
            )
            for column, item in items.items():
                self.table.setItem(row, column, item)
        finally:
            self.table.blockSignals(False)
        combo = QComboBox()
        for code in SERVICE_DOMAINS:
            combo.addItem(codelist_label("service_domain", code), code)
        combo.setCurrentIndex(combo.findData(service.domain) if service.domain else -1)
        combo.setPlaceholderText(tr("directory.choose"))
        combo.currentIndexChanged.connect(self._domain_changed)
        self.table.setCellWidget(row, DOMAIN, combo)
        if service.id is None:
            self.table.setCurrentCell(row, NAME_FR)
        self._update_buttons()
        self.sig_changed.emit()
        return row

    def remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()}, reverse=True)
        if not rows and self.table.currentRow() >= 0:
            rows = [self.table.currentRow()]
        for row in rows:
            self.table.removeRow(row)
        self._update_buttons()
        if rows:
            self.sig_changed.emit()

    def set_services(self, services: list[ServiceInput]) -> None:
        self.table.setRowCount(0)
        for service in services:
            if service.active:
                self.add_row(service)
        self.table.clearSelection()
        self._update_buttons()

    def services(self) -> list[ServiceInput]:
        found = []
        for row in range(self.table.rowCount()):
            combo = self.table.cellWidget(row, DOMAIN)
            domain = str(combo.currentData() or "") if isinstance(combo, QComboBox) else ""
            found.append(
                ServiceInput(
                    name_fr=self._text(row, NAME_FR),
                    domain=domain,
                    name_ar=self._text(row, NAME_AR),
                    conditions=self._text(row, CONDITIONS),
                    contact=self._text(row, CONTACT),
                    id=self._service_id(row),
                )
            )
        return found

    def _service_id(self, row: int) -> int | None:
        item = self.table.item(row, NAME_FR)
        value = item.data(ServiceIdRole) if item is not None else None
        return int(value) if value is not None else None

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text().strip() if item is not None else ""

    def first_unnamed_row(self) -> int:
        for row, service in enumerate(self.services()):
            if not service.name_fr and not service.name_ar:
                return row
        return -1

    # -- reactions ------------------------------------------------------------------------
    def _item_changed(self, _item: QTableWidgetItem) -> None:
        self.sig_changed.emit()

    def _domain_changed(self, _index: int) -> None:
        self.sig_changed.emit()

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self.table.currentRow() >= 0 and self.table.rowCount() > 0)

    def set_invalid(self, invalid: bool) -> None:
        if bool(self.table.property("invalid")) == invalid:
            return
        self.table.setProperty("invalid", invalid)
        self.table.style().unpolish(self.table)
        self.table.style().polish(self.table)

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([tr(key) for key in COLUMN_KEYS])
        self.add_button.setText(tr("directory.service.add"))
        self.remove_button.setText(tr("directory.service.remove"))
        for row in range(self.table.rowCount()):
            combo = self.table.cellWidget(row, DOMAIN)
            if isinstance(combo, QComboBox):
                for index in range(combo.count()):
                    combo.setItemText(index, codelist_label("service_domain", str(combo.itemData(index))))
                combo.setPlaceholderText(tr("directory.choose"))
