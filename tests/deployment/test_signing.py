"""Optional Authenticode signing (osslsigncode), with a throwaway self-signed certificate."""

from __future__ import annotations

import datetime
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from installer import msi
from tests.deployment.support import Releases

pytestmark = pytest.mark.slow

PASSWORD = "mot-de-passe-fictif-du-certificat"


def make_certificate(folder: Path) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "BAOM test signing (fictitious)")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
        .sign(key, hashes.SHA256())
    )
    pfx = folder / "signing.pfx"
    encryption = serialization.BestAvailableEncryption(PASSWORD.encode())
    pfx.write_bytes(pkcs12.serialize_key_and_certificates(b"baom", key, cert, None, encryption))
    ca = folder / "ca.pem"
    ca.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return pfx, ca


def verified(path: Path, ca: Path) -> bool:
    result = subprocess.run(["osslsigncode", "verify", "-CAfile", str(ca), "-in", str(path)], capture_output=True)
    return result.returncode == 0


def test_executables_and_msi_signed_when_a_certificate_is_given(
    tmp_path: Path, windows_folder: Path, releases: Releases, monkeypatch: pytest.MonkeyPatch
) -> None:
    pfx, ca = make_certificate(tmp_path)
    exe = tmp_path / "baomw.exe"
    package = tmp_path / "BAOM.msi"
    shutil.copy(windows_folder / "baomw.exe", exe)
    shutil.copy(releases.current, package)
    assert not verified(exe, ca)

    monkeypatch.delenv("BAOM_SIGN_TIMESTAMP_URL", raising=False)
    monkeypatch.setenv("BAOM_SIGN_PFX", str(pfx))
    monkeypatch.setenv("BAOM_SIGN_PASSWORD", PASSWORD)
    assert msi.sign(exe) and msi.sign(package)
    assert verified(exe, ca) and verified(package, ca)
    assert subprocess.run(["msiinfo", "export", str(package), "Property"], capture_output=True).returncode == 0


def test_no_certificate_no_signature_and_a_wrong_password_says_so(
    tmp_path: Path, windows_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pfx, _ = make_certificate(tmp_path)
    exe = tmp_path / "baom.exe"
    shutil.copy(windows_folder / "baom.exe", exe)
    before = exe.read_bytes()
    monkeypatch.delenv("BAOM_SIGN_PFX", raising=False)
    assert msi.sign(exe) is False
    monkeypatch.setenv("BAOM_SIGN_PFX", str(pfx))
    monkeypatch.setenv("BAOM_SIGN_PASSWORD", "pas-le-bon")
    with pytest.raises(RuntimeError, match=r"could not sign baom\.exe") as failure:
        msi.sign(exe)
    assert "pas-le-bon" not in str(failure.value)
    assert exe.read_bytes() == before
    assert not (tmp_path / "baom.exe.signed").exists()
