"""Key slots file: wrapping the database key, recovery code, failed-login counters."""

from __future__ import annotations

import base64
import json
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from desktop.db import keys
from desktop.db.keys import (
    FREE_FAILURES,
    MAX_DELAY_SECONDS,
    RECOVERY_ALPHABET,
    RECOVERY_SLOT,
    KdfParams,
    KeyFile,
    default_kdf,
    keys_path,
    new_database_key,
    new_recovery_code,
    normalise_recovery_code,
)
from desktop.domain.errors import EXIT_DAMAGED, DatabaseDamaged, WrongCredentials

FAST = KdfParams(time_cost=1, memory_kib=8192, parallelism=1)
PASSWORD = "mot-de-passe-fictif"


def _new_file(tmp_path: Path) -> KeyFile:
    return KeyFile.new(keys_path(tmp_path / "office.baomdb"))


def _last_failure(keyfile: KeyFile, login: str) -> datetime:
    data = json.loads(keyfile.to_json())
    fid = RECOVERY_SLOT if login == RECOVERY_SLOT else keyfile.slot_id(login)
    return datetime.fromisoformat(data["failures"][fid]["last"])


# -- key derivation -----------------------------------------------------------------------


def test_production_kdf_costs_a_noticeable_but_bearable_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BAOM_INSECURE_FAST_KDF_FOR_TESTS", raising=False)
    params = default_kdf()
    assert params == KdfParams()
    assert params.memory_kib >= 65536  # memory-hard, not a toy setting
    params.derive(b"warm-up", b"\0" * 16)  # first call pays page faults / lib load
    start = time.perf_counter()
    key = params.derive(PASSWORD.encode(), b"s" * 16)
    elapsed = time.perf_counter() - start
    assert len(key) == 32
    assert 0.15 <= elapsed <= 2.0, f"production Argon2id took {elapsed:.3f} s"


def test_fast_kdf_only_when_the_test_switch_is_exactly_on(monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_kdf() == FAST  # the autouse fixture turned it on
    monkeypatch.setenv("BAOM_INSECURE_FAST_KDF_FOR_TESTS", "yes")
    assert default_kdf() == KdfParams()
    monkeypatch.delenv("BAOM_INSECURE_FAST_KDF_FOR_TESTS")
    assert default_kdf() == KdfParams()


def test_derivation_depends_on_secret_and_salt() -> None:
    a = FAST.derive(b"secret-fictif", b"a" * 16)
    assert a == FAST.derive(b"secret-fictif", b"a" * 16)
    assert a != FAST.derive(b"secret-fictiF", b"a" * 16)
    assert a != FAST.derive(b"secret-fictif", b"b" * 16)


# -- slots ---------------------------------------------------------------------------------


def test_user_slot_round_trip_and_wrong_password(tmp_path: Path) -> None:
    kf = _new_file(tmp_path)
    db_key = new_database_key()
    assert len(db_key) == 32
    kf.set_user_slot("agent.fictif", PASSWORD, db_key)
    assert kf.unwrap_user("agent.fictif", PASSWORD) == db_key
    with pytest.raises(WrongCredentials) as info:
        kf.unwrap_user("agent.fictif", PASSWORD + "x")
    assert info.value.key == "error.wrong_credentials"
    assert info.value.exit_code == 3
    with pytest.raises(WrongCredentials):
        kf.unwrap_user("inconnu.fictif", PASSWORD)


def test_login_is_normalised_for_the_slot(tmp_path: Path) -> None:
    kf = _new_file(tmp_path)
    db_key = new_database_key()
    kf.set_user_slot("agent.fictif", PASSWORD, db_key)
    assert kf.has_slot("  Agent.Fictif ")
    assert kf.unwrap_user("AGENT.FICTIF", PASSWORD) == db_key


def test_slot_survives_save_and_load(tmp_path: Path) -> None:
    kf = _new_file(tmp_path)
    db_key = new_database_key()
    kf.set_user_slot("agent.fictif", PASSWORD, db_key)
    kf.save()
    again = KeyFile.load(kf.path)
    assert again.unwrap_user("agent.fictif", PASSWORD) == db_key
    assert again.slot_ids() == kf.slot_ids()
    assert sorted(p.name for p in tmp_path.iterdir()) == [kf.path.name, kf.path.name + ".lock"]  # no temp file


def test_slot_keeps_its_own_kdf_parameters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A slot made with other Argon2 parameters still opens when the default changes."""
    kf = _new_file(tmp_path)
    db_key = new_database_key()
    odd = KdfParams(time_cost=2, memory_kib=4096, parallelism=1)
    kf.set_user_slot("agent.fictif", PASSWORD, db_key, kdf=odd)
    slot = json.loads(kf.to_json())["slots"][kf.slot_id("agent.fictif")]
    assert (slot["t"], slot["m"], slot["p"]) == (2, 4096, 1)
    assert kf.unwrap_user("agent.fictif", PASSWORD) == db_key


def test_slot_is_bound_to_its_id(tmp_path: Path) -> None:
    """Copying one user's slot under another user's id does not open anything (AAD)."""
    kf = _new_file(tmp_path)
    db_key = new_database_key()
    kf.set_user_slot("agent.fictif", PASSWORD, db_key)
    kf.set_user_slot("autre.fictif", "autre-mot-de-passe", db_key)
    kf.save()
    data = json.loads(kf.path.read_text(encoding="utf-8"))
    data["slots"][kf.slot_id("autre.fictif")] = data["slots"][kf.slot_id("agent.fictif")]
    kf.path.write_text(json.dumps(data), encoding="utf-8")
    tampered = KeyFile.load(kf.path)
    with pytest.raises(WrongCredentials):
        tampered.unwrap_user("autre.fictif", PASSWORD)


def test_each_wrap_uses_fresh_salt_and_nonce(tmp_path: Path) -> None:
    kf = _new_file(tmp_path)
    db_key = new_database_key()
    kf.set_user_slot("agent.fictif", PASSWORD, db_key)
    first = json.loads(kf.to_json())["slots"][kf.slot_id("agent.fictif")]
    kf.set_user_slot("agent.fictif", PASSWORD, db_key)
    second = json.loads(kf.to_json())["slots"][kf.slot_id("agent.fictif")]
    assert first["salt"] != second["salt"]
    assert first["nonce"] != second["nonce"]
    assert first["wrapped"] != second["wrapped"]


def test_remove_user_slot(tmp_path: Path) -> None:
    kf = _new_file(tmp_path)
    db_key = new_database_key()
    kf.set_user_slot("agent.fictif", PASSWORD, db_key)
    kf.remove_user_slot("agent.fictif")
    assert not kf.has_slot("agent.fictif")
    with pytest.raises(WrongCredentials):
        kf.unwrap_user("agent.fictif", PASSWORD)


def test_slots_file_is_valid_json_and_names_nobody(tmp_path: Path) -> None:
    kf = _new_file(tmp_path)
    db_key = new_database_key()
    kf.set_user_slot("admin", "mot-de-passe-admin", db_key)
    kf.set_user_slot("agent.fictif", PASSWORD, db_key)
    kf.set_recovery_slot(new_recovery_code(), db_key)
    kf.record_failure("agent.fictif")
    kf.save()
    text = kf.path.read_text(encoding="utf-8")
    for word in ("admin", "agent", "fictif", PASSWORD):
        assert word not in text
    data = json.loads(text)
    assert data["format"] == "baom-keyslots"
    assert data["version"] == 1
    assert len(base64.b64decode(data["salt"])) == 16
    assert set(data["slots"]) == {kf.slot_id("admin"), kf.slot_id("agent.fictif"), RECOVERY_SLOT}
    for slot in data["slots"].values():
        assert slot["kdf"] == "argon2id"
        assert len(base64.b64decode(slot["salt"])) == 16
        assert len(base64.b64decode(slot["nonce"])) == 12
        assert len(base64.b64decode(slot["wrapped"])) == 32 + 16  # key + GCM tag
        datetime.fromisoformat(slot["created"])
    # the database key itself is nowhere in the file
    assert db_key.hex() not in text
    assert base64.b64encode(db_key).decode() not in text


def test_slot_ids_depend_on_the_file_salt(tmp_path: Path) -> None:
    one = _new_file(tmp_path)
    two = _new_file(tmp_path)
    assert one.slot_id("admin") != two.slot_id("admin")
    assert len(one.slot_id("admin")) == 64


# -- recovery code -------------------------------------------------------------------------


def test_recovery_code_shape() -> None:
    code = new_recovery_code()
    groups = code.split("-")
    assert len(groups) == 6
    assert all(len(g) == 5 for g in groups)
    assert set(code.replace("-", "")) <= set(RECOVERY_ALPHABET)
    assert not set("ILOU") & set(code)
    assert new_recovery_code() != code


def test_recovery_code_accepts_what_a_person_types(tmp_path: Path) -> None:
    kf = _new_file(tmp_path)
    db_key = new_database_key()
    code = "0A1B2-C3D4E-F5G6H-J7K8M-N9P0Q-RSTVW"
    kf.set_recovery_slot(code, db_key)
    typed = [
        code,
        code.lower(),
        code.replace("-", " "),
        code.replace("-", ""),
        " " + code.lower().replace("-", " - ") + " ",
        code.replace("0", "O").replace("1", "l"),
        code.replace("1", "I"),
    ]
    for variant in typed:
        assert kf.unwrap_recovery(variant) == db_key, variant
    with pytest.raises(WrongCredentials):
        kf.unwrap_recovery(code.replace("W", "X"))


def test_normalise_recovery_code() -> None:
    assert normalise_recovery_code(" ab-c d o il ") == "ABCD011"


# -- damaged / missing files ---------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        "{not json at all",
        "\x00\x01garbage",
        "[]",
        "null",
        '{"format": "something-else", "slots": {}, "salt": "AAAA"}',
        '{"format": "baom-keyslots", "slots": [], "salt": "AAAA"}',
        '{"format": "baom-keyslots", "slots": {}, "salt": "***"}',
        '{"format": "baom-keyslots", "slots": {}}',
    ],
)
def test_damaged_slots_file_is_reported_as_damage(tmp_path: Path, content: str) -> None:
    path = tmp_path / "office.baomdb.keys"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DatabaseDamaged) as info:
        KeyFile.load(path)
    assert info.value.key == "error.keys_damaged"
    assert info.value.exit_code == EXIT_DAMAGED


@pytest.mark.parametrize("version", ['"x"', "null", "[1]"])
def test_damaged_version_field_is_reported_as_damage(tmp_path: Path, version: str) -> None:
    """Regression: the version was converted outside the try block and escaped as ValueError."""
    path = tmp_path / "office.baomdb.keys"
    path.write_text(
        '{"format": "baom-keyslots", "slots": {}, "salt": "AAAAAAAAAAAAAAAAAAAAAA==", "version": ' + version + "}",
        encoding="utf-8",
    )
    with pytest.raises(DatabaseDamaged) as info:
        KeyFile.load(path)
    assert info.value.key == "error.keys_damaged"


def test_missing_and_newer_slots_file(tmp_path: Path) -> None:
    with pytest.raises(DatabaseDamaged) as info:
        KeyFile.load(tmp_path / "absent.keys")
    assert info.value.key == "error.keys_missing"
    kf = _new_file(tmp_path)
    kf.save()
    data = json.loads(kf.path.read_text(encoding="utf-8"))
    data["version"] = 99
    kf.path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(DatabaseDamaged) as info:
        KeyFile.load(kf.path)
    assert info.value.key == "error.keys_newer"


def test_damaged_slot_entry_is_damage_not_wrong_password(tmp_path: Path) -> None:
    kf = _new_file(tmp_path)
    kf.set_user_slot("agent.fictif", PASSWORD, new_database_key())
    kf.save()
    data = json.loads(kf.path.read_text(encoding="utf-8"))
    del data["slots"][kf.slot_id("agent.fictif")]["nonce"]
    kf.path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(DatabaseDamaged) as info:
        KeyFile.load(kf.path).unwrap_user("agent.fictif", PASSWORD)
    assert info.value.key == "error.keys_damaged"


# -- failed logins -------------------------------------------------------------------------


def test_no_wait_for_the_first_free_failures(tmp_path: Path) -> None:
    kf = _new_file(tmp_path)
    assert kf.wait_seconds("agent.fictif") == 0
    for _ in range(FREE_FAILURES - 1):
        kf.record_failure("agent.fictif")
    assert kf.wait_seconds("agent.fictif") == 0
    kf.check_not_locked_out("agent.fictif")  # does not raise


def test_delay_grows_with_failures_and_survives_a_restart(tmp_path: Path) -> None:
    kf = _new_file(tmp_path)
    for _ in range(FREE_FAILURES):
        kf.record_failure("agent.fictif")
    last = _last_failure(kf, "agent.fictif")
    assert kf.wait_seconds("agent.fictif", now=last) == 30
    assert kf.wait_seconds("agent.fictif", now=last + timedelta(seconds=10)) == 20
    assert kf.wait_seconds("agent.fictif", now=last + timedelta(seconds=30)) == 0
    # a restart: the file on disk keeps the count
    reloaded = KeyFile.load(kf.path)
    assert reloaded.wait_seconds("agent.fictif", now=last) == 30
    assert reloaded.wait_seconds("autre.fictif", now=last) == 0  # per login
    expected = [60, 120, 240]
    for seconds in expected:
        reloaded.record_failure("agent.fictif")
        last = _last_failure(reloaded, "agent.fictif")
        assert reloaded.wait_seconds("agent.fictif", now=last) == seconds
    for _ in range(20):
        reloaded.record_failure("agent.fictif")
    last = _last_failure(reloaded, "agent.fictif")
    assert reloaded.wait_seconds("agent.fictif", now=last) == MAX_DELAY_SECONDS


def test_failures_clear_and_are_queued_for_the_audit_log(tmp_path: Path) -> None:
    kf = _new_file(tmp_path)
    kf.record_failure("agent.fictif")
    kf.record_failure(RECOVERY_SLOT)
    pending = KeyFile.load(kf.path).take_pending_audit()
    assert [item["ref"] for item in pending] == [kf.slot_id("agent.fictif"), RECOVERY_SLOT]
    assert all(datetime.fromisoformat(item["at"]) for item in pending)
    assert kf.take_pending_audit() == pending
    assert kf.take_pending_audit() == []
    for _ in range(FREE_FAILURES):
        kf.record_failure("agent.fictif")
    assert kf.wait_seconds("agent.fictif") > 0
    kf.clear_failures("agent.fictif")
    assert kf.wait_seconds("agent.fictif") == 0


def test_pending_audit_queue_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kf = _new_file(tmp_path)
    monkeypatch.setattr(keys, "atomic_write_text", lambda path, text: None)  # no 1000 fsyncs
    for _ in range(1005):
        kf.record_failure("agent.fictif")
    assert len(kf.take_pending_audit()) == 1000
