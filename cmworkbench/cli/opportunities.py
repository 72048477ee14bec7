"""``cmw opportunities``: opportunities (商机) through the pipeline's steps
(:mod:`cmworkbench.services.pipeline`).

``new`` opens one for a customer (``--customer NO``), a lead (``--lead ID``) or a referral
received (``--referral ID``); ``move ID [--to KEY]`` takes it to the next step (or another),
with the proposal's ``--cost`` and ``--return`` when it enters the proposal step; a proposal
below the ratio waits for the supervisor, who approves it (``approve``) or returns it with a
comment (``return``), after which the owner sends a revised one (``propose``). ``next``
records the next step, ``won`` and ``lost`` the outcome; ``list``, ``show`` and ``waiting``
(the proposals waiting for the actor's decision) look. Amounts, days and moments are passed
as typed (``120万``, ``12-31``, ``明天 10:00``): the services read them. Every command runs as
``--as LOGIN`` (else the operating system's user).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

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
from cmworkbench.domain.pipeline import stage_label

if TYPE_CHECKING:
    from cmworkbench.services.pipeline.facade import OpportunitiesFacade
    from cmworkbench.services.pipeline.schemas import OpportunityDetail, OpportunityOut

LIST_COLUMNS = ("id", "customer", "product", "stage", "value", "owner", "next", "proposal", "flags")
EVENT_COLUMNS = ("at", "who", "action", "stages", "note")
PROMISE_COLUMNS = ("id", "made", "due", "state", "done")
STATUSES = ("open", "won", "lost", "all")


# -- the command line -------------------------------------------------------------------------


def register(commands: Commands, common: Parser) -> dict[str, Handler]:
    """Add ``opportunities new|list|move|propose|approve|return|next|won|lost|show|waiting``."""
    group = commands.add_parser(
        "opportunities", parents=[common], help=i18n.t("cli.help.opportunities")
    )
    subs = group.add_subparsers(dest="opportunity_action", metavar="ACTION", required=True)

    def sub(name: str) -> Parser:
        parser: Parser = subs.add_parser(
            name, parents=[common], help=i18n.t(f"cli.help.opp_{name}")
        )
        add_as(parser)
        add_json(parser)
        if name not in ("new", "list", "waiting"):
            parser.add_argument(
                "opportunity_id", type=positive_int, metavar="ID", help=i18n.t("cli.help.opp_id")
            )
        return parser

    _add_new(sub("new"))
    _add_list(sub("list"))
    _add_move(sub("move"))
    _add_proposal(sub("propose"), required=True)
    sub("approve")
    sub("return").add_argument(
        "--comment", required=True, metavar="TEXT", help=i18n.t("cli.help.opp_comment")
    )
    _add_next(sub("next"))
    _add_won(sub("won"))
    sub("lost").add_argument(
        "--reason", required=True, metavar="TEXT", help=i18n.t("cli.help.opp_lost_reason")
    )
    sub("show")
    sub("waiting")
    return {"opportunities": _opportunities}


def _add_new(new: Parser) -> None:
    t = i18n.t
    new.add_argument("--customer", metavar="NO", help=t("cli.help.opp_customer"))
    new.add_argument("--lead", type=positive_int, metavar="ID", help=t("cli.help.opp_lead"))
    new.add_argument("--referral", type=positive_int, metavar="ID", help=t("cli.help.opp_referral"))
    new.add_argument("--product", metavar="P", help=t("cli.help.opp_product"))
    new.add_argument("--need", metavar="TEXT", help=t("cli.help.opp_need"))
    new.add_argument("--value", required=True, metavar="AMOUNT", help=t("cli.help.opp_value"))
    new.add_argument("--close", required=True, metavar="DAY", help=t("cli.help.opp_close"))
    new.add_argument("--stage", metavar="KEY", help=t("cli.help.opp_stage"))
    _add_step_options(new)


def _add_list(listing: Parser) -> None:
    t = i18n.t
    listing.add_argument(
        "--status", choices=STATUSES, default="open", help=t("cli.help.opp_status")
    )
    listing.add_argument("--owner", metavar="LOGIN", help=t("cli.help.opp_owner"))
    listing.add_argument("--stage", metavar="KEY", help=t("cli.help.opp_list_stage"))
    listing.add_argument("--customer", metavar="NO", help=t("cli.help.opp_list_customer"))
    listing.add_argument("--quiet", action="store_true", help=t("cli.help.opp_quiet"))


def _add_move(move: Parser) -> None:
    t = i18n.t
    move.add_argument("--to", metavar="KEY", help=t("cli.help.opp_to"))
    _add_proposal(move, required=False)
    _add_step_options(move)
    move.add_argument("--note", metavar="TEXT", help=t("cli.help.opp_note"))


def _add_proposal(parser: Parser, *, required: bool) -> None:
    """``--cost`` and ``--return``: the proposal's figures."""
    t = i18n.t
    parser.add_argument("--cost", required=required, metavar="AMOUNT", help=t("cli.help.opp_cost"))
    parser.add_argument(
        "--return",
        dest="expected_return",
        required=required,
        metavar="AMOUNT",
        help=t("cli.help.opp_return_amount"),
    )


def _add_step_options(parser: Parser) -> None:
    t = i18n.t
    parser.add_argument("--next-step", metavar="TEXT", help=t("cli.help.opp_next_step"))
    parser.add_argument("--next-due", metavar="WHEN", help=t("cli.help.opp_next_due"))


def _add_next(parser: Parser) -> None:
    t = i18n.t
    parser.add_argument("--step", required=True, metavar="TEXT", help=t("cli.help.opp_next_step"))
    parser.add_argument("--due", metavar="WHEN", help=t("cli.help.opp_next_due"))


def _add_won(parser: Parser) -> None:
    t = i18n.t
    parser.add_argument("--reason", metavar="TEXT", help=t("cli.help.opp_won_reason"))
    parser.add_argument("--value", metavar="AMOUNT", help=t("cli.help.opp_won_value"))


# -- running it -------------------------------------------------------------------------------

Change = Callable[["OpportunitiesFacade", argparse.Namespace], "OpportunityOut"]

CHANGES: dict[str, Change] = {
    "new": lambda b, a: b.new(
        customer_no=a.customer,
        lead_id=a.lead,
        referral_id=a.referral,
        product=a.product,
        need=a.need,
        value=a.value,
        expected_close=a.close,
        stage=a.stage,
        next_step=a.next_step,
        next_due=a.next_due,
    ),
    "move": lambda b, a: b.move(
        a.opportunity_id,
        to_stage=a.to,
        cost=a.cost,
        expected_return=a.expected_return,
        next_step=a.next_step,
        next_due=a.next_due,
        note=a.note,
    ),
    "propose": lambda b, a: b.propose(
        a.opportunity_id, cost=a.cost, expected_return=a.expected_return
    ),
    "approve": lambda b, a: b.approve(a.opportunity_id),
    "return": lambda b, a: b.return_proposal(a.opportunity_id, comment=a.comment),
    "next": lambda b, a: b.next_step(a.opportunity_id, next_step=a.step, next_due=a.due),
    "won": lambda b, a: b.won(a.opportunity_id, reason=a.reason, value=a.value),
    "lost": lambda b, a: b.lost(a.opportunity_id, reason=a.reason),
}
"""What each changing subcommand asks of the service (the typed text passed as it is)."""


def _opportunities(args: argparse.Namespace, settings: Settings) -> int:
    """``cmw opportunities …``: one handler for every subcommand."""
    bench = own_workbench(settings, args.login).opportunities
    action = args.opportunity_action
    if action == "show":
        _print_detail(bench.show(args.opportunity_id), args.json, settings)
    elif action in ("list", "waiting"):
        rows = bench.waiting() if action == "waiting" else _listed(bench, args)
        _print_rows(rows, args.json)
    else:
        out = CHANGES[action](bench, args)
        if args.json:
            print_json(asdict(out))
        else:
            print(_said(action, out, settings))
    return EXIT_OK


def _listed(bench: OpportunitiesFacade, args: argparse.Namespace) -> list[OpportunityOut]:
    return bench.list(
        status=args.status,
        owner_login=args.owner,
        stage=args.stage,
        customer_no=args.customer,
        quiet=args.quiet,
    )


# -- output -----------------------------------------------------------------------------------


def _yuan(value: int | None) -> str:
    """``8,000,000 元``."""
    return "" if value is None else i18n.t("cli.opportunities.yuan", value=f"{value:,}")


def _who(o: OpportunityOut) -> str:
    """The customer (``C1 远宇集团``) or the prospect (``线索 #3 张三``)."""
    if o.customer_no:
        return f"{o.customer_no} {o.name}"
    return i18n.t("cli.opportunities.lead", id=o.lead_id or "", name=o.name)


def _next(o: OpportunityOut) -> str:
    if not o.next_step:
        return ""
    return i18n.t("cli.opportunities.next_due", step=o.next_step, due=table_time(o.next_due))


def _proposal(o: OpportunityOut) -> str:
    if o.proposal is None:
        return ""
    return f"{i18n.label('proposal_state', o.proposal)} {o.ratio}".strip()


def _flags(o: OpportunityOut) -> str:
    flags = [i18n.t("cli.opportunities.flag.quiet")] if o.quiet else []
    if o.feedback_breached:
        flags.append(i18n.t("cli.opportunities.flag.breached", count=o.feedback_breached))
    return " ".join(flags)


def _stage(o: OpportunityOut) -> str:
    """The step, and the outcome once closed (``客户关系管理 · 赢单``)."""
    if o.status == "open":
        return o.stage_label
    return f"{o.stage_label} · {i18n.label('opportunity_status', o.status)}"


def _print_rows(rows: list[OpportunityOut], as_json: bool) -> None:
    if as_json:
        print_json([asdict(o) for o in rows])
        return
    print(i18n.t("cli.opportunities.count", count=len(rows)))
    lines = [
        [
            o.id,
            _who(o),
            i18n.label("product_kind", o.product),
            _stage(o),
            f"{o.value:,}",
            o.owner_name,
            _next(o),
            _proposal(o),
            _flags(o),
        ]
        for o in rows
    ]
    print_table(lines, [f"cli.opportunities.col.{c}" for c in LIST_COLUMNS])


def _said(action: str, o: OpportunityOut, settings: Settings) -> str:
    """The one line a change prints: what happened, in the business's words."""
    t = i18n.t
    fields = {
        "id": o.id,
        "customer": _who(o),
        "stage": o.stage_label,
        "value": _yuan(o.value),
        "ratio": o.ratio,
        "least": f"1:{settings.pipeline.min_return_ratio:g}",
        "owner": o.owner_name,
        "comment": o.proposal_comment or "",
        "step": o.next_step or "",
        "due": table_time(o.next_due),
        "reason": o.close_reason or "",
    }
    if action in ("move", "propose") and o.proposal == "waiting":
        return t(f"cli.opportunities.{action}_waiting", **fields)
    if action == "propose" and o.proposal == "clear":
        return t("cli.opportunities.propose_clear", **fields)
    return t(f"cli.opportunities.{action}_done", **fields)


def _print_detail(d: OpportunityDetail, as_json: bool, settings: Settings) -> None:
    """The opportunity as a short block, its history and its feedback promises; or JSON."""
    if as_json:
        data = asdict(d)
        print_json({**data.pop("opportunity"), **data})
        return
    o, t = d.opportunity, i18n.t
    status = i18n.label("opportunity_status", o.status)
    print(t("cli.opportunities.head", id=o.id, customer=_who(o), status=status))
    for name, value in _detail_lines(o):
        if value:
            print(t("cli.opportunities.line", label=name, value=value))
    if note := _proposal_note(d, settings):
        print(note)
    print()
    print_table(_event_lines(d, settings), [f"cli.opportunities.event.{c}" for c in EVENT_COLUMNS])
    if d.promises:
        print()
        print(t("cli.opportunities.promises"))
        lines = [
            [
                p.id,
                table_time(p.made_at),
                table_time(p.due_at),
                i18n.label("promise_state", p.state),
                table_time(p.done_at),
            ]
            for p in d.promises
        ]
        print_table(lines, [f"cli.opportunities.promise.{c}" for c in PROMISE_COLUMNS])


def _detail_lines(o: OpportunityOut) -> list[tuple[str, str]]:
    t = i18n.t
    proposal = ""
    if o.proposal is not None:
        proposal = t(
            "cli.opportunities.proposal_figures",
            state=i18n.label("proposal_state", o.proposal),
            ratio=o.ratio,
            cost=_yuan(o.cost),
            back=_yuan(o.expected_return),
        )
    since = t("cli.opportunities.since", stage=o.stage_label, since=table_time(o.stage_since))
    return [
        (t("opportunity.field.product"), i18n.label("product_kind", o.product)),
        (t("opportunity.field.need"), o.need),
        (t("opportunity.field.stage"), since),
        (t("opportunity.field.value"), _yuan(o.value)),
        (t("opportunity.field.expected_close"), o.expected_close.isoformat()),
        (t("cli.opportunities.label.owner"), f"{o.owner_name} ({o.owner})"),
        (t("opportunity.field.next_step"), _next(o)),
        (t("cli.opportunities.label.proposal"), proposal),
        (t("cli.opportunities.label.closed"), table_time(o.closed_at)),
        (t("opportunity.field.reason"), o.close_reason or ""),
        (t("cli.opportunities.label.referral"), f"#{o.referral_id}" if o.referral_id else ""),
        (t("cli.opportunities.label.flags"), _flags(o)),
        (t("cli.opportunities.label.version"), str(o.version)),
    ]


def _proposal_note(d: OpportunityDetail, settings: Settings) -> str:
    """A line when the proposal waits for the supervisor or came back with a comment."""
    o = d.opportunity
    least = f"1:{settings.pipeline.min_return_ratio:g}"
    if o.status != "open":
        return ""
    if o.proposal == "waiting":
        key = "cli.opportunities.note.decide" if d.can_decide else "cli.opportunities.note.waiting"
        return i18n.t(key, id=o.id, ratio=o.ratio, least=least)
    if o.proposal == "returned":
        return i18n.t("cli.opportunities.note.returned", id=o.id, comment=o.proposal_comment)
    return ""


def _event_lines(d: OpportunityDetail, settings: Settings) -> list[list[Any]]:
    pipeline = settings.pipeline
    lines: list[list[Any]] = []
    for e in d.events:
        stages = " → ".join(stage_label(pipeline, s) for s in (e.from_stage, e.to_stage) if s)
        lines.append(
            [
                table_time(e.at),
                e.who or i18n.t("cli.opportunities.workbench"),
                i18n.label("opportunity_action", e.action),
                stages,
                e.note or "",
            ]
        )
    return lines
