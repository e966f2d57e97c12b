"""Accueil: who is working, in which office, and the office's figures at a glance."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from desktop import i18n
from desktop.domain.geography import geography
from desktop.i18n import tr
from desktop.services.office import OfficeSummary, office_summary
from desktop.ui.context import AppContext
from desktop.ui.pages.base import Page
from desktop.ui.widgets.common import format_number


class HomePage(Page):
    title_key = "nav.home"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._summary: OfficeSummary | None = None
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
        layout = QVBoxLayout(self)
        layout.addWidget(self.greeting)
        layout.addWidget(self.demo_banner)
        layout.addLayout(self.about)
        layout.addWidget(self.figures)
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

    def reload(self) -> None:
        self.ctx.call(office_summary, on_done=self._loaded)

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
        self.retranslate()
