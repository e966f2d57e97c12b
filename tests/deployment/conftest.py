"""The frozen folders and the MSIs, built once (installer/build.py keeps them in build/ until
their inputs change), and a throwaway Windows PC: a fresh Wine prefix."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from installer import build
from installer.wine import WinePrefix
from tests.deployment.support import Releases, previous_version

TEST_MSI_DIR = build.BUILD / "test-msi"


@pytest.fixture(scope="session")
def frozen_folder() -> Path:
    return build.frozen()


@pytest.fixture(scope="session")
def windows_folder() -> Path:
    return build.windows()


@pytest.fixture(scope="session")
def releases(windows_folder: Path) -> Releases:
    """Two MSIs of the same program: the version in desktop/__init__.py and the one below it."""
    current = build.version()
    previous = previous_version(current)
    stamp = (windows_folder.parent / ".inputs").read_text() + build.inputs_digest(
        build.msi.WXS, Path(build.msi.__file__)
    )
    marker = TEST_MSI_DIR / ".inputs"
    paths = {v: TEST_MSI_DIR / f"BAOM-{v}.msi" for v in (previous, current)}
    if not (marker.is_file() and marker.read_text() == stamp and all(p.is_file() for p in paths.values())):
        marker.unlink(missing_ok=True)
        for version, path in paths.items():
            build.msi.build_msi(windows_folder, version, path)
        marker.write_text(stamp)
    return Releases(paths[previous], paths[current], previous, current)


@pytest.fixture(scope="module")
def windows_pc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WinePrefix]:
    prefix = WinePrefix(tmp_path_factory.mktemp("windows-pc") / "prefix").create()
    try:
        yield prefix
    finally:
        prefix.remove()
