"""The case window driven like an officer would, on a real encrypted office."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QLineEdit, QPlainTextEdit, QTableView, QWidget

from desktop.domain.audit import AuditAction
from desktop.domain.codelists import ASSESSMENT_DOMAINS, VULNERABILITY_CRITERIA
from desktop.i18n import tr, tr_in
from desktop.services import audit, cases, office, users
from desktop.services.audit import AuditFilter
from desktop.services.case_types import (
    VulnerabilityInput,
)
from desktop.ui.pages.cases import case_window as case_window_module
from desktop.ui.pages.cases.case_tabs import RowsModel
from desktop.ui.pages.cases.case_window import CaseWindow
from tests.fictitious import fictitious

PASSWORD = "une-phrase-de-passe"
TODAY = date.today()


def on_db(ctx: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
    return ctx.runner.run_sync(fn, ctx.handle, *args, **kwargs)


def wait_idle(qtbot: Any, ctx: Any) -> None:
    qtbot.waitUntil(lambda: ctx.runner.pending == 0, timeout=15000)


def has_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def open_window(ctx: Any, qtbot: Any, case_id: int) -> CaseWindow:
    window = CaseWindow(ctx, case_id)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.detail is not None, timeout=15000)
    wait_idle(qtbot, ctx)
    return window


def act(qtbot: Any, ctx: Any, window: CaseWindow, button: QAbstractButton) -> None:
    """Click an action and wait until the case was saved and read again."""
    assert button.isEnabled(), button.text()
    button.click()
    wait_idle(qtbot, ctx)


@pytest.fixture
def registered(unlocked_ctx) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return on_db(unlocked_ctx, cases.register, fictitious(), consents=("processing", "statistics"))


@pytest.fixture
def window(unlocked_ctx, qtbot, registered) -> CaseWindow:  # type: ignore[no-untyped-def]
    return open_window(unlocked_ctx, qtbot, registered[1])


# -- loading -------------------------------------------------------------------------------


def test_window_loads_and_shows_the_case(window, unlocked_ctx):
    detail = window.detail
    assert detail.number == f"B-{TODAY.year}-00001"
    assert window.number_label.text() == detail.number
    assert window.name_label.text() == "FICTIVI Mohamed"
    assert window.name_ar_label.text() == "فيكتيفي محمد"
    assert window.title() == f"{detail.number} — FICTIVI Mohamed"
    assert window.values["stage"].text() == tr("stage.accueil")
    assert window.values["category"].text() == tr("category.rpt_migrant")
    assert window.values["nationality"].text() == "Sénégal"
    assert window.values["officer"].text() == "Admin Fictif"
    assert window.level_badge.text() == tr("case.vulnerability.not_assessed")
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == [
        "Identité",
        "Consentements",
        "Bilan social",
        "Vulnérabilité",
        "Contacts",
        "Parcours",
        "Référencements",
    ]
    consent = window.consent_tab
    assert consent.state_labels["processing"].text().startswith("Donné le")
    assert consent.state_labels["referral_sharing"].text() == tr("case.consent.state.none")
    assert consent.model.rowCount() == 2
    assert window.parcours_tab.model.rowCount() == 1
    # Opening the case is a view of a person's record: audited.
    viewed = on_db(unlocked_ctx, audit.count_entries, AuditFilter(action=AuditAction.VIEWED, record_type="case"))
    assert viewed >= 1
    closed: list[bool] = []
    window.sig_closed.connect(lambda: closed.append(True))
    window.close_button.click()  # nothing typed: closes without asking
    assert closed == [True]


def test_the_section_tab_takes_the_case_title(unlocked_ctx, qtbot, registered):
    from desktop.ui.pages.cases.section import CasesSection

    section = CasesSection(unlocked_ctx)
    qtbot.addWidget(section)
    section.open_case(registered[1])
    window = section.case_window(registered[1])
    qtbot.waitUntil(lambda: window.detail is not None, timeout=15000)
    index = section.tabs.indexOf(window)
    assert section.tabs.tabText(index) == window.title()
    assert "FICTIVI" in section.tabs.tabText(index)


def test_unknown_case_says_so(unlocked_ctx, qtbot):
    window = CaseWindow(unlocked_ctx, 999)
    qtbot.addWidget(window)
    wait_idle(qtbot, unlocked_ctx)
    assert window.detail is None
    assert window.load_error.text() == tr("error.case_unknown")


# -- vulnerability -------------------------------------------------------------------------


def test_vulnerability_sheets_update_the_header_and_the_history(window, unlocked_ctx, qtbot):
    tab = window.vulnerability_tab
    window.tabs.setCurrentWidget(tab)
    changes: list[bool] = []
    window.sig_changed.connect(lambda: changes.append(True))

    # No level chosen: said inline, nothing saved.
    tab.criteria.boxes["no_shelter"].setChecked(True)
    tab.save_button.click()
    assert tab.error_label.text() == tr("case.vulnerability.level_required")
    assert not changes

    tab.level_combo.set_code("high")
    tab.criteria.boxes["single_parent"].setChecked(True)
    tab.note_edit.setPlainText("Dort chez une voisine.")
    act(qtbot, unlocked_ctx, window, tab.save_button)
    assert changes == [True]
    assert window.level_badge.text() == tr("level.high")
    assert tab.current_badge.text() == tr("level.high")
    assert tab.model.rowCount() == 1
    assert tab.status_label.text() == tr("case.vulnerability.saved")
    assert tab.level_combo.code() == "" and tab.criteria.checked() == []  # the form is ready for the next sheet

    tab.level_combo.set_code("urgent")
    tab.criteria.set_checked(["no_shelter", "no_resources"])
    act(qtbot, unlocked_ctx, window, tab.save_button)
    assert window.level_badge.text() == tr("level.urgent")
    assert tab.model.rowCount() == 2
    newest = tab.model.index(0, 2).data()
    assert newest == f"{tr('criterion.no_shelter')}, {tr('criterion.no_resources')}"
    assert tab.model.index(1, 1).data() == tr("level.high")
    assert "voisine" in tab.model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole)
    detail = on_db(unlocked_ctx, cases.get_case, window.case_id)
    assert [v.level for v in detail.vulnerabilities] == ["urgent", "high"]
    assert len(VULNERABILITY_CRITERIA) == len(tab.criteria.boxes) == 14


# -- bilan social --------------------------------------------------------------------------


def fill_two_domains(tab: Any) -> None:
    housing = tab.domain_row("housing")
    housing.situation.setPlainText("Hébergé·e provisoirement chez un ami.")
    housing.need.setPlainText("Hébergement d'urgence.")
    housing.priority.set_code("high")
    health = tab.domain_row("health_mental")
    health.need.setPlainText("Écoute psychologique.")
    health.priority.set_code("medium")
    tab.add_action_button.click()
    tab.plan_table.item(0, 0).setText("Orienter vers l'association d'hébergement")
    tab.plan_table.item(0, 2).setText("Agent d'accueil")
    tab.plan_table.cellWidget(0, 1).set_code("housing")
    tab.plan_table.cellWidget(0, 3).set_value(TODAY)


def test_save_a_bilan_with_two_domains_then_update_it(window, unlocked_ctx, qtbot):
    tab = window.assessment_tab
    window.tabs.setCurrentWidget(tab)
    assert len(tab.domain_rows) == len(ASSESSMENT_DOMAINS)
    assert tab.editing_id is None and tab.save_button.isEnabled()
    fill_two_domains(tab)
    assert tab.is_dirty() and window.assessment_tab.dirty
    act(qtbot, unlocked_ctx, window, tab.save_button)
    assert tab.status_label.text() == tr("case.assessment.saved")
    detail = on_db(unlocked_ctx, cases.get_case, window.case_id)
    (saved,) = detail.assessments
    assert {item.domain: item.priority for item in saved.items} == {"housing": "high", "health_mental": "medium"}
    assert saved.actions[0].action == "Orienter vers l'association d'hébergement"
    assert saved.actions[0].domain == "housing" and saved.actions[0].due_on == TODAY
    assert saved.actions[0].done_on is None
    assert tab.model.rowCount() == 1
    assert tab.editing_id == saved.id and not tab.dirty
    assert tab.domain_row("housing").need.toPlainText() == "Hébergement d'urgence."
    assert not tab.save_button.isEnabled()  # nothing new to save

    # Updating the same bilan (no second one): the done date of the action.
    tab.plan_table.cellWidget(0, 4).set_value(TODAY)
    tab.summary_edit.setPlainText("Situation précaire, suivi rapproché.")
    act(qtbot, unlocked_ctx, window, tab.save_button)
    detail = on_db(unlocked_ctx, cases.get_case, window.case_id)
    assert len(detail.assessments) == 1
    assert detail.assessments[0].actions[0].done_on == TODAY
    assert detail.assessments[0].summary == "Situation précaire, suivi rapproché."

    # A new bilan starts blank; the first stays in the list.
    tab.new_button.click()
    assert tab.editing_id is None and tab.domain_row("housing").need.toPlainText() == ""
    tab.domain_row("legal").need.setPlainText("Conseil juridique.")
    act(qtbot, unlocked_ctx, window, tab.save_button)
    assert tab.model.rowCount() == 2


def test_admin_marks_a_bilan_reviewed(window, unlocked_ctx, qtbot):
    tab = window.assessment_tab
    assert not tab.review_button.isHidden()  # admin
    fill_two_domains(tab)
    act(qtbot, unlocked_ctx, window, tab.save_button)
    assert tab.review_button.isEnabled()
    act(qtbot, unlocked_ctx, window, tab.review_button)
    assert tab.review_state.text().startswith("Revu par Admin Fictif")
    assert tab.model.index(0, 2).data().startswith("Revu par")
    assert not tab.review_button.isEnabled()


def test_an_officer_cannot_see_mark_as_reviewed(unlocked_ctx, qtbot, registered, office_path):
    ctx = unlocked_ctx
    on_db(ctx, users.add_user, "agent.fictif", "Agent Fictif", "officer", PASSWORD)
    ctx.close_office()
    ctx.set_handle(office.unlock(office_path, "agent.fictif", PASSWORD))
    window = open_window(ctx, qtbot, registered[1])
    tab = window.assessment_tab
    assert tab.review_button.isHidden()
    assert not tab.new_button.isHidden() and not tab.print_button.isHidden()
    fill_two_domains(tab)
    act(qtbot, ctx, window, tab.save_button)
    assert tab.review_button.isHidden()
    assert tab.model.index(0, 1).data() == "Agent Fictif"


# -- consent -------------------------------------------------------------------------------


def test_withdraw_then_give_consent_again(window, unlocked_ctx, qtbot, monkeypatch):
    tab = window.consent_tab
    window.tabs.setCurrentWidget(tab)
    asked: list[str] = []

    def answer(text: str) -> bool:
        asked.append(text)
        return len(asked) > 1  # "no" the first time, "yes" the second

    monkeypatch.setattr(window, "confirm_action", answer)
    assert not tab.withdraw_button.isEnabled()  # nothing selected
    row = next(i for i, c in enumerate(tab.model.rows()) if c.purpose == "statistics")
    tab.table.selectRow(row)
    assert tab.withdraw_button.isEnabled()

    tab.withdraw_button.click()
    wait_idle(qtbot, unlocked_ctx)
    assert tr("consent_purpose.statistics") in asked[0]
    assert tab.state_labels["statistics"].text().startswith("Donné le")  # refused: nothing changed

    act(qtbot, unlocked_ctx, window, tab.withdraw_button)
    assert tab.state_labels["statistics"].text().startswith("Retiré le")
    assert tab.status_label.text() == tr("case.consent.withdrawn_status", purpose=tr("consent_purpose.statistics"))
    detail = on_db(unlocked_ctx, cases.get_case, window.case_id)
    statistics = [c for c in detail.consents if c.purpose == "statistics"]
    assert statistics[0].withdrawn_on == TODAY

    # Withdrawn consent can be given again, the history keeps both.
    assert tab.purpose_combo.code() in {"referral_sharing", "statistics"}
    tab.purpose_combo.set_code("statistics")
    tab.signed_check.setChecked(True)
    act(qtbot, unlocked_ctx, window, tab.give_button)
    assert tab.state_labels["statistics"].text() == tr(
        "case.consent.state.given_signed", date=TODAY.strftime("%d/%m/%Y")
    )
    assert tab.model.rowCount() == 3

    # Given twice: the service refuses, the tab says why.
    tab.purpose_combo.set_code("processing")
    act(qtbot, unlocked_ctx, window, tab.give_button)
    assert tab.error_label.text() == tr("error.consent_already")


# -- contacts ------------------------------------------------------------------------------


def test_add_a_contact_with_needs_and_a_follow_up(window, unlocked_ctx, qtbot):
    tab = window.contacts_tab
    window.tabs.setCurrentWidget(tab)
    tab.kind_combo.set_code("ecoute")
    tab.channel_combo.set_code("phone")
    tab.needs.set_checked(["housing", "legal"])
    tab.note_edit.setPlainText("x" * 2100)
    assert len(tab.note_edit.text()) == 2000  # the note stops at 2000 characters
    assert "2000 / 2000" in tab.note_count.text()
    tab.note_edit.setPlainText("A appelé pour un rendez-vous.")
    tab.follow_up.set_value(TODAY)
    act(qtbot, unlocked_ctx, window, tab.save_button)
    assert tab.model.rowCount() == 1
    assert tab.model.index(0, 1).data() == tr("contact_kind.ecoute")
    assert tab.model.index(0, 3).data() == f"{tr('domain.housing')}, {tr('domain.legal')}"
    assert window.values["follow_up"].text() == TODAY.strftime("%d/%m/%Y")
    assert tab.note_edit.text() == "" and tab.follow_up.value() is None


def test_overdue_follow_up_is_red_in_the_header(unlocked_ctx, qtbot, registered):
    on_db(unlocked_ctx, cases.set_follow_up, registered[1], date(2020, 1, 2))
    window = open_window(unlocked_ctx, qtbot, registered[1])
    label = window.values["follow_up"]
    assert window.overdue()
    assert label.text() == tr("case.header.overdue", date="02/01/2020")
    assert "#c62828" in label.styleSheet()


# -- parcours ------------------------------------------------------------------------------


def test_stage_close_and_reopen_keep_the_history(window, unlocked_ctx, qtbot, monkeypatch):
    tab = window.parcours_tab
    window.tabs.setCurrentWidget(tab)
    monkeypatch.setattr(window, "confirm_action", lambda _text: True)
    assert tab.stage_combo.code() == "evaluation"  # the next stage is offered
    act(qtbot, unlocked_ctx, window, tab.stage_button)
    assert window.values["stage"].text() == tr("stage.evaluation")

    tab.reason_combo.set_code("autonomy")
    act(qtbot, unlocked_ctx, window, tab.close_button)
    assert window.detail.closed_on == TODAY
    assert tab.stage_box.isHidden() and tab.close_box.isHidden() and not tab.reopen_box.isHidden()
    assert tr("closure_reason.autonomy") in window.values["stage"].text()

    act(qtbot, unlocked_ctx, window, tab.reopen_button)
    assert window.detail.closed_on is None
    stages = [tab.model.index(row, 1).data() for row in range(tab.model.rowCount())]
    reasons = [tab.model.index(row, 2).data() for row in range(tab.model.rowCount())]
    assert stages == [tr("stage.suivi"), tr("stage.cloture"), tr("stage.evaluation"), tr("stage.accueil")]
    assert reasons[:2] == [tr("case.parcours.reopened"), tr("closure_reason.autonomy")]
    assert not tab.stage_box.isHidden() and tab.reopen_box.isHidden()


# -- printing ------------------------------------------------------------------------------


def test_printing_without_the_reports_module_says_so(window, monkeypatch):
    monkeypatch.setattr(case_window_module, "reports_module", lambda _name: None)
    asked: list[str] = []
    monkeypatch.setattr(window, "_ask_pdf_path", lambda name: asked.append(name) or "")
    window.parcours_tab.print_button.click()
    assert window.parcours_tab.error_label.text() == tr("case.pdf.unavailable")
    assert asked == []


def test_cancelled_save_dialog_prints_nothing(window, unlocked_ctx, qtbot, monkeypatch):
    monkeypatch.setattr(case_window_module, "reports_module", lambda _name: object())
    monkeypatch.setattr(window, "_ask_pdf_path", lambda _name: "")
    window.consent_tab.print_button.click()
    wait_idle(qtbot, unlocked_ctx)
    assert window.consent_tab.status_label.text() == ""


@pytest.mark.parametrize("which", ["case_file", "assessment", "consent"])
def test_print_a_pdf_and_audit_the_export(window, unlocked_ctx, qtbot, monkeypatch, tmp_path, which):
    pytest.importorskip("desktop.reports.case_pdf" if which != "consent" else "desktop.reports.consent_pdf")
    out = tmp_path / f"{which}.pdf"
    names: list[str] = []
    monkeypatch.setattr(window, "_ask_pdf_path", lambda name: names.append(name) or str(out))
    if which == "assessment":
        fill_two_domains(window.assessment_tab)
        act(qtbot, unlocked_ctx, window, window.assessment_tab.save_button)
        tab, button = window.assessment_tab, window.assessment_tab.print_button
    elif which == "consent":
        tab, button = window.consent_tab, window.consent_tab.print_button
    else:
        tab, button = window.parcours_tab, window.parcours_tab.print_button
    act(qtbot, unlocked_ctx, window, button)
    assert tab.error_label.text() == ""
    assert out.exists() and out.read_bytes().startswith(b"%PDF")
    assert window.detail.number in names[0]
    assert str(out) in tab.status_label.text()
    exported = on_db(unlocked_ctx, audit.count_entries, AuditFilter(action=AuditAction.EXPORTED))
    assert exported == 1


# -- identity ------------------------------------------------------------------------------


def test_identity_save_and_validation(window, unlocked_ctx, qtbot):
    pytest.importorskip("desktop.ui.pages.cases.person_form")
    tab = window.identity_tab
    form = tab.form
    assert form is not None
    assert form.person().family_name == "Fictivi"
    assert not tab.save_button.isEnabled()
    form.phone_edit.setText("0611 22 33 44")
    assert tab.is_dirty() and tab.save_button.isEnabled()
    changes: list[bool] = []
    window.sig_changed.connect(lambda: changes.append(True))
    act(qtbot, unlocked_ctx, window, tab.save_button)
    assert changes == [True]
    assert tab.status_label.text() == tr("case.identity.saved")
    assert on_db(unlocked_ctx, cases.get_case, window.case_id).person.phone == "0611 22 33 44"
    assert not tab.is_dirty()

    form.family_edit.setText("")
    form.given_edit.setText("")
    form.family_ar_edit.setText("")
    form.given_ar_edit.setText("")
    act(qtbot, unlocked_ctx, window, tab.save_button)
    assert tab.error_label.text() == tr("error.name_required")
    assert any(error.key == "error.name_required" for error in form.errors())
    assert tab.is_dirty()
    asked: list[str] = []
    window.confirm_action = lambda text: asked.append(text) or False  # type: ignore[method-assign]
    assert not window.can_close()
    assert asked == [tr("case.unsaved_close")]


# -- lock ----------------------------------------------------------------------------------


def _shown_texts(widget: QWidget) -> list[str]:
    texts = [label.text() for label in widget.findChildren(QLabel)]
    texts += [edit.text() for edit in widget.findChildren(QLineEdit)]
    texts += [edit.toPlainText() for edit in widget.findChildren(QPlainTextEdit)]
    texts += [group.title() for group in widget.findChildren(QGroupBox)]
    return texts


def test_clear_forgets_everything_and_late_answers(window, unlocked_ctx, qtbot):
    ctx = unlocked_ctx
    on_db(ctx, cases.add_vulnerability_sheet, window.case_id, VulnerabilityInput(TODAY, "high", ["elderly"], "Note"))
    fill_two_domains(window.assessment_tab)
    act(qtbot, ctx, window, window.assessment_tab.save_button)
    window.reload()
    window.clear()  # the answer to that reload arrives after: dropped
    wait_idle(qtbot, ctx)
    assert window.detail is None
    secrets = ("Fictivi", "FICTIVI", "Mohamed", "فيكتيفي", "محمد", "0600", "ZZ-123", "Quartier", "B-")
    for text in _shown_texts(window):
        for secret in secrets:
            assert secret not in text, (secret, text)
    for table in window.findChildren(QTableView):
        if table.objectName().startswith("qt_calendar"):
            continue  # the month grid of a date field's calendar
        assert table.model().rowCount() == 0, type(table.model()).__name__
    for model in window.findChildren(RowsModel):
        assert model.rowCount() == 0
    assert window.level_badge.text() == "" and window.values["follow_up"].text() == ""
    assert window.title() == tr("case.title_loading")
    assert window.can_close()


# -- languages and screenshots -------------------------------------------------------------


def _fill_for_screenshots(window: CaseWindow, ctx: Any, qtbot: Any, monkeypatch: Any) -> None:
    from desktop.services.case_types import ContactInput

    case_id = window.case_id
    on_db(ctx, cases.add_vulnerability_sheet, case_id, VulnerabilityInput(date(2025, 1, 10), "medium", ["elderly"]))
    on_db(
        ctx,
        cases.add_vulnerability_sheet,
        case_id,
        VulnerabilityInput(TODAY, "urgent", ["no_shelter", "violence_survivor", "no_resources"], "Nuit dehors."),
    )
    on_db(ctx, cases.add_contact, case_id, ContactInput(TODAY, "ecoute", "phone", ["housing"], "Appel du soir."))
    on_db(
        ctx,
        cases.add_contact,
        case_id,
        ContactInput(TODAY, "accueil", "in_person", ["administrative", "health_physical"], "Premier passage."),
    )
    on_db(ctx, cases.set_stage, case_id, "evaluation", TODAY)
    monkeypatch.setattr(window, "confirm_action", lambda _text: True)
    fill_two_domains(window.assessment_tab)
    act(qtbot, ctx, window, window.assessment_tab.save_button)
    window.reload()
    wait_idle(qtbot, ctx)


def test_screenshots_in_french_and_arabic(window, unlocked_ctx, qtbot, screenshot_dir, monkeypatch):
    ctx = unlocked_ctx
    _fill_for_screenshots(window, ctx, qtbot, monkeypatch)
    window.resize(1000, 700)
    window.show()
    qtbot.waitExposed(window)
    names = {
        window.identity_tab: "identity",
        window.consent_tab: "consent",
        window.assessment_tab: "assessment",
        window.vulnerability_tab: "vulnerability",
        window.contacts_tab: "contacts",
        window.parcours_tab: "parcours",
    }
    for lang in ("fr", "ar"):
        ctx.languages.apply(lang)
        direction = Qt.LayoutDirection.RightToLeft if lang == "ar" else Qt.LayoutDirection.LeftToRight
        assert window.layoutDirection() == direction
        for tab, name in names.items():
            window.tabs.setCurrentWidget(tab)
            qtbot.wait(30)
            assert window.grab().save(str(screenshot_dir / f"case_{name}_{lang}.png"))
        window.tabs.setCurrentWidget(window.assessment_tab)
        bar = window.assessment_tab.editor_scroll.verticalScrollBar()
        bar.setValue(bar.maximum())
        qtbot.wait(30)
        assert window.grab().save(str(screenshot_dir / f"case_assessment_plan_{lang}.png"))
        bar.setValue(0)
        if lang == "ar":
            for index in range(window.tabs.count()):
                assert has_arabic(window.tabs.tabText(index))
            for tab in names:
                for button in tab.findChildren(QAbstractButton):
                    if any(ch.isalpha() for ch in button.text()):
                        assert has_arabic(button.text()), f"untranslated in Arabic: {button.text()!r}"
                for group in tab.findChildren(QGroupBox):
                    assert has_arabic(group.title()), group.title()
            assert has_arabic(window.values["stage"].text())
            assert has_arabic(window.level_badge.text())
            assert window.assessment_tab.model.headerData(0, Qt.Orientation.Horizontal) == tr_in(
                "ar", "case.assessment.col.date"
            )
            assert has_arabic(window.vulnerability_tab.model.index(0, 2).data())
