"""SIGKILL during a long write, 20 times: the office always reopens intact, no committed row lost."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from desktop.db.models import Case, Contact
from desktop.services import maintenance, office
from tests.cli.conftest import CLI_PASSWORD, ROOT

PROGRESS = re.compile(r"^(\d+)/\d+ ")
BATCH = 500


@pytest.mark.slow
@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_sigkill_during_demo_never_loses_a_committed_case(tmp_path: Path, cli_env: dict[str, str]) -> None:
    db = tmp_path / "crash.baomdb"
    rng = random.Random(20)
    committed = 0
    kills_mid_write = 0
    target = 0
    for attempt in range(20):
        target = committed + 50_000
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "desktop.cli",
                "demo",
                "--db",
                str(db),
                "--cases",
                str(target),
                "--seed",
                str(attempt),
            ],
            cwd=ROOT,
            env=cli_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
        )
        reported: list[int] = []

        def read(stream: object = proc.stdout, sink: list[int] = reported) -> None:
            for line in stream:  # type: ignore[attr-defined]
                match = PROGRESS.match(line)
                if match:
                    sink.append(int(match.group(1)))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        # Wait until writing is under way, then kill at a random moment of it.
        deadline = time.monotonic() + 60
        while not reported and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.6))
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        reader.join(timeout=10)
        kills_mid_write += 1
        last_reported = max(reported, default=committed)

        handle = office.unlock(db, "admin", CLI_PASSWORD)
        with handle:
            report = maintenance.check_office(handle)
            assert report.ok, [p.key for p in report.problems]
            with handle.transaction() as session:
                cases = session.query(Case).count()
                orphans = session.query(Contact).filter(~Contact.case_id.in_(session.query(Case.id))).count()
        assert cases >= last_reported, f"attempt {attempt}: {cases} cases < {last_reported} reported committed"
        assert cases <= last_reported + BATCH
        assert cases % BATCH == 0  # whole batches only: a transaction is all or nothing
        assert orphans == 0
        committed = cases
    assert kills_mid_write == 20
    assert committed > 0
    assert list(tmp_path.glob(".*creating*")) == []
