"""The Administration section driven like a person would, on a real encrypted office."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QWidget

from desktop.db.audit_log import ChainReport
from desktop.domain.audit import RecordType
from desktop.i18n import tr, tr_in
from desktop.services import audit, office, users
from desktop.services.audit import AuditFilter
from desktop.ui.dialogs.user_dialogs import AddUserDialog, ChangePasswordDialog, ResetPasswordDialog
from desktop.ui.models.audit_model import ACTOR, PLACEHOLDER
from desktop.ui.models.users_model import ROLE, STATE
from desktop.ui.pages.admin import backup as backup_module
from desktop.ui.pages.admin import users as users_module
from desktop.ui.pages.admin.office import OfficeTab
from desktop.ui.pages.admin.section import AdminSection

ADMIN_PASSWORD = "mot-de-passe-admin"
PASSWORD = "une-phrase-de-passe"


def on_db(ctx: Any, fn: Any, *args: Any) -> Any:
    return ctx.runner.run_sync(fn, ctx.handle, *args)


def wait_idle(qtbot: Any, ctx: Any) -> None:
    qtbot.waitUntil(lambda: ctx.runner.pending == 0, timeout=15000)


def switch_user(ctx: Any, path: Path, login: str, password: str) -> None:
    """Lock (screens clear) and unlock as someone else (screens reload)."""
    ctx.close_office()
    ctx.set_handle(office.unlock(path, login, password))


def has_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


@pytest.fixture
def section(unlocked_ctx, qtbot) -> AdminSection:
    page = AdminSection(unlocked_ctx)
    qtbot.addWidget(page)
    page.reload()
    wait_idle(qtbot, unlocked_ctx)
    return page


# -- users ---------------------------------------------------------------------


def test_add_user_through_the_dialog_then_unlock_with_it(section, unlocked_ctx, qtbot, office_path):
    ctx = unlocked_ctx
    tab = section.users_tab
    assert tab.model.row_of("admin") >= 0
    assert tab.add_button.isEnabled()
    tab.add_button.click()
    dialog = tab.dialog
    assert isinstance(dialog, AddUserDialog)
    dialog.login_edit.setText("Fatima.Z")
    dialog.name_edit.setText("Fatima Zahra")
    dialog.set_role("supervisor")
    dialog.password_edit.setText(PASSWORD)
    dialog.confirm_edit.setText(PASSWORD)
    left_in_field: list[str] = []
    dialog.accepted.connect(lambda: left_in_field.append(dialog.password_edit.text()))
    with qtbot.waitSignal(dialog.accepted):
        dialog.submit_button.click()
    assert left_in_field == [""]  # passwords do not outlive the dialog
    assert tab.dialog is None
    qtbot.waitUntil(lambda: tab.model.row_of("fatima.z") >= 0)
    wait_idle(qtbot, ctx)
    row = tab.model.row_of("fatima.z")
    assert tab.model.index(row, ROLE).data() == tr_in("fr", "role.supervisor")
    assert tab.selected_user() is not None and tab.selected_user().login == "fatima.z"
    assert "fatima.z" in tab.status_label.text()

    ctx.close_office()
    assert tab.model.rowCount() == 0  # the lock cleared the table
    handle = office.unlock(office_path, "fatima.z", PASSWORD)
    try:
        assert handle.actor.display_name == "Fatima Zahra"
        assert handle.actor.role == "supervisor"
    finally:
        handle.close()


def test_short_password_is_refused_inline_in_french_then_arabic(unlocked_ctx, qtbot):
    ctx = unlocked_ctx
    dialog = AddUserDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.login_edit.setText("karim")
    dialog.name_edit.setText("Karim Idrissi")
    dialog.password_edit.setText("court")
    dialog.confirm_edit.setText("court")
    dialog.submit_button.click()
    wait_idle(qtbot, ctx)
    assert dialog.result() == 0
    assert not dialog.error_label.isHidden()
    assert "au moins 10 caractères" in dialog.error_label.text()
    assert dialog.layoutDirection() == Qt.LayoutDirection.LeftToRight

    ctx.languages.apply("ar")
    text = dialog.error_label.text()
    assert has_arabic(text) and "10" in text
    assert "caractères" not in text
    assert dialog.windowTitle() == tr("users_page.add_title") and has_arabic(dialog.windowTitle())
    assert dialog.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert dialog.error_label.layoutDirection() == Qt.LayoutDirection.RightToLeft
    # A second try in Arabic gets its answer in Arabic too, and nothing was created.
    dialog.submit_button.click()
    wait_idle(qtbot, ctx)
    assert has_arabic(dialog.error_label.text())
    assert "karim" not in [u.login for u in on_db(ctx, users.list_users)]


def test_dialog_checks_the_confirmation_and_shows_service_refusals(unlocked_ctx, qtbot):
    ctx = unlocked_ctx
    dialog = AddUserDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.login_edit.setText("admin")
    dialog.name_edit.setText("Un autre admin")
    dialog.password_edit.setText(PASSWORD)
    dialog.confirm_edit.setText(PASSWORD + "x")
    dialog.submit_button.click()
    assert ctx.runner.pending == 0  # refused before reaching the database
    assert dialog.error_label.text() == tr("users_page.passwords_differ")
    dialog.confirm_edit.setText(PASSWORD)
    dialog.submit_button.click()
    wait_idle(qtbot, ctx)
    assert dialog.error_label.text() == tr("error.login_taken", login="admin")
    assert dialog.submit_button.isEnabled()


def test_disable_then_bring_back_with_a_new_password(section, unlocked_ctx, qtbot, monkeypatch, office_path):
    ctx = unlocked_ctx
    on_db(ctx, users.add_user, "karima.b", "Karima Bennani", "officer", PASSWORD)
    tab = section.users_tab
    tab.reload()
    wait_idle(qtbot, ctx)
    tab.select_login("admin")
    assert not tab.toggle_button.isEnabled()  # nobody disables their own account
    tab.select_login("karima.b")
    tab.select_login("karima.b")  # selecting again keeps it selected (selectRow would toggle)
    assert tab.selected_user() is not None and tab.selected_user().login == "karima.b"
    assert tab.toggle_button.isEnabled() and tab.reset_button.isEnabled()
    assert tab.toggle_button.text() == tr("users_page.disable")

    asked: list[str] = []
    monkeypatch.setattr(users_module, "confirm", lambda _parent, text: asked.append(text) or True)
    tab.toggle_button.click()
    wait_idle(qtbot, ctx)
    assert asked and "karima.b" in asked[0]
    row = tab.model.row_of("karima.b")
    assert tab.model.index(row, STATE).data() == tr("users.disabled")
    assert tab.toggle_button.text() == tr("users_page.enable")

    tab.toggle_button.click()  # no key slot left: enabling means a new password
    dialog = tab.dialog
    assert isinstance(dialog, ResetPasswordDialog)
    assert "karima.b" in dialog.intro.text()
    dialog.password_edit.setText("nouvelle-phrase-1")
    dialog.confirm_edit.setText("nouvelle-phrase-1")
    with qtbot.waitSignal(dialog.accepted):
        dialog.submit_button.click()
    wait_idle(qtbot, ctx)
    row = tab.model.row_of("karima.b")
    assert tab.model.index(row, STATE).data() == tr("users.active")
    ctx.close_office()
    office.unlock(office_path, "karima.b", "nouvelle-phrase-1").close()


def test_change_own_password(section, unlocked_ctx, qtbot, office_path):
    ctx = unlocked_ctx
    tab = section.users_tab
    assert tab.change_own_button.isEnabled()
    tab.change_own_button.click()
    dialog = tab.dialog
    assert isinstance(dialog, ChangePasswordDialog)
    dialog.old_edit.setText("pas-le-bon-mot-de-passe")
    dialog.password_edit.setText("nouveau-mot-de-passe")
    dialog.confirm_edit.setText("nouveau-mot-de-passe")
    dialog.submit_button.click()
    wait_idle(qtbot, ctx)
    assert dialog.error_label.text() == tr("error.old_password_wrong")
    dialog.old_edit.setText(ADMIN_PASSWORD)
    with qtbot.waitSignal(dialog.accepted):
        dialog.submit_button.click()
    assert tab.status_label.text() == tr("users_page.change_done")
    ctx.close_office()
    office.unlock(office_path, "admin", "nouveau-mot-de-passe").close()


def test_tabs_follow_the_role(section, unlocked_ctx, qtbot, office_path):
    ctx = unlocked_ctx
    on_db(ctx, users.add_user, "said.r", "Said Responsable", "supervisor", PASSWORD)
    on_db(ctx, users.add_user, "agent.one", "Agent Un", "officer", PASSWORD)
    assert section.is_allowed()
    assert all(section.tabs.isTabVisible(i) for i in range(section.tabs.count()))

    switch_user(ctx, office_path, "said.r", PASSWORD)
    wait_idle(qtbot, ctx)
    assert section.is_allowed()
    visible = [section.tabs.widget(i) for i in range(section.tabs.count()) if section.tabs.isTabVisible(i)]
    assert visible == [section.backup_tab, section.audit_tab]
    assert section.tabs.currentWidget() in visible
    assert section.users_tab.model.rowCount() == 0  # never loaded for a supervisor
    assert section.backup_tab.backup_button.isEnabled()
    assert not section.backup_tab.check_button.isEnabled()  # the check is for admins
    assert not section.backup_tab.restore_button.isEnabled()  # so is restoring
    assert section.audit_tab.model.rowCount() > 0

    switch_user(ctx, office_path, "agent.one", PASSWORD)
    wait_idle(qtbot, ctx)
    assert not section.is_allowed()
    assert not any(section.tabs.isTabVisible(i) for i in range(section.tabs.count()))
    assert section.audit_tab.model.rowCount() == 0


# -- audit ---------------------------------------------------------------------


def test_audit_filter_by_user_fills_lazily_and_clears(section, unlocked_ctx, qtbot, office_path):
    ctx = unlocked_ctx
    on_db(ctx, users.add_user, "agent.one", "Agent Un", "officer", PASSWORD)
    switch_user(ctx, office_path, "agent.one", PASSWORD)
    for number in range(5):
        on_db(ctx, audit.record_view, RecordType.PERSON, number)
    switch_user(ctx, office_path, "admin", ADMIN_PASSWORD)
    wait_idle(qtbot, ctx)

    tab = section.audit_tab
    section.show_tab(tab)
    wait_idle(qtbot, ctx)
    assert tab.set_actor("agent.one")
    tab.apply_button.click()
    wait_idle(qtbot, ctx)
    mine = on_db(ctx, audit.entry_ids, AuditFilter(actor="agent.one"))
    assert tab.model.rowCount() == len(mine) == 7  # login, 5 views, lock
    assert tab.count_label.text() == tr("audit_page.count", count=7)
    # Rows arrive from the database thread: placeholders first, then the real values.
    assert tab.model.index(0, ACTOR).data() == PLACEHOLDER
    qtbot.waitUntil(lambda: tab.model.index(0, ACTOR).data() == "agent.one", timeout=5000)
    wait_idle(qtbot, ctx)
    assert {tab.model.index(r, ACTOR).data() for r in range(tab.model.rowCount())} == {"agent.one"}

    tab.record_type_combo.setCurrentIndex(tab.record_type_combo.findData("person"))
    tab.record_id_edit.setText("3")
    tab.apply_button.click()
    wait_idle(qtbot, ctx)
    assert tab.model.rowCount() == 1

    tab.reset_button.click()
    tab.since_check.setChecked(True)
    tab.since_edit.setDate(QDate.currentDate().addDays(1))
    tab.apply_button.click()
    wait_idle(qtbot, ctx)
    assert tab.model.rowCount() == 0
    tab.since_edit.setDate(QDate.currentDate())
    tab.until_check.setChecked(True)
    tab.until_edit.setDate(QDate.currentDate())
    tab.apply_button.click()
    wait_idle(qtbot, ctx)
    assert tab.model.rowCount() == len(on_db(ctx, audit.entry_ids, AuditFilter()))

    section.clear()
    assert tab.model.rowCount() == 0
    assert tab.actor_combo.count() == 1
    assert tab.count_label.text() == ""
    assert not tab.since_check.isChecked()


def test_verify_chain_reports_ok_and_the_first_broken_entry(section, unlocked_ctx, qtbot, monkeypatch):
    ctx = unlocked_ctx
    tab = section.audit_tab
    tab.verify_button.click()
    wait_idle(qtbot, ctx)
    assert tab.chain_label.text().startswith("Chaîne du journal vérifiée")
    monkeypatch.setattr(audit, "verify_chain", lambda _handle: ChainReport(False, 5, 3, "check.audit_altered"))
    tab.verify_button.click()
    wait_idle(qtbot, ctx)
    assert tab.chain_label.text() == tr("check.audit_altered", entry=3)
    ctx.languages.apply("ar")
    assert tab.chain_label.text() == tr_in("ar", "check.audit_altered", entry=3)


# -- backup --------------------------------------------------------------------


def test_backup_writes_a_zip_and_check_says_ok(section, unlocked_ctx, qtbot, monkeypatch, tmp_path):
    ctx = unlocked_ctx
    tab = section.backup_tab
    target = tmp_path / "copie.baom"
    monkeypatch.setattr(tab, "_ask_backup_path", lambda: target)
    tab.backup_button.click()
    wait_idle(qtbot, ctx)
    assert target.is_file() and zipfile.is_zipfile(target)
    with zipfile.ZipFile(target) as archive:
        assert "manifest.json" in archive.namelist()
    assert tab.backup_status.text() == tr("backup_page.done", path=str(target))
    assert tab.backup_error.isHidden()

    tab.check_button.click()
    wait_idle(qtbot, ctx)
    entries = len(on_db(ctx, audit.entry_ids, AuditFilter())) - 1  # the check itself is logged after
    assert tab.check_result.text() == tr("check.ok", entries=entries)
    assert tab.check_result.text().startswith("Contrôle réussi")

    with qtbot.waitSignal(section.sig_restore_requested, timeout=1000):
        tab.restore_button.click()

    section.clear()
    assert tab.backup_status.text() == "" and tab.check_result.text() == ""


def test_backup_failure_is_shown_inline(section, unlocked_ctx, qtbot, monkeypatch, tmp_path):
    tab = section.backup_tab
    monkeypatch.setattr(tab, "_ask_backup_path", lambda: tmp_path / "absent" / "copie.baom")
    tab.backup_button.click()
    wait_idle(qtbot, unlocked_ctx)
    assert tab.backup_error.text() == tr("error.folder_missing", path=str(tmp_path / "absent"))
    assert tab.backup_button.isEnabled()


def test_backup_default_location_and_name(ctx):
    folder = backup_module.backups_dir()
    assert folder.is_dir() and folder.name == "backups"
    assert folder.parent == Path(__import__("os").environ["BAOM_DATADIR"])
    assert backup_module.default_backup_name(date(2025, 3, 1)) == "baom-2025-03-01.baom"


# -- office --------------------------------------------------------------------


def test_office_profile_save(section, unlocked_ctx, qtbot):
    ctx = unlocked_ctx
    tab = section.office_tab
    assert tab.name_edit.text() == "BAOM Fictif d'Agadir"
    assert tab.commune_value.text() == "Agadir (\u206609.001.01.01.\u2069)"
    assert not tab.name_edit.isReadOnly() and not tab.save_button.isHidden()
    tab.name_edit.setText("BAOM Agadir Centre")
    tab.phone_edit.setText("0528 00 00 00")
    tab.auto_lock_spin.setValue(25)
    with qtbot.waitSignal(section.sig_auto_lock_changed) as changed:
        tab.save_button.click()
        wait_idle(qtbot, ctx)
    assert changed.args == [25]
    wait_idle(qtbot, ctx)
    info = on_db(ctx, office.office_info)
    assert (info.name, info.phone) == ("BAOM Agadir Centre", "0528 00 00 00")
    assert on_db(ctx, office.auto_lock_minutes) == 25
    assert tab.status_label.text() == tr("office_page.saved")

    tab.name_edit.setText("   ")
    tab.save_button.click()
    wait_idle(qtbot, ctx)
    assert tab.error_label.text() == tr("error.office_name_required")
    assert on_db(ctx, office.office_info).name == "BAOM Agadir Centre"

    ctx.languages.apply("ar")
    assert tab.commune_value.text().startswith("أكادير")
    section.clear()
    assert tab.name_edit.text() == "" and tab.commune_value.text() == ""


def test_office_profile_is_read_only_for_an_officer(unlocked_ctx, qtbot, office_path):
    ctx = unlocked_ctx
    on_db(ctx, users.add_user, "agent.one", "Agent Un", "officer", PASSWORD)
    switch_user(ctx, office_path, "agent.one", PASSWORD)
    tab = OfficeTab(ctx)
    qtbot.addWidget(tab)
    tab.reload()
    wait_idle(qtbot, ctx)
    assert tab.name_edit.text() == "BAOM Fictif d'Agadir"
    for edit in (tab.name_edit, tab.address_edit, tab.phone_edit, tab.email_edit, tab.auto_lock_spin):
        assert edit.isReadOnly()
    assert tab.save_button.isHidden()
    assert not tab.read_only_note.isHidden()
    tab.save()  # even if called, nothing is sent
    assert ctx.runner.pending == 0


# -- language and screenshots --------------------------------------------------


def _visible_texts(widget: QWidget) -> list[str]:
    """Texts of the section's own furniture (buttons, labels, group titles), not data."""
    texts = []
    for child in widget.findChildren(QAbstractButton):
        texts.append(child.text())
    for child in widget.findChildren(QGroupBox):
        texts.append(child.title())
    for child in widget.findChildren(QLabel):
        if child.buddy() is not None:
            texts.append(child.text())
    return [t for t in texts if t]


def test_screenshots_in_french_and_arabic(section, unlocked_ctx, qtbot, screenshot_dir, monkeypatch):
    ctx = unlocked_ctx
    on_db(ctx, users.add_user, "fatima.z", "Fatima Zahra El Amrani", "officer", PASSWORD)
    on_db(ctx, users.add_user, "said.r", "Said Rami", "supervisor", PASSWORD)
    on_db(ctx, users.set_active, "said.r", False)
    for number in range(12):
        on_db(ctx, audit.record_view, RecordType.PERSON, 100 + number)
    section.backup_tab.check()
    section.reload()
    wait_idle(qtbot, ctx)
    section.resize(1100, 700)
    section.show()
    qtbot.waitExposed(section)
    names = {
        section.users_tab: "users",
        section.office_tab: "office",
        section.backup_tab: "backup",
        section.audit_tab: "audit",
    }
    for lang in ("fr", "ar"):
        ctx.languages.apply(lang)
        direction = Qt.LayoutDirection.RightToLeft if lang == "ar" else Qt.LayoutDirection.LeftToRight
        assert section.layoutDirection() == direction
        for tab, name in names.items():
            section.show_tab(tab)
            wait_idle(qtbot, ctx)
            if tab is section.users_tab:
                tab.select_login("fatima.z")
            if tab is section.audit_tab:
                qtbot.waitUntil(lambda t=tab: t.model.index(0, ACTOR).data() != PLACEHOLDER, timeout=5000)
                wait_idle(qtbot, ctx)
            qtbot.wait(50)
            assert section.grab().save(str(screenshot_dir / f"admin_{name}_{lang}.png"))
        if lang == "ar":
            for text in _visible_texts(section):
                assert has_arabic(text), f"untranslated in Arabic: {text!r}"
            for index in range(section.tabs.count()):
                assert has_arabic(section.tabs.tabText(index))
        dialog = AddUserDialog(ctx, section)
        qtbot.addWidget(dialog)
        dialog.login_edit.setText("karim")
        dialog.password_edit.setText("court")
        dialog.confirm_edit.setText("court")
        dialog.submit_button.click()
        wait_idle(qtbot, ctx)
        dialog.show()
        qtbot.waitExposed(dialog)
        assert dialog.grab().save(str(screenshot_dir / f"admin_add_user_dialog_{lang}.png"))
        dialog.reject()
