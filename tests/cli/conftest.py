"""Running the real ``baom`` command in a subprocess, with a private environment."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.isolation import private_env

ROOT = Path(__file__).resolve().parents[2]
CLI_PASSWORD = "mot-de-passe-cli"


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    return private_env(tmp_path, BAOM_PASSWORD=CLI_PASSWORD, PYTHONPATH=str(ROOT))


Runner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def baom(cli_env: dict[str, str]) -> Runner:
    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        merged = dict(cli_env)
        merged.update(env or {})
        return subprocess.run(
            [sys.executable, "-m", "desktop.cli", *args],
            cwd=ROOT,
            env=merged,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=timeout,
            encoding="utf-8",
        )

    return run
