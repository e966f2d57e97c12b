"""Running the real ``baom`` command in a subprocess, with a private environment."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLI_PASSWORD = "mot-de-passe-cli"


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOM_")}
    env.update(
        BAOM_INSECURE_FAST_KDF_FOR_TESTS="1",
        BAOM_PASSWORD=CLI_PASSWORD,
        BAOM_LOGDIR=str(tmp_path / "logs"),
        BAOM_SETTINGS=str(tmp_path / "settings.json"),
        BAOM_DATADIR=str(tmp_path / "data"),
        PYTHONPATH=str(ROOT),
    )
    return env


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
