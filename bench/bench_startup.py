"""Cold start of the frozen application: process start to its unlock window, and the folder's size.

Run: ``.venv/bin/python bench/bench_startup.py [--runs 7] [--folder build/frozen/dist/BAOM]``.

Measured, interleaved, ``--runs`` times each (median, min, max), wall time of
``--smoke-test`` (it exits as soon as the first window is shown) on an office created first,
so the window is the unlock window:
- ``frozen``: ``baomw --smoke-test`` from the PyInstaller folder (built when missing);
- ``source``: the baseline, ``python -m desktop --smoke-test`` from the .venv, same code;
- ``qt``: the floor, a bare QApplication showing an empty QDialog, from the .venv.
The first frozen run is taken after dropping the page cache when the system allows it
(``/proc/sys/vm/drop_caches``, as root outside a container): a true cold start; later runs
have the files cached, as on an office PC that opened BAOM earlier in the day.
Targets (issue 7): frozen start <= 2 s; folder <= 250 MB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from installer import build  # noqa: E402

QT_FLOOR = (
    "import sys\n"
    "from PySide6.QtCore import QTimer\n"
    "from PySide6.QtWidgets import QApplication, QDialog\n"
    "app = QApplication(sys.argv[:1]); d = QDialog(); d.show()\n"
    "QTimer.singleShot(0, lambda: app.exit(0 if d.isVisible() else 1)); sys.exit(app.exec())\n"
)


def drop_caches() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{command[0]} failed: {result.stdout}{result.stderr}")
    return elapsed


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--folder", type=Path, help="a frozen folder (default: build it / reuse build/frozen)")
    args = parser.parse_args()
    folder = args.folder or build.frozen()
    with tempfile.TemporaryDirectory(prefix="baom-bench-start-") as tmp:
        work = Path(tmp)
        (work / "data").mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BAOM_", "QT_"))}
        env.update(
            BAOM_DATADIR=str(work / "data"),
            BAOM_LOGDIR=str(work / "logs"),
            BAOM_SETTINGS=str(work / "settings.json"),
            BAOM_MACHINE_CONFIG=str(work / "machine.json"),
            BAOM_PASSWORD="mot-de-passe-fictif",
            BAOM_INSECURE_FAST_KDF_FOR_TESTS="1",
            QT_QPA_PLATFORM="offscreen",
        )
        subprocess.run(
            [str(folder / "baom"), "init", "--admin", "admin", "--commune", "09.581.11.09."],
            env=env,
            check=True,
            capture_output=True,
        )
        commands = {
            "frozen": [str(folder / "baomw"), "--smoke-test"],
            "source": [sys.executable, "-m", "desktop", "--smoke-test"],
            "qt": [sys.executable, "-c", QT_FLOOR],
        }
        cold = None
        if drop_caches():
            cold = timed(commands["frozen"], env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(timed(command, env))
    source = statistics.median(times["source"])
    size = folder_size(folder)
    print(f"frozen folder: {folder} ({size / 1e6:.1f} MB = {size / 2**20:.1f} MiB; budget 250 MB)")
    print(f"cold start after dropping the page cache: {f'{cold:.2f} s' if cold is not None else 'not allowed here'}")
    print(f"{'variant':8} {'median':>8} {'min':>7} {'max':>7}  ratio to source")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:8} {median:7.2f}s {min(values):6.2f}s {max(values):6.2f}s  {median / source:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
