"""People already registered who may be the person being typed: open, link, or set aside.

The registration dialog feeds it the candidates that ``find_duplicates`` returns
while the officer types. Each candidate shows both spellings of the name, the year
of birth, the nationality, the case number, how likely the match is and why. The
officer can open that case, say it is the same person (the new case is linked to
them), or say it is someone else: the panel then stays hidden until the names typed
change again, so it does not nag at every keystroke.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop import i18n
from desktop.i18n import tr
from desktop.ui.models.case_list_model import country_name

if TYPE_CHECKING:
    from desktop.services.duplicates import DuplicateCandidate

VERY_LIKELY = 0.95
LIKELY = 0.88
"""Score thresholds of "très probable" and "probable"; below (down to the search's own
threshold, 0.8): "possible". A shared document, or the same name and birth date, is
very likely; the same name with the birth year unknown is likely."""
LEVEL_COLOURS = {"very_likely": "#c62828", "likely": "#ef6c00", "possible": "#616161"}


def score_level(score: float) -> str:
    """very_likely / likely / possible, from a candidate's score (0..1)."""
    if score >= VERY_LIKELY:
        return "very_likely"
    if score >= LIKELY:
        return "likely"
    return "possible"


class CandidateCard(QFrame):
    """One candidate: names in both scripts, birth year, nationality, case, likelihood, reasons."""

    def __init__(self, candidate: DuplicateCandidate, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.candidate = candidate
        self.setObjectName("candidateCard")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.name_label = QLabel()
        self.name_label.setStyleSheet("font-weight: 600;")
        self.name_ar_label = QLabel()
        self.name_ar_label.setStyleSheet("font-weight: 600;")
        self.score_label = QLabel()
        self.score_label.setObjectName("scoreBadge")
        self.details_label = QLabel()
        self.details_label.setWordWrap(True)
        self.reasons_label = QLabel()
        self.reasons_label.setWordWrap(True)
        self.reasons_label.setObjectName("hintLabel")
        top = QHBoxLayout()
        names = QVBoxLayout()
        names.setSpacing(0)
        names.addWidget(self.name_label)
        names.addWidget(self.name_ar_label)
        top.addLayout(names, 1)
        top.addWidget(self.score_label, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.details_label)
        layout.addWidget(self.reasons_label)
        self.set_selected(False)
        self.retranslate()

    def retranslate(self) -> None:
        c = self.candidate
        side = Qt.AlignmentFlag.AlignRight if i18n.is_rtl() else Qt.AlignmentFlag.AlignLeft
        for label in (self.name_label, self.name_ar_label):
            # Aligned with the interface whatever the script (Qt would align by the text's own).
            label.setAlignment(Qt.AlignmentFlag.AlignAbsolute | side | Qt.AlignmentFlag.AlignVCenter)
        self.name_label.setText(c.display_name)
        self.name_label.setVisible(bool(c.display_name))
        self.name_ar_label.setText(c.display_name_ar)
        self.name_ar_label.setVisible(bool(c.display_name_ar))
        level = score_level(c.score)
        self.score_label.setText(tr(f"duplicates_panel.score.{level}"))
        self.score_label.setStyleSheet(
            f"background: {LEVEL_COLOURS[level]}; color: white; border-radius: 4px; padding: 1px 6px;"
        )
        born = (
            tr("duplicates_panel.born_in", year=c.birth_year) if c.birth_year else tr("duplicates_panel.birth_unknown")
        )
        details = [born]
        if c.nationality:
            details.append(country_name(c.nationality, i18n.language()))
        if c.case_number:
            details.append(tr("duplicates_panel.case_number", number=c.case_number).replace(" ", "\u00a0"))
        self.details_label.setText(" · ".join(details))
        reasons = " · ".join(tr(key) for key in c.reasons)
        self.reasons_label.setText(tr("duplicates_panel.reasons", reasons=reasons) if reasons else "")
        self.reasons_label.setVisible(bool(reasons))

    def set_selected(self, selected: bool) -> None:
        border = "palette(highlight)" if selected else "palette(mid)"
        width = 2 if selected else 1
        self.setStyleSheet(
            f"QFrame#candidateCard {{ border: {width}px solid {border}; border-radius: 5px;"
            " background: palette(base); }"
        )


class DuplicatesPanel(QWidget):
    """Likely existing persons, best first; hidden when there are none."""

    sig_open_case = Signal(int)
    """The officer wants to see this case (its id)."""
    sig_same_person = Signal(int)
    """The person typed is this existing person (their person id)."""
    sig_different = Signal()
    """None of the candidates is the person typed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._candidates: list[DuplicateCandidate] = []
        self._cards: list[CandidateCard] = []
        self._names_key: Hashable | None = None
        self._dismissed_key: Hashable | None = None
        self._dismissed = False

        self.title_label = QLabel()
        self.title_label.setStyleSheet("font-weight: 700; font-size: 110%;")
        self.hint_label = QLabel()
        self.hint_label.setWordWrap(True)
        self.list_widget = QListWidget()
        self.list_widget.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list_widget.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list_widget.setSpacing(3)
        self.list_widget.setStyleSheet("QListWidget::item:selected { background: transparent; }")
        self.list_widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.list_widget.viewport().installEventFilter(self)
        self.list_widget.currentRowChanged.connect(self._selection_changed)
        self.list_widget.itemDoubleClicked.connect(self._open_double_clicked)
        self.open_button = QPushButton()
        self.same_button = QPushButton()
        self.different_button = QPushButton()
        self.open_button.clicked.connect(self._open_clicked)
        self.same_button.clicked.connect(self._same_clicked)
        self.different_button.clicked.connect(self._different_clicked)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title_label)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.list_widget)
        for button in (self.same_button, self.open_button, self.different_button):
            layout.addWidget(button)
        self.retranslate()
        self.hide()

    # -- public --------------------------------------------------------------------------------
    def set_candidates(self, candidates: Sequence[DuplicateCandidate], names_key: Hashable | None = None) -> None:
        """Show ``candidates`` (best first); ``names_key`` identifies the names typed.

        After "Personne différente" the panel stays hidden while the same ``names_key``
        comes back; a different key shows it again.
        """
        if names_key is None or names_key != self._dismissed_key:
            self._dismissed = False
            self._dismissed_key = None
        self._names_key = names_key
        keep = self.selected_candidate()
        self._candidates = list(candidates)
        self.list_widget.blockSignals(True)
        try:
            self.list_widget.clear()
            self._cards = []
            for candidate in self._candidates:
                item = QListWidgetItem(self.list_widget)
                card = CandidateCard(candidate)
                self.list_widget.setItemWidget(item, card)
                self._cards.append(card)
            row = 0
            if keep is not None:
                row = next((i for i, c in enumerate(self._candidates) if c.person_id == keep.person_id), 0)
            if self._candidates:
                self.list_widget.setCurrentRow(row)
        finally:
            self.list_widget.blockSignals(False)
        self._selection_changed(self.list_widget.currentRow())
        self._update_sizes()
        self.setVisible(bool(self._candidates) and not self._dismissed)

    def clear(self) -> None:
        self.set_candidates([], None)

    def candidates(self) -> list[DuplicateCandidate]:
        return list(self._candidates)

    def candidate(self, person_id: int) -> DuplicateCandidate | None:
        return next((c for c in self._candidates if c.person_id == person_id), None)

    def selected_candidate(self) -> DuplicateCandidate | None:
        row = self.list_widget.currentRow()
        return self._candidates[row] if 0 <= row < len(self._candidates) else None

    def select_person(self, person_id: int) -> bool:
        for row, candidate in enumerate(self._candidates):
            if candidate.person_id == person_id:
                self.list_widget.setCurrentRow(row)
                return True
        return False

    def is_dismissed(self) -> bool:
        return self._dismissed

    def retranslate(self) -> None:
        if not shiboken6.isValid(self):
            return
        self.title_label.setText(tr("duplicates_panel.title"))
        self.hint_label.setText(tr("duplicates_panel.hint"))
        self.open_button.setText(tr("duplicates_panel.open_case"))
        self.same_button.setText(tr("duplicates_panel.same_person"))
        self.different_button.setText(tr("duplicates_panel.different"))
        for card in self._cards:
            card.retranslate()
        self._update_sizes()

    # -- reactions -----------------------------------------------------------------------------
    def _selection_changed(self, row: int) -> None:
        for index, card in enumerate(self._cards):
            card.set_selected(index == row)
        chosen = self._candidates[row] if 0 <= row < len(self._candidates) else None
        has_case = chosen is not None and chosen.case_id is not None
        self.open_button.setEnabled(has_case)
        self.same_button.setEnabled(has_case)

    def _open_clicked(self) -> None:
        candidate = self.selected_candidate()
        if candidate is not None and candidate.case_id is not None:
            self.sig_open_case.emit(candidate.case_id)

    def _open_double_clicked(self, _item: QListWidgetItem) -> None:
        self._open_clicked()

    def _same_clicked(self) -> None:
        candidate = self.selected_candidate()
        if candidate is not None and candidate.case_id is not None:
            self.sig_same_person.emit(candidate.person_id)

    def _different_clicked(self) -> None:
        self._dismissed = True
        self._dismissed_key = self._names_key
        self.hide()
        self.sig_different.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and shiboken6.isValid(self):
            self._update_sizes()
        return super().eventFilter(watched, event)

    def _update_sizes(self) -> None:
        """Cards as wide as the list, as tall as their wrapped text."""
        width = self.list_widget.viewport().width() - 2 * self.list_widget.spacing()
        if width <= 0:
            return
        total = 2 * self.list_widget.frameWidth() + self.list_widget.spacing()
        for row, card in enumerate(self._cards):
            item = self.list_widget.item(row)
            height = card.heightForWidth(width) if card.hasHeightForWidth() else card.sizeHint().height()
            height = max(height, card.minimumSizeHint().height())
            item.setSizeHint(QSize(width, height))
            total += height + 2 * self.list_widget.spacing()
        # As tall as the cards, up to about three of them; then it scrolls.
        self.list_widget.setFixedHeight(min(max(total, 40), self.fontMetrics().height() * 24))

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(max(hint.width(), self.fontMetrics().averageCharWidth() * 40), hint.height())
