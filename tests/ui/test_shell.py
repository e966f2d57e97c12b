"""Unlock, main window, lock and auto-lock, language switching — real office, offscreen Qt."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from desktop.services import audit as audit_service
from desktop.services import office as office_service
from desktop.ui.dialogs.unlock import UnlockDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.pages.home import HomePage

PASSWORD = "mot-de-passe-admin"
ROOT = Path(__file__).resolve().parents[2]


def _idle(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: ctx.runner.pending == 0, timeout=10_000)


def _unlock(qtbot, ctx, dialog_form, password: str) -> None:  # type: ignore[no-untyped-def]
    dialog_form.password_edit.setText(password)
    dialog_form.submit()
    _idle(qtbot, ctx)


@pytest.mark.parametrize(
    ("lang", "message", "direction"),
    [
        ("fr", "Identifiant ou mot de passe incorrect.", Qt.LayoutDirection.LeftToRight),
        ("ar", "اسم المستخدم أو كلمة المرور غير صحيحة.", Qt.LayoutDirection.RightToLeft),
    ],
)
def test_wrong_password_is_a_sentence_then_the_right_one_opens(  # type: ignore[no-untyped-def]
    qtbot, ctx, office_path, screenshot_dir, lang, message, direction
) -> None:
    ctx.languages.apply(lang)
    dialog = UnlockDialog(ctx, office_path, "admin")
    qtbot.addWidget(dialog)
    dialog.show()
    _unlock(qtbot, ctx, dialog.form, "pas-le-bon-mot-de-passe")
    assert dialog.form.error.text() == message
    assert dialog.form.password_edit.text() == ""
    assert dialog.layoutDirection() == direction
    assert dialog.handle is None
    dialog.grab().save(str(screenshot_dir / f"unlock_error_{lang}.png"))
    _unlock(qtbot, ctx, dialog.form, PASSWORD)
    assert dialog.handle is not None
    assert dialog.result() == UnlockDialog.DialogCode.Accepted
    handle = dialog.handle
    failed = audit_service.entries(
        handle, audit_service.entry_ids(handle, audit_service.AuditFilter(action="failed_login"))
    )
    assert [row.actor for row in failed] == ["admin"]
    handle.close()


def test_five_failures_then_a_countdown(qtbot, ctx, office_path) -> None:  # type: ignore[no-untyped-def]
    dialog = UnlockDialog(ctx, office_path, "admin")
    qtbot.addWidget(dialog)
    for _ in range(5):
        _unlock(qtbot, ctx, dialog.form, "pas-le-bon-mot-de-passe")
    assert "incorrect" in dialog.form.error.text()
    _unlock(qtbot, ctx, dialog.form, PASSWORD)  # even the right password waits
    assert "Réessayez dans" in dialog.form.error.text()
    assert not dialog.form.unlock_button.isEnabled()
    assert dialog.handle is None


def test_damaged_file_is_not_called_a_wrong_password(qtbot, ctx, office_path) -> None:  # type: ignore[no-untyped-def]
    data = bytearray(office_path.read_bytes())
    data[200] ^= 0x55  # page 1, after SQLCipher's salt
    office_path.write_bytes(bytes(data))
    dialog = UnlockDialog(ctx, office_path, "admin")
    qtbot.addWidget(dialog)
    _unlock(qtbot, ctx, dialog.form, PASSWORD)
    assert "endommagé" in dialog.form.error.text()
    assert "incorrect" not in dialog.form.error.text()


def test_second_instance_is_refused_clearly(qtbot, ctx, office_path) -> None:  # type: ignore[no-untyped-def]
    first = office_service.unlock(office_path, "admin", PASSWORD)
    try:
        dialog = UnlockDialog(ctx, office_path, "admin")
        qtbot.addWidget(dialog)
        _unlock(qtbot, ctx, dialog.form, PASSWORD)
        assert "déjà ouverte" in dialog.form.error.text()
    finally:
        first.close()


@pytest.fixture
def window(qtbot, unlocked_ctx):  # type: ignore[no-untyped-def]
    win = MainWindow(unlocked_ctx)
    qtbot.addWidget(win)
    win.show()
    _idle(qtbot, unlocked_ctx)
    return win


def _visible_texts(win: MainWindow) -> str:
    return "\n".join(label.text() for label in win.findChildren(QLabel) if label.isVisibleTo(win))


def test_lock_clears_every_view_and_unlock_returns_to_the_same_section(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    ctx = window.ctx
    assert "Admin Fictif" in _visible_texts(window)
    assert "BAOM Fictif d'Agadir" in window.windowTitle()
    admin_row = next(i for i, p in enumerate(window.pages) if p.title_key == "admin.title")
    window.nav.setCurrentRow(admin_row)
    window.lock_action.trigger()
    assert window.is_locked
    assert ctx.handle is None
    assert "Admin Fictif" not in "\n".join(label.text() for label in window.findChildren(QLabel))
    assert window.lock_status.text() == "Verrouillé"
    assert all(window.nav.item(i).isHidden() for i in range(window.nav.count()))
    assert window.lock_screen.form.login_edit.text() == "admin"
    _unlock(qtbot, ctx, window.lock_screen.form, PASSWORD)
    _idle(qtbot, ctx)
    assert not window.is_locked
    assert window.page_stack.currentIndex() == admin_row
    assert "Admin Fictif" in _visible_texts(window)


def test_ctrl_l_is_the_lock_shortcut(window) -> None:  # type: ignore[no-untyped-def]
    assert window.lock_action.shortcut().toString() == "Ctrl+L"
    assert window.lock_action in window.actions()


def test_inactivity_locks_the_office(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    assert window.idle.timeout_seconds == 600  # the office's default: 10 minutes
    window.idle.timeout_seconds = 0.3
    window.idle._timer.setInterval(50)
    window.idle.start()
    qtbot.waitUntil(lambda: window.is_locked, timeout=5000)
    assert window.ctx.handle is None


def test_language_switch_keeps_the_office_open(qtbot, window, screenshot_dir) -> None:  # type: ignore[no-untyped-def]
    handle = window.ctx.handle
    window.grab().save(str(screenshot_dir / "main_home_fr.png"))
    from desktop.ui.dialogs.preferences import PreferencesDialog

    prefs = PreferencesDialog(window.ctx, window)
    qtbot.addWidget(prefs)
    prefs.language_combo.set_language("ar")
    prefs.apply_and_close()
    assert QApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert window.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert window.ctx.handle is handle and not window.is_locked
    assert window.nav.item(0).text() == "الرئيسية"
    assert window.lock_status.text() == "مفتوح"
    assert window.ctx.settings.language == "ar"
    window.grab().save(str(screenshot_dir / "main_home_ar.png"))
    window.lock()
    window.grab().save(str(screenshot_dir / "main_locked_ar.png"))
    assert window.lock_screen.title.text() == "الجلسة مقفلة"


def test_home_shows_the_demo_banner_only_for_demo_offices(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    home = window.show_page(HomePage)
    assert isinstance(home, HomePage)
    assert home.demo_banner.isHidden()
    assert home.figure_labels["active_users"][1].text() == "1"


def test_smoke_start_offscreen(tmp_path: Path) -> None:
    env = dict(
        os.environ, QT_QPA_PLATFORM="offscreen", BAOM_DATADIR=str(tmp_path), BAOM_SETTINGS=str(tmp_path / "s.json")
    )
    env["BAOM_LOGDIR"] = str(tmp_path / "logs")
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "--smoke-test"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "smoke-test: WelcomeDialog" in result.stdout


def test_restore_from_the_menu_replaces_the_office_and_keeps_the_old_one(  # type: ignore[no-untyped-def]
    qtbot, window, monkeypatch, tmp_path
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from desktop.services import maintenance, users

    ctx = window.ctx
    backup = tmp_path / "avant.baom"
    maintenance.backup_office(ctx.handle, backup)
    users.add_user(ctx.handle, "apres.sauvegarde", "Compte Fictif", "officer", "mot-de-passe-agent")
    monkeypatch.setattr(window, "_ask_restore_path", lambda: str(backup))
    monkeypatch.setattr(window, "_ask_password", lambda: PASSWORD)
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    assert window.restore_action.isEnabled()
    window.restore_action.trigger()
    _idle(qtbot, ctx)
    assert window.is_locked
    assert window.lock_screen.message.text() == "Sauvegarde restaurée. Déverrouillez pour continuer."
    assert list(tmp_path.glob("bureau-before-restore-*.baomdb"))
    _unlock(qtbot, ctx, window.lock_screen.form, PASSWORD)
    assert not window.is_locked
    logins = [u.login for u in users.list_users(ctx.handle)]
    assert logins == ["admin"]  # the account made after the backup is gone with the restore


def test_restore_with_a_wrong_password_changes_nothing(qtbot, window, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    from desktop.services import maintenance

    ctx = window.ctx
    backup = tmp_path / "avant.baom"
    maintenance.backup_office(ctx.handle, backup)
    before = (tmp_path / "bureau.baomdb").stat().st_ino  # os.replace would give a new inode
    monkeypatch.setattr(window, "_ask_restore_path", lambda: str(backup))
    monkeypatch.setattr(window, "_ask_password", lambda: "pas-le-bon-mot-de-passe")
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    window.restore_backup()
    _idle(qtbot, ctx)
    assert window.lock_screen.form.error.text() == "Identifiant ou mot de passe incorrect."
    assert not list(tmp_path.glob("*before-restore*"))
    assert (tmp_path / "bureau.baomdb").stat().st_ino == before


def test_error_text_stays_readable_in_a_dark_scheme(qtbot, qapp) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QColor, QPalette

    from desktop.ui.widgets.common import ErrorLabel

    saved = qapp.palette()
    dark = QPalette(saved)
    dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    qapp.setPalette(dark)
    try:
        label = ErrorLabel()
        qtbot.addWidget(label)
        assert "#ff8a80" in label.styleSheet()
    finally:
        qapp.setPalette(saved)
    light = ErrorLabel()
    qtbot.addWidget(light)
    assert "#c62828" in light.styleSheet()
