"""Importing a register through the dialog, on a real encrypted office, with real CSV files."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog

from desktop.services import case_list, cases, duplicates
from desktop.services.case_types import CaseFilter, PersonInput
from desktop.services.duplicates import DuplicateCandidate
from desktop.services.register_import import LINK, NEW, SKIP, ImportLine, LineDecision
from desktop.ui.dialogs import register_import as dialog_module
from desktop.ui.dialogs.register_import import RegisterImportDialog
from desktop.ui.dialogs.register_import_pages import DecisionsTable, ProblemsModel
from desktop.ui.pages.cases import section as section_module
from desktop.ui.pages.cases.section import CasesSection
from tests.fictitious import fictitious

HEADER = (
    "nom;prenom;nom_ar;prenom_ar;sexe;date_naissance;age;nationalite;categorie;"
    "date_premier_accueil;telephone;type_document;numero_document;besoins;notes"
)
AWA = (
    "Fictivi;Awa;;;F;12/03/1990;;SN;rpt_migrant;02/01/2025;0600001111;passport;ZZ0000111;"
    "health_physical|housing;Exemple fictif"
)
JEAN = "Exemplo;Jean;;;M;;34;CM;rpt_asylum_seeker;15/06/2025;;;;;"
# The person of tests/fictitious.py, as an older register wrote them down.
MOHAMED = "Fictivi;Mohamed;فيكتيفي;محمد;M;12/04/1990;;SN;rpt_migrant;03/02/2025;0600001234;passport;ZZ-123 456;;"
AWA_AGAIN = "Fictivi;Awa;;;F;12/03/1990;;SN;rpt_migrant;20/03/2025;0600001111;passport;ZZ0000111;;Revenue"


def write(path: Path, lines: list[str]) -> Path:
    path.write_bytes(("\r\n".join([HEADER, *lines]) + "\r\n").encode("utf-8-sig"))
    return path


def on_db(ctx: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
    return ctx.runner.run_sync(fn, ctx.handle, *args, **kwargs)


def wait_idle(qtbot: Any, ctx: Any) -> None:
    qtbot.waitUntil(lambda: ctx.runner.pending == 0, timeout=20000)


def has_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def case_count(ctx: Any) -> int:
    return len(on_db(ctx, case_list.case_ids, CaseFilter()))


@pytest.fixture
def dialog(unlocked_ctx, qtbot, monkeypatch) -> RegisterImportDialog:
    widget = RegisterImportDialog(unlocked_ctx)
    qtbot.addWidget(widget)
    told: list[str] = []
    monkeypatch.setattr(widget, "_tell", told.append)
    widget.told = told  # type: ignore[attr-defined]
    widget.open()
    return widget


def read(dialog: RegisterImportDialog, qtbot: Any, path: Path) -> None:
    dialog.start(path)
    assert not dialog.progress_bar.isHidden()
    qtbot.waitUntil(lambda: dialog.preview is not None or dialog.error_label.isVisible(), timeout=20000)
    wait_idle(qtbot, dialog.ctx)


def run_import(dialog: RegisterImportDialog, qtbot: Any) -> Any:
    with qtbot.waitSignal(dialog.sig_imported, timeout=20000) as blocker:
        dialog.import_button.click()
    return blocker.args[0]


# -- a good file -----------------------------------------------------------------------------------


def test_a_good_file_is_read_then_imported(dialog, unlocked_ctx, qtbot, tmp_path, monkeypatch):
    ctx = unlocked_ctx
    path = write(tmp_path / "registre.csv", [AWA, JEAN])
    monkeypatch.setattr(dialog, "_ask_open_path", lambda: path)
    dialog.choose_button.click()
    assert dialog.progress_bar.isVisible() and not dialog.import_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=20000)

    assert dialog.preview.ok and len(dialog.preview.lines) == 2
    assert dialog.summary_label.text() == "Lignes valides : 2 · Problèmes : 0 · Doublons possibles : 0"
    assert dialog.file_label.text() == "Fichier : registre.csv"
    assert dialog.stack.currentIndex() == dialog.PAGE_EMPTY
    assert "vous pouvez importer" in dialog.status_label.text()
    assert dialog.before_label.isHidden() and dialog.ignored_label.isHidden()
    assert not dialog.progress_bar.isVisible()
    assert dialog.import_button.isEnabled() and dialog.close_button.isEnabled()

    result = run_import(dialog, qtbot)

    assert (result.new_persons, result.linked, result.skipped, len(result.case_ids)) == (2, 0, 0, 2)
    assert dialog.told == [
        "Dossiers créés : 2 (nouvelles personnes : 2 ; rattachés à une personne connue : 0 ; lignes non importées : 0)."
    ]
    assert dialog.result() == QDialog.DialogCode.Accepted
    wait_idle(qtbot, ctx)
    assert case_count(ctx) == 2
    assert len(on_db(ctx, case_list.case_ids, CaseFilter(search="Exemplo"))) == 1
    awa = on_db(ctx, cases.get_case, result.case_ids[0])
    assert (awa.person.given_name, awa.opened_on) == ("Awa", date(2025, 1, 2))

    # The same file again: the dialog warns that it was imported already.
    again = RegisterImportDialog(ctx)
    qtbot.addWidget(again)
    read(again, qtbot, path)
    assert not again.before_label.isHidden()
    assert again.before_label.text().startswith("Attention : ce même fichier a déjà été importé le ")
    assert again.preview is not None and len(again.preview.to_decide) == 2  # both persons are known now


# -- a file with problems --------------------------------------------------------------------------


def test_problems_are_listed_and_nothing_can_be_imported(dialog, unlocked_ctx, qtbot, tmp_path):
    ctx = unlocked_ctx
    bad_sex = AWA.replace(";F;", ";Z;")
    bad_date = JEAN.replace("15/06/2025", "31/02/2025")
    path = write(tmp_path / "registre.csv", [AWA, bad_sex.replace("Awa", "Aya"), bad_date])
    path.write_bytes(path.read_bytes().replace(b"notes\r\n", b"notes;colonne_perso\r\n", 1))
    read(dialog, qtbot, path)

    preview = dialog.preview
    assert preview is not None and not preview.ok
    assert dialog.stack.currentIndex() == dialog.PAGE_PROBLEMS
    assert dialog.summary_label.text() == "Lignes valides : 1 · Problèmes : 2 · Doublons possibles : 0"
    assert dialog.ignored_label.isVisible() and "colonne_perso" in dialog.ignored_label.text()
    model = dialog.problems_page.model
    rows = [(model.cell_text(r, 0), model.cell_text(r, 1)) for r in range(model.rowCount())]
    assert rows == [("3", "sexe"), ("4", "date_premier_accueil")]
    assert "Z" in model.cell_text(0, 2)
    assert not dialog.import_button.isEnabled()
    dialog.import_now()  # even if called: nothing happens
    assert ctx.runner.pending == 0

    # Sorting by line, both ways.
    dialog.problems_page.table.sortByColumn(ProblemsModel.LINE, Qt.SortOrder.DescendingOrder)
    assert model.cell_text(0, 0) == "4"
    dialog.problems_page.table.sortByColumn(ProblemsModel.LINE, Qt.SortOrder.AscendingOrder)
    assert model.cell_text(0, 0) == "3"

    dialog.problems_page.copy_button.click()
    report = QGuiApplication.clipboard().text().splitlines()
    assert report[0] == "Ligne\tColonne\tProblème"
    assert report[1].startswith("3\tsexe\t") and report[2].startswith("4\tdate_premier_accueil\t")
    assert "Rapport copié" in dialog.status_label.text()
    assert case_count(ctx) == 0

    # The officer fixes the file and reads it again.
    write(path, [AWA, JEAN])
    dialog.reread_button.click()
    qtbot.waitUntil(lambda: dialog.preview is not None and dialog.preview.ok, timeout=20000)
    assert dialog.stack.currentIndex() == dialog.PAGE_EMPTY
    assert dialog.import_button.isEnabled()


def test_a_whole_file_problem_is_shown_as_an_error(dialog, qtbot, tmp_path):
    path = tmp_path / "registre.csv"
    path.write_bytes(("nom;prenom\r\n" + "Fictivi;Awa\r\n").encode("utf-8"))
    read(dialog, qtbot, path)
    assert dialog.preview is None
    assert dialog.error_label.isVisible() and dialog.error_label.text()
    assert not dialog.import_button.isEnabled() and dialog.reread_button.isEnabled()


# -- duplicates -------------------------------------------------------------------------------------


def test_duplicates_need_a_decision_then_import_links_and_skips(dialog, unlocked_ctx, qtbot, tmp_path):
    ctx = unlocked_ctx
    known_id, known_case = on_db(ctx, cases.register, fictitious(), opened_on=date(2024, 1, 10))
    path = write(tmp_path / "registre.csv", [MOHAMED, AWA, JEAN, AWA_AGAIN])
    read(dialog, qtbot, path)

    preview = dialog.preview
    assert preview is not None and preview.ok
    assert [line.line for line in preview.to_decide] == [2, 5]
    assert dialog.stack.currentIndex() == dialog.PAGE_DECISIONS
    assert dialog.summary_label.text() == "Lignes valides : 4 · Problèmes : 0 · Doublons possibles : 2"
    table = dialog.decisions_table
    assert table.rowCount() == 2
    known_number = on_db(ctx, cases.get_case, known_case).number
    assert table.item(0, table.LOOKS_LIKE).text().startswith(f"{known_number} · ")
    assert "ligne 3 du fichier" in table.item(1, table.LOOKS_LIKE).text()
    assert table.item(1, table.PERSON).text() == "Fictivi Awa (12/03/1990)"
    assert table.combo(2).currentText() == "À décider…"
    assert not dialog.import_button.isEnabled()
    assert dialog.decisions_page.undecided_label.text() == "Lignes restant à décider : 2"

    dialog.decisions_page.all_skip_button.click()
    assert table.action(2) == SKIP and table.action(5) == SKIP
    assert dialog.import_button.isEnabled()
    dialog.decisions_page.all_new_button.click()
    assert table.action(2) == NEW and dialog.import_button.isEnabled()

    table.set_action(2, LINK)
    table.set_action(5, SKIP)
    assert table.decisions() == {2: LineDecision(LINK, person_id=known_id), 5: LineDecision(SKIP)}
    result = run_import(dialog, qtbot)

    assert (result.new_persons, result.linked, result.skipped) == (2, 1, 1)
    wait_idle(qtbot, ctx)
    assert case_count(ctx) == 1 + 3
    linked = on_db(ctx, cases.get_case, result.case_ids[0])
    assert linked.person_id == known_id and linked.case_id != known_case
    assert "rattachés à une personne connue : 1" in dialog.told[0]


def test_a_line_linked_to_an_earlier_line_that_is_skipped_blocks_the_import(qtbot, unlocked_ctx):
    """The same person twice in the file, the first also like someone known: not importing
    the first while linking the second to it cannot work; the dialog says so at once."""
    table = DecisionsTable()
    qtbot.addWidget(table)
    known = DuplicateCandidate(person_id=7, case_id=70, case_number="B-2024-0001", display_name="FICTIVI Awa",
                               display_name_ar="", birth_year=1990, nationality="SN", score=0.97,
                               reasons=("duplicates.reason.similar_name",))  # fmt: skip
    first = ImportLine(3, PersonInput(family_name="Fictivi", given_name="Awa"), date(2025, 1, 2), [], "", [known])
    second = ImportLine(9, PersonInput(family_name="Fictivi", given_name="Awa"), date(2025, 3, 2), [], "",
                        same_as_line=3)  # fmt: skip
    table.set_lines([first, second], 2026)
    assert table.undecided() == [3, 9]
    table.set_action(3, SKIP)
    table.set_action(9, LINK)
    assert table.decisions() == {3: LineDecision(SKIP), 9: LineDecision(LINK, line=3)}
    assert table.skipped_targets() == [3]
    table.set_action(3, LINK)
    assert table.decisions()[3] == LineDecision(LINK, person_id=7)
    assert table.skipped_targets() == []


def test_the_officer_chooses_which_person_a_line_is_linked_to(qtbot, unlocked_ctx):
    table = DecisionsTable()
    qtbot.addWidget(table)
    reasons = ("duplicates.reason.similar_name",)
    candidates = [
        DuplicateCandidate(pid, pid * 10, f"B-2024-000{pid}", "Fictivi Awa", "", 1990, "SN", 0.9, reasons)
        for pid in (7, 8)
    ]
    line = ImportLine(9, PersonInput(family_name="Fictivi", given_name="Awa"), date(2025, 3, 2), [], "",
                      candidates, same_as_line=3)  # fmt: skip
    table.set_lines([line], 2026)
    combo = table.combo(9)
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert labels == ["À décider…", "Nouvelle personne", "Même personne que B-2024-0007 : nouveau dossier",
                      "Même personne que B-2024-0008 : nouveau dossier",
                      "Même personne que la ligne 3 : nouveau dossier", "Ne pas importer"]  # fmt: skip
    combo.setCurrentIndex(3)
    assert table.action(9) == LINK
    assert table.decisions() == {9: LineDecision(LINK, person_id=8)}
    combo.setCurrentIndex(4)
    assert table.decisions() == {9: LineDecision(LINK, line=3)}
    table.set_all(NEW)
    assert table.decisions() == {9: LineDecision(NEW)}


def test_problems_model_passes_the_model_tester(qtmodeltester):
    from desktop.services.register_import import ImportProblem

    model = ProblemsModel()
    model.set_problems([ImportProblem(4, "sexe", "import.sex_unknown", {"value": "Z"}),
                        ImportProblem(2, "", "import.opened_missing")])  # fmt: skip
    qtmodeltester.check(model)
    assert model.cell_text(0, 0) == "2" and model.cell_text(0, 1) == "(toute la ligne)"


# -- leaving while it works -------------------------------------------------------------------------


def _many_lines(count: int) -> list[str]:
    return [f"Exemple{i};Personne;;;F;01/01/{1960 + i % 40};;SN;rpt_migrant;02/01/2025;;;;;" for i in range(count)]


def test_closing_while_the_file_is_read_does_not_crash(unlocked_ctx, qtbot, tmp_path, monkeypatch):
    ctx = unlocked_ctx
    search = duplicates.find_duplicates

    def slow_search(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.005)  # a busy office: the search takes a while per line
        return search(*args, **kwargs)

    monkeypatch.setattr(duplicates, "find_duplicates", slow_search)
    unhandled: list[BaseException] = []
    ctx.runner.sig_unhandled_error.connect(unhandled.append)
    path = write(tmp_path / "long.csv", _many_lines(400))

    widget = RegisterImportDialog(ctx)
    qtbot.addWidget(widget)
    widget.open()
    widget.start(path)
    job = widget._job
    assert job is not None
    qtbot.waitUntil(lambda: job.done > 0, timeout=20000)
    widget.reject()  # Fermer / Escape while reading: allowed
    assert widget.result() == QDialog.DialogCode.Rejected and job.cancelled
    wait_idle(qtbot, ctx)
    assert widget.preview is None and job.done < 400  # the reading stopped early
    assert unhandled == []

    # Deleted outright before the answer comes: the answer is dropped.
    other = RegisterImportDialog(ctx)
    other.open()
    other.start(path)
    other.close()
    other.deleteLater()
    qtbot.wait(20)
    wait_idle(qtbot, ctx)
    assert unhandled == []
    assert case_count(ctx) == 0


def test_locking_closes_the_dialog(dialog, unlocked_ctx, qtbot, tmp_path):
    read(dialog, qtbot, write(tmp_path / "r.csv", [AWA]))
    unlocked_ctx.close_office()
    assert dialog.result() == QDialog.DialogCode.Rejected and dialog.preview is None


# -- the template, the button in the case list --------------------------------------------------------


@pytest.mark.parametrize("name", ["modele.xlsx", "modele.csv"])
def test_save_the_template(dialog, qtbot, tmp_path, monkeypatch, name):
    out = tmp_path / name
    monkeypatch.setattr(dialog.template_button, "ask_path", lambda: out)
    dialog.template_button.click()
    wait_idle(qtbot, dialog.ctx)
    assert out.exists()
    assert dialog.status_label.text() == f"Modèle enregistré : {out}"
    if name.endswith(".xlsx"):
        assert "Valeurs" in openpyxl.load_workbook(out).sheetnames
    else:
        assert out.read_bytes().startswith(b"\xef\xbb\xbfnom;prenom;")


def test_the_case_list_button_opens_the_dialog_and_the_list_refreshes(unlocked_ctx, qtbot, tmp_path, monkeypatch):
    ctx = unlocked_ctx
    section = CasesSection(ctx)
    qtbot.addWidget(section)
    section.reload()
    wait_idle(qtbot, ctx)
    assert section.list_page.import_button.text() == "Importer un registre…"
    section.list_page.import_button.click()
    dialog = section.import_dialog
    assert isinstance(dialog, RegisterImportDialog) and dialog.isVisible()
    monkeypatch.setattr(dialog, "_tell", lambda _text: None)
    read(dialog, qtbot, write(tmp_path / "r.csv", [AWA, JEAN]))
    run_import(dialog, qtbot)
    wait_idle(qtbot, ctx)
    assert section.import_dialog is None
    assert section.list_page.model.rowCount() == 2
    assert section_module.import_dialog_factory is not None


def test_officers_do_not_see_the_import_button(ctx, office_path, qtbot):
    from desktop.services import office as office_service
    from desktop.services import users
    from tests.ui.conftest import UI_ADMIN_PASSWORD

    with office_service.unlock(office_path, "admin", UI_ADMIN_PASSWORD) as admin:
        users.add_user(admin, "agent", "Agent Fictif", "officer", "mot-de-passe-agent")
    ctx.set_handle(office_service.unlock(office_path, "agent", "mot-de-passe-agent"))
    section = CasesSection(ctx)
    qtbot.addWidget(section)
    section.show()
    section.reload()
    wait_idle(qtbot, ctx)
    assert not section.list_page.import_button.isVisible()
    section.import_register()  # a shortcut or a stale button cannot open it either
    assert section.import_dialog is None


def test_arabic_is_right_to_left_and_retranslated(dialog, unlocked_ctx, qtbot, tmp_path):
    read(dialog, qtbot, write(tmp_path / "r.csv", [AWA, AWA.replace(";F;", ";Z;")]))
    unlocked_ctx.languages.apply("ar")
    assert dialog.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert has_arabic(dialog.windowTitle()) and has_arabic(dialog.summary_label.text())
    assert has_arabic(dialog.problems_page.model.headerData(0, Qt.Orientation.Horizontal))
    assert has_arabic(dialog.import_button.text()) and has_arabic(dialog.problems_page.copy_button.text())


# -- screenshots -------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_screenshots(unlocked_ctx, qtbot, tmp_path, screenshot_dir, lang):
    ctx = unlocked_ctx
    on_db(ctx, cases.register, fictitious(), opened_on=date(2024, 1, 10))
    ctx.languages.apply(lang)
    problems = [
        AWA,
        AWA.replace(";F;", ";Z;").replace("Awa", "Aya"),
        JEAN.replace("15/06/2025", "31/02/2025").replace(";CM;", ";Cameroune;"),
        JEAN.replace("rpt_asylum_seeker", "inconnue").replace("Jean", "Paul"),
    ]
    shots = {"problems": problems, "duplicates": [MOHAMED, AWA, JEAN, AWA_AGAIN]}
    for name, lines in shots.items():
        widget = RegisterImportDialog(ctx)
        qtbot.addWidget(widget)
        with qtbot.waitExposed(widget):
            widget.show()
        read(widget, qtbot, write(tmp_path / f"registre_{name}.csv", lines))
        if name == "duplicates":
            widget.decisions_table.set_action(2, LINK)
        qtbot.wait(50)
        direction = Qt.LayoutDirection.RightToLeft if lang == "ar" else Qt.LayoutDirection.LeftToRight
        assert widget.layoutDirection() == direction
        assert widget.grab().save(str(screenshot_dir / f"register_import_{name}_{lang}.png"))
    assert dialog_module.POLL_MS > 0
