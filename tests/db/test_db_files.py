"""Atomic writes and the one-instance office lock."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from desktop.db import files
from desktop.db.files import OfficeLock, atomic_write_bytes, atomic_write_text
from desktop.domain.errors import DatabaseInUse, DiskFull


def test_atomic_write_creates_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "fichier.json"
    atomic_write_text(target, "premier")
    assert target.read_text(encoding="utf-8") == "premier"
    atomic_write_bytes(target, b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in tmp_path.iterdir()] == ["fichier.json"]


def test_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "fichier.json"
    target.write_text("ancien", encoding="utf-8")

    def broken_replace(src: str, dst: object) -> None:
        raise OSError(errno.EIO, "simulated I/O error")

    monkeypatch.setattr(files.os, "replace", broken_replace)
    with pytest.raises(OSError) as info:
        atomic_write_text(target, "nouveau")
    assert not isinstance(info.value, DiskFull)
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == "ancien"
    assert [p.name for p in tmp_path.iterdir()] == ["fichier.json"]


def test_full_disk_is_reported_as_disk_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "fichier.json"
    target.write_text("ancien", encoding="utf-8")

    def full_replace(src: str, dst: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.os, "replace", full_replace)
    with pytest.raises(DiskFull) as info:
        atomic_write_text(target, "nouveau")
    assert info.value.key == "error.disk_full"
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == "ancien"
    assert [p.name for p in tmp_path.iterdir()] == ["fichier.json"]


def test_office_lock_is_exclusive(tmp_path: Path) -> None:
    db = tmp_path / "office.baomdb"
    first = OfficeLock(db)
    first.acquire()
    try:
        assert first.path == tmp_path / "office.baomdb.lock"
        with pytest.raises(DatabaseInUse) as info:
            OfficeLock(db).acquire()
        assert info.value.key == "error.db_in_use"
        # another office in the same folder is not affected
        with OfficeLock(tmp_path / "autre.baomdb"):
            pass
    finally:
        first.release()
    with OfficeLock(db) as again:
        assert again.path.exists()
    again.release()  # releasing twice is harmless
    last = OfficeLock(db)
    last.acquire()
    last.release()
