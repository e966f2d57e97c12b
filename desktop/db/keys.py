"""Key slots: the office's random database key, wrapped once per user (like LUKS).

The database is encrypted with a random 256-bit key. Each user's slot holds that key
encrypted (AES-256-GCM) under a key derived from the user's password with Argon2id;
the recovery slot does the same with the recovery code printed at office creation.
Changing a password rewrites one slot; the database is never re-encrypted.

The slots file names no person: a slot is found by an HMAC of the login under a
random salt of the file. It also keeps the failed-login counters (so the delay
survives a restart) and the failures to write to the audit log at the next unlock.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from argon2.exceptions import HashingError
from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from desktop.db.files import atomic_write_text
from desktop.domain.errors import DatabaseDamaged, LockedOut, WrongCredentials

FORMAT = "baom-keyslots"
VERSION = 1
RECOVERY_SLOT = "recovery"
FREE_FAILURES = 5
MAX_DELAY_SECONDS = 3600
# Recovery code alphabet: Crockford base32 (no I, L, O, U).
RECOVERY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECOVERY_GROUPS = 6
RECOVERY_GROUP_LEN = 5


@dataclass(frozen=True)
class KdfParams:
    time_cost: int = 4
    memory_kib: int = 131072
    parallelism: int = 2

    def derive(self, secret: bytes, salt: bytes) -> bytes:
        return hash_secret_raw(
            secret,
            salt,
            time_cost=self.time_cost,
            memory_cost=self.memory_kib,
            parallelism=self.parallelism,
            hash_len=32,
            type=Type.ID,
        )


def default_kdf() -> KdfParams:
    """About 0.4 s on a 2-core PC. Tests may ask for a cheap KDF (never in production)."""
    if os.environ.get("BAOM_INSECURE_FAST_KDF_FOR_TESTS") == "1" and not getattr(sys, "frozen", False):
        return KdfParams(time_cost=1, memory_kib=8192, parallelism=1)
    return KdfParams()


def keys_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".keys")


def normalise_login(login: str) -> str:
    return unicodedata.normalize("NFC", login.strip()).casefold()


def new_database_key() -> bytes:
    return secrets.token_bytes(32)


def new_recovery_code() -> str:
    chars = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUPS * RECOVERY_GROUP_LEN))
    groups = [chars[i : i + RECOVERY_GROUP_LEN] for i in range(0, len(chars), RECOVERY_GROUP_LEN)]
    return "-".join(groups)


def normalise_recovery_code(code: str) -> str:
    """Accept what a person types: any case, spaces or dashes, O for 0, I/L for 1."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return cleaned.translate(str.maketrans("OIL", "011"))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _now() -> datetime:
    return datetime.now(UTC)


class KeyFile:
    """The ``<office>.keys`` file beside the database."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self._data = data

    # -- file ------------------------------------------------------------------
    @classmethod
    def new(cls, path: Path) -> KeyFile:
        data: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "salt": _b64(secrets.token_bytes(16)),
            "slots": {},
            "failures": {},
            "pending_audit": [],
        }
        return cls(path, data)

    @classmethod
    def load(cls, path: Path) -> KeyFile:
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise DatabaseDamaged("error.keys_missing") from exc
        except OSError as exc:
            raise DatabaseDamaged("error.keys_unreadable") from exc
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT or not isinstance(data.get("slots"), dict):
                raise ValueError("not a key file")
            _unb64(data["salt"])
            version = int(data.get("version", 0))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise DatabaseDamaged("error.keys_damaged") from exc
        if version > VERSION:
            raise DatabaseDamaged("error.keys_newer")
        data.setdefault("failures", {})
        data.setdefault("pending_audit", [])
        return cls(path, data)

    def save(self) -> None:
        with _keys_lock(self.path):
            atomic_write_text(self.path, self.to_json())

    def stage(self) -> StagedKeys:
        """Write the new content beside the file now; ``apply()`` after the database commit.

        The disk space is taken before the commit, so a full disk fails before
        anything is committed, and the final rename needs no space.
        """
        return StagedKeys(self.path, self.to_json())

    def to_json(self) -> str:
        return json.dumps(self._data, indent=1, sort_keys=True)

    # -- slots -----------------------------------------------------------------
    def slot_id(self, login: str) -> str:
        salt = _unb64(self._data["salt"])
        digest = hmac.new(salt, normalise_login(login).encode("utf-8"), hashlib.sha256)
        return digest.hexdigest()

    def has_slot(self, login: str) -> bool:
        return self.slot_id(login) in self._data["slots"]

    def slot_ids(self) -> set[str]:
        return set(self._data["slots"])

    def _wrap(self, slot: str, secret: bytes, db_key: bytes, kdf: KdfParams) -> None:
        salt = secrets.token_bytes(16)
        nonce = secrets.token_bytes(12)
        kek = kdf.derive(secret, salt)
        wrapped = AESGCM(kek).encrypt(nonce, db_key, self._aad(slot))
        self._data["slots"][slot] = {
            "kdf": "argon2id",
            "t": kdf.time_cost,
            "m": kdf.memory_kib,
            "p": kdf.parallelism,
            "salt": _b64(salt),
            "nonce": _b64(nonce),
            "wrapped": _b64(wrapped),
            "created": _now().isoformat(timespec="seconds"),
        }

    def _aad(self, slot: str) -> bytes:
        return f"{FORMAT}/{VERSION}/{slot}".encode()

    def _unwrap(self, slot: str, secret: bytes) -> bytes:
        entry = self._data["slots"].get(slot)
        if entry is None:
            # Spend the same time as a real attempt: no hint that the login is unknown.
            default_kdf().derive(secret, b"\0" * 16)
            raise WrongCredentials()
        try:
            kdf = KdfParams(int(entry["t"]), int(entry["m"]), int(entry["p"]))
            if not (1 <= kdf.time_cost <= 64 and 8 <= kdf.memory_kib <= 2**21 and 1 <= kdf.parallelism <= 16):
                raise ValueError("key derivation settings out of range")
            kek = kdf.derive(secret, _unb64(entry["salt"]))
            return AESGCM(kek).decrypt(_unb64(entry["nonce"]), _unb64(entry["wrapped"]), self._aad(slot))
        except InvalidTag as exc:
            raise WrongCredentials() from exc
        except (KeyError, ValueError, TypeError, HashingError) as exc:
            raise DatabaseDamaged("error.keys_damaged") from exc

    def set_user_slot(self, login: str, password: str, db_key: bytes, kdf: KdfParams | None = None) -> None:
        self._wrap(self.slot_id(login), password.encode("utf-8"), db_key, kdf or default_kdf())

    def remove_user_slot(self, login: str) -> None:
        self._data["slots"].pop(self.slot_id(login), None)

    def unwrap_user(self, login: str, password: str) -> bytes:
        return self._unwrap(self.slot_id(login), password.encode("utf-8"))

    def set_recovery_slot(self, code: str, db_key: bytes, kdf: KdfParams | None = None) -> None:
        secret = normalise_recovery_code(code).encode("ascii")
        self._wrap(RECOVERY_SLOT, secret, db_key, kdf or default_kdf())

    def unwrap_recovery(self, code: str) -> bytes:
        return self._unwrap(RECOVERY_SLOT, normalise_recovery_code(code).encode("ascii"))

    # -- failed logins -----------------------------------------------------------
    def _failure_id(self, login: str) -> str:
        return RECOVERY_SLOT if login == RECOVERY_SLOT else self.slot_id(login)

    def wait_seconds(self, login: str, now: datetime | None = None) -> int:
        """Seconds the person must still wait before the next attempt (0: may try)."""
        entry = self._data["failures"].get(self._failure_id(login))
        if not entry:
            return 0
        count = int(entry.get("count", 0))
        if count < FREE_FAILURES:
            return 0
        delay = min(30 * 2 ** (count - FREE_FAILURES), MAX_DELAY_SECONDS)
        last = datetime.fromisoformat(entry["last"])
        elapsed = ((now or _now()) - last).total_seconds()
        return max(0, int(delay - elapsed + 0.999))

    def check_not_locked_out(self, login: str) -> None:
        wait = self.wait_seconds(login)
        if wait > 0:
            raise LockedOut(wait)

    def record_failure(self, login: str, queue_audit: bool = True) -> None:
        """Count a failure on the file as it is now on disk (another process may have written it)."""
        with _keys_lock(self.path):
            try:
                fresh = KeyFile.load(self.path)
            except DatabaseDamaged:
                fresh = self
            fresh._count_failure(login, queue_audit)
            atomic_write_text(self.path, fresh.to_json())
        self._data["failures"] = fresh._data["failures"]
        self._data["pending_audit"] = fresh._data["pending_audit"]

    def _count_failure(self, login: str, queue_audit: bool) -> None:
        fid = self._failure_id(login)
        entry = self._data["failures"].setdefault(fid, {"count": 0})
        now = _now().isoformat(timespec="seconds")
        entry["count"] = int(entry.get("count", 0)) + 1
        entry["last"] = now
        if queue_audit:  # the audit log is inside the encrypted database: queue it
            self._data["pending_audit"].append({"at": now, "ref": fid})
            del self._data["pending_audit"][:-1000]

    def clear_failures(self, login: str) -> None:
        self._data["failures"].pop(self._failure_id(login), None)

    # -- audit anchor ----------------------------------------------------------------
    def anchor_audit(self, last_id: int, last_hash: str) -> None:
        """Remember the audit log's head outside the database (checked by ``baom check``)."""
        with _keys_lock(self.path):
            try:
                fresh = KeyFile.load(self.path)
            except DatabaseDamaged:
                return
            fresh._data["audit_anchor"] = {"id": last_id, "hash": last_hash}
            atomic_write_text(self.path, fresh.to_json())
        self._data["audit_anchor"] = {"id": last_id, "hash": last_hash}

    def audit_anchor(self) -> tuple[int, str] | None:
        anchor = self._data.get("audit_anchor")
        if not isinstance(anchor, dict):
            return None
        try:
            return int(anchor["id"]), str(anchor["hash"])
        except (TypeError, KeyError, ValueError):
            return None

    def take_pending_audit(self) -> list[dict[str, str]]:
        pending: list[dict[str, str]] = list(self._data["pending_audit"])
        self._data["pending_audit"] = []
        return pending


class StagedKeys:
    """A keys file written to a temporary name, waiting for the database commit."""

    def __init__(self, path: Path, content: str) -> None:
        self.path = path
        self.tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.staged")
        atomic_write_text(self.tmp, content)

    def apply(self) -> None:
        with _keys_lock(self.path):
            os.replace(self.tmp, self.path)

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.tmp.unlink()


@contextlib.contextmanager
def _keys_lock(path: Path) -> Iterator[None]:
    """Serialise writers of one keys file across processes (a failed login elsewhere)."""
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a+b") as handle:
        if os.name == "nt":
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]
            try:
                yield
            finally:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
