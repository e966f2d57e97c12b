"""The key figures: one card each, a big number and how it moved.

Each card is a flat button (focus, Enter, click): it asks for the cases behind the
figure. Its tooltip is the indicator's definition, the contract of the number. The
numbers and changes come from :mod:`desktop.reports.stats_tables`, as in the reports.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPalette, QResizeEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from desktop import i18n
from desktop.domain.indicators import BY_CODE, KEY_FIGURES
from desktop.i18n import tr
from desktop.reports import stats_tables
from desktop.reports.stats_tables import Row
from desktop.services.statistics import Statistics
from desktop.ui.pages.statistics.texts import ltr, plain


def comparison_text(row: Row, column: int, key: str, lang: str) -> str:
    """A comparison column's value and the change to it: "Période précédente : 10 (+20 %)"."""
    if len(row.cells) <= column:
        return ""
    unit = BY_CODE[row.key].unit
    before = row.cells[column]
    value = before.text(unit, lang)
    change = stats_tables.format_change(row.cells[0].number(), before.number(), unit)
    shown = f"{value} ({change})" if change else value
    return i18n.tr_in(lang, key, value=ltr(shown))


CARD_STYLE = (
    "QPushButton#keyFigure { border: 1px solid palette(mid); border-radius: 6px; background: palette(base); }"
    "QPushButton#keyFigure:hover { border-color: palette(highlight); }"
    "QPushButton#keyFigure:focus { border: 2px solid palette(highlight); }"
)


class KeyFigureCard(QPushButton):
    """A figure: its name, its value, the period before and the year before."""

    sig_drill = Signal(str)
    """The indicator code whose cases were asked for."""

    def __init__(self, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.code = code
        self.setObjectName("keyFigure")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.name_label = QLabel()
        self.name_label.setWordWrap(True)
        self.value_label = QLabel()
        font = self.value_label.font()
        font.setPointSizeF(font.pointSizeF() * 2.1)
        font.setBold(True)
        self.value_label.setFont(font)
        self.previous_label = QLabel()
        self.last_year_label = QLabel()
        for label in (self.name_label, self.value_label, self.previous_label, self.last_year_label):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            label.setAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)
        small = self.previous_label.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        for label in (self.previous_label, self.last_year_label):
            label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            label.setWordWrap(True)
            label.setFont(small)
        box = QVBoxLayout(self)
        box.setContentsMargins(10, 8, 10, 8)
        box.setSpacing(2)
        box.addWidget(self.name_label)
        box.addWidget(self.value_label)
        box.addWidget(self.previous_label)
        box.addWidget(self.last_year_label)
        box.addStretch(1)
        self.clicked.connect(lambda: self.sig_drill.emit(self.code))

    def sizeHint(self) -> QSize:
        layout = self.layout()
        return layout.sizeHint() if layout is not None else super().sizeHint()

    def minimumSizeHint(self) -> QSize:
        layout = self.layout()
        hint = layout.minimumSize() if layout is not None else super().minimumSizeHint()
        return QSize(min(hint.width(), 130), hint.height())

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        layout = self.layout()
        return layout.totalHeightForWidth(width) if layout is not None else super().heightForWidth(width)

    def show_row(self, row: Row | None, lang: str) -> None:
        indicator = BY_CODE[self.code]
        self.name_label.setText(stats_tables.indicator_name(self.code, lang))
        tip = f"{indicator.define(lang)}\n\n{tr('statistics.figure.drill_hint')}"
        self.setToolTip(tip)
        if row is None:
            self.value_label.setText("—")
            self.previous_label.clear()
            self.last_year_label.clear()
            self.setAccessibleName(self.name_label.text())
            return
        self.value_label.setText(ltr(row.cells[0].text(indicator.unit, lang)))
        # The number is a left-to-right block: it would stick to the left of an Arabic card.
        side = Qt.AlignmentFlag.AlignRight if i18n.is_rtl(lang) else Qt.AlignmentFlag.AlignLeft
        self.value_label.setAlignment(side | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignVCenter)
        self.previous_label.setText(comparison_text(row, 1, "statistics.figure.previous", lang))
        self.last_year_label.setText(comparison_text(row, 2, "statistics.figure.last_year", lang))
        self.setAccessibleName(f"{self.name_label.text()} : {self.value_label.text()}")


class KeyFigures(QWidget):
    """The cards in a row (two rows of three when the window is narrow)."""

    sig_drill = Signal(str)

    COLUMNS_WIDE = 6
    NARROW_BELOW = 900

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cards = {code: KeyFigureCard(code) for code in KEY_FIGURES}
        for card in self.cards.values():
            card.sig_drill.connect(self.sig_drill)
        self.setStyleSheet(CARD_STYLE)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(6)
        self._columns = 0
        self._place(self.COLUMNS_WIDE)

    def _place(self, columns: int) -> None:
        if columns == self._columns:
            return
        self._columns = columns
        for card in self.cards.values():
            self.grid.removeWidget(card)
        for index, card in enumerate(self.cards.values()):
            self.grid.addWidget(card, index // columns, index % columns)
        for column in range(self.COLUMNS_WIDE):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._place(self.COLUMNS_WIDE if event.size().width() >= self.NARROW_BELOW else 3)
        super().resizeEvent(event)

    def show_stats(self, stats: Statistics | None, lang: str) -> None:
        rows = {row.key: row for row in stats_tables.key_figures(stats, lang)} if stats is not None else {}
        for code, card in self.cards.items():
            card.show_row(rows.get(code), lang)

    def value_text(self, code: str) -> str:
        """The big number of a card as shown (without the direction marks)."""
        return plain(self.cards[code].value_label.text())
