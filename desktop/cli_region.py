"""``baom region …``: the regional secretariat's commands (init, add-office, import, status).

Same contract as :mod:`desktop.cli`: one translated line per error on stderr, exit codes of
:mod:`desktop.domain.errors`. ``region import`` imports every extract it can and then exits
with 4 if any was rejected, after printing why (file, line, field).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from desktop.cli import Parser, _credentials, _db, _open, _secret
from desktop.domain.errors import EXIT_OK, EXIT_REJECTED, InputRejected
from desktop.i18n import tr


def cmd_region_init(args: argparse.Namespace) -> int:
    from desktop.domain.geography import geography
    from desktop.services import region

    code = region.normalise_region_code(args.region)
    try:
        geography().region(code)  # before asking for a password
    except KeyError:
        raise InputRejected("region.error.region_unknown", code=args.region[:20]) from None
    password = _secret("BAOM_PASSWORD", "cli.prompt_new_password", confirm=True)
    handle, recovery = region.create_region(
        _db(args),
        region_code=code,
        name=args.name or "",
        admin_login=args.admin,
        admin_name=args.admin_name or args.admin,
        admin_password=password,
    )
    handle.close()
    print(tr("region.cli.created", path=str(_db(args))))
    print(tr("cli.recovery_code_intro"))
    print(f"    {recovery}")
    print(tr("cli.recovery_code_warning"))
    return EXIT_OK


def cmd_region_add_office(args: argparse.Namespace) -> int:
    from desktop.services import region_keys

    text = region_keys.key_file_text(Path(args.key).expanduser())
    handle = _open(args)
    with handle:
        result = region_keys.add_office(handle, args.commune, text)
    print(tr(f"region.cli.office_{result.outcome.value}", code=result.commune_code))
    print(tr("region.cli.fingerprint", fingerprint=result.fingerprint))
    return EXIT_OK


def cmd_region_import(args: argparse.Namespace) -> int:
    from desktop.services import region_import

    sources = [Path(s).expanduser() for s in args.sources]

    def progress(done: int, total: int) -> None:
        if done and total > 1:
            print(tr("region.cli.progress", done=done, total=total), file=sys.stderr, flush=True)

    handle = _open(args)
    with handle:
        summary = region_import.import_extracts(handle, sources, confirm_older=args.confirm_older, progress=progress)
    totals = {
        "imported": summary.imported,
        "replaced": summary.replaced,
        "already": summary.already,
        "rejected": summary.rejected,
    }
    if args.json:
        document = {"extracts": [_outcome_json(o) for o in summary.outcomes], "totals": totals}
        print(json.dumps(document, ensure_ascii=False, indent=1))
    else:
        for outcome in summary.outcomes:
            for line in _outcome_lines(outcome):
                print(line)
        print(tr("region.cli.totals", **totals))
    if summary.rejected:
        print(f"baom: {tr('region.cli.some_rejected', count=summary.rejected)}", file=sys.stderr)
        return EXIT_REJECTED
    return EXIT_OK


def _outcome_lines(outcome: Any) -> list[str]:
    from desktop.services.region_import import ExtractOutcome, Outcome

    assert isinstance(outcome, ExtractOutcome)
    name = outcome.source.name
    if outcome.outcome is Outcome.REJECTED:
        lines = [tr("region.cli.outcome.rejected", source=name, count=len(outcome.problems))]
    else:
        lines = [
            tr(
                f"region.cli.outcome.{outcome.outcome.value}",
                source=name,
                code=outcome.commune_code,
                period=outcome.period,
                persons=outcome.persons,
                referrals=outcome.referrals,
                indicators=outcome.indicators,
            )
        ]
    lines += [f"    {problem.message()}" for problem in outcome.problems]
    lines += [f"    {tr('region.cli.warning')} {problem.message()}" for problem in outcome.warnings]
    return lines


def _problem_json(problem: Any) -> dict[str, object]:
    return {
        "code": problem.code,
        "file": problem.file,
        "line": problem.line,
        "field": problem.field,
        "params": dict(problem.params),
        "message": problem.message(),
    }


def _outcome_json(outcome: Any) -> dict[str, object]:
    from desktop.services.region_import import ExtractOutcome

    assert isinstance(outcome, ExtractOutcome)
    return {
        "source": str(outcome.source),
        "outcome": outcome.outcome.value,
        "commune_code": outcome.commune_code,
        "period": outcome.period,
        "manifest_sha256": outcome.manifest_sha256,
        "rows": {"persons": outcome.persons, "referrals": outcome.referrals, "indicators": outcome.indicators},
        "problems": [_problem_json(p) for p in outcome.problems],
        "warnings": [_problem_json(p) for p in outcome.warnings],
    }


def cmd_region_status(args: argparse.Namespace) -> int:
    from desktop.services import region_status

    handle = _open(args)
    with handle:
        rows = region_status.status(handle)
    if args.json:
        print(json.dumps([_status_json(r) for r in rows], ensure_ascii=False, indent=1))
        return EXIT_OK
    if not rows:
        print(tr("region.cli.status_empty"))
        return EXIT_OK
    titles = tuple(
        tr(f"region.cli.column.{name}")
        for name in ("commune", "office", "period", "persons", "referrals", "indicators", "imported_at")
    )
    lines = [titles]
    for r in rows:
        imported = r.imported_at.isoformat(timespec="seconds")
        lines.append(
            (r.commune_code, r.office_name, r.period, str(r.persons), str(r.referrals), str(r.indicators), imported)
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(titles))]
    for line in lines:
        print("  ".join(text.ljust(width) for text, width in zip(line, widths, strict=True)).rstrip())
    return EXIT_OK


def _status_json(row: Any) -> dict[str, object]:
    from desktop.services.region_status import ImportStatus

    assert isinstance(row, ImportStatus)
    return {
        "commune_code": row.commune_code,
        "office_name": row.office_name,
        "period": row.period,
        "rows": {"persons": row.persons, "referrals": row.referrals, "indicators": row.indicators},
        "generated_at": row.generated_at.isoformat(timespec="seconds"),
        "imported_at": row.imported_at.isoformat(timespec="seconds"),
        "first_imported_at": row.first_imported_at.isoformat(timespec="seconds"),
        "imported_by": row.imported_by,
        "key_series": row.key_series,
        "manifest_sha256": row.manifest_sha256,
    }


def cmd_region_report(args: argparse.Namespace) -> int:
    """The regional report of a range of months: PDF and/or XLSX, small cells hidden, each file audited."""
    from desktop import i18n
    from desktop.services import region_reports

    if not args.pdf and not args.xlsx:
        args.usage_error(tr("cli.report_needs_output"))  # exit 2, as a missing option
    outputs = {kind: Path(name).expanduser() for kind, name in (("pdf", args.pdf), ("xlsx", args.xlsx)) if name}
    for out in outputs.values():
        if not out.parent.is_dir():
            raise InputRejected("cli.report_folder_missing", path=str(out))
    handle = _open(args)
    with handle:
        region_reports.write_regional_report(
            handle, args.first, args.last, i18n.language(), pdf=outputs.get("pdf"), xlsx=outputs.get("xlsx")
        )
    for out in outputs.values():
        print(tr("cli.report_written", path=str(out)))
    return EXIT_OK


def add_parser(sub: Any) -> None:
    """``baom region ACTION …`` (called by :func:`desktop.cli.build_parser`)."""
    p = sub.add_parser("region", help=tr("region.cli.help"))
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser, required=True)

    a = actions.add_parser("init", help=tr("region.cli.help_init"))
    a.add_argument("--db", required=True, metavar="PATH")
    a.add_argument("--region", required=True, metavar="CODE", help=tr("region.cli.help_region"))
    a.add_argument("--admin", required=True, metavar="LOGIN")
    a.add_argument("--admin-name", metavar="NAME")
    a.add_argument("--name", metavar="NAME", help=tr("region.cli.help_name"))
    a.set_defaults(func=cmd_region_init)

    a = actions.add_parser("add-office", help=tr("region.cli.help_add_office"))
    a.add_argument("--db", required=True, metavar="PATH")
    _credentials(a, recovery=False)
    a.add_argument("--commune", required=True, metavar="CODE", help=tr("region.cli.help_commune"))
    a.add_argument("--key", required=True, metavar="FILE", help=tr("region.cli.help_key"))
    a.set_defaults(func=cmd_region_add_office)

    a = actions.add_parser("import", help=tr("region.cli.help_import"))
    a.add_argument("sources", nargs="+", metavar="FILE_OR_DIR", help=tr("region.cli.help_sources"))
    a.add_argument("--db", required=True, metavar="PATH")
    _credentials(a, recovery=False)
    a.add_argument("--json", action="store_true", help=tr("cli.help_json"))
    a.add_argument("--confirm-older", action="store_true", help=tr("region.cli.help_confirm_older"))
    a.set_defaults(func=cmd_region_import)

    a = actions.add_parser("status", help=tr("region.cli.help_status"))
    a.add_argument("--db", required=True, metavar="PATH")
    _credentials(a, recovery=False)
    a.add_argument("--json", action="store_true", help=tr("cli.help_json"))
    a.set_defaults(func=cmd_region_status)

    a = actions.add_parser("report", help=tr("region_report.cli.help"))
    a.add_argument("--db", required=True, metavar="PATH")
    _credentials(a, recovery=False)
    a.add_argument("--from", dest="first", required=True, metavar="YYYY-MM", help=tr("region_report.cli.help_from"))
    a.add_argument("--to", dest="last", required=True, metavar="YYYY-MM", help=tr("region_report.cli.help_to"))
    a.add_argument("--pdf", metavar="FILE", help=tr("cli.help_report_pdf"))
    a.add_argument("--xlsx", metavar="FILE", help=tr("cli.help_report_xlsx"))
    a.add_argument("--lang", choices=("fr", "ar", "en"), help=tr("cli.help_stats_lang"))
    a.set_defaults(func=cmd_region_report, usage_error=a.error)
