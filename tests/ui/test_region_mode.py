"""The regional mode of the window: the wizard's choice, the regional sections, offices and keys,
importing extracts, completeness, indicators and barometer — real SQLCipher databases, offscreen Qt."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWizard

from desktop.domain.indicators import BY_CODE, Unit
from desktop.domain.periods import Period, add_months, last_complete_month
from desktop.domain.referrals import OFFICE_TIME_ZONE, office_today
from desktop.domain.regional import BAROMETER_SERVICES
from desktop.i18n import tr, tr_in
from desktop.services import (
    demo,
    extract,
    extract_keys,
    maintenance,
    region,
    region_import,
    region_keys,
    region_stats,
    region_status,
)
from desktop.services import office as office_service
from desktop.services.region_import import Outcome
from desktop.services.region_status import Delivery
from desktop.ui.controller import AppController
from desktop.ui.dialogs.office_wizard import PAGE_ADMIN, PAGE_OFFICE, PAGE_RECOVERY, OfficeWizard
from desktop.ui.main_window import MainWindow
from desktop.ui.pages.admin.section import AdminSection
from desktop.ui.pages.directory.section import DirectorySection
from desktop.ui.pages.home import HomePage
from desktop.ui.pages.region import extracts as extracts_module
from desktop.ui.pages.region.barometer import BarometerPage
from desktop.ui.pages.region.communes import CommunesPage
from desktop.ui.pages.region.completeness import CompletenessPage
from desktop.ui.pages.region.extracts import ExtractsPage
from desktop.ui.pages.region.indicators import CODES, IndicatorsPage
from desktop.ui.pages.statistics.texts import plain
from desktop.ui.widgets.common import select_row
from tests.region_fixtures import (
    EXAMPLE_COMMUNE,
    EXAMPLE_NOW,
    EXAMPLE_ZIP,
    OTHER_COMMUNE,
    REGION,
    copy_example,
    key_text,
    make_extract,
    public_key,
    tampered,
)

PASSWORD = "mot-de-passe-region"
LOGIN = "secretariat"
OFFICE_PASSWORD = "mot-de-passe-bureau"
SCREEN = (1366, 768)
Button = QWizard.WizardButton


def on_db(ctx: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
    return ctx.runner.run_sync(fn, ctx.handle, *args, **kwargs)


def wait_idle(qtbot: Any, ctx: Any) -> None:
    qtbot.waitUntil(lambda: ctx.runner.pending == 0, timeout=20000)


def cell(table: Any, row: int, column: int) -> str:
    item = table.item(row, column)
    return plain(item.text()) if item is not None else ""


def headers(table: Any) -> list[str]:
    return [table.horizontalHeaderItem(i).text() for i in range(table.columnCount())]


def new_region(path: Path) -> Path:
    handle, _code = region.create_region(
        path, region_code=REGION, name="", admin_login=LOGIN, admin_name="Secrétariat Fictif", admin_password=PASSWORD
    )
    handle.close()
    return path


@pytest.fixture
def region_path(tmp_path: Path) -> Path:
    return new_region(tmp_path / "region.baomdb")


def open_window(qtbot: Any, ctx: Any, path: Path) -> MainWindow:
    ctx.set_handle(office_service.unlock(path, LOGIN, PASSWORD))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(*SCREEN)
    window.show()
    wait_idle(qtbot, ctx)
    return window


@pytest.fixture
def window(qtbot, ctx, region_path):  # type: ignore[no-untyped-def]
    return open_window(qtbot, ctx, region_path)


def visible_sections(window: MainWindow) -> list[str]:
    return [window.nav.item(i).text() for i in range(window.nav.count()) if not window.nav.item(i).isHidden()]


REGION_SECTIONS = [
    "Communes",
    "Extraits",
    "Complétude",
    "Indicateurs régionaux",
    "Baromètre",
    tr_in("fr", DirectorySection.title_key),
    tr_in("fr", AdminSection.title_key),
]


# -- the wizard ---------------------------------------------------------------------------------


def test_the_wizard_creates_a_regional_database(ctx, qtbot, tmp_path, screenshot_dir) -> None:  # type: ignore[no-untyped-def]
    wizard = OfficeWizard(ctx, tmp_path / "bureau.baomdb")
    qtbot.addWidget(wizard)
    wizard.resize(820, 640)
    wizard.show()
    page = wizard.commune_page
    assert page.kind() == "office" and page.picker.isVisible() and not page.region_row.isVisible()
    page.region_radio.setChecked(True)
    assert page.kind() == "region"
    assert not page.picker.isVisible() and page.region_row.isVisible()
    assert page.title() == "Région du secrétariat"
    assert wizard.windowTitle() == "Créer le secrétariat régional"
    assert not wizard.button(Button.NextButton).isEnabled()  # no region yet
    assert page.set_region(REGION)
    assert wizard.button(Button.NextButton).isEnabled()
    assert "Souss-Massa" in page.code_label.text()
    QApplication.processEvents()
    wizard.grab().save(str(screenshot_dir / "region_wizard_fr.png"))
    ctx.languages.apply("ar")
    assert wizard.isRightToLeft() and page.title() == "جهة الكتابة"
    assert plain(page.region_combo.currentText()) == "سوس-ماسة (09.)"
    QApplication.processEvents()
    wizard.grab().save(str(screenshot_dir / "region_wizard_ar.png"))
    ctx.languages.apply("fr")
    wizard.next()
    assert wizard.currentId() == PAGE_OFFICE
    assert wizard.office_page.name_edit.text() == "Secrétariat régional — Souss-Massa"
    assert wizard.office_page.path_edit.text() == str(tmp_path / "secretariat-regional.baomdb")
    wizard.next()
    assert wizard.currentId() == PAGE_ADMIN
    admin = wizard.admin_page
    admin.login_edit.setText(LOGIN)
    admin.name_edit.setText("Secrétaire Fictive")
    admin.password_edit.setText(PASSWORD)
    admin.confirm_edit.setText(PASSWORD)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_RECOVERY, timeout=20000)
    wait_idle(qtbot, ctx)
    wizard.recovery_page.noted_check.setChecked(True)
    wizard.button(Button.FinishButton).click()
    assert wizard.result() == QDialog.DialogCode.Accepted
    handle = wizard.handle
    assert handle is not None and wizard.db_path == tmp_path / "secretariat-regional.baomdb"
    info = office_service.office_info(handle)
    assert (info.kind, info.commune_code, info.name) == ("region", REGION, "Secrétariat régional — Souss-Massa")
    assert region.region_code(handle) == REGION

    # The controller opens it in the regional window.
    controller = AppController(ctx)
    main = controller.open_main(handle)
    qtbot.addWidget(main)
    wait_idle(qtbot, ctx)
    assert main.kind == "region"
    assert visible_sections(main) == REGION_SECTIONS


def test_the_office_choice_is_unchanged_and_switching_back_resets_the_file(ctx, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    wizard = OfficeWizard(ctx, tmp_path / "bureau.baomdb")
    qtbot.addWidget(wizard)
    page = wizard.commune_page
    page.region_radio.setChecked(True)
    assert wizard.office_page.path_edit.text() == str(tmp_path / "secretariat-regional.baomdb")
    assert page.region_code() is None  # no commune chosen yet: no region proposed
    page.office_radio.setChecked(True)
    assert wizard.office_page.path_edit.text() == str(tmp_path / "bureau.baomdb")
    assert page.title() == "Commune du bureau" and wizard.windowTitle() == "Créer le bureau"
    page.picker.set_commune(EXAMPLE_COMMUNE)
    wizard.next()
    assert wizard.office_page.name_edit.text() == "BAOM de Agadir"
    wizard.back()
    page.region_radio.setChecked(True)
    assert page.region_code() == REGION  # the commune's region, proposed
    wizard.next()
    assert wizard.office_page.name_edit.text() == "Secrétariat régional — Souss-Massa"


# -- the window -----------------------------------------------------------------------------------


def test_a_regional_database_shows_the_regional_sections_only(window) -> None:  # type: ignore[no-untyped-def]
    assert window.kind == "region"
    assert visible_sections(window) == REGION_SECTIONS
    assert not any(isinstance(page, HomePage) for page in window.pages)
    assert isinstance(window.current_page(), CommunesPage)
    assert "Secrétariat régional — Souss-Massa" in window.windowTitle()


def test_an_office_then_a_region_then_an_office_in_one_session(  # type: ignore[no-untyped-def]
    ctx, qtbot, office_path, region_path
) -> None:
    from tests.ui.conftest import UI_ADMIN_PASSWORD

    controller = AppController(ctx)
    opened = [
        (office_path, "admin", UI_ADMIN_PASSWORD, "office"),
        (region_path, LOGIN, PASSWORD, "region"),
        (office_path, "admin", UI_ADMIN_PASSWORD, "office"),
    ]
    for path, login, password, kind in opened:
        window = controller.open_main(office_service.unlock(path, login, password))
        wait_idle(qtbot, ctx)
        assert window.kind == kind
        if kind == "region":
            assert visible_sections(window) == REGION_SECTIONS
        else:
            assert visible_sections(window)[0] == tr("nav.home") and "Communes" not in visible_sections(window)
        window.switch_action.trigger()  # « Changer de bureau »: locked, then the welcome screen
        assert ctx.handle is None and controller.main_window is None
        welcome = controller.current_window()
        assert welcome is not None
        qtbot.addWidget(welcome)
        welcome.hide()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # the old window goes, as in the event loop
        assert not shiboken6.isValid(window)


def test_restoring_a_regional_backup_over_an_office_brings_the_regional_sections(  # type: ignore[no-untyped-def]
    qtbot, ctx, office_path, tmp_path, monkeypatch
) -> None:
    from tests.ui.conftest import UI_ADMIN_PASSWORD

    backup = tmp_path / "region.baom"
    handle, _code = region.create_region(
        tmp_path / "autre-region.baomdb", region_code=REGION, name="", admin_login="admin",
        admin_name="Admin Fictif", admin_password=UI_ADMIN_PASSWORD,
    )  # fmt: skip
    with handle:
        maintenance.backup_office(handle, backup)
    ctx.set_handle(office_service.unlock(office_path, "admin", UI_ADMIN_PASSWORD))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, ctx)
    assert window.kind == "office"
    office_pages = list(window.pages)
    monkeypatch.setattr(window, "_ask_restore_path", lambda: str(backup))
    monkeypatch.setattr(window, "_ask_password", lambda: UI_ADMIN_PASSWORD)
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    window.restore_backup()
    wait_idle(qtbot, ctx)
    assert window.is_locked
    window.lock_screen.form.password_edit.setText(UI_ADMIN_PASSWORD)
    window.lock_screen.form.submit()
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: window.kind == "region", timeout=20000)
    wait_idle(qtbot, ctx)
    assert visible_sections(window) == REGION_SECTIONS
    assert isinstance(window.current_page(), CommunesPage)
    assert window.nav.currentRow() == 0
    # the office's sections are deleted once the answers they asked for have come back
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not any(shiboken6.isValid(page) for page in office_pages)
    window.lock()  # what they listened to goes on without them
    ctx.languages.apply("ar")
    ctx.languages.apply("fr")


# -- communes and keys -------------------------------------------------------------------------------


def test_registering_an_office_shows_the_fingerprint_before_anything_is_stored(  # type: ignore[no-untyped-def]
    window, qtbot, tmp_path, monkeypatch, screenshot_dir
) -> None:
    ctx = window.ctx
    page = window.show_page(CommunesPage)
    assert isinstance(page, CommunesPage)
    wait_idle(qtbot, ctx)
    assert page.table.rowCount() == 0 and page.empty_label.isVisible()
    good = tmp_path / "cle-agadir.txt"
    good.write_text(key_text(), encoding="utf-8")
    forged = tmp_path / "cle-modifiee.txt"
    forged.write_text(key_text().replace("fingerprint: ", "fingerprint: 0000 "), encoding="utf-8")

    page.register_button.click()
    dialog = page.register_dialog
    assert dialog is not None and dialog.isVisible()
    assert not dialog.ok_button.isEnabled()
    monkeypatch.setattr(dialog, "ask_key_path", lambda: forged)
    dialog.browse_button.click()
    assert "empreinte" in dialog.error_label.text() and dialog.key_box.isHidden()
    assert not dialog.ok_button.isEnabled()

    dialog.set_commune(OTHER_COMMUNE)  # the person chose another commune of the region
    monkeypatch.setattr(dialog, "ask_key_path", lambda: good)
    dialog.browse_button.click()
    expected = public_key().fingerprint
    assert dialog.fingerprint_value.text() == expected
    assert not dialog.key_box.isHidden()
    assert "09.001.01.01." in plain(dialog.error_label.text())  # the file is Agadir's, not the commune chosen
    assert not dialog.compared_check.isEnabled() and not dialog.ok_button.isEnabled()
    dialog.set_commune(EXAMPLE_COMMUNE)
    assert dialog.error_label.isHidden()
    assert dialog.compared_check.isEnabled() and not dialog.ok_button.isEnabled()  # not before comparing
    assert on_db(ctx, region_keys.offices) == []  # nothing stored yet
    dialog.compared_check.setChecked(True)
    assert dialog.ok_button.isEnabled()
    qtbot.wait(20)
    dialog.grab().save(str(screenshot_dir / "region_register_fr.png"))
    dialog.ok_button.click()
    wait_idle(qtbot, ctx)
    wait_idle(qtbot, ctx)
    assert dialog.result() == QDialog.DialogCode.Accepted
    offices = on_db(ctx, region_keys.offices)
    assert [(o.commune_code, o.keys[0].fingerprint) for o in offices] == [(EXAMPLE_COMMUNE, expected)]
    assert page.status_label.text() == "Bureau de Agadir enregistré."
    assert page.table.rowCount() == 1
    assert cell(page.table, 0, 0) == "Agadir (09.001.01.01.)"
    assert cell(page.table, 0, 2) == expected
    assert cell(page.table, 0, 5) == "Valide"
    assert cell(page.table, 0, 6) == "Aucun"

    # Revoking the key from a date.
    select_row(page.table, 0)
    assert page.revoke_button.isEnabled()
    page.revoke_button.click()
    revoke = page.revoke_dialog
    assert revoke is not None and expected in revoke.fingerprint_value.text()
    revoke.date_edit.setDate(QDate(2026, 5, 1))
    revoke.ok_button.click()
    wait_idle(qtbot, ctx)
    wait_idle(qtbot, ctx)
    key = on_db(ctx, region_keys.offices)[0].keys[0]
    assert key.revoked_from is not None
    assert key.revoked_from.astimezone(OFFICE_TIME_ZONE) == datetime(2026, 5, 1, tzinfo=OFFICE_TIME_ZONE)
    assert cell(page.table, 0, 5) == "Révoquée à partir du 01/05/2026"
    select_row(page.table, 0)
    assert not page.revoke_button.isEnabled()  # already revoked


# -- extracts ------------------------------------------------------------------------------------------


@pytest.fixture
def registered(window):  # type: ignore[no-untyped-def]
    on_db(window.ctx, region_keys.add_office, EXAMPLE_COMMUNE, key_text())
    return window


def test_import_the_example_and_a_tampered_copy(registered, qtbot, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window = registered
    ctx = window.ctx
    page = window.show_page(ExtractsPage)
    assert isinstance(page, ExtractsPage)
    wait_idle(qtbot, ctx)
    assert page.table.rowCount() == 0
    sources = [copy_example(tmp_path / "recus"), tampered(EXAMPLE_ZIP, tmp_path / "recus")]
    steps: list[tuple[int, int]] = []

    class Recorded(extracts_module.TaskProgress):
        def __call__(self, done: int, total: int) -> None:
            steps.append((done, total))
            super().__call__(done, total)

    monkeypatch.setattr(extracts_module, "TaskProgress", Recorded)
    monkeypatch.setattr(page, "ask_paths", lambda: sources)
    page.files_button.click()
    assert page.progress_bar.isVisible() and not page.files_button.isEnabled()
    qtbot.waitUntil(lambda: page.job is None, timeout=20000)
    wait_idle(qtbot, ctx)
    assert steps == [(0, 2), (1, 2), (2, 2)]  # the bar advances extract by extract
    assert not page.progress_bar.isVisible() and page.files_button.isEnabled()
    summary = page.summary
    assert summary is not None and (summary.imported, summary.rejected, summary.replaced, summary.already) == (
        1,
        1,
        0,
        0,
    )
    assert page.summary_label.text() == "Importés : 1 · Remplacés : 0 · Déjà importés : 0 · Refusés : 1"
    rejected = next(o for o in summary.outcomes if o.outcome is Outcome.REJECTED)
    assert rejected.source.name == f"tampered-{EXAMPLE_ZIP.name}"
    shown = plain(page.result_view.toPlainText())
    assert f"tampered-{EXAMPLE_ZIP.name} : REFUSÉ, rien n'a été importé (1 problème(s)) :" in shown
    reason = rejected.problems[0].message()
    assert "persons.csv" in reason and plain(reason) in shown
    assert f"{EXAMPLE_ZIP.name} : importé — Agadir, mars 2025" in shown
    # Rejected first, so it is read first.
    assert shown.index("REFUSÉ") < shown.index("importé —")
    # The status table: commune, month, rows per table, generated at, imported at.
    assert page.table.rowCount() == 1
    status = on_db(ctx, region_status.status)[0]
    assert [cell(page.table, 0, c) for c in range(5)] == [
        "Agadir (09.001.01.01.)",
        "mars 2025",
        str(status.persons),
        str(status.referrals),
        str(status.indicators),
    ]
    generated = datetime(2025, 4, 2, 8, 30, tzinfo=UTC).astimezone(OFFICE_TIME_ZONE)  # told in Morocco's time
    assert cell(page.table, 0, 5) == f"{generated:%d/%m/%Y %H:%M}"
    assert cell(page.table, 0, 6).startswith(f"{office_today():%d/%m/%Y}")


def test_an_older_extract_is_imported_only_when_confirmed(registered, qtbot, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window = registered
    ctx = window.ctx
    newer = make_extract(tmp_path / "nouveau", generated_at="2025-04-03T10:00:00Z", stages={0: "suivi"})
    assert on_db(ctx, region_import.import_extracts, [newer]).imported == 1
    page = window.show_page(ExtractsPage)
    assert isinstance(page, ExtractsPage)
    wait_idle(qtbot, ctx)
    asked: list[list[str]] = []
    answer = {"value": False}

    def ask(older: list[Any]) -> bool:
        asked.append([o.source.name for o in older])
        return answer["value"]

    monkeypatch.setattr(page, "ask_confirm_older", ask)
    page.import_sources([copy_example(tmp_path / "ancien")])
    qtbot.waitUntil(lambda: page.job is None, timeout=20000)
    assert asked == [[EXAMPLE_ZIP.name]]
    assert page.summary is not None and page.summary.rejected == 1
    assert "avant celui déjà importé" in page.result_view.toPlainText()
    assert on_db(ctx, region_status.status)[0].generated_at == datetime(2025, 4, 3, 10, tzinfo=UTC)

    answer["value"] = True
    page.import_sources([copy_example(tmp_path / "ancien-2")])
    qtbot.waitUntil(lambda: page.job is None, timeout=20000)
    wait_idle(qtbot, ctx)
    assert page.summary is not None and (page.summary.replaced, page.summary.rejected) == (1, 0)
    assert on_db(ctx, region_status.status)[0].generated_at == datetime(2025, 4, 2, 8, 30, tzinfo=UTC)


def test_an_empty_folder_is_told(registered, qtbot, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    page = registered.show_page(ExtractsPage)
    empty = tmp_path / "vide"
    empty.mkdir()
    monkeypatch.setattr(page, "ask_folder", lambda: empty)
    page.folder_button.click()
    qtbot.waitUntil(lambda: page.job is None, timeout=20000)
    assert page.error_label.text() == tr("region.error.no_extract")


# -- completeness ----------------------------------------------------------------------------------------


def test_the_completeness_grid(registered, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    window = registered
    ctx = window.ctx
    on_db(ctx, region_keys.add_office, OTHER_COMMUNE, key_text(OTHER_COMMUNE))
    on_time = on_db(ctx, region_import.import_extracts, [EXAMPLE_ZIP], now=EXAMPLE_NOW)  # March, on 5 April
    late = make_extract(tmp_path / "fevrier", period="2025-02")  # February, on 5 April: after the 10 March
    on_db(ctx, region_import.import_extracts, [late], now=EXAMPLE_NOW)
    assert on_time.imported == 1
    page = window.show_page(CompletenessPage)
    assert isinstance(page, CompletenessPage)
    today = office_today()
    current = f"{today:%Y-%m}"
    page.range.set_range("2025-01", current)
    qtbot.waitUntil(lambda: page.grid is not None and page.grid.months[-1] == current, timeout=20000)
    wait_idle(qtbot, ctx)
    assert [line.commune_code for line in page.grid.rows] == [EXAMPLE_COMMUNE, OTHER_COMMUNE]
    assert page.cell(0, "2025-03") is Delivery.RECEIVED
    assert page.cell(0, "2025-02") is Delivery.LATE
    assert page.cell(0, "2025-01") is Delivery.MISSING
    assert page.cell(1, "2025-03") is Delivery.MISSING
    assert page.cell(1, current) is Delivery.PENDING
    column = page.grid.months.index("2025-03") + 1
    assert cell(page.table, 0, column) == "✓" and cell(page.table, 1, column) == "✗"
    assert page.table.item(0, column).background().color().name() == "#b7e1b9"
    assert "reçu" in page.table.item(0, column).toolTip().lower()
    assert "10/04/2025" in plain(page.table.item(0, column).toolTip())
    assert cell(page.table, 0, 0) == "Agadir (09.001.01.01.)"
    due = len(page.grid.months) - 1  # the month being lived is not due
    assert cell(page.table, 0, len(page.grid.months) + 1) == f"2 / {due}"
    assert [label.text() for label in page.legend_labels.values()] == [
        "Reçu à temps", "Reçu en retard", "Manquant", "Pas encore dû",
    ]  # fmt: skip
    # A range running backwards is said, not computed.
    page.range.set_range("2025-05", "2025-01")
    assert page.error_label.text() == tr("region.error.months_order")


# -- a region with data: several communes and months ------------------------------------------------------


COMMUNES = ("09.001.01.01.", "09.001.05.01.", "09.541.03.01.", "09.273.01.15.")  # Agadir, Amskroud, Adar, Inezgane
CASES = (90, 60, 120, 75)
MISSING = {("09.273.01.15.", -1), ("09.541.03.01.", -4)}  # (commune, month index): never sent
LATE = {("09.001.05.01.", -2), ("09.273.01.15.", -3)}  # sent after the 10th
ORDERED = tuple(sorted(COMMUNES))  # as the window lists them: by code
NAMES = ["Agadir", "Amskroud", "Inezgane", "Adar"]


def _months(count: int) -> tuple[str, ...]:
    last = last_complete_month(office_today()).start
    return tuple(
        f"{y:04d}-{m:02d}" for y, m in (add_months(last.year, last.month, -k) for k in range(count - 1, -1, -1))
    )


@dataclass
class World:
    path: Path
    months: tuple[str, ...]
    folder: Path
    zips: dict[tuple[str, str], Path]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Four demo communes (fictitious), six months of extracts, most on time, some late, two missing."""
    folder = tmp_path_factory.mktemp("region-world")
    months = _months(6)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BAOM_INSECURE_FAST_KDF_FOR_TESTS", "1")
        path = new_region(folder / "region.baomdb")
        zips: dict[tuple[str, str], Path] = {}
        keys: dict[str, str] = {}
        for index, (commune, cases) in enumerate(zip(COMMUNES, CASES, strict=True)):
            handle, _ = office_service.create_office(
                folder / f"office-{index}.baomdb", commune_code=commune, office_name=f"BAOM Fictif {index + 1}",
                admin_login="admin", admin_name="Admin Fictif", admin_password=OFFICE_PASSWORD, is_demo=True,
            )  # fmt: skip
            with handle:
                demo.fill_demo(handle, cases=cases, seed=index + 11)
                keys[commune] = extract_keys.office_public_key(handle).text()
                for month in months:
                    year, number = add_months(int(month[:4]), int(month[5:]), 1)
                    built = extract.build_extract(
                        handle, Period.parse_month(month), now=datetime(year, number, 3, 9, tzinfo=UTC)
                    )
                    zips[commune, month] = extract.write_extract(handle, built, folder / f"{built.stem}.zip")
        with office_service.unlock(path, LOGIN, PASSWORD) as regional:
            for commune, text in keys.items():
                region_keys.add_office(regional, commune, text)
            for index_month, month in enumerate(months):
                year, number = add_months(int(month[:4]), int(month[5:]), 1)
                for commune in COMMUNES:
                    shift = index_month - len(months)
                    if (commune, shift) in MISSING:
                        continue
                    day = 20 if (commune, shift) in LATE else 6
                    now = datetime(year, number, day, 9, tzinfo=UTC)
                    if now > datetime.now(UTC):
                        now = datetime.now(UTC)
                    summary = region_import.import_extracts(regional, [zips[commune, month]], now=now)
                    assert summary.imported == 1, summary
        yield World(path, months, folder, zips)


@pytest.fixture
def world_window(world, qtbot, ctx, tmp_path):  # type: ignore[no-untyped-def]
    """The world's region in a copy (a test may import into it), in the window."""
    path = tmp_path / "region.baomdb"
    shutil.copy2(world.path, path)
    shutil.copy2(office_service.keys_path(world.path), office_service.keys_path(path))
    return open_window(qtbot, ctx, path)


def percent(numerator: float, base: float) -> str:
    return f"{round(100 * numerator / base)} %"


def expected_text(code: str, pair: tuple[float | None, int | None]) -> str:
    value, base = pair
    unit = BY_CODE[code].unit
    if value is None or (unit is Unit.RATE and not base):
        return "—"
    if unit is Unit.RATE:
        assert base is not None
        return percent(value, base)
    if unit is Unit.DAYS:
        return f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(int(value))


def test_indicators_show_the_regional_figures(world, world_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = world_window
    ctx = window.ctx
    page = window.show_page(IndicatorsPage)
    assert isinstance(page, IndicatorsPage)
    qtbot.waitUntil(lambda: page.stats is not None, timeout=20000)
    wait_idle(qtbot, ctx)
    assert page.stats.months == world.months  # the last six complete months by default
    stats = on_db(ctx, region_stats.regional_statistics, world.months[0], world.months[-1])
    table = page.totals
    assert headers(table)[-1] == "Période"
    assert table.rowCount() == len(CODES) + 1
    reported = [cell(table, 0, c) for c in range(1, len(world.months) + 1)]
    assert reported == [f"{len(stats.reported.get(m, ()))} / 4" for m in world.months]
    assert reported[-1] == "3 / 4" and reported[-4] == "3 / 4"  # the missing extracts
    for row, code in enumerate(CODES, start=1):
        for column, month in enumerate(world.months, start=1):
            assert cell(table, row, column) == expected_text(code, stats.figure(code, month=month)), (code, month)
        assert cell(table, row, len(world.months) + 1) == expected_text(code, stats.figure(code)), code
    people = CODES.index("people_received") + 1
    assert cell(table, people, 0) == "Personnes reçues (personnes-mois)"
    total = sum(int(stats.figure("people_received", commune=c)[0] or 0) for c in COMMUNES)
    assert cell(table, people, len(world.months) + 1) == str(total) != "0"
    # The communes compared, for an indicator chosen.
    page.tabs.setCurrentIndex(1)
    page.indicator_combo.setCurrentIndex(CODES.index("referrals_sent"))
    comparison = page.comparison
    assert comparison.rowCount() == len(COMMUNES) + 1
    for row, commune in enumerate(ORDERED):
        assert cell(comparison, row, 0).startswith(NAMES[row])
        value = stats.figure("referrals_sent", commune=commune)
        assert cell(comparison, row, len(world.months) + 1) == expected_text("referrals_sent", value)
    assert cell(comparison, len(COMMUNES), 0) == "Région"
    missing_month = world.months.index(world.months[-1]) + 1
    inezgane = ORDERED.index("09.273.01.15.")
    assert cell(comparison, inezgane, missing_month) == "—"  # not sent: unknown, not zero
    assert page.chart is not None and page.chart.data is not None
    assert len(page.chart.data.keys) >= 1
    assert "petits effectifs" in page.exact_note.text()


def test_the_barometer_shows_access_to_the_services(world, world_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = world_window
    ctx = window.ctx
    page = window.show_page(BarometerPage)
    assert isinstance(page, BarometerPage)
    qtbot.waitUntil(lambda: page.stats is not None, timeout=20000)
    wait_idle(qtbot, ctx)
    stats = on_db(ctx, region_stats.regional_statistics, world.months[0], world.months[-1])
    services = list(BAROMETER_SERVICES)
    matrix = page.matrix
    assert matrix.rowCount() == 7 and headers(matrix)[1] == "Région"
    assert headers(matrix)[2:] == NAMES
    expected_names = ["Santé", "Éducation", "Justice et protection", "État civil et documents", "Emploi",
                      "Aide sociale et droits", "Logement"]  # fmt: skip
    assert [cell(matrix, r, 0) for r in range(7)] == expected_names
    measures = ("sent", "answer_rate", "served_share", "median_days")
    for measure_index, measure in enumerate(measures):
        page.measure_combo.setCurrentIndex(measure_index)
        for row, service in enumerate(services):
            for column, commune in enumerate((None, *ORDERED), start=1):
                access = stats.access(service, commune=commune)
                if measure == "sent":
                    wanted = str(access.sent)
                elif measure == "answer_rate":
                    wanted = percent(access.answered, access.sent) if access.sent else "—"
                elif measure == "served_share":
                    wanted = percent(access.served, access.counters) if access.counters else "—"
                else:
                    days = access.median_days
                    wanted = "—" if days is None else f"{days:.1f}".rstrip("0").rstrip(".").replace(".", ",")
                assert cell(matrix, row, column) == wanted, (measure, service, commune)
    assert sum(stats.access(s).sent for s in services) > 0
    # One service month by month: the region's four measures, and the chart.
    health = stats.access("health")
    page.measure_combo.setCurrentIndex(0)
    page.service_combo.setCurrentIndex(0)
    months_table = page.months_table
    assert months_table.rowCount() == len(world.months) + 1
    for row, month in enumerate(world.months):
        assert cell(months_table, row, 1) == str(stats.access("health", month=month).sent)
    assert cell(months_table, len(world.months), 1) == str(health.sent)
    assert page.chart is not None
    assert [line.name for line in page.chart.lines] == ["Région", *NAMES]
    region_line = page.chart.lines[0]
    assert region_line.values == tuple(float(stats.access("health", month=m).sent) for m in world.months)
    inezgane_line = page.chart.lines[1 + NAMES.index("Inezgane")]
    assert inezgane_line.values[-1] is None  # a gap, not a zero: the extract never came


def test_the_regional_report_is_written_from_the_range_on_screen(  # type: ignore[no-untyped-def]
    world, world_window, qtbot, tmp_path, monkeypatch
) -> None:
    from desktop.services import audit as audit_service

    window = world_window
    ctx = window.ctx
    page = window.show_page(IndicatorsPage)
    assert isinstance(page, IndicatorsPage)
    qtbot.waitUntil(lambda: page.stats is not None, timeout=20000)
    asked: list[str] = []

    def ask(what: str, file_name: str) -> str:
        asked.append(file_name)
        return str(tmp_path / ("rapport" if what == "pdf" else "classeur.xlsx"))

    monkeypatch.setattr(page.report, "ask_path", ask)
    for what in ("pdf", "xlsx"):
        page.report.buttons[what].click()
        assert not page.report.buttons[what].isEnabled()  # one report at a time
        qtbot.waitUntil(lambda: not page.report.busy, timeout=60000)
    assert asked == [f"BAOM-region-{world.months[0]}_{world.months[-1]}-fr.{w}" for w in ("pdf", "xlsx")]
    pdf, xlsx = tmp_path / "rapport.pdf", tmp_path / "classeur.xlsx"  # the ending added when missing
    assert pdf.read_bytes().startswith(b"%PDF") and xlsx.read_bytes().startswith(b"PK")
    assert plain(page.status_label.text()) == f"Rapport régional enregistré : {xlsx}"
    exported = audit_service.entries(
        ctx.handle, on_db(ctx, audit_service.entry_ids, audit_service.AuditFilter(action="exported"))
    )
    assert len(exported) == 2


def test_an_officer_sees_the_figures_but_does_not_import_or_register(  # type: ignore[no-untyped-def]
    qtbot, ctx, region_path
) -> None:
    from desktop.services import users

    with office_service.unlock(region_path, LOGIN, PASSWORD) as handle:
        users.add_user(handle, "agent.fictif", "Agent Fictif", "officer", "mot-de-passe-agent")
        region_keys.add_office(handle, EXAMPLE_COMMUNE, key_text())
    ctx.set_handle(office_service.unlock(region_path, "agent.fictif", "mot-de-passe-agent"))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, ctx)
    assert visible_sections(window) == REGION_SECTIONS[:-1]  # administration: supervisors and admins
    communes = window.show_page(CommunesPage)
    wait_idle(qtbot, ctx)
    assert isinstance(communes, CommunesPage) and communes.table.rowCount() == 1
    assert not communes.register_button.isEnabled()
    select_row(communes.table, 0)
    assert not communes.revoke_button.isEnabled()
    extracts_page = window.show_page(ExtractsPage)
    wait_idle(qtbot, ctx)
    assert isinstance(extracts_page, ExtractsPage)
    assert not extracts_page.files_button.isEnabled() and not extracts_page.folder_button.isEnabled()
    assert extracts_page.role_note.isVisible()
    assert window.office_status.text() == "Secrétariat : Secrétariat régional — Souss-Massa"


def test_the_whole_window_mirrors_in_arabic(world_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = world_window
    ctx = window.ctx
    ctx.languages.apply("ar")
    assert window.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert visible_sections(window)[:5] == [
        "الجماعات", "المستخرجات", "اكتمال الإرسال", "المؤشرات الجهوية", "مقياس الولوج",
    ]  # fmt: skip
    for page_class in (CommunesPage, ExtractsPage, CompletenessPage, IndicatorsPage, BarometerPage):
        page = window.show_page(page_class)
        wait_idle(qtbot, ctx)
        assert page.isRightToLeft()
        assert any("\u0600" <= ch <= "\u06ff" for ch in page.heading.text())
    page = window.show_page(BarometerPage)
    qtbot.waitUntil(lambda: page.stats is not None, timeout=20000)
    assert isinstance(page, BarometerPage)
    assert headers(page.matrix)[0] == "الخدمة" and cell(page.matrix, 0, 0) == "الصحة"
    assert page.matrix.isRightToLeft()
    assert page.chart is not None and page.chart.rtl
    assert page.chart.item.getViewBox().xInverted()
    completeness = window.show_page(CompletenessPage)
    assert isinstance(completeness, CompletenessPage)
    qtbot.waitUntil(lambda: completeness.grid is not None, timeout=20000)
    assert headers(completeness.table)[0] == "الجماعة"
    assert cell(completeness.table, 0, 0).startswith("أكادير")


# -- screenshots ------------------------------------------------------------------------------------------


def shoot(qtbot: Any, window: MainWindow, folder: Path, name: str) -> None:
    qtbot.wait(150)  # the charts' axes widen to their labels over a few paints
    assert window.grab().save(str(folder / name))


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_screenshots(world, world_window, qtbot, tmp_path, monkeypatch, screenshot_dir, lang) -> None:  # type: ignore[no-untyped-def]
    """The five regional sections with data, on a 1366×768 screen (build/screenshots/region_*)."""
    window = world_window
    ctx = window.ctx
    ctx.languages.apply(lang)
    first, last = world.months[0], world.months[-1]

    page = window.show_page(CommunesPage)
    wait_idle(qtbot, ctx)
    assert isinstance(page, CommunesPage) and page.table.rowCount() == len(COMMUNES)
    shoot(qtbot, window, screenshot_dir, f"region_communes_{lang}.png")

    extracts_page = window.show_page(ExtractsPage)
    assert isinstance(extracts_page, ExtractsPage)
    wait_idle(qtbot, ctx)
    late_zip = world.zips[COMMUNES[0], last]
    bad = tampered(late_zip, tmp_path / "recus")
    again = tmp_path / "recus" / late_zip.name
    shutil.copy2(late_zip, again)
    missing = world.zips["09.273.01.15.", last]
    monkeypatch.setattr(extracts_page, "ask_paths", lambda: [missing, again, bad])
    extracts_page.files_button.click()
    qtbot.waitUntil(lambda: extracts_page.job is None, timeout=20000)
    wait_idle(qtbot, ctx)
    summary = extracts_page.summary
    assert summary is not None and (summary.imported, summary.already, summary.rejected) == (1, 1, 1)
    shoot(qtbot, window, screenshot_dir, f"region_extracts_{lang}.png")

    completeness = window.show_page(CompletenessPage)
    assert isinstance(completeness, CompletenessPage)
    completeness.range.set_range(first, last)
    qtbot.waitUntil(lambda: completeness.grid is not None and completeness.grid.months[0] == first, timeout=20000)
    wait_idle(qtbot, ctx)
    cells = {c for row in completeness.grid.rows for c in row.cells}
    assert {Delivery.RECEIVED, Delivery.LATE, Delivery.MISSING} <= cells
    shoot(qtbot, window, screenshot_dir, f"region_completeness_{lang}.png")

    indicators = window.show_page(IndicatorsPage)
    assert isinstance(indicators, IndicatorsPage)
    qtbot.waitUntil(lambda: indicators.stats is not None, timeout=20000)
    wait_idle(qtbot, ctx)
    indicators.tabs.setCurrentIndex(0)
    shoot(qtbot, window, screenshot_dir, f"region_indicators_{lang}.png")
    indicators.tabs.setCurrentIndex(1)
    indicators.indicator_combo.setCurrentIndex(CODES.index("people_received"))
    shoot(qtbot, window, screenshot_dir, f"region_indicators_communes_{lang}.png")

    barometer = window.show_page(BarometerPage)
    assert isinstance(barometer, BarometerPage)
    qtbot.waitUntil(lambda: barometer.stats is not None, timeout=20000)
    wait_idle(qtbot, ctx)
    barometer.measure_combo.setCurrentIndex(1)
    shoot(qtbot, window, screenshot_dir, f"region_barometer_{lang}.png")
    assert window.minimumSizeHint().width() <= SCREEN[0]
