"""The admin item models against a real encrypted office: structure, translation, laziness."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from desktop.domain.audit import RecordType
from desktop.i18n import tr_in
from desktop.services import audit, users
from desktop.services.audit import AuditFilter
from desktop.ui.models.audit_model import (
    ACTION,
    ACTOR,
    AT,
    DETAIL,
    ID,
    PAGE_SIZE,
    PLACEHOLDER,
    RECORD_TYPE,
    AuditModel,
    action_label,
    actor_label,
    detail_label,
)
from desktop.ui.models.users_model import LOGIN, NAME, PASSWORD_CHANGED, ROLE, STATE, UsersModel

PASSWORD = "une-phrase-de-passe"


def on_db(ctx: Any, fn: Any, *args: Any) -> Any:
    """Run a service on the database thread (as the widgets do) and wait for it."""
    return ctx.runner.run_sync(fn, ctx.handle, *args)


def wait_idle(qtbot: Any, ctx: Any) -> None:
    qtbot.waitUntil(lambda: ctx.runner.pending == 0, timeout=15000)


def load_users(ctx: Any, qtbot: Any, model: UsersModel) -> None:
    ctx.call(users.list_users, on_done=model.set_users)
    wait_idle(qtbot, ctx)


def test_users_model_structure_and_translated_cells(unlocked_ctx, qtbot, qtmodeltester):
    ctx = unlocked_ctx
    on_db(ctx, users.add_user, "karima.b", "Karima Bennani", "officer", PASSWORD)
    on_db(ctx, users.add_user, "youssef.a", "Youssef Alaoui", "supervisor", PASSWORD)
    on_db(ctx, users.set_active, "youssef.a", False)
    model = UsersModel()
    load_users(ctx, qtbot, model)
    qtmodeltester.check(model, force_py=True)

    assert model.rowCount() == 3
    assert model.headerData(LOGIN, Qt.Orientation.Horizontal) == "Identifiant"
    row = model.row_of("karima.b")
    assert model.index(row, NAME).data() == "Karima Bennani"
    assert model.index(row, ROLE).data() == tr_in("fr", "role.officer")
    assert model.index(row, STATE).data() == tr_in("fr", "users.active")
    assert model.index(row, PASSWORD_CHANGED).data()  # a formatted local date
    disabled = model.row_of("youssef.a")
    assert model.index(disabled, STATE).data() == tr_in("fr", "users.disabled")
    assert model.index(disabled, ROLE).data() == tr_in("fr", "role.supervisor")
    assert model.index(disabled, LOGIN).data(Qt.ItemDataRole.ForegroundRole) is not None


def test_users_model_follows_language_and_clears(unlocked_ctx, qtbot, qtmodeltester):
    ctx = unlocked_ctx
    model = UsersModel()
    load_users(ctx, qtbot, model)
    qtmodeltester.check(model, force_py=True)
    with qtbot.waitSignal(model.headerDataChanged):
        ctx.languages.apply("ar")
        model.retranslate()
    assert model.headerData(LOGIN, Qt.Orientation.Horizontal) == "اسم المستخدم"
    assert model.index(0, ROLE).data() == tr_in("ar", "role.admin")
    assert model.index(0, STATE).data() == tr_in("ar", "users.active")
    assert any("\u0600" <= ch <= "\u06ff" for ch in model.index(0, ROLE).data())
    model.clear()
    assert model.rowCount() == 0
    assert model.user_at(0) is None


def test_audit_model_structure_with_real_entries(unlocked_ctx, qtbot, qtmodeltester):
    ctx = unlocked_ctx
    on_db(ctx, users.add_user, "karima.b", "Karima Bennani", "officer", PASSWORD)
    model = AuditModel(ctx)
    qtmodeltester.check(model, force_py=True)
    model.set_filter(AuditFilter())
    wait_idle(qtbot, ctx)
    expected = len(on_db(ctx, audit.entry_ids, AuditFilter()))
    assert expected >= 4
    assert model.rowCount() == expected
    # Every row is fetched by now (the tester read them) and the structure held.
    qtbot.waitUntil(lambda: model.index(0, ACTOR).data() != PLACEHOLDER, timeout=5000)
    wait_idle(qtbot, ctx)
    newest = model.entry_at(0)
    assert newest is not None
    assert model.index(0, ID).data() == str(newest.id)
    ids = [int(model.index(r, ID).data()) for r in range(model.rowCount())]
    assert ids == sorted(ids, reverse=True)
    officer_created = "rôle : " + tr_in("fr", "role.officer")
    created = [r for r in range(model.rowCount()) if model.index(r, DETAIL).data() == officer_created]
    assert len(created) == 1
    assert model.index(created[0], ACTION).data() == "Création"
    assert model.index(created[0], RECORD_TYPE).data() == "Utilisateur"
    assert model.index(created[0], ACTOR).data() == "admin"
    assert model.index(created[0], AT).data() not in ("", PLACEHOLDER)
    assert model.headerData(AT, Qt.Orientation.Horizontal) == "Date et heure"


def test_audit_model_fetches_pages_on_demand(unlocked_ctx, qtbot):
    ctx = unlocked_ctx
    for number in range(PAGE_SIZE + 60):
        on_db(ctx, audit.record_view, RecordType.PERSON, number)
    model = AuditModel(ctx)
    with qtbot.waitSignal(model.sig_count_changed) as counted:
        model.set_filter(AuditFilter(action="viewed"))
    assert counted.args == [PAGE_SIZE + 60]
    assert model.rowCount() == PAGE_SIZE + 60
    assert model.cached_rows == 0  # ids only until a row is shown

    last = model.rowCount() - 1
    assert model.index(last, ACTOR).data() == PLACEHOLDER
    with qtbot.waitSignal(model.dataChanged):
        pass
    assert model.index(last, ACTOR).data() == "admin"
    assert model.index(last, ACTION).data() == "Consultation"
    assert model.index(last, RECORD_TYPE).data() == "Personne"
    assert model.cached_rows == 60  # only the second page was fetched
    assert model.index(0, ACTOR).data() == PLACEHOLDER
    wait_idle(qtbot, ctx)
    assert model.cached_rows == PAGE_SIZE + 60
    assert model.index(0, ACTOR).data() == "admin"


def test_audit_model_drops_answers_after_clear(unlocked_ctx, qtbot):
    ctx = unlocked_ctx
    model = AuditModel(ctx)
    model.set_filter(AuditFilter())
    model.clear()  # the office locked before the ids arrived
    wait_idle(qtbot, ctx)
    assert model.rowCount() == 0

    model.set_filter(AuditFilter())
    wait_idle(qtbot, ctx)
    assert model.rowCount() > 0
    model.index(0, ACTOR).data()  # asks for the first page...
    model.clear()  # ...which arrives after the lock
    wait_idle(qtbot, ctx)
    assert model.rowCount() == 0
    assert model.cached_rows == 0


def test_audit_labels_translate_and_keep_unknown_values(ctx):
    assert action_label("failed_login") == "Échec de connexion"
    assert action_label("from_a_newer_version") == "from_a_newer_version"
    assert actor_label("system") == "Système"
    assert actor_label("fatima.z") == "fatima.z"
    assert detail_label("password reset") == "mot de passe réinitialisé"
    assert detail_label("15") == "15"
    ctx.languages.apply("ar")
    assert action_label("failed_login") == "محاولة دخول فاشلة"
    assert actor_label("recovery") == "رمز الاسترجاع"
    assert detail_label("role=supervisor") == "الدور: " + tr_in("ar", "role.supervisor")
