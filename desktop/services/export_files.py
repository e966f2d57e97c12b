"""Files the user saves (slips, charts): all of the file or nothing, a full disk told as such."""

from __future__ import annotations

from pathlib import Path

from desktop.db.files import atomic_write_bytes


def write_export(out: Path, data: bytes) -> None:
    """Write ``data`` to ``out`` through a temporary file and a rename (DiskFull when the disk is full)."""
    atomic_write_bytes(out, data)
