"""The ``baom`` command line: what IT and the regional secretariat automate.

Thin over the services. Credentials: ``--user LOGIN`` with the password in
``BAOM_PASSWORD`` (or asked), or ``--recovery`` with the code in
``BAOM_RECOVERY_CODE`` (or asked). Errors are one translated line on stderr;
details go to the log file. Exit codes: see :mod:`desktop.domain.errors`.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from desktop import __version__, config, i18n
from desktop.domain.errors import (
    EXIT_CHECK_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    BaomError,
    InputRejected,
)
from desktop.i18n import tr

if TYPE_CHECKING:
    from desktop.domain.indicators import Audience
    from desktop.domain.periods import Period

log = logging.getLogger("desktop.cli")


class UsageError(Exception):
    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"baom: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _secret(env: str, prompt_key: str, confirm: bool = False) -> str:
    value = os.environ.get(env)
    if value:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise UsageError("cli.secret_needed", env=env)
    value = getpass.getpass(tr(prompt_key) + " ")
    if confirm and getpass.getpass(tr("cli.prompt_confirm") + " ") != value:
        raise UsageError("cli.secret_mismatch")
    return value


def _db(args: argparse.Namespace) -> Path:
    """--db, else this PC's office in its data folder (set by IT: DATADIR)."""
    return Path(args.db).expanduser() if args.db else config.default_office_path()


def _new_db(args: argparse.Namespace, default: Path) -> Path:
    """Where a new office goes: --db (its folder must exist: a typo creates nothing), else
    ``default`` in this PC's data folder, which is created when missing."""
    if args.db:
        return Path(args.db).expanduser()
    default.parent.mkdir(parents=True, exist_ok=True)
    return default


def _db_option(default: Path) -> Callable[[argparse.ArgumentParser], None]:
    """Adds an optional --db whose help names ``default`` (the machine settings are read once)."""
    text = tr("cli.help_db", path=str(default))

    def add(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--db", metavar="PATH", help=text)

    return add


def _open(args: argparse.Namespace, *, audit_login: bool = True):  # type: ignore[no-untyped-def]
    from desktop.services import office

    if getattr(args, "recovery", False):
        return office.unlock_with_recovery(_db(args), _secret("BAOM_RECOVERY_CODE", "cli.prompt_recovery"))
    if not getattr(args, "user", None):
        raise UsageError("cli.user_needed")
    return office.unlock(_db(args), args.user, _secret("BAOM_PASSWORD", "cli.prompt_password"), audit_login=audit_login)


def cmd_init(args: argparse.Namespace) -> int:
    from desktop.domain.geography import geography
    from desktop.domain.office_kinds import OFFICE_KIND
    from desktop.services import office

    code = args.commune or config.machine_commune()
    if not code:
        raise UsageError("cli.commune_needed")
    try:
        commune = geography().commune(code)
    except KeyError:
        raise InputRejected("error.commune_unknown", code=code) from None
    name = args.name or tr("cli.default_office_name", commune=commune.name_fr)
    password = _secret("BAOM_PASSWORD", "cli.prompt_new_password", confirm=True)
    path = _new_db(args, config.default_office_path())
    handle, recovery = office.create_office(
        path,
        commune_code=commune.code,
        office_name=name,
        admin_login=args.admin,
        admin_name=args.admin_name or args.admin,
        admin_password=password,
        kind=OFFICE_KIND,
    )
    handle.close()
    print(tr("cli.created", path=str(path)))
    print(tr("cli.recovery_code_intro"))
    print(f"    {recovery}")
    print(tr("cli.recovery_code_warning"))
    return EXIT_OK


def cmd_users(args: argparse.Namespace) -> int:
    from desktop.services import users

    handle = _open(args)
    with handle:
        if args.action == "list":
            rows = users.list_users(handle)
            if args.json:
                print(json.dumps([_user_json(u) for u in rows], ensure_ascii=False, indent=1))
            else:
                for u in rows:
                    state = tr("users.active") if u.active else tr("users.disabled")
                    print(f"{u.login}\t{tr('role.' + u.role)}\t{state}\t{u.display_name}")
        elif args.action == "add":
            _need(args, "login")
            password = _secret("BAOM_NEW_PASSWORD", "cli.prompt_new_password", confirm=True)
            users.add_user(handle, args.login, args.name or args.login, args.role, password)
            print(tr("cli.user_added", login=args.login.lower()))
        elif args.action in ("disable", "enable"):
            _need(args, "login")
            users.set_active(handle, args.login, args.action == "enable")
            done_key = "cli.user_enabled" if args.action == "enable" else "cli.user_disabled"
            print(tr(done_key, login=args.login.lower()))
        elif args.action == "recovery-code":
            code = users.renew_recovery_code(handle)
            print(tr("cli.recovery_renewed"))
            print(f"    {code}")
        elif args.action == "passwd":
            new = _secret("BAOM_NEW_PASSWORD", "cli.prompt_new_password", confirm=True)
            if args.login and (handle.actor.is_recovery or args.login.lower() != handle.actor.login):
                users.reset_password(handle, args.login, new)
            else:
                old = _secret("BAOM_PASSWORD", "cli.prompt_password")
                users.change_own_password(handle, old, new)
            print(tr("cli.password_changed"))
    return EXIT_OK


def _user_json(u: object) -> dict[str, object]:
    from desktop.services.users import UserInfo

    assert isinstance(u, UserInfo)
    return {
        "login": u.login,
        "display_name": u.display_name,
        "role": u.role,
        "active": u.active,
        "created_at": u.created_at.isoformat(),
        "password_changed_at": u.password_changed_at.isoformat(),
        "has_key_slot": u.has_key_slot,
    }


def _need(args: argparse.Namespace, name: str) -> None:
    if not getattr(args, name, None):
        raise UsageError("cli.option_needed", option="--" + name)


def cmd_check(args: argparse.Namespace) -> int:
    from desktop.services import maintenance

    handle = _open(args, audit_login=False)
    with handle:
        report = maintenance.check_office(handle)
    if report.ok:
        print(tr("check.ok", entries=report.audit_entries))
        return EXIT_OK
    for problem in report.problems:
        print(tr(problem.key, **problem.params), file=sys.stderr)
    return EXIT_CHECK_FAILED


def cmd_backup(args: argparse.Namespace) -> int:
    from desktop.services import maintenance

    out = Path(args.out).expanduser()
    handle = _open(args)
    with handle:
        maintenance.backup_office(handle, out)
    print(tr("cli.backup_written", path=str(out)))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from desktop.services import maintenance

    if args.recovery:
        login, secret = "recovery", _secret("BAOM_RECOVERY_CODE", "cli.prompt_recovery")
    elif args.user:
        login, secret = args.user, _secret("BAOM_PASSWORD", "cli.prompt_password")
    else:
        raise UsageError("cli.user_needed")
    target = _new_db(args, config.default_office_path())  # a new PC: its data folder may be empty
    maintenance.restore_office(Path(args.source).expanduser(), target, login, secret)
    print(tr("cli.restored", path=str(target)))
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from desktop.services import demo, office

    path = _new_db(args, config.demo_office_path())  # never the real office
    password = _secret("BAOM_PASSWORD", "cli.prompt_new_password")

    def progress(done: int) -> None:
        print(tr("cli.demo_progress", done=done, total=args.cases), flush=True)

    if path.exists():
        handle = office.unlock(path, "admin", password)
        with handle:
            demo.fill_demo(handle, args.cases, args.seed, progress)
        print(tr("cli.demo_filled", path=str(path)))
        return EXIT_OK
    recovery = demo.create_demo_office(path, password, args.cases, args.seed, progress)
    print(tr("cli.created", path=str(path)))
    print(tr("cli.recovery_code_intro"))
    print(f"    {recovery}")
    return EXIT_OK


def cmd_audit(args: argparse.Namespace) -> int:
    from desktop.services import audit

    flt = audit.AuditFilter(
        actor=args.actor or "",
        since=_date(args.since),
        until=_date(args.until),
        record_type=args.record_type or "",
        record_id=args.record_id or "",
    )
    handle = _open(args)
    with handle:
        ids = audit.entry_ids(handle, flt)[: args.limit]
        rows = audit.entries(handle, ids)
    for row in rows:
        at = row.at.isoformat(timespec="seconds")
        print(f"{row.id}\t{at}\t{row.actor}\t{row.action}\t{row.record_type}\t{row.record_id}\t{row.detail}")
    return EXIT_OK


def cmd_import_register(args: argparse.Namespace) -> int:
    from desktop.services import register_import as ri

    source = Path(args.file).expanduser()
    handle = _open(args)
    with handle:

        def progress(done: int, total: int) -> None:
            if done % 500 == 0 or done == total:
                print(tr("cli.import_progress", done=done, total=total), file=sys.stderr, flush=True)

        preview = ri.preview_import(handle, source, progress=progress)
        if preview.ignored_columns:
            print(tr("cli.import_ignored", columns=", ".join(preview.ignored_columns)))
        if preview.imported_before is not None:
            print(tr("cli.import_before", date=preview.imported_before.date().isoformat()))
        for problem in preview.problems:
            print(_problem_line(problem), file=sys.stderr)
        if not preview.ok:
            raise InputRejected("import.has_problems", count=len(preview.problems))
        to_decide = preview.to_decide
        for line in to_decide:
            print(_duplicate_line(line))
        if args.dry_run:
            print(tr("cli.import_dry_run", lines=len(preview.lines), duplicates=len(to_decide)))
            return EXIT_OK
        if to_decide and args.duplicates == "ask":
            print(tr("cli.import_decide"), file=sys.stderr)
            raise InputRejected("import.duplicates_undecided", count=len(to_decide))
        decisions = ri.default_decisions(preview, args.duplicates) if to_decide else {}
        result = ri.import_register(handle, preview, decisions, progress=progress)
    print(
        tr(
            "cli.import_done",
            cases=len(result.case_ids),
            new=result.new_persons,
            linked=result.linked,
            skipped=result.skipped,
        )
    )
    return EXIT_OK


def _problem_line(problem: object) -> str:
    from desktop.services.register_import import ImportProblem

    assert isinstance(problem, ImportProblem)
    message = tr(problem.key, **problem.params)
    if problem.column:
        return tr("cli.import_problem", line=problem.line, column=problem.column, message=message)
    return tr("cli.import_problem_line", line=problem.line, message=message)


def _duplicate_line(line: object) -> str:
    from desktop.services.register_import import ImportLine

    assert isinstance(line, ImportLine)
    if line.duplicates:
        best = line.duplicates[0]
        known = f"{best.case_number} {best.display_name or best.display_name_ar} ({best.birth_year or '?'})"
        return tr("cli.import_duplicate", line=line.line, name=line.display_name, known=known)
    return tr("cli.import_same_line", line=line.line, name=line.display_name, other=line.same_as_line or 0)


def cmd_register_template(args: argparse.Namespace) -> int:
    from desktop.services import register_template

    out = Path(args.out).expanduser()
    register_template.write_template(out, i18n.language())
    print(tr("cli.template_written", path=str(out)))
    return EXIT_OK


def cmd_directory_export(args: argparse.Namespace) -> int:
    from desktop.services import directory_exchange

    out = Path(args.file).expanduser()
    handle = _open(args)
    with handle:
        count = directory_exchange.export_directory(handle, out)
    print(tr("cli.directory_exported", count=count, path=str(out)))
    return EXIT_OK


def cmd_directory_import(args: argparse.Namespace) -> int:
    from desktop.services import directory_exchange as dx

    source = Path(args.file).expanduser()
    handle = _open(args)
    with handle:
        preview = dx.preview_directory_import(handle, source)
        for problem in preview.problems:
            print(_directory_problem_line(problem), file=sys.stderr)
        if not preview.ok:
            raise InputRejected("directory.import.has_problems", count=len(preview.problems))
        print(
            tr(
                "cli.directory_summary",
                added=len(preview.added),
                changed=len(preview.changed) - len(preview.kept),
                kept=len(preview.kept),
                unchanged=len(preview.unchanged),
                local_only=len(preview.local_only),
            )
        )
        for entry in preview.added:
            print(tr("cli.directory_added", line=entry.line, name=entry.name))
        for entry in preview.changed:
            print(tr("cli.directory_kept" if entry.kept else "cli.directory_changed", line=entry.line, name=entry.name))
            for change in entry.changes:
                print(tr("cli.directory_field", column=change.column, old=_shown(change.old), new=_shown(change.new)))
        for local in preview.local_only:
            print(tr("cli.directory_local_only", name=local.name))
        if args.dry_run:
            print(tr("cli.directory_dry_run"))
            return EXIT_OK
        result = dx.apply_directory_import(handle, preview)
    print(tr("cli.directory_done", added=result.added, changed=result.changed))
    return EXIT_OK


def _shown(value: str, limit: int = 60) -> str:
    if not value:
        return tr("cli.directory_empty_value")
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _directory_problem_line(problem: object) -> str:
    from desktop.services.directory_file import DirectoryProblem

    assert isinstance(problem, DirectoryProblem)
    message = tr(problem.key, **problem.params)
    if problem.sheet:
        where = {"sheet": problem.sheet, "line": problem.line, "column": problem.column}
        return tr("cli.directory_problem_sheet", message=message, **where)
    if problem.column:
        return tr("cli.import_problem", line=problem.line, column=problem.column, message=message)
    return tr("cli.import_problem_line", line=problem.line, message=message)


def cmd_referrals_overdue(args: argparse.Namespace) -> int:
    from desktop.domain.referrals import display_code
    from desktop.services import referrals

    handle = _open(args)
    with handle:
        rows = referrals.overdue(handle)
    if args.json:
        print(json.dumps([_overdue_json(r) for r in rows], ensure_ascii=False, indent=1))
        return EXIT_OK
    if not rows:
        print(tr("cli.overdue_none"))
    for r in rows:
        provider = r.provider_name or r.provider_name_ar
        fields = {"provider": provider, "phone": r.provider_phone, "case": r.case_number}
        print(tr("cli.overdue_line", code=display_code(r.code), days=r.days_late, **fields))
    return EXIT_OK


def _overdue_json(row: object) -> dict[str, object]:
    from desktop.domain.referrals import display_code
    from desktop.services.referral_types import ReferralRow

    assert isinstance(row, ReferralRow)
    return {
        "code": display_code(row.code),
        "days_late": row.days_late,
        "provider_name": row.provider_name or row.provider_name_ar,
        "provider_phone": row.provider_phone,
        "case_number": row.case_number,
        "sent_on": row.sent_on.isoformat() if row.sent_on else None,
        "due_on": row.due_on.isoformat() if row.due_on else None,
    }


def _stats_request(args: argparse.Namespace) -> tuple[Period, Audience]:
    """The month and the audience asked for (checked before the office is opened)."""
    from desktop.domain.indicators import Audience
    from desktop.domain.periods import Period

    period = Period.parse_month(args.month)
    return period, Audience.OUTSIDE if args.outside else Audience.INTERNAL


def cmd_stats(args: argparse.Namespace) -> int:
    from desktop.domain.indicators import BY_CODE
    from desktop.reports import stats_tables
    from desktop.services import statistics

    period, audience = _stats_request(args)
    lang = i18n.language()
    handle = _open(args)
    with handle:
        stats = statistics.compute(handle, period, audience, trend_months=0)
        statistics.record_export(handle, period, "cli-json" if args.json else "cli-text", audience)
    if args.json:
        print(json.dumps(_stats_json(stats, lang), ensure_ascii=False, indent=1))
        return EXIT_OK
    print(f"{stats_tables.period_label(stats, lang)} — {tr(f'stats.audience.{audience.value}')}")
    titles = (tr("stats_xlsx.column.indicator"), *stats_tables.column_titles(stats, lang))
    lines = [titles]
    for row in stats_tables.all_totals(stats, lang):
        unit = BY_CODE[row.key].unit
        lines.append((row.label, *(cell.text(unit, lang) for cell in row.cells)))
    widths = [max(len(line[i]) for line in lines) for i in range(len(titles))]
    for line in lines:
        values = (text.rjust(width) for text, width in zip(line[1:], widths[1:], strict=True))
        cells = [line[0].ljust(widths[0]), *values]
        print("  ".join(cells).rstrip())
    return EXIT_OK


def _stats_json(stats: object, lang: str) -> dict[str, object]:
    """Every indicator's value, comparisons and breakdowns; hidden cells as "<5" (as the tables show them)."""
    from desktop.domain import suppression
    from desktop.domain.indicators import BY_CODE, Audience, Unit
    from desktop.reports import stats_tables
    from desktop.services.statistics import Statistics

    assert isinstance(stats, Statistics)

    def number(cell: stats_tables.Cell | None, unit: Unit) -> object:
        if cell is None:
            return None
        if cell.hidden:
            return suppression.SMALL_LABEL
        if cell.value is None or unit in (Unit.RATE, Unit.DAYS):
            return cell.value
        return int(cell.value)

    breakdowns: dict[str, dict[str, dict[str, object]]] = {}
    for table in stats_tables.all_tables(stats, lang):
        unit = table.indicator.unit
        values = {row.key: number(row.cells[0], unit) for row in table.rows}
        breakdowns.setdefault(table.indicator.code, {})[table.dimension] = values
    order = [snap is not None for snap in (stats.current, stats.previous, stats.last_year)]
    indicators: dict[str, object] = {}
    for row in stats_tables.all_totals(stats, lang):
        unit = BY_CODE[row.key].unit
        cells = iter(row.cells)
        current, previous, last_year = (next(cells) if present else None for present in order)
        base = stats.current.figures[row.key].base
        if base is not None and stats.audience is Audience.OUTSIDE and suppression.is_small(base):
            shown_base: object = suppression.SMALL_LABEL
        else:
            shown_base = base
        indicators[row.key] = {
            "unit": unit.value,
            "value": number(current, unit),
            "base": shown_base,
            "previous": number(previous, unit),
            "last_year": number(last_year, unit),
            "breakdowns": breakdowns.get(row.key, {}),
        }
    return {"period": stats.period.key(), "audience": stats.audience.value, "indicators": indicators}


def cmd_report(args: argparse.Namespace) -> int:
    from desktop.services import statistics

    period, audience = _stats_request(args)
    if not args.pdf and not args.xlsx:
        raise UsageError("cli.report_needs_output")
    lang = i18n.language()
    writers: list[tuple[str, Path, Callable[..., object]]] = []
    if args.xlsx:
        from desktop.reports.stats_xlsx import render_statistics_xlsx

        writers.append(("xlsx", Path(args.xlsx).expanduser(), render_statistics_xlsx))
    if args.pdf:
        from desktop.reports.stats_pdf import render_statistics_pdf

        writers.append(("pdf", Path(args.pdf).expanduser(), render_statistics_pdf))
    for _, out, _ in writers:
        if not out.parent.is_dir():
            raise InputRejected("cli.report_folder_missing", path=str(out))
    handle = _open(args)
    with handle:
        stats = statistics.compute(handle, period, audience)
        for kind, out, render in writers:
            render(stats, lang, out=out)
            statistics.record_export(handle, period, kind, audience)
            print(tr("cli.report_written", path=str(out)))
    return EXIT_OK


def cmd_office_key(args: argparse.Namespace) -> int:
    """The office's public key for the regional secretariat (its private half never leaves)."""
    from desktop.services import extract_keys

    out = Path(args.out).expanduser()
    if not out.is_dir() and not out.parent.is_dir():
        raise InputRejected("cli.report_folder_missing", path=str(out))
    handle = _open(args)
    with handle:
        key, written = extract_keys.write_office_public_key(handle, out)
    print(tr("cli.office_key_written", path=str(written), fingerprint=key.fingerprint))
    return EXIT_OK


def cmd_extract(args: argparse.Namespace) -> int:
    """The month's anonymised extract for the regional secretariat (a .zip, or a folder)."""
    from desktop.domain.periods import Period
    from desktop.services import extract

    period = Period.parse_month(args.month)
    out = Path(args.out).expanduser()
    folder = out.parent if out.suffix.lower() == ".zip" else out
    if not folder.is_dir():
        raise InputRejected("cli.report_folder_missing", path=str(out))
    handle = _open(args)
    with handle:
        built = extract.build_extract(handle, period)
        written = extract.write_extract(handle, built, out)
    persons, referrals = built.manifest["persons"], built.manifest["referrals"]
    print(tr("cli.extract_written", path=str(written)))
    print(
        tr(
            "cli.extract_summary",
            written=persons["written"],
            population=persons["population"],
            suppressed=persons["suppressed"],
            generalised=persons["generalised"],
            referrals=referrals["written"],
            indicators=len(built.indicators),
        )
    )
    return EXIT_OK


def _date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)
    except ValueError:
        raise UsageError("cli.bad_date", value=text) from None


def _credentials(p: argparse.ArgumentParser, recovery: bool = True) -> None:
    p.add_argument("--user", metavar="LOGIN", help=tr("cli.help_user"))
    if recovery:
        p.add_argument("--recovery", action="store_true", help=tr("cli.help_recovery"))


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="baom", description=tr("cli.description"))
    parser.add_argument("--version", action="version", version=f"BAOM {__version__}")
    parser.add_argument("--lang", choices=i18n.LANGUAGES, help=tr("cli.help_lang"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    office_db = _db_option(config.default_office_path())

    p = sub.add_parser("init", help=tr("cli.help_init"))
    office_db(p)
    p.add_argument("--commune", metavar="CODE", help=tr("cli.help_commune"))
    p.add_argument("--admin", required=True, metavar="LOGIN")
    p.add_argument("--admin-name", metavar="NAME")
    p.add_argument("--name", metavar="OFFICE_NAME")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("users", help=tr("cli.help_users"))
    p.add_argument("action", choices=("add", "list", "disable", "enable", "passwd", "recovery-code"))
    office_db(p)
    _credentials(p)
    p.add_argument("--login", metavar="LOGIN")
    p.add_argument("--name", metavar="DISPLAY_NAME")
    p.add_argument("--role", choices=("officer", "supervisor", "admin"), default="officer")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_users)

    p = sub.add_parser("check", help=tr("cli.help_check"))
    office_db(p)
    _credentials(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("backup", help=tr("cli.help_backup"))
    office_db(p)
    p.add_argument("--out", required=True, metavar="FILE")
    _credentials(p)
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help=tr("cli.help_restore"))
    p.add_argument("--from", dest="source", required=True, metavar="FILE")
    office_db(p)
    _credentials(p)
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("demo", help=tr("cli.help_demo"))
    _db_option(config.demo_office_path())(p)
    p.add_argument("--cases", type=int, default=500, metavar="N")
    p.add_argument("--seed", type=int, default=1, metavar="S")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("audit", help=tr("cli.help_audit"))
    office_db(p)
    _credentials(p)
    p.add_argument("--actor", metavar="LOGIN")
    p.add_argument("--since", metavar="YYYY-MM-DD")
    p.add_argument("--until", metavar="YYYY-MM-DD")
    p.add_argument("--record-type", metavar="TYPE")
    p.add_argument("--record-id", metavar="ID")
    p.add_argument("--limit", type=int, default=200)
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("import-register", help=tr("cli.help_import"))
    p.add_argument("file", metavar="FILE")
    office_db(p)
    _credentials(p, recovery=False)
    p.add_argument(
        "--duplicates", choices=("ask", "new", "skip", "link"), default="ask", help=tr("cli.help_duplicates")
    )
    p.add_argument("--dry-run", action="store_true", help=tr("cli.help_dry_run"))
    p.set_defaults(func=cmd_import_register)

    p = sub.add_parser("register-template", help=tr("cli.help_template"))
    p.add_argument("out", metavar="FILE.xlsx|FILE.csv")
    p.set_defaults(func=cmd_register_template)

    p = sub.add_parser("directory", help=tr("cli.help_directory"))
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser, required=True)
    for action, func, help_key in (
        ("export", cmd_directory_export, "cli.help_directory_export"),
        ("import", cmd_directory_import, "cli.help_directory_import"),
    ):
        a = actions.add_parser(action, help=tr(help_key))
        a.add_argument("file", metavar="FILE.xlsx|FILE.csv")
        office_db(a)
        _credentials(a, recovery=False)
        if action == "import":
            a.add_argument("--dry-run", action="store_true", help=tr("cli.help_directory_dry_run"))
        a.set_defaults(func=func)

    p = sub.add_parser("referrals", help=tr("cli.help_referrals"))
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser, required=True)
    a = actions.add_parser("overdue", help=tr("cli.help_overdue"))
    office_db(a)
    _credentials(a)
    a.add_argument("--json", action="store_true", help=tr("cli.help_json"))
    a.set_defaults(func=cmd_referrals_overdue)

    for name, func, help_key in (("stats", cmd_stats, "cli.help_stats"), ("report", cmd_report, "cli.help_report")):
        p = sub.add_parser(name, help=tr(help_key))
        office_db(p)
        _credentials(p)
        p.add_argument("--month", required=True, metavar="YYYY-MM", help=tr("cli.help_month"))
        p.add_argument("--lang", choices=i18n.LANGUAGES, help=tr("cli.help_stats_lang"))
        p.add_argument("--outside", action="store_true", help=tr("cli.help_outside"))
        if name == "stats":
            p.add_argument("--json", action="store_true", help=tr("cli.help_json"))
        else:
            p.add_argument("--pdf", metavar="FILE", help=tr("cli.help_report_pdf"))
            p.add_argument("--xlsx", metavar="FILE", help=tr("cli.help_report_xlsx"))
        p.set_defaults(func=func)

    p = sub.add_parser("office-key", help=tr("cli.help_office_key"))
    office_db(p)
    _credentials(p, recovery=False)
    p.add_argument("--out", required=True, metavar="FILE", help=tr("cli.help_office_key_out"))
    p.set_defaults(func=cmd_office_key)

    p = sub.add_parser("extract", help=tr("cli.help_extract"))
    office_db(p)
    _credentials(p, recovery=False)
    p.add_argument("--month", required=True, metavar="YYYY-MM", help=tr("cli.help_month"))
    p.add_argument("--out", required=True, metavar="DIR|FILE.zip", help=tr("cli.help_extract_out"))
    p.set_defaults(func=cmd_extract)

    from desktop import cli_region

    cli_region.add_parser(sub)
    return parser


def _language_from(argv: Sequence[str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    # As in the window: the person's own choice, then the machine's (set by IT), then French.
    settings_lang = config.Settings.load().language
    return settings_lang or config.machine_language() or i18n.DEFAULT_LANGUAGE


def main(argv: Sequence[str] | None = None) -> int:
    from desktop.logs import setup_logging

    argv = list(sys.argv[1:] if argv is None else argv)
    i18n.set_language(_language_from(argv))
    for stream in (sys.stdout, sys.stderr):
        reconfigure: Callable[..., object] | None = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace")
    log_path = setup_logging()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args))
    except UsageError as exc:
        print(f"baom: {tr(exc.key, **exc.params)}", file=sys.stderr)
        return EXIT_USAGE
    except BaomError as exc:
        log.info("command %s refused: %s", args.command, exc.key)
        print(f"baom: {i18n.error_text(exc)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return EXIT_USAGE
    except Exception:
        log.exception("unexpected error in command %s", args.command)
        print(f"baom: {tr('error.unexpected_log', path=str(log_path or ''))}", file=sys.stderr)
        return EXIT_CHECK_FAILED


if __name__ == "__main__":
    from desktop import cli  # one module, run as a script or imported (cli_region imports it)

    raise SystemExit(cli.main())
