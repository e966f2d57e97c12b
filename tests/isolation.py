"""An environment for running BAOM in a subprocess that touches nothing of this machine's:
its data folder, logs, settings and machine settings all live in the test's folder."""

from __future__ import annotations

import os
from pathlib import Path


def private_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BAOM_", "QT_"))}
    env.update(
        BAOM_INSECURE_FAST_KDF_FOR_TESTS="1",
        BAOM_DATADIR=str(tmp_path / "data"),
        BAOM_LOGDIR=str(tmp_path / "logs"),
        BAOM_SETTINGS=str(tmp_path / "settings.json"),
        BAOM_MACHINE_CONFIG=str(tmp_path / "machine.json"),
    )
    env.update(extra)
    return env
