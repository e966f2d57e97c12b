"""Shared fixtures: a cheap key derivation and a fictitious office in a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.services import office as office_service

ADMIN_LOGIN = "admin"
ADMIN_NAME = "Admin Fictif"
ADMIN_PASSWORD = "mot-de-passe-admin"
OFFICE_COMMUNE = "09.541.01.11."
OFFICE_NAME = "BAOM Fictif"


@pytest.fixture(autouse=True)
def _fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at production cost would make every unlock ~0.4 s: tests use a cheap one."""
    monkeypatch.setenv("BAOM_INSECURE_FAST_KDF_FOR_TESTS", "1")


@pytest.fixture
def office(tmp_path: Path) -> Iterator[tuple[office_service.OfficeHandle, str, Path]]:
    """A new encrypted office: (handle unlocked as admin, recovery code, database path)."""
    path = tmp_path / "office.baomdb"
    handle, recovery_code = office_service.create_office(
        path,
        commune_code=OFFICE_COMMUNE,
        office_name=OFFICE_NAME,
        admin_login=ADMIN_LOGIN,
        admin_name=ADMIN_NAME,
        admin_password=ADMIN_PASSWORD,
    )
    try:
        yield handle, recovery_code, path
    finally:
        handle.close()
