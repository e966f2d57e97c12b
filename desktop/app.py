"""Builds the application: language, right-to-left, fonts, logging, unlock, main window.

``python -m desktop [--db PATH] [--lang fr|ar|en] [--smoke-test]``
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from desktop import __version__, config, i18n
from desktop.logs import setup_logging

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

log = logging.getLogger("desktop.app")


def _excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    """Unexpected errors go to the log file; the person sees one calm sentence."""
    log.error("unhandled error", exc_info=(kind, value, tb))
    try:
        from PySide6.QtWidgets import QApplication, QMessageBox

        if QApplication.instance() is not None:
            QMessageBox.warning(None, i18n.tr("app.title"), i18n.tr("error.unexpected"))
    except Exception:  # noqa: BLE001 - the hook must never raise
        pass


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="baom-gui")
    parser.add_argument("--db", metavar="PATH")
    parser.add_argument("--lang", choices=i18n.LANGUAGES)
    parser.add_argument("--smoke-test", action="store_true", help="start to the first window, then quit")
    parser.add_argument("--version", action="version", version=f"BAOM {__version__}")
    args, _unknown = parser.parse_known_args(argv)
    return args


def _no_screen() -> bool:
    """On Linux without X11/Wayland, Qt would abort; say what to do instead."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def load_fonts() -> None:
    """Amiri is bundled so Arabic renders the same on every PC."""
    from PySide6.QtGui import QFontDatabase

    for path in sorted((i18n.resources_dir() / "fonts").glob("*.ttf")):
        QFontDatabase.addApplicationFont(str(path))


def _smoke_report(window: QWidget | None) -> int:
    """``--smoke-test``: name the first window shown; 0 if one is visible, else 1.

    A windowed build has no console (``sys.stdout`` is None): the log line remains.
    """
    visible = window is not None and window.isVisible()
    name = type(window).__name__ if visible else "none"
    log.info("smoke test: %s", name)
    if sys.stdout is not None:
        with contextlib.suppress(OSError, ValueError):  # a closed or invalid console
            print(f"smoke-test: {name}", flush=True)
    return 0 if visible else 1


def main(argv: list[str] | None = None) -> int:
    args = _parse(list(sys.argv[1:] if argv is None else argv))
    setup_logging()
    if _no_screen():
        print(i18n.tr("app.no_display"), file=sys.stderr)
        return 2
    sys.excepthook = _excepthook

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.ui.context import AppContext
    from desktop.ui.controller import AppController
    from desktop.ui.language import languages

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("BAOM")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("BAOM")
    load_fonts()
    settings = config.Settings.load()
    lang = args.lang or settings.language or config.machine_language() or i18n.DEFAULT_LANGUAGE
    languages().apply(lang)
    ctx = AppContext(settings=settings)
    controller = AppController(ctx)
    db_path = Path(args.db).expanduser() if args.db else None
    controller.start(db_path)
    if args.smoke_test:
        QTimer.singleShot(0, lambda: app.exit(_smoke_report(controller.current_window())))
    code = app.exec()
    ctx.close_office()
    ctx.runner.shutdown()
    return int(code)
