"""One case, opened in its own tab of the Dossiers section.

A header says who the person is and where the case stands (number, names in both
scripts, age, nationality, category, stage, vulnerability level, next follow-up,
officer); the tabs below hold the parts of the case: Identité · Consentements ·
Bilan social · Vulnérabilité · Contacts · Parcours · Référencements (``case_tabs``).

Every action runs on the database thread (``ctx.call``); its outcome shows inline in
its tab, then ``sig_changed`` tells the list and the whole case is read again (each
read is audited as a view, as every access to a person's record is). ``clear()``
forgets everything shown; an answer that arrives after it is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QLocale, QStandardPaths, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDateEdit,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop import i18n
from desktop.domain.errors import InputRejected
from desktop.domain.users import Role, role_at_least
from desktop.i18n import tr
from desktop.services import cases
from desktop.services.case_types import CaseDetail, PersonInput
from desktop.ui.context import AppContext
from desktop.ui.models.case_list_model import codelist_label, country_name
from desktop.ui.pages.cases.case_tab_assessment import AssessmentTab
from desktop.ui.pages.cases.case_tab_followup import ContactsTab, ParcoursTab, VulnerabilityTab
from desktop.ui.pages.cases.case_tab_identity import ConsentTab, IdentityTab
from desktop.ui.pages.cases.case_tab_referrals import ReferralsTab
from desktop.ui.pages.cases.case_tabs import (
    CaseTab,
    caption,
    date_text,
    level_badge_style,
    reports_module,
    warning_colour,
)
from desktop.ui.widgets.common import ErrorLabel, confirm

HEADER_FIELDS = ("age", "nationality", "category", "stage", "follow_up", "officer")
"""The header's facts, in reading order (two rows of three)."""


def person_age(person: PersonInput, today: date | None = None) -> tuple[int | None, bool]:
    """(age in years, estimated?) from the birth date, else the estimated age."""
    today = today or date.today()
    if person.birth_date is not None:
        born = person.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day)), False
    if person.estimated_age is not None:
        return person.estimated_age, True
    return None, False


def latin_name(person: PersonInput) -> str:
    return " ".join(part for part in (person.family_name.upper(), person.given_name) if part)


def arabic_name(person: PersonInput) -> str:
    return " ".join(part for part in (person.family_name_ar, person.given_name_ar) if part)


class CaseWindow(QWidget):
    """A case: its header and its tabs. ``CaseWindow(ctx, case_id)`` starts loading at once."""

    sig_changed = Signal()
    """A save succeeded: the case list re-queries (and the section re-reads ``title()``)."""
    sig_closed = Signal()
    """The window asks its section to close it."""
    sig_loaded = Signal()
    """The case was (re)read and is shown."""
    sig_title_changed = Signal(str)
    """``title()`` reads differently (first load, identity saved, language)."""

    def __init__(self, ctx: AppContext, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case_id = case_id
        self.detail: CaseDetail | None = None
        self._load_error: BaseException | None = None
        self._generation = 0
        """Bumped by ``clear()``: answers to older requests are dropped."""

        # -- header --
        self.header = QFrame()
        self.header.setObjectName("caseHeader")
        self.header.setFrameShape(QFrame.Shape.StyledPanel)
        self.number_label = QLabel()
        self.name_label = QLabel()
        self.name_ar_label = QLabel()
        for label, scale in ((self.number_label, 1.25), (self.name_label, 1.25), (self.name_ar_label, 1.35)):
            font = label.font()
            font.setBold(True)
            font.setPointSizeF(font.pointSizeF() * scale)
            label.setFont(font)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.level_caption = caption()
        self.level_badge = QLabel()
        self.close_button = QPushButton()
        self.close_button.clicked.connect(self.request_close)
        top = QHBoxLayout()
        top.addWidget(self.number_label)
        top.addSpacing(16)
        top.addWidget(self.name_label)
        top.addSpacing(16)
        top.addWidget(self.name_ar_label)
        top.addStretch(1)
        top.addWidget(self.level_caption)
        top.addWidget(self.level_badge)
        top.addSpacing(8)
        top.addWidget(self.close_button)
        self.captions: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        facts = QGridLayout()
        facts.setHorizontalSpacing(10)
        facts.setVerticalSpacing(2)
        for number, name in enumerate(HEADER_FIELDS):
            label = caption()
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.captions[name] = label
            self.values[name] = value
            row, column = divmod(number, 3)
            facts.addWidget(label, row, column * 2)
            facts.addWidget(value, row, column * 2 + 1)
        for column, stretch in ((1, 2), (3, 2), (5, 3)):  # the category can be long
            facts.setColumnStretch(column, stretch)
        header_layout = QVBoxLayout(self.header)
        header_layout.addLayout(top)
        header_layout.addLayout(facts)
        self.load_error = ErrorLabel()

        # -- tabs --
        self.tabs = QTabWidget()
        self.identity_tab = IdentityTab(self)
        self.consent_tab = ConsentTab(self)
        self.assessment_tab = AssessmentTab(self)
        self.vulnerability_tab = VulnerabilityTab(self)
        self.contacts_tab = ContactsTab(self)
        self.parcours_tab = ParcoursTab(self)
        self.referrals_tab = ReferralsTab(self)
        self.case_tabs: list[CaseTab] = [
            self.identity_tab,
            self.consent_tab,
            self.assessment_tab,
            self.vulnerability_tab,
            self.contacts_tab,
            self.parcours_tab,
            self.referrals_tab,
        ]
        for tab in self.case_tabs:
            self.tabs.addTab(tab, "")

        self.save_action = QAction(self)
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.save_action.triggered.connect(self._save_shortcut)
        self.addAction(self.save_action)

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.load_error)
        layout.addWidget(self.tabs, 1)

        ctx.languages.sig_language_changed.connect(self.retranslate)
        ctx.sig_locked.connect(self.clear)  # even before the section closes the tab
        self.retranslate()
        self.reload()

    # -- what the section asks -------------------------------------------------

    def title(self) -> str:
        """The case number and the person's name (tab title)."""
        if self.detail is None:
            return tr("case.title_loading")
        name = latin_name(self.detail.person) or arabic_name(self.detail.person)
        return f"{self.detail.number} — {name}" if name else self.detail.number

    def reload(self) -> None:
        """Read the case again (audited as a view)."""
        if self.ctx.actor is None or not shiboken6.isValid(self):
            return
        generation = self._generation
        self.ctx.call(
            cases.get_case,
            self.case_id,
            on_done=partial(self._loaded, generation),
            on_error=partial(self._load_failed, generation),
        )

    def clear(self) -> None:
        """Forget every personal datum shown (the office locks)."""
        if not shiboken6.isValid(self):
            return
        self._generation += 1
        self.detail = None
        self._load_error = None
        self.load_error.clear_text()
        for label in (self.number_label, self.name_label, self.name_ar_label, self.level_badge):
            label.clear()
        self.level_badge.setStyleSheet("")
        for value in self.values.values():
            value.clear()
            value.setStyleSheet("")
        for tab in self.case_tabs:
            tab.clear()
        self._title_changed()

    def can_close(self) -> bool:
        """Ask before losing what was typed and not saved."""
        if self.detail is None or not any(tab.is_dirty() for tab in self.case_tabs):
            return True
        return self.confirm_action(tr("case.unsaved_close"))

    def request_close(self) -> None:
        if self.can_close():
            self.sig_closed.emit()

    # -- loading ---------------------------------------------------------------

    def _current(self, generation: int) -> bool:
        return shiboken6.isValid(self) and generation == self._generation and self.ctx.actor is not None

    def _loaded(self, generation: int, detail: CaseDetail) -> None:
        if not self._current(generation):
            return
        self.detail = detail
        self._load_error = None
        self.load_error.clear_text()
        self._show_header()
        for tab in self.case_tabs:
            tab.set_detail(detail)
        self._title_changed()
        self.sig_loaded.emit()

    def _load_failed(self, generation: int, error: BaseException) -> None:
        if not self._current(generation):
            return
        self._load_error = error
        self.load_error.show_error(error)

    def _title_changed(self) -> None:
        title = self.title() if self.detail is not None or self._generation == 0 else ""
        parent = self.parentWidget()
        while parent is not None:
            if isinstance(parent, QTabWidget):
                index = parent.indexOf(self)
                if index >= 0:
                    parent.setTabText(index, title)
                    parent.setTabToolTip(index, title)
                break
            parent = parent.parentWidget()
        self.sig_title_changed.emit(title)

    def _show_header(self) -> None:
        detail = self.detail
        if detail is None:
            return
        person = detail.person
        self.number_label.setText(detail.number)
        self.name_label.setText(latin_name(person))
        self.name_ar_label.setText(arabic_name(person))
        self.name_label.setVisible(bool(self.name_label.text()))
        self.name_ar_label.setVisible(bool(self.name_ar_label.text()))
        level = detail.vulnerability_level
        self.level_badge.setText(codelist_label("level", level) if level else tr("case.vulnerability.not_assessed"))
        self.level_badge.setStyleSheet(level_badge_style(level))
        age, estimated = person_age(person)
        if age is None:
            age_text = ""
        else:
            age_text = tr("case.header.age_estimated", age=age) if estimated else tr("case.header.age_value", age=age)
        if detail.closed_on is not None:
            stage_text = tr(
                "case.parcours.closed_state",
                date=date_text(detail.closed_on),
                reason=codelist_label("closure_reason", detail.closure_reason),
            )
        else:
            stage_text = codelist_label("stage", detail.stage)
        texts = {
            "age": age_text,
            "nationality": country_name(person.nationality, i18n.language()) if person.nationality else "",
            "category": codelist_label("category", person.category),
            "stage": stage_text,
            "follow_up": date_text(detail.next_follow_up) or tr("case.header.no_follow_up"),
            "officer": detail.officer,
        }
        for name, value in self.values.items():
            value.setText(texts[name])
            value.setToolTip("")
            value.setStyleSheet("")
        if self.overdue():
            follow_up = self.values["follow_up"]
            follow_up.setText(tr("case.header.overdue", date=date_text(detail.next_follow_up)))
            follow_up.setStyleSheet(f"color: {warning_colour().name()}; font-weight: 600;")

    def overdue(self) -> bool:
        """The next follow-up date has passed on an open case."""
        detail = self.detail
        return (
            detail is not None
            and detail.closed_on is None
            and detail.next_follow_up is not None
            and detail.next_follow_up < date.today()
        )

    # -- what the tabs ask -----------------------------------------------------

    def perform(
        self,
        tab: CaseTab,
        fn: Callable[..., Any],
        *args: Any,
        status_key: str,
        status_params: dict[str, Any] | None = None,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        changed: bool = True,
    ) -> None:
        """Run ``fn(handle, *args)``; say the outcome in ``tab``; on success tell the list and re-read."""
        if self.ctx.actor is None:
            return
        generation = self._generation
        tab.set_busy(True)

        def done(result: Any) -> None:
            if not self._current(generation):
                return
            tab.set_busy(False)
            tab.messages.set_status(status_key, **(status_params or {}))
            if on_done is not None:
                on_done(result)
            if changed:
                self.sig_changed.emit()
                self.reload()

        def failed(error: BaseException) -> None:
            if not self._current(generation):
                return
            tab.set_busy(False)
            tab.show_error(error)
            if on_error is not None:
                on_error(error)

        self.ctx.call(fn, *args, on_done=done, on_error=failed)

    def confirm_action(self, text: str) -> bool:
        """Yes or no (tests replace this method)."""
        return confirm(self, text)

    def can_review(self) -> bool:
        """Supervisors and admins review a bilan social."""
        actor = self.ctx.actor
        return actor is not None and role_at_least(actor.role, Role.SUPERVISOR)

    def print_pdf(self, tab: CaseTab, report: str, default_name: str, job: Callable[..., Path], *args: Any) -> None:
        """Ask where to save, then ``job(handle, *args, out)`` writes the PDF (and audits the export)."""
        if self.detail is None:
            return
        if reports_module(report) is None:
            tab.show_error(InputRejected("case.pdf.unavailable"))
            return
        chosen = self._ask_pdf_path(default_name)
        if not chosen:
            return
        out = Path(chosen)
        if out.suffix.lower() != ".pdf":
            out = out.with_name(out.name + ".pdf")
        self.perform(tab, job, *args, out, status_key="case.pdf.saved", status_params={"path": str(out)}, changed=False)

    def _ask_pdf_path(self, default_name: str) -> str:
        """Where to write the PDF ("" if the person cancels); tests replace this method."""
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        path, _filter = QFileDialog.getSaveFileName(
            self, tr("case.pdf.save_title"), str(Path(folder) / default_name), tr("case.pdf.filter")
        )
        return path

    def _save_shortcut(self) -> None:
        tab = self.tabs.currentWidget()
        button = getattr(tab, "save_button", None)
        if isinstance(button, QPushButton) and button.isVisible() and button.isEnabled():
            button.click()

    def _follow_locale(self) -> None:
        """Calendars name the months in the interface language (a popup does not inherit it)."""
        locale = QLocale()
        for edit in self.findChildren(QDateEdit):
            edit.setLocale(locale)
            edit.calendarWidget().setLocale(locale)

    # -- language --------------------------------------------------------------

    def retranslate(self) -> None:
        if not shiboken6.isValid(self):
            return
        for index, tab in enumerate(self.case_tabs):
            self.tabs.setTabText(index, tr(tab.title_key))
            tab.retranslate()
        self.level_caption.setText(tr("case.header.level"))
        self.close_button.setText(tr("case.close_window"))
        for name, label in self.captions.items():
            label.setText(tr(f"case.header.caption.{name}"))
        if self._load_error is not None:
            self.load_error.show_error(self._load_error)
        self._follow_locale()
        self._show_header()
        if self.detail is not None:
            self._title_changed()
