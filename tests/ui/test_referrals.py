"""Referrals driven like an officer would: the case tab, the dialogs, the section, the home line.

Real encrypted office, offscreen Qt, obviously fictitious providers and people.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel

from desktop.domain import referrals as rules
from desktop.i18n import tr
from desktop.services import cases, directory, office, referrals, users
from desktop.services.case_types import AssessmentInput, AssessmentItemInput
from desktop.services.referral_types import CounterReferralInput, ProviderInput, ReferralInput, ServiceInput
from desktop.ui.pages.cases import case_window as case_window_module
from desktop.ui.pages.cases.case_window import CaseWindow
from desktop.ui.pages.referrals.common import ReasonDialog
from desktop.ui.pages.referrals.counter_referral import CounterReferralDialog
from desktop.ui.pages.referrals.history import ReferralHistoryDialog
from desktop.ui.pages.referrals.new_referral import NewReferralDialog
from desktop.ui.pages.referrals.section import ReferralsSection
from desktop.ui.widgets.common import select_row
from tests.fictitious import fictitious

PASSWORD = "une-phrase-de-passe"
TODAY = rules.office_today()
LONG_AGO = date(2025, 1, 2)


def on_db(ctx: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
    return ctx.runner.run_sync(fn, ctx.handle, *args, **kwargs)


def wait_idle(qtbot: Any, ctx: Any) -> None:
    qtbot.waitUntil(lambda: ctx.runner.pending == 0, timeout=15000)


def has_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def save_provider(ctx: Any, **changes: Any) -> int:
    data = ProviderInput(
        name_fr="Association Fictive d'Hébergement",
        name_ar="جمعية وهمية للإيواء",
        kind="associative",
        domains=["housing", "social_aid"],
        commune_code="09.001.01.01.",
        coverage="province",
        focal_point="Point focal fictif",
        phone="0528 00 00 01",
        verified_on=TODAY,
        services=[ServiceInput("Hébergement d'urgence fictif", "housing", "إيواء استعجالي وهمي")],
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return int(on_db(ctx, directory.save_provider, data))


@pytest.fixture
def registered(unlocked_ctx) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return on_db(unlocked_ctx, cases.register, fictitious(), consents=("processing", "statistics"))


@pytest.fixture
def providers(unlocked_ctx) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """One provider that fits the person, one too far away, one for MRE only, one for health."""
    ctx = unlocked_ctx
    return {
        "near": save_provider(ctx),
        "far": save_provider(
            ctx, name_fr="Foyer Fictif du Nord", name_ar="دار وهمية", commune_code="01.051.09.01.", services=[]
        ),
        "mre_only": save_provider(ctx, name_fr="Maison Fictive des MRE", name_ar="", publics=["mre"], services=[]),
        "health": save_provider(
            ctx, name_fr="Centre de Santé Fictif", name_ar="", kind="public", domains=["health_physical"], services=[]
        ),
    }


def sharing_consent(ctx: Any, person_id: int) -> None:
    on_db(ctx, cases.give_consent, person_id, "referral_sharing", TODAY)


def refer(ctx: Any, case_id: int, provider_id: int, on: date | None = None, *, send: bool = True) -> int:
    data = ReferralInput("housing", provider_id, urgency="h72", reason="Sans hébergement (fictif).")
    return int(on_db(ctx, referrals.create_referral, case_id, data, on, send=send))


def open_window(ctx: Any, qtbot: Any, case_id: int) -> CaseWindow:
    window = CaseWindow(ctx, case_id)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.detail is not None, timeout=15000)
    wait_idle(qtbot, ctx)
    window.tabs.setCurrentWidget(window.referrals_tab)
    return window


def new_dialog(window: CaseWindow, qtbot: Any) -> NewReferralDialog:
    tab = window.referrals_tab
    tab.new_button.click()
    dialog = tab.dialog
    assert isinstance(dialog, NewReferralDialog)
    wait_idle(qtbot, window.ctx)
    return dialog


def closed(dialog: Any) -> bool:
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def as_user(ctx: Any, office_path: Any, login: str, role: str) -> None:
    on_db(ctx, users.add_user, login, f"{role.capitalize()} Fictif", role, PASSWORD)
    ctx.close_office()
    ctx.set_handle(office.unlock(office_path, login, PASSWORD))


# -- the new referral dialog ---------------------------------------------------------------


def test_new_referral_with_consent_is_sent_and_listed(unlocked_ctx, qtbot, registered, providers):
    ctx = unlocked_ctx
    person_id, case_id = registered
    sharing_consent(ctx, person_id)
    bilan = AssessmentInput(TODAY, [AssessmentItemInput("housing", need="Hébergement.", priority="high")])
    on_db(ctx, cases.save_assessment, case_id, bilan)
    window = open_window(ctx, qtbot, case_id)
    tab = window.referrals_tab
    assert tab.model.rowCount() == 0
    assert not tab.buttons["send"].isEnabled()  # nothing selected

    dialog = new_dialog(window, qtbot)
    assert dialog.domain_combo.code() == "housing"  # from the bilan's high-priority need
    assert tr("domain.housing") in dialog.domain_hint.text()
    assert dialog.public == "rpt_irregular"
    chooser = dialog.chooser
    names = [chooser.model.index(r, 0).data() for r in range(chooser.model.rowCount())]
    assert names == ["Association Fictive d'Hébergement"]  # not too far, not MRE only, not health
    assert chooser.provider_id() == providers["near"]  # the only one: chosen
    assert "Agadir" in chooser.filter_label.text()
    chooser.widen_check.setChecked(True)
    wait_idle(qtbot, ctx)
    assert chooser.model.rowCount() == 3
    chooser.widen_check.setChecked(False)
    wait_idle(qtbot, ctx)
    assert chooser.select_provider(providers["near"])
    wait_idle(qtbot, ctx)
    assert chooser.service_combo.count() == 2
    chooser.service_combo.setCurrentIndex(1)
    dialog.urgency_combo.set_code("h72")
    due = (TODAY + timedelta(days=3)).strftime("%d/%m/%Y")
    assert due in dialog.due_label.text()
    assert dialog.shared.checked() == ["identity"]
    assert tr("referrals.new.consent_given", date=TODAY.strftime("%d/%m/%Y")) == dialog.consent_label.text()
    dialog.reason_edit.setPlainText("Dort dehors depuis trois nuits (fictif).")
    dialog.shared.boxes["phone"].setChecked(True)
    dialog.send_button.click()
    wait_idle(qtbot, ctx)

    assert closed(dialog)
    assert tab.status_label.text() == tr("referrals.tab.created")
    assert tab.model.rowCount() == 1
    (row,) = on_db(ctx, referrals.case_referrals, case_id)
    assert row.state == "sent" and row.due_on == TODAY + timedelta(days=3) and row.provider_id == providers["near"]
    detail = on_db(ctx, referrals.get_referral, row.id)
    assert detail.shared == ["identity", "phone"] and detail.service_name == "Hébergement d'urgence fictif"
    assert tab.selected_id() == row.id
    assert tab.model.index(0, 0).data() == rules.display_code(row.code)
    assert tab.model.index(0, 5).data() == tr("referral_state.sent")
    assert tab.model.index(0, 6).data() == due
    assert tab.buttons["acknowledge"].isEnabled() and not tab.buttons["send"].isEnabled()


def test_a_draft_is_sent_later_then_acknowledged_followed_up_and_closed(unlocked_ctx, qtbot, registered, providers):
    ctx = unlocked_ctx
    person_id, case_id = registered
    sharing_consent(ctx, person_id)
    window = open_window(ctx, qtbot, case_id)
    tab = window.referrals_tab
    dialog = new_dialog(window, qtbot)
    assert dialog.domain_combo.code() == ""  # no bilan: nothing proposed
    assert dialog.chooser.model.rowCount() == 0
    dialog.domain_combo.set_code("housing")
    wait_idle(qtbot, ctx)
    dialog.draft_button.click()
    wait_idle(qtbot, ctx)
    (row,) = tab.model.rows()
    assert row.state == "draft" and row.due_on is None

    def act(name: str) -> None:
        assert tab.buttons[name].isEnabled(), name
        tab.buttons[name].click()
        wait_idle(qtbot, ctx)

    act("send")
    assert tab.status_label.text() == tr("referrals.tab.sent", code=rules.display_code(row.code))
    assert tab.selected().state == "sent"
    act("acknowledge")
    assert tab.selected().state == "acknowledged"
    act("follow_up")
    assert tab.selected().follow_ups == 1

    act("counter")
    counter = tab.dialog
    assert isinstance(counter, CounterReferralDialog)
    wait_idle(qtbot, ctx)
    assert counter.fact_values["provider"].text() == "Association Fictive d'Hébergement"
    counter.ok_button.click()  # no outcome chosen: said, nothing recorded
    assert counter.error_label.text() == tr("referral.error.outcome")
    counter.set_outcome("partly_served")
    counter.feedback_edit.setPlainText("Hébergée deux nuits (fictif).")
    counter.ok_button.click()
    wait_idle(qtbot, ctx)
    closed = tab.selected()
    assert closed.state == "closed" and closed.outcome == "partly_served"
    assert tab.model.index(0, 7).data() == tr("outcome.partly_served")
    assert not any(tab.buttons[name].isEnabled() for name in ("send", "acknowledge", "counter", "follow_up", "cancel"))

    act("history")
    history = tab.dialog
    assert isinstance(history, ReferralHistoryDialog)
    wait_idle(qtbot, ctx)
    events = [history.model.index(r, 1).data() for r in range(history.model.rowCount())]
    assert events == [
        tr("referrals.event.draft"),
        tr("referrals.event.sent"),
        tr("referrals.event.acknowledged"),
        tr("referrals.event.follow_up"),
        tr("referrals.event.counter"),
        tr("referrals.event.closed"),
    ]
    assert history.values["feedback"].text().strip("\u200e") == "Hébergée deux nuits (fictif)."


def test_cancel_asks_why(unlocked_ctx, qtbot, registered, providers, monkeypatch):
    ctx = unlocked_ctx
    person_id, case_id = registered
    sharing_consent(ctx, person_id)
    referral_id = refer(ctx, case_id, providers["near"])
    window = open_window(ctx, qtbot, case_id)
    tab = window.referrals_tab
    assert tab.select_referral(referral_id)
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(lambda cls, parent, title, prompt: None))
    tab.buttons["cancel"].click()  # gave up: nothing changes
    wait_idle(qtbot, ctx)
    assert tab.selected().state == "sent"
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(lambda cls, parent, title, prompt: "Orientée ailleurs."))
    tab.buttons["cancel"].click()
    wait_idle(qtbot, ctx)
    assert tab.selected().state == "cancelled"
    events = on_db(ctx, referrals.get_referral, referral_id).events
    assert events[-1].kind == "cancelled" and events[-1].note == "Orientée ailleurs."


def test_without_consent_an_officer_reads_why_and_nothing_is_created(
    unlocked_ctx, qtbot, registered, providers, office_path
):
    ctx = unlocked_ctx
    case_id = registered[1]
    as_user(ctx, office_path, "agent.fictif", "officer")
    window = open_window(ctx, qtbot, case_id)
    dialog = new_dialog(window, qtbot)
    assert dialog.consent_label.text() == tr("referrals.new.consent_missing")
    dialog.domain_combo.set_code("housing")
    wait_idle(qtbot, ctx)
    assert dialog.chooser.provider_id() == providers["near"]
    dialog.send_button.click()
    wait_idle(qtbot, ctx)
    assert not closed(dialog)
    assert dialog.error_label.text() == tr("referral.error.consent_missing")
    assert dialog.override_button.isHidden()  # an officer cannot override
    assert on_db(ctx, referrals.case_referrals, case_id) == []
    assert window.referrals_tab.model.rowCount() == 0


def test_a_supervisor_overrides_with_a_reason(unlocked_ctx, qtbot, registered, providers, office_path, monkeypatch):
    ctx = unlocked_ctx
    case_id = registered[1]
    as_user(ctx, office_path, "responsable.fictive", "supervisor")
    window = open_window(ctx, qtbot, case_id)
    dialog = new_dialog(window, qtbot)
    dialog.domain_combo.set_code("housing")
    wait_idle(qtbot, ctx)
    dialog.send_button.click()
    wait_idle(qtbot, ctx)
    assert dialog.error_label.text() == tr("referral.error.consent_missing")
    assert not dialog.override_button.isHidden()
    reason = "Urgence vitale, personne hors d'état de consentir (fictif)."
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(lambda cls, parent, title, prompt: reason))
    dialog.override_button.click()
    wait_idle(qtbot, ctx)
    assert closed(dialog)
    (row,) = on_db(ctx, referrals.case_referrals, case_id)
    assert row.state == "sent"  # "Envoyer maintenant" was the attempt
    assert on_db(ctx, referrals.get_referral, row.id).consent_override == reason


def test_an_incoming_referral_is_logged_from_its_provider(unlocked_ctx, qtbot, registered, providers):
    ctx = unlocked_ctx
    window = open_window(ctx, qtbot, registered[1])
    dialog = new_dialog(window, qtbot)
    dialog.incoming_check.setChecked(True)
    wait_idle(qtbot, ctx)
    assert dialog.draft_button.isHidden() and dialog.urgency_combo.isHidden()
    assert dialog.send_button.text() == tr("referrals.new.record_incoming")
    dialog.domain_combo.set_code("legal_aid")
    wait_idle(qtbot, ctx)
    assert dialog.chooser.model.rowCount() == 4  # any provider may have sent the person
    assert dialog.chooser.select_provider(providers["health"])
    dialog.send_button.click()  # no consent needed: the data came to us
    wait_idle(qtbot, ctx)
    (row,) = window.referrals_tab.model.rows()
    assert row.direction == "incoming" and row.state == "sent" and row.due_on is None


# -- printing ------------------------------------------------------------------------------


def test_print_the_slip_without_the_renderer_says_so(unlocked_ctx, qtbot, registered, providers, monkeypatch):
    ctx = unlocked_ctx
    sharing_consent(ctx, registered[0])
    refer(ctx, registered[1], providers["near"])
    window = open_window(ctx, qtbot, registered[1])
    tab = window.referrals_tab
    select_row(tab.table, 0)
    monkeypatch.setattr(case_window_module, "reports_module", lambda _name: None)
    tab.buttons["print"].click()
    assert tab.error_label.text() == tr("case.pdf.unavailable")


def test_print_the_slip_saves_a_pdf(unlocked_ctx, qtbot, registered, providers, monkeypatch, tmp_path):
    pytest.importorskip("desktop.reports.referral_pdf")
    ctx = unlocked_ctx
    sharing_consent(ctx, registered[0])
    referral_id = refer(ctx, registered[1], providers["near"])
    code = on_db(ctx, referrals.get_referral, referral_id).row.code
    window = open_window(ctx, qtbot, registered[1])
    tab = window.referrals_tab
    select_row(tab.table, 0)
    out = tmp_path / "fiche.pdf"
    names: list[str] = []
    monkeypatch.setattr(window, "_ask_pdf_path", lambda name: names.append(name) or str(out))
    tab.buttons["print"].click()
    wait_idle(qtbot, ctx)
    assert tab.error_label.text() == ""
    assert out.read_bytes().startswith(b"%PDF")
    assert rules.display_code(code) in names[0]
    assert str(out) in tab.status_label.text()


# -- the section ---------------------------------------------------------------------------


@pytest.fixture
def section(unlocked_ctx, qtbot) -> ReferralsSection:  # type: ignore[no-untyped-def]
    page = ReferralsSection(unlocked_ctx)
    qtbot.addWidget(page)
    page.reload()
    wait_idle(qtbot, unlocked_ctx)
    return page


def test_counter_referral_through_the_code_field(unlocked_ctx, qtbot, registered, providers, section):
    ctx = unlocked_ctx
    sharing_consent(ctx, registered[0])
    referral_id = refer(ctx, registered[1], providers["near"])
    code = on_db(ctx, referrals.get_referral, referral_id).row.code

    section.code_edit.setText("K7M4-X2Q")  # a character short
    qtbot.keyClick(section.code_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, ctx)
    assert section.code_error.text() == tr("referral.error.code_invalid")
    assert section.dialog is None
    unknown = next(c for c in iter(rules.new_code, None) if c != code)
    section.code_edit.setText(unknown)
    qtbot.keyClick(section.code_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, ctx)
    assert section.code_error.text() == tr("referral.error.code_unknown", code=rules.display_code(unknown))

    typed = rules.display_code(code).lower()  # as read aloud on the phone: lower case, with its dash
    assert "-" in typed
    section.code_edit.setText(typed)
    qtbot.keyClick(section.code_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, ctx)
    dialog = section.dialog
    assert isinstance(dialog, CounterReferralDialog) and dialog.referral_id == referral_id
    assert dialog.fact_values["person"].text().startswith("FICTIVI Mohamed")
    assert dialog.ok_button.isEnabled()
    dialog.set_outcome("served")
    dialog.service_date.set_value(TODAY)
    dialog.feedback_edit.setPlainText("Prise en charge le jour même (fictif).")
    dialog.ok_button.click()
    wait_idle(qtbot, ctx)
    detail = on_db(ctx, referrals.get_referral, referral_id)
    assert detail.row.state == "closed" and detail.row.outcome == "served"
    assert detail.row.counter_received_on == TODAY and detail.service_date == TODAY
    assert section.code_status.text() == tr("referrals.section.counter_recorded", code=rules.display_code(code))
    assert section.code_edit.text() == ""  # ready for the next slip

    section.code_edit.setText(typed)  # the same slip again: nothing left to record
    qtbot.keyClick(section.code_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, ctx)
    again = section.dialog
    assert isinstance(again, CounterReferralDialog)
    assert not again.ok_button.isEnabled() and not again.state_note.isHidden()


def test_overdue_list_and_one_click_follow_up(unlocked_ctx, qtbot, registered, providers, section):
    ctx = unlocked_ctx
    sharing_consent(ctx, registered[0])
    late_id = refer(ctx, registered[1], providers["near"], on=LONG_AGO)
    refer(ctx, registered[1], providers["near"])  # sent today: not late
    section.reload()
    wait_idle(qtbot, ctx)
    view = section.overdue_view
    assert view.model.rowCount() == 1
    (row,) = view.model.rows()
    days = (TODAY - (LONG_AGO + timedelta(days=3))).days
    assert view.model.index(0, 0).data() == tr("referrals.days_short", days=days)
    assert tr("referrals.days_late", days=days) in view.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert view.model.index(0, 2).data() == "FICTIVI Mohamed"
    assert view.model.index(0, 5).data() == "0528 00 00 01, Point focal fictif"
    assert view.model.index(0, 6).data() == ""
    assert view.model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is not None  # in red
    assert section.tabs.tabText(0) == tr("referrals.section.overdue_tab", count=1)
    assert not view.follow_up_button.isEnabled()
    select_row(view.table, 0)
    view.follow_up_button.click()
    wait_idle(qtbot, ctx)
    assert on_db(ctx, referrals.get_referral, late_id).row.follow_ups == 1
    assert view.status_label.text() == tr("referrals.overdue.followed_up", code=rules.display_code(row.code))
    assert view.model.index(0, 6).data() == tr("referrals.follow_up_cell", date=TODAY.strftime("%d/%m/%Y"), count=1)
    assert view.selected_id() == late_id

    view.counter_button.click()
    wait_idle(qtbot, ctx)
    dialog = section.dialog
    assert isinstance(dialog, CounterReferralDialog) and dialog.referral_id == late_id
    dialog.set_outcome("did_not_come")
    dialog.ok_button.click()
    wait_idle(qtbot, ctx)
    assert view.model.rowCount() == 0 and not view.empty_label.isHidden()
    assert section.tabs.tabText(0) == tr("referrals.section.overdue_tab_none")


def test_log_filters(unlocked_ctx, qtbot, registered, providers, section):
    ctx = unlocked_ctx
    sharing_consent(ctx, registered[0])
    closed_id = refer(ctx, registered[1], providers["near"], on=LONG_AGO)
    on_db(ctx, referrals.record_counter_referral, closed_id, CounterReferralInput(TODAY, "refused"))
    refer(ctx, registered[1], providers["near"], send=False)
    section.reload()
    wait_idle(qtbot, ctx)
    log = section.log_view
    assert log.model.rowCount() == 2
    assert log.count_label.text() == tr("referrals.log.count", count="2")
    assert log.provider_combo.count() == 5  # all, and the four providers
    log.state_combo.set_code("closed")
    wait_idle(qtbot, ctx)
    assert [r.id for r in log.model.rows()] == [closed_id]
    assert log.model.index(0, log.model.column("outcome")).data() == tr("outcome.refused")
    log.state_combo.set_code("")
    log.sent_from.set_value(date(2025, 1, 1))
    log.sent_to.set_value(date(2025, 1, 31))
    wait_idle(qtbot, ctx)
    assert [r.id for r in log.model.rows()] == [closed_id]  # the draft was never sent
    log.reset_filters()
    log.provider_combo.setCurrentIndex(log.provider_combo.findData(providers["health"]))
    wait_idle(qtbot, ctx)
    assert log.model.rowCount() == 0


def test_double_click_opens_the_case_and_home_leads_to_the_section(unlocked_ctx, qtbot, registered, providers):
    from desktop.ui.main_window import MainWindow
    from desktop.ui.pages.cases.section import CasesSection
    from desktop.ui.pages.home import HomePage

    ctx = unlocked_ctx
    sharing_consent(ctx, registered[0])
    refer(ctx, registered[1], providers["near"], on=LONG_AGO)
    refer(ctx, registered[1], providers["near"], on=LONG_AGO)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, ctx)
    home = window.show_page(HomePage)
    assert isinstance(home, HomePage)
    assert home.overdue_button.text() == tr("home.overdue.many", count="2")
    assert tr("home.overdue.detail", h24="0", h72="2", weeks2="0") == home.overdue_detail.text()
    home.overdue_button.click()
    wait_idle(qtbot, ctx)
    section = window.current_page()
    assert isinstance(section, ReferralsSection)
    assert section.overdue_view.model.rowCount() == 2
    opened: list[int] = []
    section.sig_open_case.connect(opened.append)
    index = section.overdue_view.model.index(0, 1)
    section.overdue_view.table.doubleClicked.emit(index)
    wait_idle(qtbot, ctx)
    assert opened == [registered[1]]
    cases_section = window.current_page()
    assert isinstance(cases_section, CasesSection)
    assert cases_section.case_window(registered[1]) is not None

    window.show_page(ReferralsSection)
    select_row(section.overdue_view.table, 0)
    section.overdue_view.follow_up_button.click()
    wait_idle(qtbot, ctx)
    window.show_page(HomePage)
    wait_idle(qtbot, ctx)
    assert home.overdue_button.text() == tr("home.overdue.many", count="2")  # followed up, still late
    window.lock()
    assert home.overdue_button.isHidden()
    assert section.overdue_view.model.rowCount() == 0 and section.log_view.model.rowCount() == 0


def test_home_without_late_referrals(unlocked_ctx, qtbot):
    from desktop.ui.pages.home import HomePage

    home = HomePage(unlocked_ctx)
    qtbot.addWidget(home)
    home.reload()
    wait_idle(qtbot, unlocked_ctx)
    assert home.overdue_button.text() == tr("home.overdue.none")
    assert home.overdue_detail.isHidden()


# -- languages and screenshots -------------------------------------------------------------


def _check_arabic(widget: Any) -> None:
    for button in widget.findChildren(QAbstractButton):
        if button.isVisibleTo(widget) and any(ch.isalpha() for ch in button.text()):
            assert has_arabic(button.text()), f"untranslated in Arabic: {button.text()!r}"
    for group in widget.findChildren(QGroupBox):
        assert has_arabic(group.title()), group.title()
    for label in widget.findChildren(QLabel):
        text = label.text()
        if label.isVisibleTo(widget) and text.endswith(":"):
            assert has_arabic(text), text


def test_screenshots_in_french_and_arabic(unlocked_ctx, qtbot, registered, providers, screenshot_dir):
    from desktop.ui.main_window import MainWindow
    from desktop.ui.pages.cases.section import CasesSection
    from desktop.ui.pages.home import HomePage

    ctx = unlocked_ctx
    person_id, case_id = registered
    sharing_consent(ctx, person_id)
    bilan = AssessmentInput(TODAY, [AssessmentItemInput("housing", need="Hébergement.", priority="high")])
    on_db(ctx, cases.save_assessment, case_id, bilan)
    late = refer(ctx, case_id, providers["near"], on=LONG_AGO)
    on_db(ctx, referrals.record_follow_up, late, TODAY)
    closed = refer(ctx, case_id, providers["near"], on=date(2025, 3, 3))
    on_db(ctx, referrals.record_counter_referral, closed, CounterReferralInput(date(2025, 3, 5), "served"))
    refer(ctx, case_id, providers["near"], send=False)
    main = MainWindow(ctx)
    qtbot.addWidget(main)
    main.resize(1200, 720)
    main.show()
    qtbot.waitExposed(main)
    wait_idle(qtbot, ctx)
    cases_section = main.show_page(CasesSection)
    cases_section.open_case(case_id)
    window = cases_section.case_window(case_id)
    qtbot.waitUntil(lambda: window.detail is not None, timeout=15000)
    wait_idle(qtbot, ctx)
    tab = window.referrals_tab
    window.tabs.setCurrentWidget(tab)
    dialog = new_dialog(window, qtbot)
    dialog.reason_edit.setPlainText("Dort dehors depuis trois nuits (fictif).")
    for lang in ("fr", "ar"):
        ctx.languages.apply(lang)
        wait_idle(qtbot, ctx)
        main.show_page(CasesSection)
        select_row(tab.table, 0)
        qtbot.wait(30)
        assert main.grab().save(str(screenshot_dir / f"referrals_case_tab_{lang}.png"))
        assert dialog.grab().save(str(screenshot_dir / f"referrals_new_{lang}.png"))
        page = main.show_page(ReferralsSection)
        wait_idle(qtbot, ctx)
        page.tabs.setCurrentIndex(0)
        select_row(page.overdue_view.table, 0)
        qtbot.wait(30)
        assert main.grab().save(str(screenshot_dir / f"referrals_section_overdue_{lang}.png"))
        page.tabs.setCurrentIndex(1)
        qtbot.wait(30)
        assert main.grab().save(str(screenshot_dir / f"referrals_section_log_{lang}.png"))
        main.show_page(HomePage)
        wait_idle(qtbot, ctx)
        assert main.grab().save(str(screenshot_dir / f"referrals_home_{lang}.png"))
        page.open_counter_referral(late)
        wait_idle(qtbot, ctx)
        counter = page.dialog
        counter.set_outcome("served")
        assert counter.grab().save(str(screenshot_dir / f"referrals_counter_{lang}.png"))
        if lang == "ar":
            _check_arabic(counter)
        counter.reject()
        wait_idle(qtbot, ctx)
        if lang == "ar":
            assert page.layoutDirection() == Qt.LayoutDirection.RightToLeft
            for widget in (tab, dialog, page):
                _check_arabic(widget)
            assert has_arabic(tab.model.index(0, 5).data())
            assert has_arabic(page.overdue_view.model.index(0, 0).data())
            assert has_arabic(window.tabs.tabText(window.tabs.indexOf(tab)))
    dialog.reject()


def test_keys_built_at_run_time_exist():
    """Column, button, fact and event keys are built from names: each must be in the catalogue."""
    from desktop import i18n
    from desktop.domain.codelists import REFERRAL_DIRECTIONS, URGENCIES
    from desktop.ui.pages.cases.case_tab_referrals import ACTIONS
    from desktop.ui.pages.cases.case_tab_referrals import COLUMNS as TAB_COLUMNS
    from desktop.ui.pages.referrals import counter_referral, history, log_view, overdue_view

    columns = {*TAB_COLUMNS, *overdue_view.COLUMNS, *log_view.COLUMNS}
    keys = [f"referrals.col.{name}" for name in columns]
    keys += [f"referrals.tab.{name}" for name in ACTIONS]
    keys += [f"referrals.counter.fact.{name}" for name in counter_referral.FACTS]
    keys += [f"referrals.history.fact.{name}" for name in history.FACTS]
    keys += [f"referrals.event.{kind}" for kind in history.STATE_EVENTS]
    keys += [f"referrals.urgency_short.{code}" for code in URGENCIES]
    keys += [f"referrals.direction_short.{code}" for code in REFERRAL_DIRECTIONS]
    known = i18n.messages()
    assert [key for key in keys if key not in known] == []
