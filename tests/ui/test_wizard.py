"""The commune picker and the new-office wizard, driven page by page on real files."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWizard

from desktop.i18n import tr_in
from desktop.services import office as office_service
from desktop.ui.dialogs.office_wizard import (
    PAGE_ADMIN,
    PAGE_COMMUNE,
    PAGE_OFFICE,
    PAGE_RECOVERY,
    OfficeWizard,
    free_office_path,
)
from desktop.ui.widgets.commune_picker import CommunePicker, fold

AGADIR = "09.001.01.01."
INEZGANE = "09.273.01.15."
SOUSS_MASSA = "09."
ADMIN_LOGIN = "directrice"
ADMIN_NAME = "Directrice Fictive"
ADMIN_PASSWORD = "une phrase-secrete 2026"

Button = QWizard.WizardButton


def combo_texts(combo) -> list[str]:  # type: ignore[no-untyped-def]
    return [combo.itemText(i) for i in range(combo.count())]


# -- commune picker -----------------------------------------------------------------


def test_picker_region_then_set_commune_follows(ctx, qtbot) -> None:  # type: ignore[no-untyped-def]
    picker = CommunePicker()
    qtbot.addWidget(picker)
    assert picker.commune_code() is None
    assert not picker.province_combo.isEnabled()

    picker.region_combo.setCurrentIndex(picker.region_combo.findData(SOUSS_MASSA))
    assert "Agadir Ida-Ou-Tanane" in combo_texts(picker.province_combo)
    assert "Casablanca" not in combo_texts(picker.province_combo)
    assert picker.commune_code() is None

    with qtbot.waitSignal(picker.sig_commune_changed) as blocker:
        assert picker.set_commune(AGADIR)
    assert blocker.args == [AGADIR]
    assert picker.commune_code() == AGADIR
    assert picker.region_combo.currentData() == SOUSS_MASSA
    assert picker.province_combo.currentData() == "09.001."
    assert picker.commune_combo.currentText() == "Agadir"

    # Choosing another province forgets the commune until one is chosen there.
    with qtbot.waitSignal(picker.sig_commune_changed) as blocker:
        picker.province_combo.setCurrentIndex(picker.province_combo.findData("09.273."))
    assert blocker.args == [""]
    assert picker.commune_code() is None
    assert "Inezgane" in combo_texts(picker.commune_combo)
    assert not picker.set_commune("99.999.")
    assert picker.commune_code() is None


def test_picker_filter_is_accent_insensitive_and_narrows(ctx, qtbot, screenshot_dir) -> None:  # type: ignore[no-untyped-def]
    picker = CommunePicker()
    qtbot.addWidget(picker)
    picker.resize(600, 200)
    picker.show()
    shoot(picker, screenshot_dir, "commune_picker_empty_fr.png")
    picker.filter_edit.setText("agadir")
    assert picker.count_label.text() == "Communes correspondantes\u00a0: 2"  # Agadir, Agadir Melloul
    assert picker.commune_code() == AGADIR  # the exact name wins
    picker.filter_edit.setText("agadir mel")
    assert picker.commune_code() is not None and picker.commune_code() != AGADIR
    picker.filter_edit.setText("sidi")  # many: nothing is chosen behind the person's back
    assert picker.commune_combo.count() > 20
    assert picker.commune_code() is None
    picker.filter_edit.setText("agadir")
    shoot(picker, screenshot_dir, "commune_picker_filter_fr.png")
    picker.filter_edit.setText("inezg")
    assert combo_texts(picker.commune_combo) == ["Inezgane (Inezgane-Ait Melloul)"]
    assert picker.commune_code() == INEZGANE
    assert picker.region_combo.currentData() == SOUSS_MASSA
    assert picker.province_combo.currentData() == "09.273."

    picker.filter_edit.setText("AÏT MÉLLOUL")
    assert any(text.startswith("Ait Melloul") for text in combo_texts(picker.commune_combo))
    picker.filter_edit.setText("انزكان")  # typed without the hamza of إنزكان
    assert picker.commune_code() == INEZGANE
    picker.filter_edit.setText("zzzz")
    assert picker.commune_combo.count() == 0
    assert picker.commune_code() is None
    assert picker.count_label.text() == "Aucune commune ne correspond."

    picker.filter_edit.setText("inezg")
    picker.filter_edit.clear()
    # Back to the province's own list, the chosen commune kept.
    assert picker.commune_code() == INEZGANE
    assert picker.commune_combo.currentText() == "Inezgane"
    assert picker.commune_combo.count() > 1


def test_picker_shows_arabic_names_sorted_in_arabic(ctx, qtbot, screenshot_dir) -> None:  # type: ignore[no-untyped-def]
    picker = CommunePicker()
    qtbot.addWidget(picker)
    picker.set_commune(AGADIR)
    ctx.languages.apply("ar")
    picker.retranslate()
    assert picker.commune_code() == AGADIR
    assert picker.commune_combo.currentText() == "أكادير"
    assert picker.region_combo.currentText() == "سوس-ماسة"
    assert picker.province_combo.currentText() == "أكادير-أدا وتنان"
    regions = combo_texts(picker.region_combo)
    assert regions == sorted(regions, key=fold)
    assert regions[0] != "Béni Mellal-Khénifra"
    assert picker._region_label.text() == "الجهة"
    picker.resize(600, 200)
    picker.show()
    picker.filter_edit.setText("سيدي")
    assert picker.commune_combo.count() > 20
    assert all("سيدي" in text for text in combo_texts(picker.commune_combo))
    assert picker.commune_code() is None
    shoot(picker, screenshot_dir, "commune_picker_filter_ar.png")


# -- wizard -------------------------------------------------------------------------


def make_wizard(ctx, qtbot, path: Path) -> OfficeWizard:  # type: ignore[no-untyped-def]
    wizard = OfficeWizard(ctx, path)
    qtbot.addWidget(wizard)
    wizard.resize(820, 640)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def fill_admin(wizard: OfficeWizard, password: str = ADMIN_PASSWORD, confirm: str | None = None) -> None:
    page = wizard.admin_page
    page.login_edit.setText(ADMIN_LOGIN)
    page.name_edit.setText(ADMIN_NAME)
    page.password_edit.setText(password)
    page.confirm_edit.setText(password if confirm is None else confirm)


def to_admin_page(wizard: OfficeWizard, commune: str = AGADIR) -> None:
    wizard.commune_page.picker.set_commune(commune)
    wizard.next()
    assert wizard.currentId() == PAGE_OFFICE
    wizard.next()
    assert wizard.currentId() == PAGE_ADMIN


def shoot(widget, folder: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    QApplication.processEvents()  # pending re-layouts (a language switch) first
    assert widget.grab().save(str(folder / name))


def drive_to_recovery(wizard, ctx, qtbot, shots: Path | None = None, lang: str = "fr") -> None:  # type: ignore[no-untyped-def]
    assert wizard.currentId() == PAGE_COMMUNE
    chosen = wizard.commune_page.picker.commune_code() is not None
    assert wizard.button(Button.NextButton).isEnabled() == chosen  # disabled until a commune is chosen
    wizard.commune_page.picker.set_commune(AGADIR)
    assert wizard.button(Button.NextButton).isEnabled()
    if shots:
        shoot(wizard, shots, f"wizard_commune_{lang}.png")
    wizard.next()
    assert wizard.currentId() == PAGE_OFFICE
    if shots:
        shoot(wizard, shots, f"wizard_office_{lang}.png")
    wizard.next()
    assert wizard.currentId() == PAGE_ADMIN
    fill_admin(wizard)
    if shots:
        shoot(wizard, shots, f"wizard_admin_{lang}.png")
    wizard.next()
    assert wizard.busy
    assert not wizard.button(Button.CommitButton).isEnabled()
    assert not wizard.button(Button.CancelButton).isEnabled()
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_RECOVERY, timeout=20000)
    qtbot.waitUntil(lambda: ctx.runner.pending == 0)


def test_wizard_creates_office_end_to_end(ctx, qtbot, tmp_path, screenshot_dir) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "nouveau-dossier" / "bureau.baomdb"
    wizard = make_wizard(ctx, qtbot, path)
    assert wizard.office_page.path_edit.text() == str(path)
    wizard.commune_page.picker.set_commune(AGADIR)
    wizard.next()
    assert wizard.office_page.name_edit.text() == "BAOM de Agadir"
    wizard.back()
    wizard.commune_page.picker.set_commune(INEZGANE)
    wizard.next()
    assert wizard.office_page.name_edit.text() == "BAOM de Inezgane"  # still the proposal: follows
    wizard.office_page.name_edit.setText("BAOM Fictif de Test")
    wizard.back()
    wizard.commune_page.picker.set_commune(AGADIR)
    wizard.next()
    assert wizard.office_page.name_edit.text() == "BAOM Fictif de Test"  # the person's own name is kept
    wizard.back()

    drive_to_recovery(wizard, ctx, qtbot, screenshot_dir, "fr")
    assert path.parent.is_dir() and path.is_file()
    assert wizard.admin_page.password_edit.text() == ""  # not kept in the widget

    finish = wizard.button(Button.FinishButton)
    assert finish.isVisible()
    assert not finish.isEnabled()
    assert not wizard.button(Button.BackButton).isVisible()
    assert not wizard.button(Button.CancelButton).isVisible()
    code = wizard.recovery_page.code_label.text()
    assert len(code.replace("-", "")) == 30
    assert wizard.recovery_page.code_label.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    shoot(wizard, screenshot_dir, "wizard_recovery_fr.png")
    wizard.recovery_page.noted_check.setChecked(True)
    assert finish.isEnabled()
    finish.click()

    assert wizard.result() == QWizard.DialogCode.Accepted
    assert wizard.db_path == path
    handle = wizard.handle
    assert handle is not None and not handle.closed
    assert handle.actor.login == ADMIN_LOGIN and handle.actor.role == "admin"
    info = office_service.office_info(handle)
    assert (info.name, info.commune_code) == ("BAOM Fictif de Test", AGADIR)
    handle.close()

    with office_service.unlock(path, ADMIN_LOGIN, ADMIN_PASSWORD) as again:
        assert again.actor.display_name == ADMIN_NAME
    with office_service.unlock_with_recovery(path, code) as recovered:
        assert recovered.actor.is_recovery


def test_weak_password_stays_on_admin_page_with_french_error(  # type: ignore[no-untyped-def]
    ctx, qtbot, tmp_path, screenshot_dir
) -> None:
    path = tmp_path / "bureau.baomdb"
    wizard = make_wizard(ctx, qtbot, path)
    to_admin_page(wizard)
    fill_admin(wizard, password="court")
    wizard.next()
    assert wizard.currentId() == PAGE_ADMIN
    assert not wizard.busy
    page = wizard.admin_page
    assert page.password_error.isVisible()
    assert page.password_error.text() == "Le mot de passe doit compter au moins 10 caractères."
    assert not path.exists()

    fill_admin(wizard, confirm=ADMIN_PASSWORD + "x")
    page.login_edit.setText("Nom Avec Espaces")
    wizard.next()
    assert wizard.currentId() == PAGE_ADMIN
    assert page.password_error.isHidden()
    assert page.confirm_error.text() == "Les deux mots de passe sont différents."
    assert page.login_error.text().startswith("Identifiant : 2 à 32 caractères")
    shoot(wizard, screenshot_dir, "wizard_admin_errors_fr.png")
    ctx.languages.apply("ar")  # errors already shown are re-said in Arabic
    assert page.confirm_error.text() == tr_in("ar", "wizard.password_mismatch")
    assert page.login_error.text() == tr_in("ar", "error.login_invalid")
    shoot(wizard, screenshot_dir, "wizard_admin_errors_ar.png")
    assert not path.exists()


def test_machine_commune_is_preselected(ctx, qtbot, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BAOM_COMMUNE", INEZGANE)
    wizard = make_wizard(ctx, qtbot, tmp_path / "bureau.baomdb")
    assert wizard.commune_page.picker.commune_code() == INEZGANE
    assert wizard.commune_page.picker.commune_combo.currentText() == "Inezgane"
    assert wizard.button(Button.NextButton).isEnabled()
    wizard.next()
    assert wizard.office_page.name_edit.text() == "BAOM de Inezgane"

    monkeypatch.setenv("BAOM_COMMUNE", "not-a-commune")
    other = make_wizard(ctx, qtbot, tmp_path / "autre.baomdb")
    assert other.commune_page.picker.commune_code() is None


def test_existing_file_is_refused_and_default_path_is_free(ctx, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    taken = tmp_path / "office.baomdb"
    taken.write_bytes(b"x")
    assert free_office_path(taken) == tmp_path / "office-2.baomdb"
    wizard = make_wizard(ctx, qtbot, taken)
    assert wizard.office_page.path_edit.text() == str(tmp_path / "office-2.baomdb")
    wizard.commune_page.picker.set_commune(AGADIR)
    wizard.next()
    wizard.office_page.path_edit.setText(str(tmp_path / "office"))  # ending added
    wizard.office_page.path_edit.setText(str(taken))
    wizard.next()
    assert wizard.currentId() == PAGE_OFFICE
    assert wizard.office_page.path_error.text().startswith("Un fichier existe déjà")
    wizard.office_page.path_edit.setText(str(tmp_path / "sans-extension"))
    wizard.next()
    assert wizard.currentId() == PAGE_ADMIN
    assert wizard.office_page.office_path() == tmp_path / "sans-extension.baomdb"


def test_creation_error_is_shown_inline_and_wizard_stays(ctx, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bureau.baomdb"
    wizard = make_wizard(ctx, qtbot, path)
    to_admin_page(wizard)
    path.write_bytes(b"someone else's file")  # appears between page 2 and creation
    fill_admin(wizard)
    wizard.next()
    qtbot.waitUntil(lambda: not wizard.busy and ctx.runner.pending == 0)
    assert wizard.currentId() == PAGE_ADMIN
    assert wizard.handle is None
    assert wizard.admin_page.create_error.text().startswith("Un fichier existe déjà")
    assert wizard.button(Button.CommitButton).isEnabled()
    assert wizard.button(Button.CancelButton).isEnabled()
    assert path.read_bytes() == b"someone else's file"


def test_cancel_after_creation_locks_the_office(ctx, qtbot, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bureau.baomdb"
    wizard = make_wizard(ctx, qtbot, path)
    drive_to_recovery(wizard, ctx, qtbot)
    handle = wizard.handle
    assert handle is not None
    monkeypatch.setattr(wizard, "confirm_leave_without_code", lambda: False)
    wizard.reject()
    assert wizard.isVisible() and wizard.handle is handle  # the person said "no, stay"
    monkeypatch.setattr(wizard, "confirm_leave_without_code", lambda: True)
    wizard.reject()
    assert wizard.result() == QWizard.DialogCode.Rejected
    assert wizard.handle is None and handle.closed
    assert wizard.db_path == path
    assert wizard.recovery_page.code_label.text() == ""
    with office_service.unlock(path, ADMIN_LOGIN, ADMIN_PASSWORD):  # the file lock was released
        pass


def test_wizard_in_arabic_is_right_to_left(ctx, qtbot, tmp_path, screenshot_dir) -> None:  # type: ignore[no-untyped-def]
    ctx.languages.apply("ar")
    wizard = make_wizard(ctx, qtbot, tmp_path / "bureau.baomdb")
    assert wizard.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert wizard.isRightToLeft() and wizard.commune_page.isRightToLeft()
    assert wizard.office_page.path_edit.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert wizard.windowTitle() == "إنشاء المكتب"
    titles = {
        PAGE_COMMUNE: "wizard.commune_title",
        PAGE_OFFICE: "wizard.office_title",
        PAGE_ADMIN: "wizard.admin_title",
        PAGE_RECOVERY: "wizard.recovery_title",
    }
    for page_id, key in titles.items():
        assert wizard.page(page_id).title() == tr_in("ar", key)
    assert wizard.page(PAGE_COMMUNE).title() == "جماعة المكتب"
    assert wizard.buttonText(Button.NextButton) == "التالي"

    drive_to_recovery(wizard, ctx, qtbot, screenshot_dir, "ar")
    assert wizard.office_page.name_edit.text() == "مكتب استقبال وتوجيه المهاجرين بجماعة أكادير"
    assert wizard.recovery_page.noted_check.text() == "دوّنتُ رمز الاسترجاع وسأحفظه في مكان آمن"
    shoot(wizard, screenshot_dir, "wizard_recovery_ar.png")
    wizard.recovery_page.noted_check.setChecked(True)
    wizard.accept()
    assert wizard.handle is not None
    wizard.handle.close()


def test_wizard_retranslates_live(ctx, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    wizard = make_wizard(ctx, qtbot, tmp_path / "bureau.baomdb")
    wizard.commune_page.picker.set_commune(AGADIR)
    wizard.next()
    assert wizard.currentPage().title() == "Nom et emplacement du bureau"
    assert wizard.office_page.name_edit.text() == "BAOM de Agadir"
    ctx.languages.apply("ar")
    assert wizard.isRightToLeft()
    assert wizard.currentPage().title() == "اسم المكتب ومكان حفظه"
    assert wizard.office_page.name_edit.text() == "مكتب استقبال وتوجيه المهاجرين بجماعة أكادير"
    assert wizard.commune_page.picker.commune_combo.currentText() == "أكادير"
    ctx.languages.apply("fr")
    assert not wizard.isRightToLeft()
    assert wizard.buttonText(Button.BackButton) == "Précédent"


@pytest.mark.parametrize("lang", ["en"])
def test_wizard_has_no_untranslated_keys(ctx, qtbot, tmp_path, lang) -> None:  # type: ignore[no-untyped-def]
    ctx.languages.apply(lang)
    wizard = make_wizard(ctx, qtbot, tmp_path / "bureau.baomdb")
    texts = [wizard.page(i).title() for i in wizard.pageIds()] + [wizard.page(i).subTitle() for i in wizard.pageIds()]
    assert all(text and not text.startswith("wizard.") for text in texts)
    assert wizard.page(PAGE_RECOVERY).title() == "Recovery code"
