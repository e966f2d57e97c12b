"""The Cartographie section (service directory) driven like a person would, on a real encrypted office."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt

from desktop.i18n import tr_in
from desktop.services import directory
from desktop.services.referral_types import ProviderInput
from desktop.ui.models.provider_list_model import AREA, NAME, PHONE, VERIFIED, ProviderListModel
from desktop.ui.pages.directory.editor import ProviderEditorDialog
from desktop.ui.pages.directory.provider_fields import TAB_ACCESS, TAB_SERVICES, TAB_STRUCTURE
from desktop.ui.pages.directory.section import DirectorySection
from tests.ui.directory_data import (
    AFOURAR,
    AGADIR,
    AMSKROUD,
    EXAMPLE,
    STALE_FR,
    TODAY,
    fictitious_providers,
    has_arabic,
    on_db,
    wait_idle,
)


@pytest.fixture
def section(unlocked_ctx, qtbot) -> DirectorySection:
    page = DirectorySection(unlocked_ctx)
    qtbot.addWidget(page)
    page.reload()
    wait_idle(qtbot, unlocked_ctx)
    return page


@pytest.fixture
def ids(unlocked_ctx, section, qtbot) -> dict[str, int]:
    found = {p.name_fr: on_db(unlocked_ctx, directory.save_provider, p) for p in fictitious_providers()}
    section.list_page.refresh()
    wait_idle(qtbot, unlocked_ctx)
    return found


def names(section: DirectorySection) -> set[str]:
    model = section.list_page.model
    return {model.provider_at(row).name_fr for row in range(model.rowCount())}  # type: ignore[union-attr]


def apply(section: DirectorySection, qtbot: Any, **combos: str) -> set[str]:
    page = section.list_page
    for name, code in combos.items():
        combo = page.combos[name]
        combo.setCurrentIndex(combo.findData(code))
    wait_idle(qtbot, section.ctx)
    return names(section)


def open_editor(section: DirectorySection, qtbot: Any, provider_id: int | None = None) -> ProviderEditorDialog:
    if provider_id is None:
        section.list_page.new_button.click()
    else:
        section.open_provider(provider_id)
    dialog = section.editor
    assert isinstance(dialog, ProviderEditorDialog)
    wait_idle(qtbot, section.ctx)
    return dialog


# -- the list ------------------------------------------------------------------------


def test_every_provider_is_listed_with_its_area_and_a_stale_flag_in_words(section, ids, qtbot):
    model = section.list_page.model
    assert names(section) == {p.name_fr for p in fictitious_providers()}
    row = model.row_of(ids["Centre de santé fictif d'Aourir"])
    assert model.index(row, AREA).data() == "Aourir (Province)"
    assert model.index(row, VERIFIED).data().endswith(STALE_FR)
    assert model.index(row, VERIFIED).data(Qt.ItemDataRole.FontRole).bold()
    never = model.row_of(ids["Délégation fictive de l'entraide"])
    assert model.index(never, VERIFIED).data() == "Jamais vérifié"
    fresh = model.row_of(ids[EXAMPLE])
    assert model.index(fresh, VERIFIED).data() == (TODAY - timedelta(days=10)).strftime("%d/%m/%Y")
    assert model.index(fresh, VERIFIED).data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.index(fresh, PHONE).data() == "0528 00 00 01"
    national = model.row_of(ids["Organisation internationale fictive"])
    assert model.index(national, AREA).data() == "National"
    assert section.list_page.count_label.text() == "Structures : 5, dont 2 à vérifier"


def test_filters_narrow_the_list(section, ids, qtbot):
    # A domain matches the provider's domains and the domains of its services.
    assert apply(section, qtbot, domain="health_physical") == {"Centre de santé fictif d'Aourir",
                                                               "Clinique privée fictive"}  # fmt: skip
    assert apply(section, qtbot, domain="legal_aid") == {EXAMPLE, "Organisation internationale fictive"}
    assert apply(section, qtbot, domain="", kind="public") == {"Centre de santé fictif d'Aourir",
                                                               "Délégation fictive de l'entraide"}  # fmt: skip
    # No public ticked means everyone.
    assert apply(section, qtbot, kind="", public="refugee") == {
        "Centre de santé fictif d'Aourir", "Délégation fictive de l'entraide", "Organisation internationale fictive",
        "Clinique privée fictive",
    }  # fmt: skip
    assert apply(section, qtbot, public="", language="en") == {"Organisation internationale fictive"}
    apply(section, qtbot, language="")
    page = section.list_page
    page.stale_check.setChecked(True)
    wait_idle(qtbot, section.ctx)
    assert names(section) == {"Centre de santé fictif d'Aourir", "Délégation fictive de l'entraide"}
    page.stale_check.setChecked(False)
    page.search_edit.setText("entraide")
    qtbot.waitUntil(lambda: names(section) == {"Délégation fictive de l'entraide"}, timeout=5000)
    page.reset_button.click()
    wait_idle(qtbot, section.ctx)
    assert len(names(section)) == 5 and page.search_edit.text() == ""


def test_area_filter_follows_coverage(section, ids, qtbot):
    page = section.list_page
    page.area_filter.set_commune(AMSKROUD)  # same province as Aourir and Agadir, same region as Aït Amira
    wait_idle(qtbot, section.ctx)
    assert names(section) == {"Centre de santé fictif d'Aourir", "Délégation fictive de l'entraide",
                              "Organisation internationale fictive"}  # fmt: skip
    assert page.area_filter.button.text() == "Amskroud"
    page.area_filter.set_commune(AGADIR)
    wait_idle(qtbot, section.ctx)
    assert EXAMPLE in names(section) and "Clinique privée fictive" not in names(section)
    page.area_filter.set_commune(AFOURAR)  # another region: only its own and the national providers
    wait_idle(qtbot, section.ctx)
    assert names(section) == {"Clinique privée fictive", "Organisation internationale fictive"}
    # The picker dialog sets the same filter.
    page.area_filter.choose()
    dialog = page.area_filter.dialog
    assert dialog is not None
    dialog.picker.set_commune(AMSKROUD)
    dialog.accept()
    wait_idle(qtbot, section.ctx)
    assert page.area_filter.commune_code() == AMSKROUD and len(names(section)) == 3
    page.area_filter.clear_button.click()
    wait_idle(qtbot, section.ctx)
    assert len(names(section)) == 5 and page.area_filter.button.text() == "Toutes les zones"


def test_mark_verified_today_clears_the_flag(section, ids, qtbot):
    page = section.list_page
    assert not page.verify_button.isEnabled()
    assert page.select_provider(ids["Centre de santé fictif d'Aourir"])
    assert page.verify_button.isEnabled()
    page.verify_button.click()
    wait_idle(qtbot, section.ctx)
    row = page.model.row_of(ids["Centre de santé fictif d'Aourir"])
    assert not page.model.provider_at(row).stale
    assert page.model.index(row, VERIFIED).data() == TODAY.strftime("%d/%m/%Y")
    assert page.selected_id() == ids["Centre de santé fictif d'Aourir"]
    assert "marquée vérifiée" in page.status_label.text()
    assert on_db(section.ctx, directory.get_provider, ids["Centre de santé fictif d'Aourir"]).verified_on == TODAY


def test_names_follow_the_language_and_fall_back(section, ids, qtbot):
    model = section.list_page.model
    section.ctx.languages.apply("ar")
    assert section.layoutDirection() == Qt.LayoutDirection.RightToLeft
    row = model.row_of(ids[EXAMPLE])
    assert model.index(row, NAME).data() == "جمعية مثال وهمية"
    no_arabic = model.row_of(ids["Délégation fictive de l'entraide"])
    assert model.index(no_arabic, NAME).data() == "Délégation fictive de l'entraide"
    stale = model.row_of(ids["Centre de santé fictif d'Aourir"])
    assert has_arabic(model.index(stale, VERIFIED).data()) and "6" in model.index(stale, VERIFIED).data()
    assert has_arabic(section.list_page.count_label.text())


def test_the_table_model_is_sound(qtmodeltester, qapp):
    model = ProviderListModel()
    rows = []
    for number, data in enumerate(fictitious_providers(), start=1):
        rows.append(directory._row(_fake_orm(number, data), TODAY))
    model.set_rows(rows)
    qtmodeltester.check(model)
    assert model.rowCount() == 5 and model.stale_count() == 2


def _fake_orm(number: int, data: ProviderInput) -> Any:
    """What ``directory._row`` reads from a model row, without a database."""
    from types import SimpleNamespace

    return SimpleNamespace(
        id=number, uid=f"uid-{number}", name_fr=data.name_fr, name_ar=data.name_ar, kind=data.kind,
        domains="|".join(data.domains), commune_code=data.commune_code, coverage=data.coverage,
        focal_point=data.focal_point, phone=data.phone, email=data.email, languages="|".join(data.languages),
        publics="|".join(data.publics), verified_on=data.verified_on, active=data.active,
    )  # fmt: skip


# -- the editor ----------------------------------------------------------------------


def test_create_a_provider_through_the_editor(section, qtbot):
    ctx = section.ctx
    dialog = open_editor(section, qtbot)
    fields = dialog.fields
    assert dialog.windowTitle() == "Nouvelle structure"
    assert fields.commune_picker.commune_code() == AGADIR  # the office's commune
    fields.name_fr_edit.setText(EXAMPLE)
    fields.name_ar_edit.setText("جمعية مثال وهمية")
    fields.kind_combo.setCurrentIndex(fields.kind_combo.findData("associative"))
    fields.domain_checks.boxes["housing"].setChecked(True)
    fields.domain_checks.boxes["psychosocial"].setChecked(True)
    fields.address_edit.setText("1 rue de l'Exemple (fictive)")
    fields.coverage_combo.setCurrentIndex(fields.coverage_combo.findData("province"))
    fields.focal_edit.setText("Point focal fictif")
    fields.phone_edit.setText("0528 00 00 01")
    fields.email_edit.setText("contact@exemple.invalid")
    fields.hours_edits["mon"].setText("08:30-12:00, 14:00-16:30")
    fields.hours_edits["fri"].setText("08:30-11:30")
    fields.language_checks.boxes["ary"].setChecked(True)
    fields.language_checks.boxes["fr"].setChecked(True)
    fields.cost_combo.setCurrentIndex(fields.cost_combo.findData("reduced"))
    fields.documents_edit.setPlainText("Pièce d'identité si disponible")
    fields.public_checks.boxes["refugee"].setChecked(True)
    fields.notes_edit.setPlainText("Délais d'attente courts (fictif)")
    fields.verified_today_button.click()
    fields.services.add_button.click()
    assert fields.services.table.rowCount() == 1
    fields.services.table.item(0, 0).setText("Hébergement d'urgence fictif")
    fields.services.table.item(0, 3).setText("Sur orientation du BAOM")
    domain = fields.services.table.cellWidget(0, 2)
    assert domain.currentData() == "psychosocial"  # the provider's first domain, in code-list order
    domain.setCurrentIndex(domain.findData("housing"))
    assert dialog.is_dirty()
    with qtbot.waitSignal(dialog.sig_saved, timeout=10000) as saved:
        dialog.save_button.click()
    wait_idle(qtbot, ctx)
    assert section.editor is None
    provider_id = saved.args[0]
    assert section.list_page.selected_id() == provider_id
    assert EXAMPLE in names(section)
    stored = on_db(ctx, directory.get_provider, provider_id)
    assert stored.kind == "associative" and set(stored.domains) == {"housing", "psychosocial"}
    assert (stored.commune_code, stored.coverage) == (AGADIR, "province")
    assert stored.hours == {"mon": "08:30-12:00, 14:00-16:30", "fri": "08:30-11:30"}
    assert stored.languages == ["ary", "fr"] and stored.publics == ["refugee"] and stored.cost == "reduced"
    assert stored.verified_on == TODAY and stored.active
    assert [(s.name_fr, s.domain, s.conditions) for s in stored.services] == [
        ("Hébergement d'urgence fictif", "housing", "Sur orientation du BAOM")
    ]
    assert section.list_page.status_label.text() == "Structure enregistrée."


def test_bad_email_is_refused_at_the_top_in_the_persons_language(section, qtbot):
    ctx = section.ctx
    dialog = open_editor(section, qtbot)
    fields = dialog.fields
    fields.name_fr_edit.setText(EXAMPLE)
    fields.kind_combo.setCurrentIndex(fields.kind_combo.findData("associative"))
    fields.domain_checks.boxes["housing"].setChecked(True)
    fields.email_edit.setText("contact@exemple")
    fields.setCurrentIndex(TAB_SERVICES)
    dialog.save_button.click()
    wait_idle(qtbot, ctx)
    assert dialog.isVisible() and section.editor is dialog
    assert dialog.error_label.text() == tr_in("fr", "directory.error.email")
    assert not dialog.error_label.isHidden()
    assert fields.currentIndex() == TAB_STRUCTURE and fields.email_edit.property("invalid")
    assert "Traceback" not in dialog.error_label.text()
    ctx.languages.apply("ar")
    assert dialog.error_label.text() == tr_in("ar", "directory.error.email")
    assert has_arabic(dialog.windowTitle()) and dialog.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert on_db(ctx, directory.list_providers, directory.DirectoryFilter()) == []
    # Fixed, it saves; the frame goes.
    fields.email_edit.setText("contact@exemple.invalid")
    with qtbot.waitSignal(dialog.sig_saved, timeout=10000):
        dialog.save_button.click()
    assert not fields.email_edit.property("invalid")


def test_other_problems_point_at_their_field(section, qtbot):
    dialog = open_editor(section, qtbot)
    fields = dialog.fields
    dialog.save_button.click()  # nothing typed
    wait_idle(qtbot, section.ctx)
    assert dialog.error_label.text() == tr_in("fr", "directory.error.name_required")
    assert fields.name_fr_edit.property("invalid")
    fields.name_fr_edit.setText(EXAMPLE)
    fields.kind_combo.setCurrentIndex(fields.kind_combo.findData("public"))
    fields.domain_checks.boxes["education"].setChecked(True)
    fields.hours_edits["tue"].setText("le matin")
    dialog.save_button.click()
    wait_idle(qtbot, section.ctx)
    assert dialog.error_label.text() == tr_in("fr", "directory.error.hours")
    assert fields.currentIndex() == TAB_ACCESS
    assert fields.hours_edits["tue"].property("invalid") and not fields.hours_edits["mon"].property("invalid")
    assert not fields.name_fr_edit.property("invalid")
    fields.hours_edits["tue"].clear()
    fields.services.add_button.click()
    dialog.save_button.click()
    wait_idle(qtbot, section.ctx)
    assert dialog.error_label.text() == tr_in("fr", "directory.error.service_name")
    assert fields.currentIndex() == TAB_SERVICES


def test_edit_from_the_list_with_enter_and_save(section, ids, qtbot):
    ctx = section.ctx
    page = section.list_page
    provider_id = ids[EXAMPLE]
    page.select_provider(provider_id)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    dialog = section.editor
    assert isinstance(dialog, ProviderEditorDialog)
    wait_idle(qtbot, ctx)
    fields = dialog.fields
    assert fields.name_fr_edit.text() == EXAMPLE and fields.email_edit.text() == "contact@exemple.invalid"
    assert dialog.windowTitle() == f"Structure : {EXAMPLE}"
    assert fields.services.table.rowCount() == 1
    assert fields.verified_edit.date() == QDate(TODAY - timedelta(days=10))
    assert not dialog.is_dirty()
    fields.phone_edit.setText("0528 00 00 09")
    fields.public_checks.boxes["mre"].setChecked(True)
    with qtbot.waitSignal(dialog.sig_saved, timeout=10000):
        dialog.save_button.click()
    wait_idle(qtbot, ctx)
    row = page.model.row_of(provider_id)
    assert page.model.index(row, PHONE).data() == "0528 00 00 09"
    stored = on_db(ctx, directory.get_provider, provider_id)
    assert stored.phone == "0528 00 00 09" and "mre" in stored.publics
    assert len(stored.services) == 1 and stored.services[0].name_fr == "Permanence juridique fictive"


def test_removing_a_service_keeps_it_inactive(section, ids, qtbot):
    dialog = open_editor(section, qtbot, ids[EXAMPLE])
    table = dialog.fields.services
    table.table.setCurrentCell(0, 0)
    table.remove_button.click()
    assert table.table.rowCount() == 0
    with qtbot.waitSignal(dialog.sig_saved, timeout=10000):
        dialog.save_button.click()
    wait_idle(qtbot, section.ctx)
    stored = on_db(section.ctx, directory.get_provider, ids[EXAMPLE])
    assert [s.active for s in stored.services] == [False]
    again = open_editor(section, qtbot, ids[EXAMPLE])
    assert again.fields.services.table.rowCount() == 0
    again.reject()


def test_closing_with_unsaved_changes_asks_first(section, ids, qtbot, monkeypatch):
    dialog = open_editor(section, qtbot, ids[EXAMPLE])
    asked: list[bool] = []
    answer = {"value": False}

    def confirm_discard(self: Any) -> bool:
        asked.append(True)
        return answer["value"]

    monkeypatch.setattr(ProviderEditorDialog, "_confirm_discard", confirm_discard)
    dialog.reject()  # nothing changed: closes without asking
    assert asked == [] and section.editor is None
    dialog = open_editor(section, qtbot, ids[EXAMPLE])
    dialog.fields.notes_edit.setPlainText("Une note fictive")
    dialog.reject()
    assert asked == [True] and dialog.isVisible() and section.editor is dialog
    answer["value"] = True
    dialog.cancel_button.click()
    assert asked == [True, True] and section.editor is None
    assert on_db(section.ctx, directory.get_provider, ids[EXAMPLE]).notes == ""


def test_lock_closes_the_editor_and_empties_the_list(section, ids, qtbot):
    dialog = open_editor(section, qtbot, ids[EXAMPLE])
    dialog.fields.notes_edit.setPlainText("Une note fictive")
    section.ctx.close_office()
    assert section.editor is None and not dialog.isVisible()
    assert section.list_page.model.rowCount() == 0 and section.list_page.count_label.text() == ""


# -- screenshots ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_screenshot(section, ids, qtbot, screenshot_dir, lang):
    """The list beside the navigation bar of a 1366×768 screen (a stale row selected), and the editor."""
    ctx = section.ctx
    ctx.languages.apply(lang)
    section.resize(1366 - 200, 768 - 90)
    with qtbot.waitExposed(section):
        section.show()
    wait_idle(qtbot, ctx)
    assert section.minimumSizeHint().width() <= 1366 - 200
    section.list_page.select_provider(ids["Centre de santé fictif d'Aourir"])
    qtbot.wait(50)
    section.grab().save(str(screenshot_dir / f"directory_list_{lang}.png"))
    dialog = open_editor(section, qtbot, ids[EXAMPLE])
    hint = dialog.minimumSizeHint()
    assert hint.width() <= 1366 - 40 and hint.height() <= 768 - 60
    dialog.resize(1100, 690)  # what _initial_size gives on a 1366×768 screen
    qtbot.wait(50)
    dialog.grab().save(str(screenshot_dir / f"directory_editor_{lang}.png"))
    dialog.fields.setCurrentIndex(TAB_ACCESS)
    qtbot.wait(20)
    dialog.grab().save(str(screenshot_dir / f"directory_editor_access_{lang}.png"))
    dialog.fields.setCurrentIndex(TAB_SERVICES)
    qtbot.wait(20)
    dialog.grab().save(str(screenshot_dir / f"directory_editor_services_{lang}.png"))
    dialog.reject()
