"""The regional extract dialog driven like a supervisor would, on a real encrypted demo office.

A 300-case demo office (fictitious people) built once and copied for each test: enough
people in the last complete month for rows to pass k = 5. The preview is compared with
the extract's own manifest, and what is saved with what was previewed, byte for byte.
"""

from __future__ import annotations

import errno
import io
import json
import shutil
import threading
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt

from desktop import i18n
from desktop.domain import extract_format as fmt
from desktop.domain.errors import DiskFull
from desktop.domain.periods import Period, last_complete_month
from desktop.domain.referrals import office_today
from desktop.i18n import tr, tr_in
from desktop.services import audit, demo, extract, office
from desktop.services.audit import AuditFilter
from desktop.ui.pages.statistics import extract_dialog
from desktop.ui.pages.statistics.extract_dialog import MONTHS_OFFERED, ExtractDialog
from desktop.ui.pages.statistics.extract_preview import column_tip
from desktop.ui.pages.statistics.section import StatisticsSection
from desktop.ui.pages.statistics.texts import month_label, plain

DEMO_PASSWORD = "mot-de-passe-demo-extrait"
MONTH = last_complete_month(office_today())


def has_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def on_db(ctx: Any, fn: Any, *args: Any) -> Any:
    return ctx.runner.run_sync(fn, ctx.handle, *args)


def wait_idle(qtbot: Any, ctx: Any) -> None:
    qtbot.waitUntil(lambda: ctx.runner.pending == 0, timeout=20000)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo_extract")
    path = folder / "demo.baomdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BAOM_INSECURE_FAST_KDF_FOR_TESTS", "1")
        patch.setenv("BAOM_LOGDIR", str(folder / "logs"))
        patch.setenv("BAOM_DATADIR", str(folder / "data"))
        demo.create_demo_office(path, DEMO_PASSWORD, 300, 1)
    return path


def _copy_office(source: Path, folder: Path) -> Path:
    path = folder / source.name
    for suffix in ("", ".keys"):
        shutil.copy2(source.with_name(source.name + suffix), path.with_name(path.name + suffix))
    return path


@pytest.fixture
def demo_ctx(ctx, demo_file: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The demo office, unlocked as its administrator."""
    ctx.set_handle(office.unlock(_copy_office(demo_file, tmp_path), "admin", DEMO_PASSWORD))
    return ctx


@pytest.fixture
def dialog(demo_ctx, qtbot) -> ExtractDialog:  # type: ignore[no-untyped-def]
    told: list[str] = []
    window = ExtractDialog(demo_ctx)
    window.told = told  # type: ignore[attr-defined]
    window._tell = told.append  # type: ignore[method-assign]
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, demo_ctx)
    return window


def prepared(qtbot: Any, window: ExtractDialog) -> extract.Extract:
    window.prepare_button.click()
    qtbot.waitUntil(lambda: window.preview is not None or window.error_label.isVisible(), timeout=20000)
    wait_idle(qtbot, window.ctx)
    assert window.preview is not None, window.error_label.text()
    return window.preview.extract


# -- the month -------------------------------------------------------------------------------------


def test_only_months_that_are_over_are_offered_the_last_complete_first(dialog):
    assert dialog.period() == MONTH
    offered = [dialog.month_combo.itemData(i) for i in range(dialog.month_combo.count())]
    assert len(offered) == MONTHS_OFFERED and offered[0] == MONTH.key()
    assert all(key < office_today().strftime("%Y-%m") for key in offered)
    assert dialog.month_combo.itemText(0) == month_label(MONTH.start, "fr")
    assert dialog.stack.currentIndex() == dialog.PAGE_EMPTY and not dialog.labels_check.isVisible()
    assert not dialog.zip_button.isEnabled() and not dialog.folder_button.isEnabled()
    assert dialog.office_label.text().startswith("Bureau : ")


def test_a_month_not_over_is_refused_with_the_services_message(dialog, qtbot, monkeypatch):
    """The dialog was left open across the 1st (its list says "over"): the service still refuses."""
    today = office_today()
    first_of_next = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    monkeypatch.setattr(extract_dialog, "office_today", lambda: first_of_next + timedelta(days=1))
    dialog._fill_months()
    current = Period.month(today.year, today.month)
    dialog.choose(current)
    assert dialog.period() == current
    dialog.prepare_button.click()
    qtbot.waitUntil(dialog.error_label.isVisible, timeout=20000)
    wait_idle(qtbot, dialog.ctx)
    assert dialog.error_label.text() == tr("extract.error.month_not_over", month=current.key())
    assert "Traceback" not in dialog.error_label.text()
    assert dialog.preview is None and dialog.stack.currentIndex() == dialog.PAGE_EMPTY
    assert not dialog.zip_button.isEnabled()
    assert dialog.prepare_button.isEnabled()  # another month may be tried at once


# -- the preview -----------------------------------------------------------------------------------


def test_the_preview_shows_what_the_manifest_counts(dialog, qtbot):
    built = prepared(qtbot, dialog)
    manifest = json.loads(built.files[fmt.MANIFEST])
    assert manifest == dict(built.manifest)
    persons, referrals = manifest["persons"], manifest["referrals"]
    assert persons["written"] > 0 and persons["suppressed"] > 0  # a real preview: rows kept, rows suppressed
    assert dialog.stack.currentIndex() == dialog.PAGE_PREVIEW
    assert dialog.status_label.text() == tr("extract_ui.prepared", month=month_label(MONTH.start, "fr"))
    summary = dialog.summary.values
    assert summary["persons"].text() == tr(
        "extract_ui.privacy.persons",
        population=persons["population"],
        written=persons["written"],
        generalised=persons["generalised"],
        suppressed=persons["suppressed"],
    )
    assert summary["referrals"].text() == tr(
        "extract_ui.privacy.referrals", written=referrals["written"], blanked=referrals["person_key_blanked"]
    )
    assert built.smallest_class >= fmt.K
    assert summary["k"].text() == tr("extract_ui.privacy.k", reached=built.smallest_class, required=fmt.K)
    assert summary["never"].text() == tr("extract_ui.privacy.never")
    assert str(manifest["files"][fmt.INDICATORS]["rows"]) in summary["indicators"].text()
    # The tables are the files read back: same rows as written, as many as the manifest says.
    for name, rows in ((fmt.PERSONS, built.persons), (fmt.REFERRALS, built.referrals),
                       (fmt.INDICATORS, built.indicators)):  # fmt: skip
        model = dialog.csv_pages[name].model
        assert model.rowCount() == manifest["files"][name]["rows"] == len(rows)
        assert [list(r) for r in model.table.rows] == [list(r) for r in rows]
        headers = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
        assert tuple(headers) == fmt.COLUMNS[name]
        index = list(fmt.CSV_FILES).index(name)
        assert f"({manifest['files'][name]['rows']} lignes)" in dialog.tabs.tabText(index)
    page = dialog.manifest_page
    assert plain(page.value_text("signing_key")) == manifest["signing_key"]
    assert page.value_text("sha256") == built.manifest_sha256
    assert plain(page.value_text("generated_at")).endswith(f"(UTC : {manifest['generated_at']})")
    assert page.raw.toPlainText() == built.files[fmt.MANIFEST].decode("ascii")
    files = {page.files.item(r, 0).text(): page.files.item(r, 3).text() for r in range(page.files.rowCount())}
    assert files == {name: entry["sha256"] for name, entry in manifest["files"].items()}


def test_headers_say_what_each_column_holds_and_labels_read_the_codes(dialog, qtbot):
    prepared(qtbot, dialog)
    for lang in ("fr", "ar", "en"):
        i18n.set_language(lang)
        for name, columns in fmt.COLUMNS.items():
            for column in columns:
                tip = column_tip(name, column)
                assert tip and tip != column and "extract_ui." not in tip, (lang, name, column)
                if lang == "ar":
                    assert has_arabic(tip), column
    i18n.set_language("fr")
    assert "Quasi-identifiant" in column_tip(fmt.PERSONS, "age_band")
    assert "Quasi-identifiant" not in column_tip(fmt.PERSONS, "stage")
    model = dialog.csv_pages[fmt.PERSONS].model
    sex = fmt.PERSON_COLUMNS.index("sex")
    code = model.data(model.index(0, sex))
    assert code in ("F", "M")
    assert model.data(model.index(0, sex), Qt.ItemDataRole.ToolTipRole) == tr(
        "extract_ui.column.label", label=tr(f"sex.{code}")
    )
    dialog.labels_check.setChecked(True)
    assert model.data(model.index(0, sex)) == tr(f"sex.{code}")
    assert model.data(model.index(0, sex), Qt.ItemDataRole.ToolTipRole) == tr("extract_ui.column.code", code=code)
    indicators = dialog.csv_pages[fmt.INDICATORS].model
    assert indicators.data(indicators.index(0, 0)) == tr("stats.indicator.people_received")
    dialog.labels_check.setChecked(False)
    assert indicators.data(indicators.index(0, 0)) == "people_received"


def test_the_window_answers_while_the_preview_is_built(dialog, qtbot, monkeypatch):
    release = threading.Event()
    real = extract_dialog.build_preview

    def slow(handle: Any, period: Any) -> Any:
        release.wait(10)
        return real(handle, period)

    monkeypatch.setattr(extract_dialog, "build_preview", slow)
    dialog.prepare_button.click()
    assert dialog.status_label.text() == tr("extract_ui.preparing", month=month_label(MONTH.start, "fr"))
    assert not dialog.prepare_button.isEnabled() and not dialog.month_combo.isEnabled()
    qtbot.waitUntil(dialog.busy_bar.isVisible, timeout=3000)  # the GUI thread kept running
    release.set()
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=20000)
    assert not dialog.busy_bar.isVisible() and dialog.zip_button.isEnabled()


def test_another_month_drops_the_preview(dialog, qtbot):
    prepared(qtbot, dialog)
    dialog.choose(MONTH.previous())
    assert dialog.preview is None and not dialog.zip_button.isEnabled()
    assert dialog.stack.currentIndex() == dialog.PAGE_EMPTY
    assert dialog.status_label.text() == tr("extract_ui.month_changed")
    built = prepared(qtbot, dialog)
    assert built.period == MONTH.previous()


# -- saving ------------------------------------------------------------------------------------------


def _no_rebuild(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the extract was built again after the preview")

    monkeypatch.setattr(extract, "build_extract", refuse)
    monkeypatch.setattr(extract_dialog, "build_preview", refuse)


def test_save_as_zip_writes_the_previewed_bytes_and_audits_it(dialog, qtbot, tmp_path, monkeypatch):
    built = prepared(qtbot, dialog)
    asked: list[str] = []

    def choose(name: str) -> str:
        asked.append(name)
        return str(tmp_path / "envoi")

    monkeypatch.setattr(dialog, "_ask_zip_path", choose)
    _no_rebuild(monkeypatch)
    dialog.zip_button.click()
    assert not dialog.close_button.isEnabled()  # writing: the dialog stays
    wait_idle(qtbot, dialog.ctx)
    out = tmp_path / "envoi.zip"
    assert asked == [built.stem + ".zip"]
    with zipfile.ZipFile(io.BytesIO(out.read_bytes())) as archive:
        assert archive.namelist() == list(fmt.FILES)
        written = {name: archive.read(name) for name in fmt.FILES}
    assert written == dict(built.files)
    assert json.loads(written[fmt.MANIFEST])["generated_at"] == built.manifest["generated_at"]
    expected = tr("extract_ui.written", month=month_label(MONTH.start, "fr"), path=str(out))
    assert dialog.status_label.text() == expected and dialog.told == [expected]  # type: ignore[attr-defined]
    assert dialog.written == [out] and dialog.close_button.isEnabled()
    flt = AuditFilter(record_type="statistics", action="exported")
    rows = on_db(dialog.ctx, audit.entries, on_db(dialog.ctx, audit.entry_ids, flt))
    assert [(row.record_id, row.detail) for row in rows] == [(MONTH.key(), f"extract {built.manifest_sha256}")]


def test_save_to_a_folder_writes_the_six_files(dialog, qtbot, tmp_path, monkeypatch):
    built = prepared(qtbot, dialog)
    monkeypatch.setattr(dialog, "_ask_folder", lambda: str(tmp_path))
    _no_rebuild(monkeypatch)
    dialog.folder_button.click()
    wait_idle(qtbot, dialog.ctx)
    folder = tmp_path / built.stem
    assert sorted(p.name for p in folder.iterdir()) == sorted(fmt.FILES)
    assert {name: (folder / name).read_bytes() for name in fmt.FILES} == dict(built.files)
    assert dialog.status_label.text() == tr("extract_ui.written", month=month_label(MONTH.start, "fr"),
                                            path=str(folder))  # fmt: skip
    monkeypatch.setattr(dialog, "_ask_folder", lambda: "")
    dialog.folder_button.click()  # gave up: nothing more
    wait_idle(qtbot, dialog.ctx)
    assert dialog.written == [folder]


@pytest.mark.parametrize(
    ("error", "key"),
    [
        (PermissionError(errno.EACCES, "denied"), "extract_ui.error.permission"),
        (OSError(errno.EROFS, "read-only"), "extract_ui.error.read_only"),
        (OSError(errno.EIO, "i/o"), "extract_ui.error.write_failed"),
    ],
)
def test_a_file_error_is_said_in_words(dialog, qtbot, tmp_path, monkeypatch, error, key):
    prepared(qtbot, dialog)

    def fail(*_args: Any) -> Any:
        raise error

    monkeypatch.setattr(extract, "write_extract", fail)
    monkeypatch.setattr(dialog, "_ask_zip_path", lambda _name: str(tmp_path / "x.zip"))
    dialog.zip_button.click()
    wait_idle(qtbot, dialog.ctx)
    assert dialog.error_label.text() == tr(key, path=str(tmp_path / "x.zip"))
    assert dialog.zip_button.isEnabled() and dialog.written == []  # the preview stays: try elsewhere


def test_a_missing_folder_and_a_full_disk_use_the_services_messages(dialog, qtbot, tmp_path, monkeypatch):
    prepared(qtbot, dialog)
    missing = tmp_path / "absent" / "x.zip"
    monkeypatch.setattr(dialog, "_ask_zip_path", lambda _name: str(missing))
    dialog.zip_button.click()
    wait_idle(qtbot, dialog.ctx)
    assert dialog.error_label.text() == tr("extract.error.folder_missing", path=str(missing.parent))

    def full(*_args: Any) -> Any:
        raise DiskFull()

    monkeypatch.setattr(extract, "write_extract", full)
    dialog.zip_button.click()
    wait_idle(qtbot, dialog.ctx)
    assert dialog.error_label.text() == tr("error.disk_full")


def test_the_office_public_key_is_saved_with_its_fingerprint(dialog, qtbot, tmp_path, monkeypatch):
    built = prepared(qtbot, dialog)
    asked: list[str] = []

    def choose(name: str) -> str:
        asked.append(name)
        return str(tmp_path / name)

    monkeypatch.setattr(dialog, "_ask_key_path", choose)
    dialog.key_button.click()
    wait_idle(qtbot, dialog.ctx)
    fingerprint = built.manifest["signing_key"]
    assert asked == ["BAOM-09.001.01.01-public-key.txt"]
    text = (tmp_path / asked[0]).read_bytes().decode("utf-8")
    assert f"fingerprint: {fingerprint}\r\n" in text
    assert fingerprint in plain(dialog.status_label.text())
    assert fingerprint in plain(dialog.told[-1])  # type: ignore[attr-defined]


# -- who, language, lock --------------------------------------------------------------------------------


def test_the_statistics_toolbar_opens_it_for_a_supervisor_and_not_for_an_officer(ctx, demo_file, tmp_path, qtbot):
    path = _copy_office(demo_file, tmp_path)
    ctx.set_handle(office.unlock(path, "responsable.demo", DEMO_PASSWORD))
    section = StatisticsSection(ctx)
    qtbot.addWidget(section)
    button = section.extract.button
    assert button.text() == "Extrait régional…" and button.isEnabled()
    assert button.toolTip() == tr("extract_ui.button_tip")
    button.click()
    opened = section.extract.dialog
    assert isinstance(opened, ExtractDialog) and opened.isVisible()
    assert section.extract.open() is opened  # one at a time
    wait_idle(qtbot, ctx)
    ctx.close_office()
    assert not shiboken6.isValid(opened) or not opened.isVisible()
    assert not button.isEnabled()
    ctx.set_handle(office.unlock(path, "agent.demo", DEMO_PASSWORD))
    assert not button.isEnabled()
    assert button.toolTip() == tr("extract_ui.button_denied")
    assert section.extract.open() is None and section.extract.dialog is None
    officer_dialog = ExtractDialog(ctx)  # even built by hand, nothing can be prepared
    qtbot.addWidget(officer_dialog)
    assert not officer_dialog.prepare_button.isEnabled() and not officer_dialog.key_button.isEnabled()
    officer_dialog.prepare()
    wait_idle(qtbot, ctx)
    assert officer_dialog.preview is None
    assert officer_dialog.status_label.text() == "" and not officer_dialog.error_label.isVisible()  # nothing asked


def test_lock_forgets_the_preview_and_closes(dialog, qtbot):
    prepared(qtbot, dialog)
    dialog.ctx.close_office()
    assert dialog.preview is None
    assert dialog.csv_pages[fmt.PERSONS].model.rowCount() == 0
    assert not dialog.isVisible()


def test_arabic_mirrors_the_whole_dialog(dialog, qtbot):
    dialog.ctx.languages.apply("ar")
    prepared(qtbot, dialog)
    assert dialog.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert dialog.tabs.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert dialog.csv_pages[fmt.PERSONS].table.layoutDirection() == Qt.LayoutDirection.RightToLeft
    for text in (dialog.windowTitle(), dialog.prepare_button.text(), dialog.zip_button.text(),
                 dialog.month_combo.currentText(), dialog.summary.title(), dialog.summary.values["persons"].text(),
                 dialog.tabs.tabText(0), dialog.status_label.text(), dialog.office_label.text()):  # fmt: skip
        assert has_arabic(text), text
    assert dialog.manifest_page.raw.layoutDirection() == Qt.LayoutDirection.LeftToRight  # JSON stays JSON
    dialog.ctx.languages.apply("en")
    assert dialog.prepare_button.text() == tr_in("en", "extract_ui.prepare")
    assert dialog.summary.title() == tr_in("en", "extract_ui.privacy.title")
    assert dialog.layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_an_office_without_anyone_that_month_says_no_person_row(unlocked_ctx, qtbot):
    window = ExtractDialog(unlocked_ctx)
    qtbot.addWidget(window)
    built = prepared(qtbot, window)
    assert built.smallest_class == 0 and built.count("persons", "written") == 0
    assert window.summary.values["k"].text() == tr("extract_ui.privacy.k_none", required=fmt.K)
    assert window.csv_pages[fmt.PERSONS].model.rowCount() == 0


# -- screenshots --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_screenshot(dialog, qtbot, screenshot_dir: Path, lang: str) -> None:
    """The dialog at 1060×720 (a 1366×768 screen) with the preview of the demo office."""
    dialog.ctx.languages.apply(lang)
    dialog.resize(1060, 720)
    qtbot.wait(50)
    dialog.grab().save(str(screenshot_dir / f"extract_dialog_empty_{lang}.png"))
    prepared(qtbot, dialog)
    qtbot.wait(50)
    dialog.grab().save(str(screenshot_dir / f"extract_dialog_{lang}.png"))
    dialog.labels_check.setChecked(True)
    qtbot.wait(50)
    dialog.grab().save(str(screenshot_dir / f"extract_dialog_labels_{lang}.png"))
    dialog.tabs.setCurrentIndex(list(fmt.CSV_FILES).index(fmt.INDICATORS))
    qtbot.wait(50)
    dialog.grab().save(str(screenshot_dir / f"extract_dialog_indicators_{lang}.png"))
    dialog.tabs.setCurrentIndex(len(fmt.CSV_FILES))
    qtbot.wait(50)
    dialog.grab().save(str(screenshot_dir / f"extract_dialog_manifest_{lang}.png"))
    assert dialog.minimumSizeHint().width() <= 1060
