"""The whole journey through the real controller: welcome → wizard → main window → lock → unlock."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QApplication, QWizard

from desktop import config
from desktop.ui.controller import AppController
from desktop.ui.dialogs.office_wizard import PAGE_RECOVERY, OfficeWizard
from desktop.ui.dialogs.unlock import UnlockDialog
from desktop.ui.dialogs.welcome import WelcomeDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.widgets.common import format_datetime, format_number

PASSWORD = "mot-de-passe-du-parcours"


def _idle(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: ctx.runner.pending == 0, timeout=20_000)


@pytest.mark.parametrize(("lang", "rtl"), [("fr", False), ("ar", True)])
def test_wizard_unlock_main_lock_unlock(qtbot, ctx, lang, rtl, screenshot_dir) -> None:  # type: ignore[no-untyped-def]
    ctx.languages.apply(lang)
    direction = Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight
    controller = AppController(ctx)
    controller.start()
    welcome = controller.current_window()
    assert isinstance(welcome, WelcomeDialog)
    qtbot.addWidget(welcome)
    assert welcome.layoutDirection() == direction

    welcome.start_create()
    wizard = welcome.active_dialog
    assert isinstance(wizard, OfficeWizard)
    assert wizard.layoutDirection() == direction
    wizard.commune_page.picker.set_commune("09.001.01.01.")
    wizard.next()
    wizard.next()
    page = wizard.admin_page
    page.login_edit.setText("chef.fictif")
    page.name_edit.setText("Cheffe Fictive")
    page.password_edit.setText(PASSWORD)
    page.confirm_edit.setText(PASSWORD)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_RECOVERY, timeout=20_000)
    wizard.recovery_page.noted_check.setChecked(True)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    _idle(qtbot, ctx)

    window = controller.current_window()
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    _idle(qtbot, ctx)
    assert window.layoutDirection() == direction
    assert ctx.actor is not None and ctx.actor.login == "chef.fictif"
    assert ctx.settings.last_database == str(config.default_office_path())
    window.grab().save(str(screenshot_dir / f"journey_main_{lang}.png"))

    window.lock_action.trigger()
    assert window.is_locked and ctx.handle is None
    form = window.lock_screen.form
    form.password_edit.setText("mauvais-mot-de-passe")
    form.submit()
    _idle(qtbot, ctx)
    assert window.is_locked
    assert form.error.text()
    form.password_edit.setText(PASSWORD)
    form.submit()
    _idle(qtbot, ctx)
    assert not window.is_locked
    window.close()

    # Next start: the office exists, so the unlock dialog comes first, login remembered.
    again = AppController(ctx)
    again.start()
    dialog = again.current_window()
    assert isinstance(dialog, UnlockDialog)
    qtbot.addWidget(dialog)
    assert dialog.form.login_edit.text() == "chef.fictif"
    dialog.form.password_edit.setText(PASSWORD)
    dialog.form.submit()
    _idle(qtbot, ctx)
    assert isinstance(again.current_window(), MainWindow)
    again.current_window().close()


def test_numbers_and_dates_use_the_moroccan_locale(ctx) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    moment = datetime(2026, 3, 5, 14, 30, tzinfo=UTC)
    ctx.languages.apply("ar")
    assert QLocale().name() == "ar_MA"
    arabic = format_datetime(moment) + format_number(12345)
    assert re.search(r"[0-9]", arabic) and not re.search(r"[\u0660-\u0669]", arabic)  # Western digits, as in Morocco
    ctx.languages.apply("fr")
    assert QLocale().name() == "fr_MA"
    assert "05/03/2026" in format_datetime(moment)
    assert QApplication.layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_the_demo_office_is_not_reopened_by_default(qtbot, ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from desktop.services import office as office_service

    demo_path = config.demo_office_path()
    demo_path.parent.mkdir(parents=True, exist_ok=True)
    handle, _code = office_service.create_office(
        demo_path,
        commune_code="09.001.01.01.",
        office_name="Démo fictive",
        admin_login="admin",
        admin_name="Admin Démo",
        admin_password=PASSWORD,
        is_demo=True,
    )
    controller = AppController(ctx)
    window = controller.open_main(handle)
    qtbot.addWidget(window)
    _idle(qtbot, ctx)
    assert ctx.settings.last_database == ""
    window.close()
