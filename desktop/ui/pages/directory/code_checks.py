"""A group of check boxes, one a code of a code list, laid out in columns."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QGridLayout, QGroupBox, QWidget

from desktop.ui.models.case_list_model import codelist_label


class CodeChecks(QGroupBox):
    """Check boxes for ``codes`` (labels ``<codelist>.<code>``), filled column by column."""

    sig_changed = Signal()
    """A box was ticked or unticked."""

    def __init__(self, codelist: str, codes: Iterable[str], columns: int = 2, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.codelist = codelist
        self.boxes: dict[str, QCheckBox] = {}
        grid = QGridLayout(self)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(2)
        codes = tuple(codes)
        per_column = -(-len(codes) // columns)
        for position, code in enumerate(codes):
            box = QCheckBox()
            box.toggled.connect(self._toggled)
            self.boxes[code] = box
            grid.addWidget(box, position % per_column, position // per_column)
        self.retranslate()

    def _toggled(self, _checked: bool) -> None:
        self.sig_changed.emit()

    def codes(self) -> list[str]:
        """The codes ticked, in code-list order."""
        return [code for code, box in self.boxes.items() if box.isChecked()]

    def set_codes(self, codes: Iterable[str]) -> None:
        wanted = set(codes)
        for code, box in self.boxes.items():
            box.setChecked(code in wanted)

    def set_invalid(self, invalid: bool) -> None:
        if bool(self.property("invalid")) == invalid:
            return
        self.setProperty("invalid", invalid)
        self.style().unpolish(self)
        self.style().polish(self)
        self.update()

    def retranslate(self) -> None:
        for code, box in self.boxes.items():
            box.setText(codelist_label(self.codelist, code))
