"""Shared fixtures: a cheap key derivation and a fictitious office in a temporary folder."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from desktop.domain.referrals import OFFICE_TIME_ZONE
from desktop.services import office as office_service

# Office PCs run on Morocco's clock, where the PC's day (date.today(), what widgets propose)
# and the office day (office_today(), what services record) are the same day. On a UTC test
# machine they differ for an hour around midnight: run the tests on Morocco's clock too.
os.environ["TZ"] = "Africa/Casablanca"
time.tzset()
assert time.localtime().tm_gmtoff == OFFICE_TIME_ZONE.utcoffset(datetime.now()).total_seconds(), (
    "the system does not know Africa/Casablanca: install Debian's tzdata (scripts/setup.sh test)"
)

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
