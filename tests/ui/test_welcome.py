"""The welcome screen's four ways to an office, and the demo office dialog, on real files."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from desktop import config
from desktop.config import Settings
from desktop.i18n import tr_in
from desktop.services import office as office_service
from desktop.services.maintenance import backup_office
from desktop.ui.dialogs import demo_office
from desktop.ui.dialogs.demo_office import DEMO_PASSWORD, DemoOfficeDialog
from desktop.ui.dialogs.office_wizard import PAGE_RECOVERY, OfficeWizard
from desktop.ui.dialogs.welcome import RestoreDialog, WelcomeDialog

UI_ADMIN_PASSWORD = "mot-de-passe-admin"  # the office_path fixture's admin


def make_welcome(ctx, qtbot) -> WelcomeDialog:  # type: ignore[no-untyped-def]
    dialog = WelcomeDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.resize(700, 620)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def shoot(widget, folder: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    QApplication.processEvents()  # pending re-layouts (a language switch) first
    assert widget.grab().save(str(folder / name))


def test_language_switch_retranslates_and_flips(ctx, qtbot, screenshot_dir) -> None:  # type: ignore[no-untyped-def]
    dialog = make_welcome(ctx, qtbot)
    assert dialog.create_button.text() == "Créer le bureau"
    assert dialog.demo_button.text() == "Bureau de démonstration"
    assert dialog.open_button.text() == "Ouvrir un bureau existant…"
    assert dialog.restore_button.text() == "Restaurer une sauvegarde…"
    assert not dialog.isRightToLeft()
    shoot(dialog, screenshot_dir, "welcome_fr.png")

    dialog.language_combo.set_language("ar")  # as if picked in the list
    assert dialog.create_button.text() == tr_in("ar", "welcome.create") == "إنشاء المكتب"
    assert dialog.title.text() == "مرحبًا بكم في BAOM"
    assert dialog.create_button.description() == tr_in("ar", "welcome.create_description")
    assert dialog.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert dialog.create_button.isRightToLeft()
    assert Settings.load().language == "ar"  # remembered for the next start
    shoot(dialog, screenshot_dir, "welcome_ar.png")

    dialog.language_combo.set_language("en")
    assert dialog.restore_button.text() == "Restore a backup…"
    assert not dialog.isRightToLeft()
    ctx.languages.apply("fr")  # changed elsewhere: the combo follows
    assert dialog.language_combo.language() == "fr"
    assert dialog.close_button.text() == "Fermer"


def test_open_existing_office(ctx, qtbot, office_path, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    dialog = make_welcome(ctx, qtbot)
    answers: list[Path | None] = [None, tmp_path / "absent.baomdb", tmp_path / "orphan.baomdb", office_path]
    (tmp_path / "orphan.baomdb").write_bytes(b"no keys beside it")
    monkeypatch.setattr(dialog, "_ask_open_path", lambda: answers.pop(0))

    dialog.open_button.click()  # cancelled file dialog: nothing happens
    assert dialog.isVisible() and dialog.choice is None
    dialog.open_button.click()
    assert dialog.error_label.text().startswith("Aucune base BAOM à cet emplacement")
    dialog.open_button.click()
    assert dialog.error_label.text() == "Le fichier des clés (.keys) de cette base est introuvable."
    assert dialog.choice is None
    dialog.open_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert (dialog.choice, dialog.chosen_path, dialog.handle) == ("open", office_path, None)


def test_create_runs_the_wizard_and_returns_the_open_office(ctx, qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = make_welcome(ctx, qtbot)
    dialog.create_button.click()
    wizard = dialog.active_dialog
    assert isinstance(wizard, OfficeWizard) and wizard.isVisible()
    dialog.reject()  # the wizard is on top: the welcome screen stays
    assert dialog.isVisible()
    assert wizard.office_page.path_edit.text() == str(config.default_office_path())

    wizard.commune_page.picker.set_commune("09.273.01.15.")
    wizard.next()
    wizard.next()
    admin = wizard.admin_page
    admin.login_edit.setText("admin")
    admin.name_edit.setText("Admin Fictif")
    admin.password_edit.setText("phrase-de-passe-2026")
    admin.confirm_edit.setText("phrase-de-passe-2026")
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_RECOVERY, timeout=20000)
    wizard.recovery_page.noted_check.setChecked(True)
    wizard.accept()

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.choice == "create"
    assert dialog.chosen_path == config.default_office_path()
    assert dialog.handle is not None and not dialog.handle.closed
    assert office_service.office_info(dialog.handle).commune_code == "09.273.01.15."
    dialog.handle.close()


def test_cancelled_wizard_keeps_the_welcome_screen(ctx, qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = make_welcome(ctx, qtbot)
    dialog.create_button.click()
    wizard = dialog.active_dialog
    assert wizard is not None
    wizard.reject()
    assert dialog.active_dialog is None
    assert dialog.isVisible() and dialog.choice is None


def make_backup(office_path: Path, tmp_path: Path) -> Path:
    backup = tmp_path / "sauvegarde.baom"
    with office_service.unlock(office_path, "admin", UI_ADMIN_PASSWORD) as handle:
        backup_office(handle, backup)
    return backup


def test_restore_asks_credentials_and_restores_beside(  # type: ignore[no-untyped-def]
    ctx, qtbot, office_path, tmp_path, monkeypatch, screenshot_dir
) -> None:
    backup = make_backup(office_path, tmp_path)
    default = config.default_office_path()
    dialog = make_welcome(ctx, qtbot)
    monkeypatch.setattr(dialog, "_ask_backup_path", lambda: backup)
    dialog.restore_button.click()
    restore = dialog.active_dialog
    assert isinstance(restore, RestoreDialog)
    assert restore.target == default  # the data folder does not even exist yet
    shoot(restore, screenshot_dir, "welcome_restore_fr.png")

    restore.login_edit.setText("admin")
    restore.password_edit.setText("pas-le-bon-mot-de-passe")
    restore.restore_button.click()
    assert restore.busy and not restore.restore_button.isEnabled()
    qtbot.waitUntil(lambda: ctx.runner.pending == 0 and not restore.busy, timeout=20000)
    assert restore.isVisible()
    assert restore.error_label.text() == "Identifiant ou mot de passe incorrect."
    assert not default.exists()

    restore.password_edit.setText(UI_ADMIN_PASSWORD)
    restore.restore_button.click()
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=20000)
    assert (dialog.choice, dialog.chosen_path) == ("restore", default)
    with office_service.unlock(default, "admin", UI_ADMIN_PASSWORD) as handle:
        assert office_service.office_info(handle).name == "BAOM Fictif d'Agadir"

    # A second restore never replaces the office already there.
    again = make_welcome(ctx, qtbot)
    monkeypatch.setattr(again, "_ask_backup_path", lambda: backup)
    again.restore_button.click()
    second = again.active_dialog
    assert isinstance(second, RestoreDialog)
    assert second.target == default.with_name("office-2.baomdb")
    second.recovery_check.setChecked(True)
    assert not second.login_edit.isEnabled()
    assert second.password_label.text() == "Code de récupération\u00a0:"
    second.cancel_button.click()
    assert again.isVisible() and again.choice is None


def test_restore_dialog_in_arabic(ctx, qtbot, office_path, tmp_path, screenshot_dir) -> None:  # type: ignore[no-untyped-def]
    ctx.languages.apply("ar")
    restore = RestoreDialog(ctx, tmp_path / "sauvegarde.baom", config.default_office_path())
    qtbot.addWidget(restore)
    restore.show()
    qtbot.waitExposed(restore)
    assert restore.isRightToLeft()
    assert restore.restore_button.text() == "استرجاع"
    shoot(restore, screenshot_dir, "welcome_restore_ar.png")


def test_demo_dialog_creates_an_office_that_opens(ctx, qtbot, monkeypatch, screenshot_dir) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(demo_office, "DEMO_CASES", 30)
    dialog = DemoOfficeDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.password_value.text() == DEMO_PASSWORD  # copied as is, no invisible marks
    assert dialog.ok_button.text() == "Créer le bureau de démonstration"
    assert dialog.exists_label.isHidden()
    shoot(dialog, screenshot_dir, "demo_fr.png")
    progress: list[int] = []
    dialog.sig_progress.connect(progress.append)

    dialog.ok_button.click()
    assert dialog.busy and not dialog.ok_button.isEnabled()
    dialog.reject()  # ignored while the office is being written
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=60000)
    assert progress and progress[-1] == 30
    assert dialog.progress_bar.value() == 30
    path = config.data_dir() / "demo.baomdb"
    assert dialog.db_path == path
    with office_service.unlock(path, "admin", DEMO_PASSWORD) as handle:
        info = office_service.office_info(handle)
        assert info.is_demo

    # Once it exists, the dialog only opens it.
    second = DemoOfficeDialog(ctx)
    qtbot.addWidget(second)
    second.show()
    assert second.exists_label.isVisible()
    assert second.ok_button.text() == "Ouvrir le bureau de démonstration"
    second.ok_button.click()
    assert second.result() == QDialog.DialogCode.Accepted
    assert second.db_path == path
    assert ctx.runner.pending == 0


def test_demo_dialog_in_arabic_and_via_welcome(ctx, qtbot, monkeypatch, screenshot_dir) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(demo_office, "DEMO_CASES", 5)
    ctx.languages.apply("ar")
    welcome = make_welcome(ctx, qtbot)
    welcome.demo_button.click()
    dialog = welcome.active_dialog
    assert isinstance(dialog, DemoOfficeDialog)
    assert dialog.isRightToLeft()
    assert dialog.ok_button.text() == "إنشاء المكتب التجريبي"
    assert "5" in dialog.intro.text()
    shoot(dialog, screenshot_dir, "demo_ar.png")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: welcome.result() == QDialog.DialogCode.Accepted, timeout=60000)
    assert (welcome.choice, welcome.chosen_path) == ("demo", config.data_dir() / "demo.baomdb")
