"""Staff accounts and their key slots: add, list, disable, reset, change one's password."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.db.keys import KeyFile, keys_path
from desktop.db.models import Person, utcnow
from desktop.domain.errors import InputRejected, PermissionDenied, WrongCredentials
from desktop.services import audit, users
from desktop.services.audit import AuditFilter
from desktop.services.office import OfficeHandle, unlock, unlock_with_recovery
from tests.conftest import ADMIN_NAME, ADMIN_PASSWORD

AGENT_PASSWORD = "mot-de-passe-agent"
CHEF_PASSWORD = "mot-de-passe-chef"


def _slots(path: Path) -> dict[str, dict[str, str]]:
    return json.loads(keys_path(path).read_text(encoding="utf-8"))["slots"]


def _add_staff(handle: OfficeHandle) -> None:
    users.add_user(handle, "agent.fictif", "Agent Fictif Exemple", "officer", AGENT_PASSWORD)
    users.add_user(handle, "chef.fictif", "Chef Fictif Exemple", "supervisor", CHEF_PASSWORD)


def _add_person(handle: OfficeHandle, family_name: str) -> None:
    with handle.transaction() as session:
        session.add(
            Person(
                family_name=family_name,
                given_name="Exemple",
                sex="M",
                nationality="ZZ",
                category="migrant",
                phone="0600000001",
                created_at=utcnow(),
            )
        )


def _people(handle: OfficeHandle) -> list[str]:
    with handle.transaction() as session:
        return sorted(p.family_name for p in session.query(Person))


# -- add / list / permissions ---------------------------------------------------------------


def test_add_and_list_users(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    new_id = users.add_user(handle, "  Agent.Fictif ", "  Agent Fictif Exemple ", "officer", AGENT_PASSWORD)
    listed = {u.login: u for u in users.list_users(handle)}
    assert set(listed) == {"admin", "agent.fictif"}
    agent = listed["agent.fictif"]
    assert (agent.id, agent.display_name, agent.role, agent.active, agent.has_key_slot) == (
        new_id,
        "Agent Fictif Exemple",
        "officer",
        True,
        True,
    )
    assert listed["admin"].display_name == ADMIN_NAME and listed["admin"].role == "admin"
    assert agent.created_at.tzinfo is not None
    created = audit.entries(handle, audit.entry_ids(handle, AuditFilter(action="created", record_id=str(new_id))))
    assert [(r.actor, r.record_type, r.detail) for r in created] == [("admin", "user", "role=officer")]
    assert len(_slots(path)) == 3  # admin, recovery, agent
    handle.close()
    with unlock(path, "agent.fictif", AGENT_PASSWORD) as agent_handle:
        assert agent_handle.actor.role == "officer"
        assert agent_handle.actor.display_name == "Agent Fictif Exemple"


def test_only_an_admin_manages_accounts(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    _add_staff(handle)
    handle.close()
    for login, password in (("agent.fictif", AGENT_PASSWORD), ("chef.fictif", CHEF_PASSWORD)):
        with unlock(path, login, password) as other:
            with pytest.raises(PermissionDenied) as info:
                users.add_user(other, "nouveau.fictif", "Nouveau Fictif", "officer", "mot-de-passe-nouveau")
            assert info.value.key == "error.permission_denied"
            with pytest.raises(PermissionDenied):
                users.set_active(other, "admin", False)
            with pytest.raises(PermissionDenied):
                users.reset_password(other, "admin", "mot-de-passe-vole")
            assert {u.login for u in users.list_users(other)} == {"admin", "agent.fictif", "chef.fictif"}
    with unlock(path, "admin", ADMIN_PASSWORD) as admin:
        assert {u.login for u in users.list_users(admin)} == {"admin", "agent.fictif", "chef.fictif"}
    assert KeyFile.load(keys_path(path)).has_slot("admin")


@pytest.mark.parametrize(
    ("login", "name", "role", "password", "key"),
    [
        ("agent.fictif", "Agent Fictif", "officer", "123456789", "error.password_short"),
        ("agent.fictif", "Agent Fictif", "officer", "", "error.password_short"),
        ("agent.fictif", "Agent Fictif", "officer", " mot-de-passe-agent", "error.password_spaces"),
        ("agent fictif", "Agent Fictif", "officer", AGENT_PASSWORD, "error.login_invalid"),
        ("agent.fïctif", "Agent Fictif", "officer", AGENT_PASSWORD, "error.login_invalid"),
        ("agent.fictif", "Agent Fictif", "director", AGENT_PASSWORD, "error.role_invalid"),
        ("agent.fictif", "   ", "officer", AGENT_PASSWORD, "error.display_name_required"),
    ],
)
def test_bad_account_input_is_rejected(office, login: str, name: str, role: str, password: str, key: str) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    slots_before = _slots(path)
    with pytest.raises(InputRejected) as info:
        users.add_user(handle, login, name, role, password)
    assert info.value.key == key
    assert [u.login for u in users.list_users(handle)] == ["admin"]
    assert _slots(path) == slots_before


def test_password_of_exactly_ten_characters_is_accepted(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    users.add_user(handle, "agent.fictif", "Agent Fictif", "officer", "0123456789")
    handle.close()
    unlock(path, "agent.fictif", "0123456789").close()


def test_duplicate_login_is_rejected(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    users.add_user(handle, "agent.fictif", "Agent Fictif", "officer", AGENT_PASSWORD)
    slots_before = _slots(path)
    for login in ("agent.fictif", "AGENT.FICTIF", "admin"):
        with pytest.raises(InputRejected) as info:
            users.add_user(handle, login, "Doublon Fictif", "admin", "autre-mot-de-passe")
        assert info.value.key == "error.login_taken"
    assert _slots(path) == slots_before  # the first agent's password still works
    assert len(users.list_users(handle)) == 2
    handle.close()
    with pytest.raises(WrongCredentials):
        unlock(Path(path), "agent.fictif", "autre-mot-de-passe")
    unlock(path, "agent.fictif", AGENT_PASSWORD).close()


@pytest.mark.parametrize("login", ["recovery", "system"])
def test_reserved_logins_are_refused(office, login: str) -> None:  # type: ignore[no-untyped-def]
    """Regression: a user named like an audit actor would pass for the recovery holder or the system."""
    handle, _code, path = office
    slots_before = _slots(path)
    for typed in (login, login.upper(), f" {login} "):
        with pytest.raises(InputRejected) as info:
            users.add_user(handle, typed, "Compte Fictif", "officer", AGENT_PASSWORD)
        assert info.value.key == "error.login_reserved"
    assert [u.login for u in users.list_users(handle)] == ["admin"]
    assert _slots(path) == slots_before


def test_keys_file_names_no_login_nor_person(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    _add_staff(handle)
    handle.close()
    with pytest.raises(WrongCredentials):
        unlock(path, "agent.fictif", "mauvais-mot-de-passe")  # failures are kept in the file too
    raw = keys_path(path).read_text(encoding="utf-8")
    json.loads(raw)  # valid JSON
    for word in ("admin", "agent", "chef.fictif", ADMIN_NAME, "Agent Fictif", "Chef Fictif", "Fictif", "Exemple"):
        assert word not in raw, f"{word!r} readable in the keys file"
    for password in (ADMIN_PASSWORD, AGENT_PASSWORD, CHEF_PASSWORD):
        assert password not in raw


# -- passwords ----------------------------------------------------------------------------


def test_change_own_password_keeps_the_data(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    _add_person(handle, "Fictif Exemple")
    db_before = path.read_bytes()[:4096]
    users.change_own_password(handle, ADMIN_PASSWORD, "nouveau-mot-de-passe")
    assert path.read_bytes()[:4096] == db_before  # no re-encryption: only the slot changed
    handle.close()
    with pytest.raises(WrongCredentials):
        unlock(path, "admin", ADMIN_PASSWORD)
    with unlock(path, "admin", "nouveau-mot-de-passe") as again:
        assert _people(again) == ["Fictif Exemple"]
        changed = audit.entries(again, audit.entry_ids(again, AuditFilter(action="changed", record_type="user")))
        assert [r.detail for r in changed] == ["password changed"]
        info = {u.login: u for u in users.list_users(again)}["admin"]
        assert info.password_changed_at > info.created_at


def test_change_own_password_checks_old_and_new(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    slots_before = _slots(path)
    cases = [
        ("mauvais-ancien", "nouveau-mot-de-passe", "error.old_password_wrong"),
        (ADMIN_PASSWORD, "court", "error.password_short"),
        (ADMIN_PASSWORD, ADMIN_PASSWORD, "error.password_same"),
    ]
    for old, new, key in cases:
        with pytest.raises(InputRejected) as info:
            users.change_own_password(handle, old, new)
        assert info.value.key == key
    assert _slots(path) == slots_before
    handle.close()
    unlock(path, "admin", ADMIN_PASSWORD).close()


def test_recovery_holder_has_no_own_password(office) -> None:  # type: ignore[no-untyped-def]
    handle, code, path = office
    handle.close()
    with unlock_with_recovery(path, code) as recovery:
        with pytest.raises(InputRejected) as info:
            users.change_own_password(recovery, code, "nouveau-mot-de-passe")
        assert info.value.key == "error.recovery_no_own_password"


def test_admin_reset_creates_a_new_slot(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    _add_staff(handle)
    keyfile = KeyFile.load(keys_path(path))
    old_slot = _slots(path)[keyfile.slot_id("agent.fictif")]
    users.reset_password(handle, "Agent.Fictif", "mot-de-passe-neuf")
    new_slot = _slots(path)[keyfile.slot_id("agent.fictif")]
    assert new_slot["salt"] != old_slot["salt"] and new_slot["wrapped"] != old_slot["wrapped"]
    with pytest.raises(InputRejected) as info:
        users.reset_password(handle, "agent.fictif", "court")
    assert info.value.key == "error.password_short"
    with pytest.raises(InputRejected) as info:
        users.reset_password(handle, "personne.fictif", "mot-de-passe-neuf")
    assert info.value.key == "error.user_unknown"
    handle.close()
    with pytest.raises(WrongCredentials):
        unlock(path, "agent.fictif", AGENT_PASSWORD)
    with unlock(path, "agent.fictif", "mot-de-passe-neuf") as agent:
        assert agent.actor.login == "agent.fictif"
    unlock(path, "chef.fictif", CHEF_PASSWORD).close()  # other slots untouched


def test_recovery_code_resets_a_forgotten_admin_password(office) -> None:  # type: ignore[no-untyped-def]
    handle, code, path = office
    _add_person(handle, "Fictif Exemple")
    handle.close()
    with unlock_with_recovery(path, code) as recovery:
        users.reset_password(recovery, "admin", "mot-de-passe-retrouve")
    with unlock(path, "admin", "mot-de-passe-retrouve") as admin:
        assert _people(admin) == ["Fictif Exemple"]
        resets = audit.entries(admin, audit.entry_ids(admin, AuditFilter(actor="recovery", action="changed")))
        assert [r.detail for r in resets] == ["password reset"]


# -- disable / enable ---------------------------------------------------------------------


def test_disabled_user_cannot_unlock_and_loses_the_slot(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    _add_staff(handle)
    users.set_active(handle, "agent.fictif", False)
    listed = {u.login: u for u in users.list_users(handle)}
    assert not listed["agent.fictif"].active
    assert not listed["agent.fictif"].has_key_slot
    assert not KeyFile.load(keys_path(path)).has_slot("agent.fictif")
    assert len(_slots(path)) == 3  # admin, chef, recovery
    with pytest.raises(InputRejected) as info:
        users.set_active(handle, "agent.fictif", True)
    assert info.value.key == "error.enable_needs_reset"
    handle.close()
    with pytest.raises(WrongCredentials):
        unlock(path, "agent.fictif", AGENT_PASSWORD)
    with unlock(path, "admin", ADMIN_PASSWORD) as admin:
        users.reset_password(admin, "agent.fictif", "mot-de-passe-retour")  # re-enables with a new slot
        assert {u.login: u for u in users.list_users(admin)}["agent.fictif"].active
    unlock(path, "agent.fictif", "mot-de-passe-retour").close()


def test_last_admin_cannot_be_disabled(office) -> None:  # type: ignore[no-untyped-def]
    handle, code, path = office
    users.add_user(handle, "admin2.fictif", "Admin Deux Fictif", "admin", "mot-de-passe-admin2")
    with pytest.raises(InputRejected) as info:
        users.set_active(handle, "admin", False)
    assert info.value.key == "error.disable_self"
    users.set_active(handle, "admin2.fictif", False)  # two admins: one may go
    handle.close()
    with unlock_with_recovery(path, code) as recovery:
        with pytest.raises(InputRejected) as info:
            users.set_active(recovery, "admin", False)
        assert info.value.key == "error.last_admin"
        with pytest.raises(InputRejected) as info:
            users.set_active(recovery, "personne.fictif", False)
        assert info.value.key == "error.user_unknown"
    unlock(path, "admin", ADMIN_PASSWORD).close()
