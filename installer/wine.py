"""A Wine prefix as a throwaway Windows PC: build the Windows program in it, install the MSI in it.

Quirks handled here: console programs get pipes, never files, for their output (Wine's
console otherwise refuses the handles); ``wineserver -w`` waits for a prefix's programs;
Wine 8 lacks bcryptprimitives.dll, which every recent Rust binary (cryptography) calls for
random bytes, so the prefix gets a small one built from wine/bcryptprimitives.c. It is a
test bed's part: the MSI never contains it, and Windows 10 and 11 have their own.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHIM_SOURCE = HERE / "wine" / "bcryptprimitives.c"
MINGW = "x86_64-w64-mingw32-gcc"


def windows_path(path: Path) -> str:
    """Wine's Z: drive is the Linux root."""
    return "Z:" + str(path.resolve()).replace("/", "\\")


@dataclass
class WinePrefix:
    path: Path

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "BAOM_", "PYTHON"))}
        env.update(
            WINEPREFIX=str(self.path),
            WINEARCH="win64",
            WINEDEBUG="-all",
            # No Mono or Gecko download prompts: the prefix never needs them.
            WINEDLLOVERRIDES="mscoree,mshtml=",
        )
        env.update(extra or {})
        return env

    @property
    def drive_c(self) -> Path:
        return self.path / "drive_c"

    def create(self) -> WinePrefix:
        if not (self.path / "system.reg").is_file():
            self.path.mkdir(parents=True, exist_ok=True)
            subprocess.run(["wine", "wineboot", "--init"], env=self.env(), capture_output=True, check=True, timeout=600)
            self.wait()
        shim = self.drive_c / "windows" / "system32" / "bcryptprimitives.dll"
        if not shim.is_file():
            build_shim(shim)
        return self

    def run(
        self, program: str, *args: str, env: dict[str, str] | None = None, timeout: float = 600, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run a Windows program; output through pipes; text decoded leniently."""
        result = subprocess.run(
            ["wine", program, *args],
            env=self.env(env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            cwd=cwd,
        )
        return subprocess.CompletedProcess(
            result.args,
            result.returncode,
            _clean(result.stdout.decode("utf-8", "replace")),
            _clean(result.stderr.decode("utf-8", "replace")),
        )

    def wait(self) -> None:
        subprocess.run(["wineserver", "-w"], env=self.env(), check=False, timeout=600)

    def kill(self) -> None:
        subprocess.run(["wineserver", "-k"], env=self.env(), check=False, timeout=60)

    def registry(self, key: str) -> dict[str, dict[str, str]]:
        """A key and its subkeys (64-bit view) as {key: {name: value}}, {} when absent.

        Read through ``reg export``, which writes UTF-16: ``reg query`` prints in the console's
        OEM code page and mangles accents. Keys are spelled HKEY_LOCAL_MACHINE\\... (any case), the
        default value is named "", DWORDs are decimal strings.
        """
        export = self.drive_c / "baom-registry-export.reg"
        export.unlink(missing_ok=True)
        result = self.run("reg", "export", key, "C:\\baom-registry-export.reg", "/y")
        if result.returncode != 0 or not export.is_file():
            return {}
        text = export.read_bytes().decode("utf-16").replace("\\\r\n  ", "").replace("\r\n", "\n")
        export.unlink()
        keys: dict[str, dict[str, str]] = {}
        values: dict[str, str] = {}
        for line in text.splitlines():
            if line.startswith("[") and line.endswith("]"):
                values = keys.setdefault(line[1:-1], {})
                continue
            found = _REG_LINE.match(line)
            if found:
                name = "" if found["name"] == "@" else _unescape(found["name"][1:-1])
                values[name] = _reg_data(found["data"])
        return keys

    def reg_value(self, key: str, name: str) -> str | None:
        """One value of a key ("" names the default value), or None when absent."""
        wanted = _long_key(key)
        found = [values for k, values in self.registry(key).items() if k.lower() == wanted]
        return found[0].get(name) if found else None

    def reg_keys(self, key: str) -> list[str]:
        """The key's direct subkeys, as full names."""
        parent = _long_key(key)
        below = [k for k in self.registry(key) if k.lower().startswith(parent + "\\")]
        return [k for k in below if "\\" not in k[len(parent) + 1 :]]

    def remove(self) -> None:
        self.kill()
        shutil.rmtree(self.path, ignore_errors=True)


_REG_LINE = re.compile(r'^(?P<name>@|"(?:[^"\\]|\\.)*")=(?P<data>.*)$')
_ROOTS = {"hklm": "hkey_local_machine", "hkcu": "hkey_current_user", "hkcr": "hkey_classes_root"}


def _long_key(key: str) -> str:
    root, _, rest = key.lower().partition("\\")
    return _ROOTS.get(root, root) + ("\\" + rest if rest else "")


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _reg_data(data: str) -> str:
    if data.startswith('"'):
        return _unescape(data[1:-1])
    if data.startswith("dword:"):
        return str(int(data[6:], 16))
    if data.startswith(("hex(2):", "hex(7):")):  # REG_EXPAND_SZ, REG_MULTI_SZ: UTF-16LE bytes
        raw = bytes(int(b, 16) for b in data[7:].split(",") if b)
        return raw.decode("utf-16-le").rstrip("\0")
    return data


def _clean(text: str) -> str:
    """Wine's console adds cursor escape sequences around the output."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text).replace("\r\n", "\n")


def build_shim(target: Path) -> None:
    if shutil.which(MINGW) is None:
        raise RuntimeError(f"{MINGW} is missing (Debian: gcc-mingw-w64-x86-64-win32)")
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [MINGW, "-shared", "-O2", "-s", "-o", str(target), str(SHIM_SOURCE), "-ladvapi32", "-Wl,--kill-at"],
        check=True,
        capture_output=True,
    )
