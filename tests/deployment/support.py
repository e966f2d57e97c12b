"""What the deployment tests share: the release versions, running a frozen program."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.isolation import private_env


def previous_version(version: str) -> str:
    """A version just below: 0.1.0 -> 0.0.99, 1.2.3 -> 1.2.2 (what an office upgrades from)."""
    parts = [int(p) for p in version.split(".")[:3]]
    for index in range(2, -1, -1):
        if parts[index] > 0:
            parts[index] -= 1
            parts[index + 1 :] = [99] * (2 - index)
            return ".".join(map(str, parts))
    raise ValueError(version)


@dataclass(frozen=True)
class Releases:
    previous: Path
    current: Path
    previous_version: str
    current_version: str


def frozen_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return private_env(tmp_path, QT_QPA_PLATFORM="offscreen", **extra)


def run_frozen(
    folder: Path, program: str, *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(folder / program), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
