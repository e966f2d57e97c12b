"""Export… and Import… of the directory section (skipped while the exchange service is not there)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("desktop.services.directory_exchange")

from desktop.i18n import tr_in
from desktop.services import directory, users
from desktop.services.office import unlock
from desktop.ui.pages.directory.exchange import DirectoryExchange, ImportPreviewDialog
from desktop.ui.pages.directory.section import DirectorySection
from tests.ui.directory_data import EXAMPLE, TODAY, fictitious_providers, has_arabic, on_db, wait_idle

PASSWORD = "une-phrase-de-passe"


@pytest.fixture
def section(unlocked_ctx, qtbot) -> DirectorySection:
    for data in fictitious_providers():
        on_db(unlocked_ctx, directory.save_provider, data)
    page = DirectorySection(unlocked_ctx)
    qtbot.addWidget(page)
    page.reload()
    wait_idle(qtbot, unlocked_ctx)
    return page


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    return list(reader.fieldnames or []), list(reader)


def write_csv(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, columns, delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8-sig"))


def export(section: DirectorySection, qtbot: Any, monkeypatch: Any, path: Path) -> None:
    monkeypatch.setattr(DirectoryExchange, "_ask_save_path", lambda self: str(path))
    section.list_page.export_button.click()
    wait_idle(qtbot, section.ctx)
    assert path.exists()


def preview(section: DirectorySection, qtbot: Any, monkeypatch: Any, path: Path) -> ImportPreviewDialog:
    monkeypatch.setattr(DirectoryExchange, "_ask_open_path", lambda self: str(path))
    section.list_page.import_button.click()
    wait_idle(qtbot, section.ctx)
    dialog = section.exchange.dialog
    assert isinstance(dialog, ImportPreviewDialog)
    return dialog


def test_export_then_import_shows_the_differences_before_applying(
    section, qtbot, monkeypatch, tmp_path, screenshot_dir
):
    page = section.list_page
    assert page.export_button.isVisibleTo(section) and page.import_button.isVisibleTo(section)
    path = tmp_path / "annuaire.csv"
    export(section, qtbot, monkeypatch, path)
    assert page.status_label.text() == "Structures exportées dans « annuaire.csv » : 5."
    columns, rows = read_csv(path)
    assert len(rows) == 5
    # The secretariat's copy: a new phone (checked today), one provider less, one more.
    example = next(row for row in rows if row["nom"] == EXAMPLE)
    example["telephone"], example["verifie_le"] = "0528 00 00 99", TODAY.isoformat()
    rows = [row for row in rows if row["nom"] != "Clinique privée fictive"]
    rows.append({**example, "uid": "", "nom": "Maison de jeunes fictive", "nom_ar": "", "services": "[]"})
    write_csv(path, columns, rows)

    dialog = preview(section, qtbot, monkeypatch, path)
    assert dialog.counts() == {"added": 1, "changed": 1, "unchanged": 3, "local_only": 1, "problems": 0}
    lines = dialog.lines()
    assert "Nouvelles structures (1)" in lines and any("Maison de jeunes fictive" in line for line in lines)
    assert any(line.startswith(EXAMPLE) and "Téléphone" in line for line in lines)
    assert "Téléphone : 0528 00 00 01 → 0528 00 00 99" in lines
    assert "Seulement dans ce bureau, conservées (1)" in lines and "Clinique privée fictive" in lines
    assert dialog.apply_button.isEnabled() and dialog.blocked_label.isHidden()
    assert on_db(section.ctx, directory.list_providers, directory.DirectoryFilter()).__len__() == 5  # nothing yet

    dialog.resize(820, 580)
    dialog.grab().save(str(screenshot_dir / "directory_import_fr.png"))
    section.ctx.languages.apply("ar")
    assert has_arabic(dialog.windowTitle()) and has_arabic(dialog.summary_label.text())
    dialog.grab().save(str(screenshot_dir / "directory_import_ar.png"))
    section.ctx.languages.apply("fr")

    with qtbot.waitSignal(dialog.sig_applied, timeout=10000):
        dialog.apply_button.click()
    wait_idle(qtbot, section.ctx)
    assert section.exchange.dialog is None
    names = {page.model.provider_at(r).name_fr for r in range(page.model.rowCount())}
    assert "Maison de jeunes fictive" in names and "Clinique privée fictive" in names  # never deleted
    row = page.model.provider_at(page.model.row_of(next(r.id for r in on_db(
        section.ctx, directory.list_providers, directory.DirectoryFilter(text="exemple")))))  # fmt: skip
    assert row is not None and row.phone == "0528 00 00 99"
    assert page.status_label.text().startswith("Annuaire importé")


def test_a_file_with_problems_shows_their_lines_and_cannot_be_applied(
    section, qtbot, monkeypatch, tmp_path, screenshot_dir
):
    path = tmp_path / "annuaire.csv"
    export(section, qtbot, monkeypatch, path)
    columns, rows = read_csv(path)
    rows[1]["email"] = "contact@exemple"
    write_csv(path, columns, rows)
    dialog = preview(section, qtbot, monkeypatch, path)
    assert dialog.counts()["problems"] >= 1
    assert not dialog.apply_button.isEnabled() and not dialog.blocked_label.isHidden()
    problems = [line for line in dialog.lines() if line.startswith("Ligne 3")]
    assert problems and "email" in problems[0] and "directory." not in problems[0]  # a sentence, not a key
    dialog.resize(820, 580)
    dialog.grab().save(str(screenshot_dir / "directory_import_problems_fr.png"))
    dialog.reject()
    assert section.exchange.dialog is None


def test_officers_export_but_do_not_import(section, unlocked_ctx, qtbot, office_path):
    ctx = unlocked_ctx
    on_db(ctx, users.add_user, "agent.fictif", "Agent Fictif", "officer", PASSWORD)
    ctx.close_office()
    ctx.set_handle(unlock(office_path, "agent.fictif", PASSWORD))
    wait_idle(qtbot, ctx)
    page = section.list_page
    assert page.export_button.isVisibleTo(section) and not page.import_button.isVisibleTo(section)
    assert page.model.rowCount() == 5


def test_a_refused_export_says_why(section, qtbot, monkeypatch, tmp_path):
    monkeypatch.setattr(DirectoryExchange, "_ask_save_path", lambda self: str(tmp_path / "annuaire.pdf"))
    section.list_page.export_button.click()
    wait_idle(qtbot, section.ctx)
    page = section.list_page
    assert not page.error_label.isHidden()
    text = page.error_label.text()
    assert text and "Traceback" not in text and text != tr_in("fr", "error.unexpected")
