"""Accueil: who is working, in which office, and the office's figures at a glance.

Also what is late: "À relancer : N références en retard" leads to the Référencements
section, where the officer chases the providers.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QFormLayout, QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop import i18n
from desktop.domain.geography import geography
from desktop.i18n import tr
from desktop.services.office import OfficeSummary, office_summary
from desktop.services.referrals import overdue_count
from desktop.ui.context import AppContext
from desktop.ui.pages.base import Page
from desktop.ui.widgets.common import error_colour, format_number


class HomePage(Page):
    title_key = "nav.home"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._summary: OfficeSummary | None = None
        self._overdue: dict[str, int] | None = None
        self.greeting = QLabel()
        font = self.greeting.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.greeting.setFont(font)
        self.demo_banner = QLabel()
        self.demo_banner.setWordWrap(True)
        self.demo_banner.setStyleSheet("background: #fff3cd; color: #664d03; padding: 8px; border-radius: 4px;")
        self.demo_banner.hide()
        self.office_label = QLabel()
        self.office_label.setWordWrap(True)
        self.commune_label = QLabel()
        self.role_label = QLabel()
        self.about = QFormLayout()
        self.about_names = [QLabel(), QLabel(), QLabel()]
        for name, value in zip(self.about_names, (self.office_label, self.commune_label, self.role_label), strict=True):
            self.about.addRow(name, value)
        self.figures = QFrame()
        self.figures.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(self.figures)
        self.figure_labels: dict[str, tuple[QLabel, QLabel]] = {}
        for row, key in enumerate(("cases", "open_cases", "active_users")):
            name, value = QLabel(), QLabel()
            value_font = value.font()
            value_font.setBold(True)
            value.setFont(value_font)
            grid.addWidget(name, row, 0)
            grid.addWidget(value, row, 1)
            self.figure_labels[key] = (name, value)
        grid.setColumnStretch(2, 1)
        self.overdue_button = QPushButton()
        self.overdue_button.setFlat(True)
        self.overdue_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.overdue_button.clicked.connect(self.show_referrals)
        self.overdue_detail = QLabel()
        self.overdue_button.hide()
        self.overdue_detail.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.greeting)
        layout.addWidget(self.demo_banner)
        layout.addLayout(self.about)
        layout.addWidget(self.figures)
        overdue_row = QHBoxLayout()
        overdue_row.addWidget(self.overdue_button)
        overdue_row.addStretch(1)
        layout.addLayout(overdue_row)
        layout.addWidget(self.overdue_detail)
        layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        actor = self.ctx.actor
        self.greeting.setText(tr("home.greeting", name=actor.display_name) if actor else tr("home.locked"))
        self.demo_banner.setText(tr("home.demo_banner"))
        for name, key in zip(self.about_names, ("home.office", "home.commune", "home.role"), strict=True):
            name.setText(tr(key))
        for key, (name, _value) in self.figure_labels.items():
            name.setText(tr("home." + key))
        self._show()
        self._show_overdue()

    def reload(self) -> None:
        self.ctx.call(office_summary, on_done=self._loaded)
        self.reload_overdue()

    def reload_overdue(self) -> None:
        self.ctx.call(overdue_count, on_done=self._overdue_counted)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.ctx.actor is not None:
            self.reload_overdue()  # a follow-up or a counter-referral may have changed it

    def _overdue_counted(self, counts: dict[str, int]) -> None:
        if self.ctx.actor is not None:
            self._overdue = counts
            self._show_overdue()

    def _show_overdue(self) -> None:
        counts = self._overdue
        if counts is None or self.ctx.actor is None:
            self.overdue_button.hide()
            self.overdue_detail.hide()
            return
        total = counts.get("total", 0)
        key = "home.overdue.none" if total == 0 else "home.overdue.one" if total == 1 else "home.overdue.many"
        self.overdue_button.setText(tr(key, count=format_number(total)))
        style = f"color: {error_colour()}; font-weight: 600;" if total else ""
        self.overdue_button.setStyleSheet(f"QPushButton {{ {style} text-decoration: underline; padding: 4px 0; }}")
        self.overdue_detail.setText(
            tr(
                "home.overdue.detail",
                h24=format_number(counts.get("h24", 0)),
                h72=format_number(counts.get("h72", 0)),
                weeks2=format_number(counts.get("weeks2", 0)),
            )
        )
        self.overdue_button.show()
        self.overdue_detail.setVisible(total > 0)

    def show_referrals(self) -> None:
        """To the Référencements section, where the late referrals are listed."""
        from desktop.ui.pages.referrals.common import show_section
        from desktop.ui.pages.referrals.section import ReferralsSection

        show_section(self, ReferralsSection)

    def _loaded(self, summary: OfficeSummary) -> None:
        self._summary = summary
        self.retranslate()

    def _show(self) -> None:
        summary = self._summary
        if summary is None or self.ctx.actor is None:
            for label in (self.office_label, self.commune_label, self.role_label):
                label.clear()
            self.demo_banner.hide()
            for _name, value in self.figure_labels.values():
                value.clear()
            return
        try:
            commune = geography().name(geography().commune(summary.info.commune_code), i18n.language())
        except KeyError:
            commune = summary.info.commune_code
        role = tr("role." + self.ctx.actor.role)
        self.office_label.setText(summary.info.name)
        self.commune_label.setText(commune)
        self.role_label.setText(role)
        self.demo_banner.setVisible(summary.info.is_demo)
        values = {"cases": summary.cases, "open_cases": summary.open_cases, "active_users": summary.active_users}
        for key, (_name, value) in self.figure_labels.items():
            value.setText(format_number(values[key]))

    def clear(self) -> None:
        self._summary = None
        self._overdue = None
        self.retranslate()
