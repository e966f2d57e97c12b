"""The ``baom`` command line: the contract IT and the secretariat automate (exit codes)."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from desktop.db.models import Case, IdentityDocument, Person
from desktop.services import office
from tests.cli.conftest import CLI_PASSWORD, Runner

COMMUNE = "09.001.01.01."
CODE = re.compile(r"\b[0-9A-Z]{5}(?:-[0-9A-Z]{5}){5}\b")


def _no_traceback(result: object) -> None:
    assert "Traceback" not in getattr(result, "stderr", "")


@pytest.fixture
def office_db(tmp_path: Path, baom: Runner) -> Path:
    db = tmp_path / "bureau.baomdb"
    result = baom("init", "--db", str(db), "--commune", COMMUNE, "--admin", "admin")
    assert result.returncode == 0, result.stderr
    return db


def test_version(baom: Runner) -> None:
    result = baom("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("BAOM ")


def test_init_prints_the_recovery_code_once_and_it_opens(tmp_path: Path, baom: Runner) -> None:
    db = tmp_path / "o.baomdb"
    result = baom("init", "--db", str(db), "--commune", COMMUNE, "--admin", "chef")
    assert result.returncode == 0, result.stderr
    codes = CODE.findall(result.stdout)
    assert len(codes) == 1
    office.unlock_with_recovery(db, codes[0]).close()
    again = baom("init", "--db", str(db), "--commune", COMMUNE, "--admin", "chef")
    assert again.returncode == 4
    assert "existe déjà" in again.stderr


@pytest.mark.parametrize(
    ("args", "env", "code", "text"),
    [
        (["--commune", "99.999."], {}, 4, "Code de commune inconnu"),
        (["--commune", COMMUNE], {"BAOM_PASSWORD": "court"}, 4, "au moins 10 caractères"),
        (["--commune", COMMUNE], {"BAOM_PASSWORD": ""}, 2, "BAOM_PASSWORD"),
    ],
)
def test_init_rejections_leave_nothing(
    tmp_path: Path, baom: Runner, args: list[str], env: dict[str, str], code: int, text: str
) -> None:
    db = tmp_path / "o.baomdb"
    result = baom("init", "--db", str(db), "--admin", "admin", *args, env=env)
    assert result.returncode == code
    assert text in result.stderr
    _no_traceback(result)
    assert list(tmp_path.glob("o.baomdb*")) == []


def test_users_add_list_disable(office_db: Path, baom: Runner) -> None:
    db = str(office_db)
    added = baom(
        "users", "add", "--db", db, "--user", "admin", "--login", "agent.fictif", "--name", "Agent Fictif",
        env={"BAOM_NEW_PASSWORD": "agent-password-1"},
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    listed = baom("users", "list", "--db", db, "--user", "admin", "--json")
    users = {u["login"]: u for u in json.loads(listed.stdout)}
    assert users["agent.fictif"]["role"] == "officer" and users["agent.fictif"]["active"]
    as_agent = baom("users", "list", "--db", db, "--user", "agent.fictif", env={"BAOM_PASSWORD": "agent-password-1"})
    assert as_agent.returncode == 0
    denied = baom(
        "users", "add", "--db", db, "--user", "agent.fictif", "--login", "x2",
        env={"BAOM_PASSWORD": "agent-password-1", "BAOM_NEW_PASSWORD": "agent-password-2"},
    )  # fmt: skip
    assert denied.returncode == 3
    assert "rôle" in denied.stderr
    assert baom("users", "disable", "--db", db, "--user", "admin", "--login", "agent.fictif").returncode == 0
    gone = baom("users", "list", "--db", db, "--user", "agent.fictif", env={"BAOM_PASSWORD": "agent-password-1"})
    assert gone.returncode == 3


def test_passwd_own_and_reset(office_db: Path, baom: Runner) -> None:
    db = str(office_db)
    changed = baom("users", "passwd", "--db", db, "--user", "admin", env={"BAOM_NEW_PASSWORD": "nouveau-mot-de-passe"})
    assert changed.returncode == 0, changed.stderr
    assert baom("check", "--db", db, "--user", "admin").returncode == 3
    assert baom("check", "--db", db, "--user", "admin", env={"BAOM_PASSWORD": "nouveau-mot-de-passe"}).returncode == 0


def test_wrong_password_exit_3_in_each_language(office_db: Path, baom: Runner) -> None:
    result = baom("check", "--db", str(office_db), "--user", "admin", env={"BAOM_PASSWORD": "mauvais-mot-de-passe"})
    assert result.returncode == 3
    assert result.stderr.strip() == "baom: Identifiant ou mot de passe incorrect."
    arabic = baom(
        "--lang",
        "ar",
        "check",
        "--db",
        str(office_db),
        "--user",
        "admin",
        env={"BAOM_PASSWORD": "mauvais-mot-de-passe"},
    )
    assert arabic.returncode == 3
    assert "اسم المستخدم أو كلمة المرور غير صحيحة" in arabic.stderr
    english = baom("--lang", "en", "check", "--db", str(office_db), "--user", "nobody")
    assert english.returncode == 3
    assert "Incorrect login or password" in english.stderr


def test_mistyped_path_creates_nothing(tmp_path: Path, baom: Runner) -> None:
    missing = tmp_path / "typo.baomdb"
    result = baom("check", "--db", str(missing), "--user", "admin")
    assert result.returncode == 5
    assert "Aucune base BAOM" in result.stderr
    assert not missing.exists()


def test_usage_errors_exit_2(baom: Runner, office_db: Path) -> None:
    assert baom("check").returncode == 2
    assert baom("frobnicate").returncode == 2
    no_user = baom("check", "--db", str(office_db))
    assert no_user.returncode == 2
    assert "--user" in no_user.stderr


def test_check_detects_a_flipped_byte_in_a_data_page(tmp_path: Path, baom: Runner) -> None:
    db = tmp_path / "demo.baomdb"
    assert baom("demo", "--db", str(db), "--cases", "300", "--seed", "5").returncode == 0
    assert baom("check", "--db", str(db), "--user", "admin").returncode == 0
    data = bytearray(db.read_bytes())
    page_size = 4096
    pages = len(data) // page_size
    assert pages > 10
    offset = page_size * (pages - 3) + 1000  # a data page far from the schema
    data[offset] ^= 0xFF
    db.write_bytes(bytes(data))
    result = baom("check", "--db", str(db), "--user", "admin")
    assert result.returncode in (1, 5)
    assert re.search(r"Page \d+ de la base altérée|endommagé", result.stderr)
    _no_traceback(result)


def test_backup_and_restore(tmp_path: Path, baom: Runner, office_db: Path) -> None:
    out = tmp_path / "sauvegarde.baom"
    assert baom("backup", "--db", str(office_db), "--user", "admin", "--out", str(out)).returncode == 0
    assert zipfile.is_zipfile(out)
    target = tmp_path / "restaure.baomdb"
    restored = baom("restore", "--from", str(out), "--db", str(target), "--user", "admin")
    assert restored.returncode == 0, restored.stderr
    assert baom("check", "--db", str(target), "--user", "admin").returncode == 0
    junk = tmp_path / "junk.baom"
    junk.write_bytes(b"pas une sauvegarde")
    bad = baom("restore", "--from", str(junk), "--db", str(tmp_path / "x.baomdb"), "--user", "admin")
    assert bad.returncode == 4
    assert "n'est pas une sauvegarde BAOM" in bad.stderr


def test_demo_creates_then_tops_up_fictitious_cases(tmp_path: Path, baom: Runner) -> None:
    db = tmp_path / "demo.baomdb"
    first = baom("demo", "--db", str(db), "--cases", "120", "--seed", "7")
    assert first.returncode == 0, first.stderr
    assert "120/120" in first.stdout
    second = baom("demo", "--db", str(db), "--cases", "200", "--seed", "7")
    assert second.returncode == 0, second.stderr
    handle = office.unlock(db, "admin", CLI_PASSWORD)
    with handle, handle.transaction() as session:
        assert session.query(Case).count() == 200
        numbers = [d.number for d in session.query(IdentityDocument)]
        assert numbers and all(n.startswith("ZZ") for n in numbers)
        assert session.query(Person).count() == 200
        first_seen = {c.opened_on for c in session.query(Case)}
        assert (max(first_seen) - min(first_seen)).days > 600  # spread over ~24 months
    for login in ("agent.demo", "responsable.demo"):
        office.unlock(db, login, CLI_PASSWORD).close()


def test_logs_hold_no_personal_data(tmp_path: Path, baom: Runner) -> None:
    db = tmp_path / "demo.baomdb"
    assert baom("demo", "--db", str(db), "--cases", "50", "--seed", "2").returncode == 0
    baom("check", "--db", str(db), "--user", "admin", env={"BAOM_PASSWORD": "mauvais-mot-de-passe"})
    handle = office.unlock(db, "admin", CLI_PASSWORD)
    with handle, handle.transaction() as session:
        names = {p.family_name for p in session.query(Person) if p.family_name}
        phones = {p.phone for p in session.query(Person) if p.phone}
    logs = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "logs").glob("*.log*"))
    assert logs  # something was logged
    for secret in names | phones | {CLI_PASSWORD, "mauvais-mot-de-passe"}:
        assert secret not in logs


def test_office_key_writes_the_public_key_for_the_secretariat(office_db: Path, tmp_path: Path, baom: Runner) -> None:
    out = tmp_path / "cles"
    out.mkdir()
    result = baom("office-key", "--db", str(office_db), "--user", "admin", "--out", str(out))
    assert result.returncode == 0, result.stderr
    written = out / f"BAOM-{COMMUNE.rstrip('.')}-public-key.txt"
    lines = written.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "BAOM office public key" and "algorithm: Ed25519" in lines
    fingerprint = next(line.split(": ", 1)[1] for line in lines if line.startswith("fingerprint: "))
    assert re.fullmatch(r"([0-9A-F]{4} ){7}[0-9A-F]{4}", fingerprint)
    assert fingerprint in result.stdout and str(written) in result.stdout
    missing = baom("office-key", "--db", str(office_db), "--user", "admin", "--out", str(tmp_path / "no" / "k.txt"))
    assert missing.returncode != 0 and "Traceback" not in missing.stderr and missing.stderr.count("\n") == 1
