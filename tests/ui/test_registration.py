"""Registering a person through the dialog, on a real encrypted office, driven like an officer would."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QApplication, QDialog

from desktop.i18n import tr_in
from desktop.services import case_list, cases
from desktop.services.case_types import DocumentInput, HouseholdInput, PersonInput
from desktop.ui.dialogs.registration import RegistrationDialog, merge_person
from desktop.ui.pages.cases.person_fields import FREQUENT_NATIONALITIES, UNKNOWN_DATE
from desktop.ui.pages.cases.person_form import PersonForm
from desktop.ui.widgets.duplicates_panel import DuplicatesPanel, score_level

OFFICE_COMMUNE = "09.001.01.01."


def on_db(ctx: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
    return ctx.runner.run_sync(fn, ctx.handle, *args, **kwargs)


def wait_idle(qtbot: Any, ctx: Any) -> None:
    qtbot.waitUntil(lambda: ctx.runner.pending == 0, timeout=15000)


def has_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def leave(widget: Any) -> None:
    """The officer tabs out of a field."""
    QApplication.sendEvent(widget, QFocusEvent(QEvent.Type.FocusOut, Qt.FocusReason.TabFocusReason))


def choose(combo: Any, code: str) -> None:
    index = combo.findData(code)
    assert index >= 0, code
    combo.setCurrentIndex(index)


def fill(form: PersonForm, family: str = "Fictivi", given: str = "Amina", **extra: Any) -> None:
    """What the officer types for a new person."""
    form.family_edit.setText(family)
    form.given_edit.setText(given)
    form.family_ar_edit.setText(extra.get("family_ar", ""))
    form.given_ar_edit.setText(extra.get("given_ar", ""))
    choose(form.sex_combo, extra.get("sex", "F"))
    form.birth_date_edit.setDate(QDate(1990, 3, 12))
    choose(form.nationality_combo, extra.get("nationality", "SN"))
    choose(form.category_combo, "rpt_migrant")
    form.languages_list.item(3).setCheckState(Qt.CheckState.Checked)  # fr
    form.phone_edit.setText(extra.get("phone", "06 11 22 33 44"))


def open_dialog(ctx: Any, qtbot: Any, monkeypatch: Any) -> RegistrationDialog:
    """The dialog, opened; closing it at the end of a test never waits on a message box."""
    widget = RegistrationDialog(ctx)
    qtbot.addWidget(widget)
    monkeypatch.setattr(widget, "_confirm_discard", lambda: True)
    monkeypatch.setattr(widget, "_confirm_link", lambda _candidate: pytest.fail("unexpected question"))
    widget.open()
    wait_idle(qtbot, ctx)  # the office's commune arrives
    return widget


@pytest.fixture
def dialog(unlocked_ctx, qtbot, monkeypatch) -> RegistrationDialog:
    return open_dialog(unlocked_ctx, qtbot, monkeypatch)


def known_person(**changes: Any) -> PersonInput:
    person = PersonInput(
        family_name="Fictivi",
        given_name="Mohamed",
        family_name_ar="فيكتيفي",
        given_name_ar="محمد",
        sex="M",
        birth_date=date(1988, 6, 1),
        nationality="MA",
        category="returnee_voluntary",
        phone="0612345678",
        commune_code=OFFICE_COMMUNE,
        documents=[DocumentInput("cin", "ZT123456")],
        household=[HouseholdInput("child", "Fictivi Yassine", "M", 2015, "enrolled", "registered", True)],
    )
    return replace(person, **changes)


# -- the form ----------------------------------------------------------------------------------


def test_form_round_trip_dirty_and_default_commune(unlocked_ctx, qtbot):
    form = PersonForm(unlocked_ctx)
    qtbot.addWidget(form)
    wait_idle(qtbot, unlocked_ctx)
    assert form.commune_picker.commune_code() == OFFICE_COMMUNE  # the office's own commune
    assert not form.is_dirty()

    person = known_person(languages=["ary", "fr"], douar="Douar Fictif", legal_status="moroccan_national",
                          arrival_date=date(2023, 5, 2))  # fmt: skip
    form.set_person(person)
    assert form.person() == person
    assert not form.is_dirty()
    assert form.documents_table.rowCount() == 1 and form.household_table.rowCount() == 1

    with qtbot.waitSignal(form.sig_changed):
        form.phone_edit.setText("0700000000")
    assert form.is_dirty()
    form.mark_clean()
    assert not form.is_dirty()

    # Estimated age instead of a date; unknown arrival date.
    aged = replace(person, birth_date=None, estimated_age=40, arrival_date=None)
    form.set_person(aged)
    assert form.age_radio.isChecked() and form.age_spin.isEnabled() and not form.birth_date_edit.isEnabled()
    assert form.arrival_unknown_box.isChecked() and form.arrival_date_edit.date() == UNKNOWN_DATE
    assert form.person() == aged
    form.arrival_unknown_box.setChecked(False)
    assert form.person().arrival_date == date.today()

    form.remove_selected_document()
    assert form.person().documents == []
    form.set_read_only(True)
    assert form.family_edit.isReadOnly() and not form.sex_combo.isEnabled()
    assert form.add_document_button.isHidden()


def test_nationalities_frequent_first_and_typed_names_resolve(unlocked_ctx, qtbot):
    form = PersonForm(unlocked_ctx)
    qtbot.addWidget(form)
    combo = form.nationality_combo
    assert [combo.itemData(i) for i in range(len(FREQUENT_NATIONALITIES))] == list(FREQUENT_NATIONALITIES)
    assert combo.itemText(0) == "Maroc"
    assert combo.completer().filterMode() == Qt.MatchFlag.MatchContains
    combo.setEditText("senegal")  # no accent, lower case
    assert form.nationality_code() == "SN"
    leave(combo)
    assert combo.currentText() == "Sénégal"
    combo.setEditText("Atlantide")
    assert form.nationality_code() == ""


def test_on_the_fly_checks_only_fields_gone_through(unlocked_ctx, qtbot):
    form = PersonForm(unlocked_ctx)
    qtbot.addWidget(form)
    form.phone_edit.setText("pas un numéro")
    leave(form.phone_edit)
    assert form.error_text("phone") == tr_in("fr", "error.phone_invalid")
    assert form.phone_edit.property("invalid") is True
    assert form.error_text("sex") == ""  # not visited yet: no message
    assert form.error_text("family_name") == ""
    form.phone_edit.setText("0611223344")
    leave(form.phone_edit)
    assert form.error_text("phone") == ""
    assert not form.phone_edit.property("invalid")

    # Names: "one of the scripts is needed" waits until all four name fields were visited.
    for edit in (form.family_edit, form.given_edit, form.family_ar_edit):
        leave(edit)
    assert form.error_text("family_name") == ""
    leave(form.given_ar_edit)
    assert form.error_text("family_name") == tr_in("fr", "error.name_required")
    form.family_ar_edit.setText("Fictivi")  # Latin letters in the Arabic field
    leave(form.family_ar_edit)
    assert form.error_text("family_name_ar") == tr_in("fr", "error.name_arabic_expected")


def test_leaving_a_field_for_real_checks_it(unlocked_ctx, qtbot):
    form = PersonForm(unlocked_ctx)
    qtbot.addWidget(form)
    with qtbot.waitActive(form):
        form.show()
        form.activateWindow()
    form.phone_edit.setFocus()
    qtbot.keyClicks(form.phone_edit, "12")
    form.douar_edit.setFocus()
    qtbot.waitUntil(lambda: form.error_text("phone") == tr_in("fr", "error.phone_invalid"))


def test_name_fields_keep_their_script_direction(unlocked_ctx, qtbot):
    form = PersonForm(unlocked_ctx)
    qtbot.addWidget(form)
    assert form.family_ar_edit.layoutDirection() == Qt.LayoutDirection.RightToLeft  # French UI
    assert form.family_edit.layoutDirection() == Qt.LayoutDirection.LeftToRight
    unlocked_ctx.languages.apply("ar")
    assert form.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert form.family_edit.layoutDirection() == Qt.LayoutDirection.LeftToRight  # Arabic UI
    assert form.phone_edit.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert form.given_ar_edit.layoutDirection() == Qt.LayoutDirection.RightToLeft


# -- registering -------------------------------------------------------------------------------


def test_register_a_new_person(dialog, unlocked_ctx, qtbot):
    ctx = unlocked_ctx
    form = dialog.form
    fill(form)
    form.add_document("passport", "ZZ1234567")
    form.add_member(HouseholdInput("child", "Fictivi Sara", "F", 2018, "enrolled", "registered", True))
    dialog.first_reception_edit.setDate(QDate.currentDate().addDays(-2))
    dialog.processing_box.setChecked(True)
    dialog.consent_boxes["statistics"].setChecked(True)
    with qtbot.waitSignal(dialog.sig_registered, timeout=15000) as registered:
        dialog.save_button.click()
    case_id = registered.args[0]
    assert on_db(ctx, case_list.count_cases) == 1
    detail = on_db(ctx, cases.get_case, case_id)
    assert detail.person.family_name == "Fictivi" and detail.person.nationality == "SN"
    assert detail.person.commune_code == OFFICE_COMMUNE
    assert [d.number for d in detail.person.documents] == ["ZZ1234567"]
    assert detail.person.household[0].name == "Fictivi Sara"
    assert detail.person.languages == ["fr"]
    assert detail.opened_on == date.fromordinal(date.today().toordinal() - 2)
    assert {c.purpose for c in detail.consents} == {"processing", "statistics"}
    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()


def test_no_save_without_consent_to_processing(dialog, unlocked_ctx, qtbot):
    fill(dialog.form)
    assert not dialog.processing_box.isChecked()  # never ticked for the person
    dialog.save_button.click()
    wait_idle(qtbot, unlocked_ctx)
    assert dialog.consent_error.text() == tr_in("fr", "registration.consent_required")
    assert not dialog.consent_error.isHidden()
    assert on_db(unlocked_ctx, case_list.count_cases) == 0
    qtbot.mouseClick(dialog.consent_labels["processing"], Qt.MouseButton.LeftButton)  # the sentence ticks it
    assert dialog.processing_box.isChecked() and dialog.consent_error.isHidden()


def test_invalid_input_shows_french_messages_under_fields_and_saves_nothing(dialog, unlocked_ctx, qtbot):
    form = dialog.form
    form.family_edit.setText("فيكتيفي")  # Arabic letters in the Latin field
    form.phone_edit.setText("??")
    form.add_document("passport", "")
    dialog.processing_box.setChecked(True)
    dialog.save_button.click()
    wait_idle(qtbot, unlocked_ctx)
    assert on_db(unlocked_ctx, case_list.count_cases) == 0
    assert dialog.isVisible()
    assert form.error_text("family_name") == tr_in("fr", "error.name_latin_expected")
    assert form.error_text("sex") == tr_in("fr", "error.sex_required")
    assert form.error_text("birth_date") == tr_in("fr", "error.age_required")
    assert form.error_text("nationality") == tr_in("fr", "error.nationality_invalid")
    assert form.error_text("phone") == tr_in("fr", "error.phone_invalid")
    assert form.error_text("documents").startswith("Ligne 1, Numéro : ")
    assert form.family_edit.property("invalid") is True
    assert form.sex_combo.property("invalid") is True
    assert dialog.error_label.text() == tr_in("fr", "registration.fix_errors")

    # Corrected: saved, messages gone.
    form.family_edit.setText("Fictivi")
    form.given_edit.setText("Awa")
    fill(form, given="Awa")
    form.remove_selected_document()
    with qtbot.waitSignal(dialog.sig_registered, timeout=15000):
        dialog.save_button.click()
    assert on_db(unlocked_ctx, case_list.count_cases) == 1


def test_arabic_ui_is_right_to_left_with_arabic_messages(unlocked_ctx, qtbot, monkeypatch):
    ctx = unlocked_ctx
    ctx.languages.apply("ar")
    dialog = open_dialog(ctx, qtbot, monkeypatch)
    assert dialog.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert dialog.windowTitle() == tr_in("ar", "registration.title")
    assert has_arabic(dialog.form.identity_group.title())
    assert has_arabic(dialog.form.category_combo.placeholderText())
    assert dialog.form.nationality_combo.itemText(0) == "المغرب"
    dialog.processing_box.setChecked(True)
    dialog.save_button.click()
    wait_idle(qtbot, ctx)
    text = dialog.form.error_text("family_name")
    assert text == tr_in("ar", "error.name_required") and has_arabic(text)
    assert has_arabic(dialog.error_label.text())

    # Back to French while open: labels and messages follow.
    ctx.languages.apply("fr")
    assert dialog.form.error_text("family_name") == tr_in("fr", "error.name_required")
    assert dialog.windowTitle() == tr_in("fr", "registration.title")
    assert dialog.form.nationality_combo.itemText(0) == "Maroc"


def test_unsaved_changes_are_asked_about(dialog, unlocked_ctx, qtbot, monkeypatch):
    asked: list[bool] = []
    answer = {"value": False}

    def confirm_discard() -> bool:
        asked.append(True)
        return answer["value"]

    monkeypatch.setattr(dialog, "_confirm_discard", confirm_discard)
    dialog.form.given_edit.setText("Awa")
    dialog.cancel_button.click()
    assert asked == [True] and dialog.isVisible()
    dialog.close()  # the window's close button asks too
    assert asked == [True, True] and dialog.isVisible()
    answer["value"] = True
    dialog.reject()
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected


def test_clean_dialog_closes_without_asking(dialog, monkeypatch):
    monkeypatch.setattr(dialog, "_confirm_discard", lambda: pytest.fail("nothing typed: no question"))
    dialog.cancel_button.click()
    assert not dialog.isVisible()


def test_locking_closes_and_forgets(dialog, unlocked_ctx, monkeypatch):
    monkeypatch.setattr(dialog, "_confirm_discard", lambda: pytest.fail("locking does not ask"))
    fill(dialog.form)
    unlocked_ctx.close_office()
    assert not dialog.isVisible()
    assert dialog.form.person().family_name == ""


# -- the duplicates panel (fed directly) -------------------------------------------------------


def candidate(person_id: int = 7, score: float = 0.97, **changes: Any) -> SimpleNamespace:
    values = {
        "person_id": person_id,
        "case_id": person_id * 10,
        "case_number": f"B-2025-{person_id:05d}",
        "display_name": "FICTIVI Mohamed",
        "display_name_ar": "محمد فيكتيفي",
        "birth_year": 1988,
        "nationality": "MA",
        "score": score,
        "reasons": ("duplicates.reason.similar_name", "duplicates.reason.close_birth"),
    }
    values.update(changes)
    return SimpleNamespace(**values)


def test_panel_shows_candidates_and_says_what_the_officer_decides(qtbot):
    panel = DuplicatesPanel()
    qtbot.addWidget(panel)
    assert panel.isHidden()
    first, second = candidate(7, 0.97), candidate(8, 0.82, display_name="FICTIVI Mahmoud", birth_year=None)
    panel.set_candidates([first, second], names_key="fictivi mohamed")
    assert not panel.isHidden()
    assert panel.selected_candidate() is first
    card = panel._cards[0]
    assert card.score_label.text() == "Très probable"
    assert card.details_label.text() == "née ou né en 1988 · Maroc · dossier\u00a0B-2025-00007"
    assert card.reasons_label.text() == "Motifs : nom proche · naissance proche"
    assert panel._cards[1].score_label.text() == "Possible"
    assert [score_level(s) for s in (1.0, 0.95, 0.9, 0.85)] == ["very_likely", "very_likely", "likely", "possible"]

    with qtbot.waitSignal(panel.sig_open_case) as opened:
        panel.open_button.click()
    assert opened.args == [70]
    panel.select_person(8)
    with qtbot.waitSignal(panel.sig_same_person) as same:
        panel.same_button.click()
    assert same.args == [8]

    with qtbot.waitSignal(panel.sig_different):
        panel.different_button.click()
    assert panel.isHidden()
    panel.set_candidates([first], names_key="fictivi mohamed")  # the phone changed, not the names
    assert panel.isHidden()
    panel.set_candidates([first], names_key="fictivi mohammed")  # the names changed
    assert not panel.isHidden()
    panel.set_candidates([])
    assert panel.isHidden()


def test_stale_duplicate_answers_are_dropped(dialog):
    dialog._generation = 5
    dialog._duplicates_found(4, "old names", [candidate()])
    assert dialog.duplicates_panel.isHidden()
    dialog._duplicates_found(5, "names", [candidate()])
    assert not dialog.duplicates_panel.isHidden()


def test_merge_keeps_the_record_and_adds_what_was_typed():
    known = known_person()
    typed = PersonInput(
        family_name="El Fictivi",
        given_name="Mohammed",
        sex="M",
        phone="0700000000",
        category="returnee_forced",
        commune_code="other",
        documents=[DocumentInput("cin", "zt-123456"), DocumentInput("passport", "ZZ999")],
        household=[HouseholdInput("spouse", "Fictivia Salma")],
    )
    merged = merge_person(known, typed)
    assert (merged.family_name, merged.given_name, merged.birth_date) == ("Fictivi", "Mohamed", date(1988, 6, 1))
    assert merged.phone == "0700000000" and merged.category == "returnee_forced"
    assert merged.commune_code == OFFICE_COMMUNE
    assert [d.number for d in merged.documents] == ["ZT123456", "ZZ999"]  # same CIN written differently: once
    assert [m.name for m in merged.household] == ["Fictivi Yassine", "Fictivia Salma"]
    assert known.documents == [DocumentInput("cin", "ZT123456")]  # the record itself untouched


def test_open_case_from_the_panel_closes_the_dialog(dialog, monkeypatch):
    dialog.duplicates_panel.set_candidates([candidate()], "names")
    dialog.duplicates_panel.open_button.click()
    assert dialog.isVisible()  # nobody would open it: the dialog stays
    opened: list[int] = []
    dialog.sig_open_case.connect(opened.append)
    monkeypatch.setattr(dialog, "_confirm_discard", lambda: True)
    dialog.duplicates_panel.open_button.click()
    assert opened == [70] and not dialog.isVisible()


# -- duplicates found while typing (the real search) -------------------------------------------


def candidates_shown(dialog: RegistrationDialog) -> list[int]:
    panel = dialog.duplicates_panel
    return [c.person_id for c in panel.candidates()] if not panel.isHidden() else []


def test_duplicates_found_while_typing_across_spellings_and_scripts(dialog, unlocked_ctx, qtbot):
    existing_person, _case = on_db(unlocked_ctx, cases.register, known_person())
    form = dialog.form
    form.family_edit.setText("El Fictivi")
    form.given_edit.setText("Mohammed")
    qtbot.waitUntil(lambda: existing_person in candidates_shown(dialog), timeout=10000)
    chosen = dialog.duplicates_panel.selected_candidate()
    assert chosen.case_number.startswith("B-")
    assert "duplicates.reason.similar_name" in chosen.reasons

    form.family_edit.setText("")
    form.given_edit.setText("")
    qtbot.waitUntil(lambda: dialog.duplicates_panel.isHidden(), timeout=10000)
    form.family_ar_edit.setText("فيكتيفي")
    form.given_ar_edit.setText("محمد")
    qtbot.waitUntil(lambda: existing_person in candidates_shown(dialog), timeout=10000)

    # "Personne différente": hidden until the names change again.
    dialog.duplicates_panel.different_button.click()
    form.phone_edit.setText("0655443322")
    qtbot.wait(500)
    wait_idle(qtbot, unlocked_ctx)
    assert dialog.duplicates_panel.isHidden()
    form.family_edit.setText("Fictivi")
    qtbot.waitUntil(lambda: existing_person in candidates_shown(dialog), timeout=10000)


def test_same_person_opens_a_second_case_for_them(dialog, unlocked_ctx, qtbot, monkeypatch, screenshot_dir):
    ctx = unlocked_ctx
    existing_person, first_case = on_db(ctx, cases.register, known_person())
    asked: list[str] = []
    monkeypatch.setattr(dialog, "_confirm_link", lambda c: asked.append(c.case_number) or True)
    form = dialog.form
    form.family_edit.setText("Fictivi")
    form.given_edit.setText("Mohammed")
    form.phone_edit.setText("0700000000")
    qtbot.waitUntil(lambda: existing_person in candidates_shown(dialog), timeout=10000)
    dialog.duplicates_panel.select_person(existing_person)
    dialog.duplicates_panel.same_button.click()
    qtbot.waitUntil(lambda: dialog.linked_person() is not None, timeout=10000)
    assert asked and dialog.linked_person().person_id == existing_person
    assert not dialog.linked_frame.isHidden()
    assert dialog.linked_label.text().startswith("Nouveau dossier pour une personne déjà connue")
    assert form.given_edit.text() == "Mohamed"  # the record is loaded…
    assert form.phone_edit.text() == "0700000000"  # …brought up to date by what was typed
    assert form.person().household[0].name == "Fictivi Yassine"
    dialog.resize(1360, 860)
    qtbot.wait(100)
    dialog.grab().save(str(screenshot_dir / "registration_linked_fr.png"))

    dialog.processing_box.setChecked(True)
    with qtbot.waitSignal(dialog.sig_registered, timeout=15000) as registered:
        dialog.save_button.click()
    second_case = registered.args[0]
    assert second_case != first_case
    assert on_db(ctx, case_list.count_cases) == 2
    detail = on_db(ctx, cases.get_case, second_case)
    assert detail.person_id == existing_person
    assert detail.person.phone == "0700000000"
    assert [number for _id, number in detail.other_cases]


def test_unlink_goes_back_to_what_was_typed(dialog, unlocked_ctx, qtbot, monkeypatch):
    existing_person, _case = on_db(unlocked_ctx, cases.register, known_person())
    monkeypatch.setattr(dialog, "_confirm_link", lambda c: True)
    dialog.form.family_edit.setText("Fictivy")
    dialog.form.given_edit.setText("Mohamed")
    qtbot.waitUntil(lambda: existing_person in candidates_shown(dialog), timeout=10000)
    dialog.duplicates_panel.same_button.click()
    qtbot.waitUntil(lambda: dialog.linked_person() is not None, timeout=10000)
    assert dialog.form.family_edit.text() == "Fictivi"
    dialog.unlink_button.click()
    assert dialog.linked_person() is None and dialog.linked_frame.isHidden()
    assert dialog.form.family_edit.text() == "Fictivy"


# -- screenshots -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_screenshot_with_duplicates(unlocked_ctx, qtbot, monkeypatch, screenshot_dir, lang):
    ctx = unlocked_ctx
    existing = []
    for person in (known_person(), known_person(given_name="Mahmoud", given_name_ar="محمود", phone="",
                                                documents=[], birth_date=date(1991, 2, 3))):  # fmt: skip
        existing.append(on_db(ctx, cases.register, person)[0])
    ctx.languages.apply(lang)
    dialog = open_dialog(ctx, qtbot, monkeypatch)
    dialog.resize(1326, 860)  # a 1366-pixel-wide screen, the common office PC
    form = dialog.form
    fill(form, family="El Fictivi", given="Mohammed", sex="M", nationality="MA", phone="0612345678")
    form.add_document("cin", "ZT123456")
    form.add_member(HouseholdInput("child", "Fictivi Yassine", "M", 2015, "enrolled", "registered", True))
    qtbot.waitUntil(lambda: existing[0] in candidates_shown(dialog), timeout=10000)
    form.phone_edit.setText("06 12")
    leave(form.phone_edit)  # one inline message, to see how it looks
    qtbot.wait(100)
    assert not dialog.duplicates_panel.isHidden()
    dialog.grab().save(str(screenshot_dir / f"registration_{lang}.png"))
