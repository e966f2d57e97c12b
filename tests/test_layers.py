"""The layers of ARCHITECTURE.md: nothing below desktop/ui imports Qt."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QT_FREE = ("desktop/domain", "desktop/services", "desktop/db", "desktop/reports")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_qt_import_below_ui() -> None:
    offenders = []
    checked = 0
    for folder in QT_FREE:
        for path in (ROOT / folder).rglob("*.py"):
            checked += 1
            bad = {name for name in _imports(path) if name.split(".")[0] in {"PySide6", "shiboken6", "pyqtgraph"}}
            bad |= {name for name in _imports(path) if name.startswith("desktop.ui")}
            if bad:
                offenders.append(f"{path.relative_to(ROOT)}: {sorted(bad)}")
    assert checked > 15
    assert offenders == []


def test_services_run_without_qt_loaded() -> None:
    """Importing every lower layer (and the CLI) must not pull Qt in at run time either."""
    code = (
        "import sys, desktop.cli, desktop.services.office, desktop.services.users, desktop.services.maintenance,"
        " desktop.services.demo, desktop.services.audit, desktop.domain.geography, desktop.reports;"
        " print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_widgets_never_touch_a_session() -> None:
    offenders = []
    for path in (ROOT / "desktop" / "ui").rglob("*.py"):
        names = _imports(path)
        if any(name.startswith(("sqlalchemy", "sqlcipher3", "desktop.db")) for name in names):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_test_modules_have_unique_names() -> None:
    """pytest (rootdir import mode) cannot collect two test modules with the same file name."""
    from collections import Counter
    from pathlib import Path

    names = Counter(p.name for p in Path(__file__).parent.rglob("test_*.py"))
    assert [name for name, n in names.items() if n > 1] == []
