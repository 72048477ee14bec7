"""The columns each import understands, by header name in Chinese or English.

A header matches a column when, cleaned (NFKC, spaces removed, lower-case), it equals one of
the column's names; a mapping file (``--mapping``) adds names for other layouts::

    [columns]
    "客户编号" = "customer_no"
    "户名" = "name"
    "归属经理" = "owner"

Columns a kind does not know are ignored (a core-system export has many). Empty cells leave
the stored value as it is: an import adds and corrects data, it never blanks a field.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path

from cmworkbench.domain import normalize as n
from cmworkbench.domain.enums import ContactRole, CustomerClass, Role
from cmworkbench.i18n import t
from cmworkbench.services.core.errors import InvalidInput


@dataclass(frozen=True)
class Column:
    """One importable column: the field it fills, its header names, how its cells read."""

    field: str
    names: tuple[str, ...]
    parse: Callable[[object], object]
    required: bool = False

    def text_reader(self) -> Callable[[str], object] | None:
        """``parse`` for a text cell already cleaned (its ``read_x`` twin in
        :mod:`cmworkbench.domain.normalize`), or ``None`` when it has none: the import cleans
        each cell once, to see whether it is empty, and reads that text."""
        parse = self.parse
        if isinstance(parse, partial):
            twin = n.TEXT_READERS.get(parse.func)
            return partial(twin, *parse.args, **parse.keywords) if twin is not None else None
        return n.TEXT_READERS.get(parse)


def _choice(pairs: Mapping[str, tuple[str, ...]]) -> Callable[[object], object]:
    spellings = {s.lower(): value for value, names in pairs.items() for s in (value, *names)}
    return partial(n.parse_choice, choices=spellings)


def _text(most: int) -> Callable[[object], object]:
    return partial(n.parse_text, most=most)


CLASSES = _choice({c.value: () for c in CustomerClass})
CUSTOMER_KIND = _choice(
    {"individual": ("个人", "对私", "个人客户"), "group": ("集团", "对公", "单位", "集团客户")}
)
TIER = _choice(
    {"diamond": ("钻石",), "gold": ("金卡", "黄金"), "mid_high": ("中高端",), "mass": ("大众",)}
)
CONTACT_ROLE = _choice(
    {
        ContactRole.DECISION_MAKER.value: ("决策人", "决策者"),
        ContactRole.EXECUTOR.value: ("执行人", "执行者"),
        ContactRole.USER.value: ("使用人", "使用者"),
        ContactRole.INFLUENCER.value: ("影响人", "影响者"),
        ContactRole.INSIDE_CONTACT.value: ("内线", "内部联系人"),
        ContactRole.CONTACT.value: ("联系人",),
    }
)
PRODUCT_KIND = _choice(
    {
        "deposit": ("存款",),
        "wealth": ("理财",),
        "fund": ("基金",),
        "insurance": ("保险",),
        "loan": ("贷款",),
        "card": ("信用卡", "银行卡"),
        "telecom": ("通信", "套餐", "电信"),
        "other": ("其他",),
    }
)
ROLES = _choice(
    {
        Role.MANAGER.value: ("客户经理",),
        Role.PHONE_MANAGER.value: ("电话客户经理",),
        Role.SUPERVISOR.value: ("主管", "客户经理主管"),
        Role.BRANCH_HEAD.value: ("行长", "部门经理"),
        Role.ADMIN.value: ("管理员", "系统管理员"),
        Role.REFERRER.value: ("柜员", "大堂经理", "转介员"),
        Role.RISK_MANAGER.value: ("风险经理", "风控经理"),
    }
)

_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")


def _number_text(value: object) -> str:
    """A number cell as typed (``2026.0`` from Excel is ``2026``), else the cleaned text."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return n.parse_text(value, 40)


def _year_text(value: object) -> str:
    """``2026``, ``2026.0`` or ``2026年`` as ``2026`` (the goals service checks the year)."""
    return _number_text(value).removesuffix("年")


def _month_text(value: object) -> str:
    """A month as the goals service reads it, ``2026-11``, from a date cell (Excel turns a
    typed ``2026-11`` into 1 November) or ``2026/11``, ``2026.11``, ``2026年11月``."""
    if isinstance(value, datetime | date):
        return f"{value.year:04d}-{value.month:02d}"
    text = n.parse_text(value, 40)
    found = _MONTH.match(text)
    return f"{found[1]}-{int(found[2]):02d}" if found else text


def _amount_text(value: object) -> str:
    """A goal's amount as typed (``1200``, ``500万``): the goals service reads it."""
    return _number_text(value)


CUSTOMER_NO = Column(
    "customer_no", ("客户号", "客户编号", "客户代码", "customer no"), _text(32), True
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    "customers": (
        CUSTOMER_NO,
        Column("name", ("客户名称", "客户名", "名称", "户名", "姓名"), _text(200), True),
        Column("kind", ("客户类型", "类型"), CUSTOMER_KIND),
        Column("cls", ("类别", "客户类别", "客户等级", "等级", "class"), CLASSES),
        Column("tier", ("层级", "客户层级", "资产层级"), TIER),
        Column("owner", ("客户经理", "管户经理", "客户经理工号", "owner login"), _text(64)),
        Column("phone", ("电话", "联系电话", "手机", "手机号"), n.parse_phone),
        Column("phone2", ("电话2", "备用电话"), n.parse_phone),
        Column("id_number", ("证件号码", "身份证号", "身份证号码", "id number"), n.parse_id_number),
        Column("opened_on", ("开户日期", "建档日期", "opened on"), n.parse_date),
        Column("birthday", ("生日", "出生日期"), n.parse_date),
        Column(
            "assets_yuan", ("资产", "资产余额", "金融资产", "assets"), n.parse_amount_not_negative
        ),
        Column("revenue_yuan", ("收入", "年收入", "revenue"), n.parse_amount_not_negative),
        Column("staff_count", ("员工数", "员工人数", "staff count"), n.parse_count),
        Column("member_count", ("集团成员数", "成员数", "member count", "members"), n.parse_count),
        Column("industry", ("行业",), _text(64)),
        Column("area", ("区域", "片区"), _text(64)),
        Column("address", ("地址", "单位地址"), _text(300)),
    ),
    "contacts": (
        CUSTOMER_NO,
        Column("name", ("联系人", "联系人姓名", "姓名", "contact"), _text(64), True),
        Column("role", ("角色", "联系人角色"), CONTACT_ROLE),
        Column("title", ("职务", "职位"), _text(64)),
        Column("phone", ("电话", "联系电话", "手机", "手机号"), n.parse_phone),
        Column("phone2", ("电话2", "备用电话"), n.parse_phone),
        Column("birthday", ("生日", "出生日期"), n.parse_date),
        Column("is_key_person", ("关键人", "key person"), n.parse_flag),
        Column("preferences", ("喜好", "偏好"), _text(500)),
    ),
    "holdings": (
        CUSTOMER_NO,
        Column("product", ("产品", "产品名称"), _text(100), True),
        Column("product_kind", ("产品类型", "产品类别", "product kind"), PRODUCT_KIND),
        Column("opened_on", ("开户日期", "开办日期", "购买日期", "opened on"), n.parse_date),
        Column("activated_on", ("激活日期", "开通日期", "activated on"), n.parse_date),
        Column("matures_on", ("到期日", "到期日期", "matures on"), n.parse_date),
        Column("amount_yuan", ("金额", "余额", "amount"), n.parse_amount),
        Column("next_check_on", ("贷后检查日", "下次检查日期", "next check on"), n.parse_date),
        Column("promised_on", ("承诺开通日期", "承诺开通日", "promised on"), n.parse_date),
    ),
    "staff": (
        Column("login", ("登录名", "工号", "账号"), _text(64), True),
        Column("name", ("姓名", "名字"), _text(64), True),
        Column("role", ("角色", "岗位"), ROLES, True),
        Column("grade", ("等级", "职级"), _text(20)),
        Column("team", ("团队", "小组"), _text(100)),
        Column("backup", ("B角", "ab角", "备岗"), _text(64)),
        Column("phone", ("电话", "手机"), n.parse_phone),
    ),
    "goals": (
        Column("measure", ("指标", "目标指标", "measure"), _text(64), True),
        Column("year", ("年度", "年份", "year"), _year_text),
        Column("month", ("月份", "month"), _month_text),
        Column("login", ("客户经理", "登录名", "工号", "login"), _text(64)),
        Column("team", ("团队", "小组", "team"), _text(100)),
        Column("amount", ("目标", "目标值", "amount"), _amount_text, True),
        Column("rule", ("分解规则", "规则", "rule"), _text(20)),
    ),
}
"""Per kind, its columns; the field name itself (``customer_no``, ``assets_yuan``) is always
a valid header name too."""


def header_key(name: str) -> str:
    """How header texts compare: cleaned, without spaces or underscores, lower-case."""
    return n.clean(name).replace(" ", "").replace("_", "").lower()


def load_mapping(path: Path, kind: str) -> dict[str, str]:
    """The ``[columns]`` table of a mapping file: header name → field, each field checked."""
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(t("import.bad_mapping", path=path.name, reason=str(exc))) from None
    table = data.get("columns", {})
    fields = {c.field for c in COLUMNS[kind]}
    mapping: dict[str, str] = {}
    for header, field in table.items() if isinstance(table, dict) else []:
        if field not in fields:
            raise InvalidInput(
                t(
                    "import.mapping_field",
                    path=path.name,
                    header=header,
                    field=field,
                    fields=", ".join(sorted(fields)),
                )
            )
        mapping[header_key(header)] = str(field)
    return mapping


def resolve(kind: str, header: list[str], mapping: Mapping[str, str]) -> dict[int, Column]:
    """Column index → column for ``header``; refuses a file without a required column or with
    two columns for one field."""
    by_name: dict[str, Column] = {}
    for column in COLUMNS[kind]:
        for name in (column.field, *column.names):
            by_name[header_key(name)] = column
    fields = {c.field: c for c in COLUMNS[kind]}
    found: dict[int, Column] = {}
    seen: dict[str, str] = {}
    for i, text in enumerate(header):
        key = header_key(text)
        match = fields.get(mapping[key]) if key in mapping else by_name.get(key)
        if match is None or not key:
            continue
        column = match
        if column.field in seen:
            raise InvalidInput(t("import.two_columns", first=seen[column.field], second=text))
        seen[column.field] = text
        found[i] = column
    for column in COLUMNS[kind]:
        if column.required and column.field not in seen:
            raise InvalidInput(t("import.missing_column", column=column.names[0]))
    return found


def knows(kind: str, mapping: Mapping[str, str]) -> Callable[[str], bool]:
    """Whether a header text names a column of ``kind`` (to find the header row)."""
    names = {header_key(x) for c in COLUMNS[kind] for x in (c.field, *c.names)} | set(mapping)
    return lambda text: bool(text) and header_key(text) in names
