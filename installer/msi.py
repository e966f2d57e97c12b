"""The MSI: baom.wxs plus a generated fragment listing the frozen folder, packed by wixl.

wixl writes the tables but ignores ``Secure`` on properties, so the properties IT passes
(DATADIR, LANG, COMMUNE) are added to SecureCustomProperties afterwards with msibuild;
without that, a managed install (GPO, Intune, SCCM) drops them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from xml.sax.saxutils import quoteattr

HERE = Path(__file__).resolve().parent
WXS = HERE / "baom.wxs"
# Never changes: it is how Windows Installer knows a newer MSI upgrades this product.
UPGRADE_CODE = "FB36CF3D-4D3F-4918-AC12-FE40ED003CEF"
# Product codes and program component GUIDs derive from it, so a build is reproducible.
NAMESPACE = uuid.UUID("3c1d2f64-5a0b-4e8a-9f27-6b1e0c4d8a93")
SECURE_PROPERTIES = ("DATADIR", "LANG", "COMMUNE")


def product_code(version: str) -> str:
    """A new ProductCode for every version (a major upgrade), the same for a rebuild."""
    return str(uuid.uuid5(NAMESPACE, f"product:{version}")).upper()


def _ident(prefix: str, relative: str) -> str:
    digest = uuid.uuid5(NAMESPACE, f"{prefix}:{relative}").hex[:24]
    return f"{prefix}_{digest}"


def files_fragment(payload: Path) -> str:
    """One component per file (WiX's rule), directories mirrored under INSTALLDIR."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">',
        "<Fragment>",
    ]
    components: list[str] = []

    def walk(folder: Path, depth: int) -> None:
        pad = "  " * depth
        for entry in sorted(folder.iterdir(), key=lambda p: (p.is_dir(), p.name.lower())):
            relative = entry.relative_to(payload).as_posix()
            if entry.is_dir():
                lines.append(f"{pad}<Directory Id={quoteattr(_ident('d', relative))} Name={quoteattr(entry.name)}>")
                walk(entry, depth + 1)
                lines.append(f"{pad}</Directory>")
                continue
            component = _ident("c", relative)
            guid = str(uuid.uuid5(NAMESPACE, f"component:{relative}")).upper()
            source = quoteattr(relative)  # wixl resolves sources from its working folder only
            lines.append(f'{pad}<Component Id={quoteattr(component)} Guid={quoteattr(guid)} Win64="yes">')
            file_id = quoteattr(_ident("f", relative))
            lines.append(f'{pad}  <File Id={file_id} Name={quoteattr(entry.name)} Source={source} KeyPath="yes" />')
            lines.append(f"{pad}</Component>")
            components.append(component)

    lines.append('<DirectoryRef Id="INSTALLDIR">')
    walk(payload, 1)
    lines.append("</DirectoryRef>")
    lines.append('<ComponentGroup Id="Program">')
    lines.extend(f"  <ComponentRef Id={quoteattr(c)} />" for c in components)
    lines += ["</ComponentGroup>", "</Fragment>", "</Wix>", ""]
    return "\n".join(lines)


def _secure_properties(msi: Path) -> None:
    current = subprocess.run(["msiinfo", "export", str(msi), "Property"], capture_output=True, text=True, check=True)
    found = re.search(r"^SecureCustomProperties\t(.*)$", current.stdout, re.MULTILINE)
    names = [n for n in (found.group(1).split(";") if found else []) if n]
    names += [n for n in SECURE_PROPERTIES if n not in names]
    value = ";".join(names)
    if found:
        sql = f"UPDATE `Property` SET `Value` = '{value}' WHERE `Property` = 'SecureCustomProperties'"
    else:
        sql = f"INSERT INTO `Property` (`Property`, `Value`) VALUES ('SecureCustomProperties', '{value}')"
    subprocess.run(["msibuild", str(msi), "-q", sql], check=True, capture_output=True)


def sign(path: Path) -> bool:
    """Authenticode with osslsigncode when BAOM_SIGN_PFX (and BAOM_SIGN_PASSWORD) are set.

    The password goes through stdin (``-readpass -``), never on a command line that any
    process on the build machine could read.
    """
    pfx = os.environ.get("BAOM_SIGN_PFX")
    if not pfx:
        return False
    signed = path.with_name(path.name + ".signed")
    signed.unlink(missing_ok=True)
    command = ["osslsigncode", "sign", "-pkcs12", pfx, "-n", "BAOM", "-h", "sha256"]
    password = os.environ.get("BAOM_SIGN_PASSWORD")
    if password:
        command += ["-readpass", "-"]
    timestamp = os.environ.get("BAOM_SIGN_TIMESTAMP_URL")
    if timestamp:
        command += ["-t", timestamp]
    command += ["-in", str(path), "-out", str(signed)]
    result = subprocess.run(command, input=password or "", capture_output=True, text=True)
    if result.returncode != 0:
        signed.unlink(missing_ok=True)
        raise RuntimeError(f"osslsigncode could not sign {path.name}: {result.stderr.strip()[-500:]}")
    signed.replace(path)
    return True


def build_msi(payload: Path, version: str, out: Path) -> Path:
    """payload: the frozen Windows folder (baomw.exe, baom.exe, _internal). Returns the MSI."""
    for name in ("baomw.exe", "baom.exe"):
        if not (payload / name).is_file():
            raise FileNotFoundError(payload / name)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="baom-msi-") as tmp:
        work = Path(tmp)
        fragment = work / "files.wxs"
        fragment.write_text(files_fragment(payload), encoding="utf-8")
        partial = work / out.name
        subprocess.run(
            [
                "wixl",
                "--arch",
                "x64",
                "-D",
                f"Version={version}",
                "-D",
                f"ProductCode={product_code(version)}",
                "-D",
                f"UpgradeCode={UPGRADE_CODE}",
                "-o",
                str(partial),
                str(WXS),
                str(fragment),
            ],
            check=True,
            cwd=payload,
        )
        _secure_properties(partial)
        sign(partial)
        shutil.move(str(partial), out)
    return out
