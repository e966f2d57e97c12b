"""Fixtures for the Qt tests (offscreen): a context, an unlocked office, screenshots."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop import i18n
from desktop.config import Settings
from desktop.services import office as office_service

UI_ADMIN_PASSWORD = "mot-de-passe-admin"


@pytest.fixture(autouse=True)
def _fast_kdf_and_private_dirs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BAOM_INSECURE_FAST_KDF_FOR_TESTS", "1")
    monkeypatch.setenv("BAOM_SETTINGS", str(tmp_path / "settings.json"))
    monkeypatch.setenv("BAOM_LOGDIR", str(tmp_path / "logs"))
    monkeypatch.setenv("BAOM_DATADIR", str(tmp_path / "data"))
    monkeypatch.delenv("BAOM_LANG", raising=False)
    monkeypatch.delenv("BAOM_COMMUNE", raising=False)


@pytest.fixture
def ctx(qapp):  # type: ignore[no-untyped-def]
    """A fresh AppContext in French."""
    from desktop.ui.context import AppContext
    from desktop.ui.language import languages

    languages().apply("fr")
    context = AppContext(settings=Settings())
    yield context
    if context.handle is not None and not context.handle.closed:
        context.handle.close()
    context.runner.shutdown()
    languages().apply("fr")
    i18n.set_language("fr")


@pytest.fixture
def office_path(tmp_path: Path) -> Path:
    path = tmp_path / "bureau.baomdb"
    handle, _code = office_service.create_office(
        path,
        commune_code="09.001.01.01.",
        office_name="BAOM Fictif d'Agadir",
        admin_login="admin",
        admin_name="Admin Fictif",
        admin_password=UI_ADMIN_PASSWORD,
    )
    handle.close()
    return path


@pytest.fixture
def unlocked_ctx(ctx, office_path: Path) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """The context with the fictitious office unlocked as admin."""
    ctx.set_handle(office_service.unlock(office_path, "admin", UI_ADMIN_PASSWORD))
    yield ctx


@pytest.fixture
def screenshot_dir() -> Path:
    """Screenshots a developer looks at (kept out of git): build/screenshots."""
    folder = Path(__file__).resolve().parents[2] / "build" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
