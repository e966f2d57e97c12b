"""The service directory as a table: a few hundred providers, loaded whole and replaced on reload.

Names show in the interface language (the Arabic name in Arabic, the French one
otherwise, each falling back to the other) and the rows sort by that name. A provider
not verified for six months says so in words in the "verified" column, in a warning
colour and bold: the colour is never the only sign.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QPalette

from desktop import i18n
from desktop.domain.geography import geography
from desktop.i18n import tr
from desktop.services.referral_types import ProviderRow
from desktop.ui.models.base import ModelIndex, TranslatedTableModel
from desktop.ui.models.case_list_model import codelist_label, format_date
from desktop.ui.widgets.commune_picker import fold

COLUMN_KEYS = (
    "directory.column.name",
    "directory.column.kind",
    "directory.column.domains",
    "directory.column.area",
    "directory.column.phone",
    "directory.column.focal_point",
    "directory.column.verified",
)
NAME, KIND, DOMAINS, AREA, PHONE, FOCAL_POINT, VERIFIED = range(len(COLUMN_KEYS))
ProviderIdRole = Qt.ItemDataRole.UserRole
StaleRole = Qt.ItemDataRole.UserRole + 1


def display_name(name_fr: str, name_ar: str, lang: str | None = None) -> str:
    """The name in the interface language, else the other one."""
    first, second = (name_ar, name_fr) if (lang or i18n.language()) == "ar" else (name_fr, name_ar)
    return first.strip() or second.strip()


def commune_label(code: str, lang: str | None = None) -> str:
    """A commune's name in ``lang`` (the code itself if the reference does not know it)."""
    if not code:
        return ""
    geo = geography()
    try:
        return geo.name(geo.commune(code), lang or i18n.language())
    except KeyError:
        return code


def area_text(commune_code: str, coverage: str) -> str:
    """Show "Inezgane (Province)": where the provider is and how far it serves."""
    level = codelist_label("coverage", coverage)
    commune = commune_label(commune_code)
    if not commune:
        return level
    return tr("directory.area_value", commune=commune, coverage=level)


def verified_text(row: ProviderRow) -> str:
    if row.verified_on is None:
        return tr("directory.never_verified")
    when = format_date(row.verified_on)
    return tr("directory.stale_since", date=when) if row.stale else when


def stale_colour() -> QColor:
    """A dark amber on light tables, a light one on dark tables."""
    dark = QGuiApplication.palette().color(QPalette.ColorRole.Base).lightness() < 128
    return QColor("#ffb74d") if dark else QColor("#9a4d00")


class ProviderListModel(TranslatedTableModel):
    """Rows are :class:`ProviderRow` DTOs; codes, communes and dates are translated when shown."""

    column_keys = COLUMN_KEYS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ProviderRow] = []

    # -- rows ------------------------------------------------------------------
    def set_rows(self, rows: list[ProviderRow]) -> None:
        self.beginResetModel()
        self._rows = sorted(rows, key=self._sort_key)
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def retranslate(self) -> None:
        """The name shown (hence the order) changes with the language."""
        self.set_rows(self._rows)

    @staticmethod
    def _sort_key(row: ProviderRow) -> tuple[str, int]:
        return fold(display_name(row.name_fr, row.name_ar)), row.id

    def row_count(self) -> int:
        return len(self._rows)

    def provider_at(self, row: int) -> ProviderRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, provider_id: int) -> int:
        for index, row in enumerate(self._rows):
            if row.id == provider_id:
                return index
        return -1

    def stale_count(self) -> int:
        return sum(1 for row in self._rows if row.stale)

    # -- cells -----------------------------------------------------------------
    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.provider_at(index.row())
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == VERIFIED and row.stale:
                return QBrush(stale_colour())
            if not row.active:
                return QBrush(QGuiApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
            return None
        if role == Qt.ItemDataRole.FontRole and column == VERIFIED and row.stale:
            font = QFont()
            font.setBold(True)
            return font
        if role == ProviderIdRole:
            return row.id
        if role == StaleRole:
            return row.stale
        return None

    @staticmethod
    def _text(row: ProviderRow, column: int) -> str:
        if column == NAME:
            name = display_name(row.name_fr, row.name_ar)
            return name if row.active else tr("directory.inactive_name", name=name)
        if column == KIND:
            return codelist_label("provider_kind", row.kind)
        if column == DOMAINS:
            return tr("directory.list_separator").join(codelist_label("service_domain", d) for d in row.domains)
        if column == AREA:
            return area_text(row.commune_code, row.coverage)
        if column == PHONE:
            return row.phone
        if column == FOCAL_POINT:
            return row.focal_point
        if column == VERIFIED:
            return verified_text(row)
        return ""

    @staticmethod
    def _tooltip(row: ProviderRow, column: int) -> str | None:
        if column == NAME:
            names = [name for name in (row.name_fr, row.name_ar) if name.strip()]
            return "\n".join(names) or None
        if column == DOMAINS:
            return "\n".join(codelist_label("service_domain", d) for d in row.domains) or None
        if column == VERIFIED and row.stale:
            return tr("directory.stale_tip")
        if column == PHONE and row.email:
            return row.email
        return None
