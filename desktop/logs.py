"""The log file: technical events only, never personal data (no names, no SQL values)."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from desktop import config

_configured: dict[str, Path] = {}


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Log to a rotating file in the user's log folder; returns its path (or None)."""
    if "path" in _configured:
        return _configured["path"]
    folder = config.log_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "baom.log"
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(handler)
    # Alembic announces each of its plugins at every start; its migrations stay logged.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    _configured["path"] = path
    return path
