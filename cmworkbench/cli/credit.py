"""``cmw credit``: credit files (信贷档案, :mod:`cmworkbench.services.credit`).

``new`` makes a file for a loan application (``--product``, ``--amount``, ``--term``) or a
loan the customer holds (``--holding ID``); ``check ID ITEM pass|concern --finding …`` records
an investigation item (a concern needs ``--note``); ``figures`` the borrower's figures and
collateral; ``guarantor ID --name … --net-assets …`` adds a guarantor (``--remove GID``
removes one); ``submit`` is the manager's signature (to ``--to LOGIN`` or the branch's risk
manager with the fewest files waiting); ``sign`` and ``return --comment`` are the risk
manager's; ``revise`` makes a new version of an approved file; ``show``, ``list`` and
``queue`` (the risk manager's files to sign) look. Amounts are passed as typed (``100万``).
Every command runs as ``--as LOGIN`` (else the operating system's user).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING

from cmworkbench import i18n
from cmworkbench.cli.common import (
    EXIT_OK,
    Commands,
    Handler,
    Parser,
    add_as,
    add_json,
    own_workbench,
    positive_int,
    print_json,
    print_table,
    table_time,
)
from cmworkbench.config import Settings
from cmworkbench.domain.credit import STATES
from cmworkbench.domain.pipeline import short_yuan

if TYPE_CHECKING:
    from cmworkbench.services.credit.facade import CreditFacade
    from cmworkbench.services.credit.schemas import CreditFileDetail, CreditFileOut

LIST_COLUMNS = ("id", "customer", "product", "amount", "state", "owner", "risk", "open", "cover")
ITEM_COLUMNS = ("item", "result", "finding", "note", "document", "who", "when")
EVENT_COLUMNS = ("at", "who", "action", "note")
CHECK_COLUMNS = ("seq", "due", "done", "who", "findings")


def register(commands: Commands, common: Parser) -> dict[str, Handler]:
    """Add ``credit new|check|figures|guarantor|submit|sign|return|revise|show|list|queue``."""
    t = i18n.t
    group = commands.add_parser("credit", parents=[common], help=t("cli.help.credit"))
    subs = group.add_subparsers(dest="credit_action", metavar="ACTION", required=True)

    def sub(name: str) -> Parser:
        parser: Parser = subs.add_parser(name, parents=[common], help=t(f"cli.help.credit_{name}"))
        add_as(parser)
        add_json(parser)
        if name not in ("new", "list", "queue"):
            parser.add_argument(
                "file_id", type=positive_int, metavar="ID", help=t("cli.help.credit_id")
            )
        return parser

    new = sub("new")
    new.add_argument("--customer", required=True, metavar="NO", help=t("cli.help.credit_customer"))
    new.add_argument(
        "--holding", type=positive_int, metavar="ID", help=t("cli.help.credit_holding")
    )
    new.add_argument("--product", metavar="TEXT", help=t("cli.help.credit_product"))
    new.add_argument("--amount", metavar="AMOUNT", help=t("cli.help.credit_amount"))
    new.add_argument("--term", type=positive_int, metavar="MONTHS", help=t("cli.help.credit_term"))
    new.add_argument("--purpose", metavar="TEXT", help=t("cli.help.credit_purpose"))
    new.add_argument("--grade", metavar="GRADE", help=t("cli.help.credit_grade"))
    check = sub("check")
    check.add_argument("item", metavar="ITEM", help=t("cli.help.credit_item"))
    check.add_argument("result", choices=("pass", "concern"), help=t("cli.help.credit_result"))
    check.add_argument(
        "--finding", required=True, metavar="TEXT", help=t("cli.help.credit_finding")
    )
    check.add_argument("--note", metavar="TEXT", help=t("cli.help.credit_note"))
    check.add_argument("--doc", metavar="REF", help=t("cli.help.credit_doc"))
    figures = sub("figures")
    for option in (
        "assets",
        "liabilities",
        "sales",
        "settlement",
        "collection",
        "collateral",
        "collateral-value",
        "grade",
    ):
        figures.add_argument(f"--{option}", metavar="VALUE", help=t(f"cli.help.credit_{option}"))
    guarantor = sub("guarantor")
    guarantor.add_argument("--name", metavar="TEXT", help=t("cli.help.credit_g_name"))
    guarantor.add_argument("--net-assets", metavar="AMOUNT", help=t("cli.help.credit_g_net"))
    guarantor.add_argument("--id-no", metavar="NO", help=t("cli.help.credit_g_id"))
    guarantor.add_argument("--relation", metavar="TEXT", help=t("cli.help.credit_g_relation"))
    guarantor.add_argument(
        "--remove", type=positive_int, metavar="GID", help=t("cli.help.credit_g_remove")
    )
    sub("submit").add_argument("--to", metavar="LOGIN", help=t("cli.help.credit_to"))
    sub("sign")
    sub("return").add_argument(
        "--comment", required=True, metavar="TEXT", help=t("cli.help.credit_comment")
    )
    sub("revise")
    sub("show")
    listing = sub("list")
    listing.add_argument("--customer", metavar="NO", help=t("cli.help.credit_list_customer"))
    listing.add_argument("--state", choices=STATES, help=t("cli.help.credit_state"))
    sub("queue")
    return {"credit": _credit}


Change = Callable[["CreditFacade", argparse.Namespace], "CreditFileDetail"]


def _guarantor(bench: CreditFacade, a: argparse.Namespace) -> CreditFileDetail:
    if a.remove is not None:
        return bench.remove_guarantor(a.file_id, a.remove)
    return bench.add_guarantor(
        a.file_id, name=a.name or "", net_assets=a.net_assets or "", id_no=a.id_no,
        relation=a.relation,
    )  # fmt: skip


CHANGES: dict[str, Change] = {
    "new": lambda b, a: b.new(
        customer_no=a.customer,
        product=a.product,
        amount=a.amount,
        term_months=a.term,
        purpose=a.purpose,
        risk_grade=a.grade,
        holding_id=a.holding,
    ),
    "check": lambda b, a: b.check(
        a.file_id, a.item, a.result, finding=a.finding, note=a.note, document_ref=a.doc
    ),
    "figures": lambda b, a: b.figures(
        a.file_id,
        total_assets=a.assets,
        total_liabilities=a.liabilities,
        monthly_sales=a.sales,
        settlement=a.settlement,
        collection=a.collection,
        collateral=a.collateral,
        collateral_value=a.collateral_value,
        risk_grade=a.grade,
    ),
    "guarantor": _guarantor,
    "submit": lambda b, a: b.submit(a.file_id, to=a.to),
    "sign": lambda b, a: b.sign(a.file_id),
    "return": lambda b, a: b.return_file(a.file_id, comment=a.comment),
    "revise": lambda b, a: b.revise(a.file_id),
    "show": lambda b, a: b.show(a.file_id),
}
"""What each subcommand that names one file asks of the service (typed text passed as is)."""


def _credit(args: argparse.Namespace, settings: Settings) -> int:
    """``cmw credit …``: one handler for every subcommand."""
    bench = own_workbench(settings, args.login).credit
    action = args.credit_action
    if action in ("list", "queue"):
        rows = bench.queue() if action == "queue" else bench.list(args.customer, args.state)
        _print_rows(rows, args.json)
        return EXIT_OK
    detail = CHANGES[action](bench, args)
    if args.json:
        data = asdict(detail)
        print_json({**data.pop("file"), **data})
    elif action == "show":
        _print_detail(detail)
    else:
        f = detail.file
        print(
            i18n.t(
                f"cli.credit.{action}_done",
                id=f.id,
                customer=f"{f.customer_no} {f.name}",
                state=i18n.label("credit_state", f.state),
                risk=f.risk_manager_name or "",
                version=f.file_version,
            )
        )
        for reason in detail.blocking:
            print(i18n.t("cli.credit.blocking", reason=reason))
    return EXIT_OK


def _cover(f: CreditFileOut) -> str:
    mark = "" if f.coverage_ok else " !"
    return f"{f.coverage:.2f}×{mark}"


def _print_rows(rows: list[CreditFileOut], as_json: bool) -> None:
    if as_json:
        print_json([asdict(f) for f in rows])
        return
    print(i18n.t("cli.credit.count", count=len(rows)))
    lines = [
        [
            f.id,
            f"{f.customer_no} {f.name}",
            f.product,
            short_yuan(f.amount),
            _state(f),
            f.owner_name,
            f.risk_manager_name or "",
            f.open_items or "",
            _cover(f),
        ]
        for f in rows
    ]
    print_table(lines, [f"cli.credit.col.{c}" for c in LIST_COLUMNS])


def _state(f: CreditFileOut) -> str:
    state = i18n.label("credit_state", f.state)
    if f.check_overdue:
        return f"{state} · {i18n.t('cli.credit.check_overdue')}"
    return state


def _print_detail(d: CreditFileDetail) -> None:
    """The file as a short block, its checklist, guarantors, history and checks."""
    f, t = d.file, i18n.t
    print(
        t(
            "cli.credit.head",
            id=f.id,
            version=f.file_version,
            customer=f"{f.customer_no} {f.name}",
            state=i18n.label("credit_state", f.state),
        )
    )
    lines = [
        (
            "product",
            f"{f.product} {short_yuan(f.amount)} · {t('credit.term', months=f.term_months)}",
        ),
        ("purpose", f.purpose),
        ("risk_grade", i18n.label("credit_grade", f.risk_grade)),
        ("total_assets", short_yuan(d.total_assets)),
        ("total_liabilities", short_yuan(d.total_liabilities)),
        ("net_assets", short_yuan(d.net_assets)),
        ("monthly_sales", short_yuan(d.monthly_sales)),
        ("settlement", d.settlement or ""),
        ("collection", d.collection or ""),
        ("collateral", " ".join(x for x in (d.collateral, short_yuan(d.collateral_value)) if x)),
        ("owner", f.owner_name),
        ("risk", f.risk_manager_name or ""),
        ("comment", f.return_comment or ""),
    ]
    for key, value in lines:
        if value:
            print(t("cli.credit.line", label=t(f"cli.credit.field.{key}"), value=value))
    print()
    items = [
        [
            i.label,
            i18n.label("credit_result", i.result) if i.result else t("cli.credit.open"),
            i.finding or "",
            i.note or "",
            i.document_ref or "",
            i.checked_by or "",
            table_time(i.checked_at),
        ]
        for i in d.items
    ]
    print_table(items, [f"cli.credit.item.{c}" for c in ITEM_COLUMNS])
    print()
    print(
        t(
            "cli.credit.cover",
            nets=short_yuan(f.guarantor_nets) or "0",
            needed=short_yuan(d.coverage_needed),
            ratio=f"{f.coverage:.2f}",
        )
    )
    for g in d.guarantors:
        print(f"  #{g.id} {g.name} {g.id_no} {g.relation or ''} {short_yuan(g.net_assets)}")
    for reason in d.blocking:
        print(t("cli.credit.blocking", reason=reason))
    print()
    events = [
        [table_time(e.at), e.staff or "", i18n.label("credit_action", e.action), e.note or ""]
        for e in d.events
    ]
    print_table(events, [f"cli.credit.event.{c}" for c in EVENT_COLUMNS])
    if d.checks:
        print()
        checks = [
            [c.seq, c.due_on.isoformat(), table_time(c.done_at), c.done_by or "", c.findings or ""]
            for c in d.checks
        ]
        print_table(checks, [f"cli.credit.check.{c}" for c in CHECK_COLUMNS])
