"""``python -m desktop --smoke-test``: the installed program starts to its first window, then quits.

The welcome case with a console is in tests/ui/test_shell.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.isolation import private_env

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "mot-de-passe-smoke"
COMMUNE = "09.001.01.01."


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return private_env(tmp_path, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def _init_office(db: Path, env: dict[str, str]) -> None:
    init_env = dict(env, BAOM_PASSWORD=PASSWORD)
    result = _run(["-m", "desktop.cli", "init", "--db", str(db), "--commune", COMMUNE, "--admin", "admin"], init_env)
    assert result.returncode == 0, result.stderr
    assert db.is_file()


def test_smoke_test_opens_unlock_when_the_office_exists_in_the_data_folder(env: dict[str, str]) -> None:
    data = Path(env["BAOM_DATADIR"])
    data.mkdir()  # the installer creates DATADIR
    _init_office(data / "office.baomdb", env)
    result = _run(["-m", "desktop", "--smoke-test"], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "smoke-test: UnlockDialog"
    assert "smoke test: UnlockDialog" in (Path(env["BAOM_LOGDIR"]) / "baom.log").read_text(encoding="utf-8")


def test_smoke_test_opens_unlock_for_the_office_given_with_db(env: dict[str, str], tmp_path: Path) -> None:
    db = tmp_path / "bureau.baomdb"
    _init_office(db, env)
    result = _run(["-m", "desktop", "--smoke-test", "--db", str(db)], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "smoke-test: UnlockDialog"


def test_smoke_test_without_a_console_reports_in_the_log(env: dict[str, str]) -> None:
    """A windowed build (baomw.exe) has ``sys.stdout`` None: no crash, exit 0, one log line."""
    code = "import sys; sys.stdout = None; from desktop.app import main; raise SystemExit(main(['--smoke-test']))"
    result = _run(["-c", code], env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "smoke test: WelcomeDialog" in (Path(env["BAOM_LOGDIR"]) / "baom.log").read_text(encoding="utf-8")


def test_smoke_report_needs_a_visible_window(qtbot, capsys) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QDialog

    from desktop.app import _smoke_report

    assert _smoke_report(None) == 1
    dialog = QDialog()
    qtbot.addWidget(dialog)
    assert _smoke_report(dialog) == 1  # created but never shown
    dialog.show()
    assert _smoke_report(dialog) == 0
    assert capsys.readouterr().out.splitlines() == ["smoke-test: none", "smoke-test: none", "smoke-test: QDialog"]
