"""The period the statistics are about: one month (previous / next), or a run of whole months.

By default the last complete month at the office (Morocco's date, not the computer's):
the month a monthly report is about. The month being lived can be chosen too (its
figures run to today); later months cannot.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QStyle,
    QToolButton,
    QWidget,
)

from desktop.domain.periods import Period, add_months, last_complete_month
from desktop.domain.referrals import office_today
from desktop.i18n import tr

FIRST_YEAR = 2000
MODE_MONTH = "month"
MODE_RANGE = "range"


class MonthField(QWidget):
    """A month: its name in a list, its year in a spin box."""

    sig_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.month_combo = QComboBox()
        for month in range(1, 13):
            self.month_combo.addItem("", month)
        self.month_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.year_spin = QSpinBox()
        self.year_spin.setRange(FIRST_YEAR, office_today().year)
        self.year_spin.setGroupSeparatorShown(False)
        self.month_combo.currentIndexChanged.connect(self._changed)
        self.year_spin.valueChanged.connect(self._changed)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(self.month_combo)
        row.addWidget(self.year_spin)

    def _changed(self, *_args: object) -> None:
        self.sig_changed.emit()

    def value(self) -> tuple[int, int]:
        return self.year_spin.value(), int(self.month_combo.currentData())

    def set_value(self, year: int, month: int) -> None:
        """Show this month without telling anyone (the picker tells once)."""
        self.blockSignals(True)
        try:
            self.year_spin.setMaximum(max(self.year_spin.maximum(), year))
            self.year_spin.setValue(year)
            self.month_combo.setCurrentIndex(month - 1)
        finally:
            self.blockSignals(False)

    def retranslate(self) -> None:
        for index in range(12):
            self.month_combo.setItemText(index, tr(f"stats.month.{index + 1}"))
        self.month_combo.adjustSize()


class PeriodPicker(QWidget):
    """Month or range of months; ``sig_changed`` each time the period on screen changes."""

    sig_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.mode_combo = QComboBox()
        self.mode_combo.addItem("", MODE_MONTH)
        self.mode_combo.addItem("", MODE_RANGE)
        self.label.setBuddy(self.mode_combo)
        self.previous_button = QToolButton()
        self.next_button = QToolButton()
        self.month_field = MonthField()
        self.from_label = QLabel()
        self.from_field = MonthField()
        self.to_label = QLabel()
        self.to_field = MonthField()
        self.from_label.setBuddy(self.from_field.month_combo)
        self.to_label.setBuddy(self.to_field.month_combo)
        self.previous_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        self.mode_combo.currentIndexChanged.connect(self._mode_changed)
        for field in (self.month_field, self.from_field, self.to_field):
            field.sig_changed.connect(self._changed)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.mode_combo)
        row.addSpacing(8)
        for widget in (
            self.previous_button, self.month_field, self.next_button,
            self.from_label, self.from_field, self.to_label, self.to_field,
        ):  # fmt: skip
            row.addWidget(widget)
        self.reset()
        self.retranslate()

    # -- what is chosen ----------------------------------------------------------------

    def mode(self) -> str:
        return str(self.mode_combo.currentData())

    def period(self) -> Period:
        """The period on screen (``InputRejected`` when a range ends before it starts)."""
        if self.mode() == MODE_MONTH:
            return Period.month(*self.month_field.value())
        start = Period.month(*self.from_field.value())
        end = Period.month(*self.to_field.value())
        return Period(start.start, end.end)

    def reset(self, today: date | None = None) -> None:
        """The last complete month, month mode (the default of a new session)."""
        self.set_period(last_complete_month(today or office_today()), notify=False)

    def set_period(self, period: Period, notify: bool = True) -> None:
        """Show ``period``: a single month in month mode, anything longer as a range of its months."""
        self.mode_combo.blockSignals(True)
        self.mode_combo.setCurrentIndex(0 if period.is_month else 1)
        self.mode_combo.blockSignals(False)
        self.month_field.set_value(period.start.year, period.start.month)
        self.from_field.set_value(period.start.year, period.start.month)
        self.to_field.set_value(period.end.year, period.end.month)
        self._show_mode()
        if notify:
            self.sig_changed.emit()

    def step(self, delta: int) -> None:
        """The month before (-1) or after (+1) the one shown; never beyond the month being lived."""
        year, month = add_months(*self.month_field.value(), delta)
        if (year, month) > self._latest() or year < FIRST_YEAR:
            return
        self.month_field.set_value(year, month)
        self._changed()

    @staticmethod
    def _latest() -> tuple[int, int]:
        today = office_today()
        return today.year, today.month

    # -- reactions -----------------------------------------------------------------------

    def _mode_changed(self, _index: int) -> None:
        if self.mode() == MODE_RANGE:  # the range starts as the month shown
            year, month = self.month_field.value()
            self.from_field.set_value(year, month)
            self.to_field.set_value(year, month)
        else:
            self.month_field.set_value(*self.to_field.value())
        self._show_mode()
        self.sig_changed.emit()

    def _changed(self) -> None:
        self._update_buttons()
        self.sig_changed.emit()

    def _show_mode(self) -> None:
        month = self.mode() == MODE_MONTH
        month_widgets: tuple[QWidget, ...] = (self.previous_button, self.month_field, self.next_button)
        range_widgets: tuple[QWidget, ...] = (self.from_label, self.from_field, self.to_label, self.to_field)
        for widget in month_widgets:
            widget.setVisible(month)
        for widget in range_widgets:
            widget.setVisible(not month)
        self._update_buttons()

    def _update_buttons(self) -> None:
        value = self.month_field.value()
        self.next_button.setEnabled(value < self._latest())
        self.previous_button.setEnabled(value > (FIRST_YEAR, 1))

    def retranslate(self) -> None:
        self.label.setText(tr("statistics.period.label"))
        self.mode_combo.setItemText(0, tr("statistics.period.month"))
        self.mode_combo.setItemText(1, tr("statistics.period.range"))
        self.from_label.setText(tr("statistics.period.from"))
        self.to_label.setText(tr("statistics.period.to"))
        for button, key, icon in (
            (self.previous_button, "statistics.period.previous", QStyle.StandardPixmap.SP_ArrowBack),
            (self.next_button, "statistics.period.next", QStyle.StandardPixmap.SP_ArrowForward),
        ):
            # Back and forward follow the reading direction: in Arabic "previous" points right.
            button.setIcon(self.style().standardIcon(icon))
            button.setToolTip(tr(key))
            button.setAccessibleName(tr(key))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        for field in (self.month_field, self.from_field, self.to_field):
            field.retranslate()
