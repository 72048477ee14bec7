"""Customer look-up: every search form, ranking, scope, and an index that never lags."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from conftest import POSTGRESQL
from sqlalchemy import Engine, text

from cmworkbench import clock
from cmworkbench.cli import main
from cmworkbench.db import search as index
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import Branch, Contact, Customer, Staff, Team
from cmworkbench.domain import idcard
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.customers.search import count_customers, search_customers


class Book:
    """A small branch: two teams, managers zhangwei (team 1, backs up liqiang) and wangfang
    (team 2), a supervisor of team 1, a branch head."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        with unit_of_work(engine) as s:
            branch = Branch(code="0101", name="城东支行")
            s.add(branch)
            s.flush()
            teams = [Team(branch_id=branch.id, name=n) for n in ("一组", "二组")]
            s.add_all(teams)
            s.flush()
            self.staff: dict[str, Staff] = {}
            for login, name, role, team in [
                ("zhangwei", "张伟", "manager", 0),
                ("liqiang", "李强", "manager", 0),
                ("wangfang", "王芳", "manager", 1),
                ("sup1", "赵主管", "supervisor", 0),
                ("head", "周行长", "branch_head", None),
            ]:
                member = Staff(
                    login=login,
                    name=name,
                    role=role,
                    branch_id=branch.id,
                    team_id=teams[team].id if team is not None else None,
                    created_at=clock.now(),
                )
                s.add(member)
                s.flush()
                self.staff[login] = member

    def actor(self, login: str) -> Actor:
        m = self.staff[login]
        assert m.id is not None
        return Actor(m.id, m.login, m.name, m.role, m.branch_id, m.team_id)

    def customer(
        self,
        number: str,
        name: str,
        *,
        owner: str = "zhangwei",
        kind: str = "individual",
        cls: str = "B1",
        phone: str | None = None,
        id_number: str | None = None,
        backup: str | None = None,
        contacts: tuple[tuple[str, str | None], ...] = (),
        age_days: int = 0,
    ) -> None:
        at = clock.now() - timedelta(days=age_days)
        with unit_of_work(self.engine) as s:
            c = Customer.model_validate(
                {
                    "customer_no": number,
                    "kind": kind,
                    "name": name,
                    "cls": cls,
                    "phone": phone,
                    "id_number": id_number,
                    "owner_id": self.staff[owner].id,
                    "backup_id": self.staff[backup].id if backup else None,
                    "created_at": at,
                    "updated_at": at,
                }
            )
            s.add(c)
            s.flush()
            for contact_name, contact_phone in contacts:
                s.add(
                    Contact(
                        customer_id=c.id,
                        name=contact_name,
                        phone=contact_phone,
                        role="decision_maker",
                        updated_at=at,
                    )
                )

    def find(self, query: str, login: str = "zhangwei", limit: int = 50) -> list[str]:
        with unit_of_work(self.engine) as s:
            hits = search_customers(session=s, actor=self.actor(login), query=query, limit=limit)
        return [h.customer_no for h in hits]


@pytest.fixture
def book(engine: Engine, frozen_clock) -> Iterator[Book]:
    b = Book(engine)
    b.customer("C001", "张伟", phone="13812345678", cls="A2")
    b.customer("C002", "王明华", phone="13900001111")
    b.customer(
        "C003", "单雄信", id_number=idcard.make("110105", clock.today().replace(year=1980), 123)
    )
    b.customer("C004", "曾国藩", phone="0571-88886666")
    b.customer("C005", "张伟明", cls="A1")
    b.customer(
        "C006",
        "杭州精密机械有限公司",
        kind="group",
        cls="A1",
        contacts=(("刘总", "13700002222"), ("欧阳娜娜", None)),
    )
    b.customer("C007", "王芳的客户", owner="wangfang", phone="13812340000")
    b.customer("C008", "李强的客户张伟", owner="liqiang", backup="zhangwei")
    b.customer("C009", "张三", id_number="11010519491231002X")
    yield b


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("张伟", "C001", id="two-character-name-exact"),
        pytest.param("伟", "C001", id="one-character-substring"),
        pytest.param("明华", "C002", id="end-of-a-three-character-name"),
        pytest.param("zhangwei", "C001", id="pinyin-full"),
        pytest.param("zw", "C001", id="pinyin-initials"),
        pytest.param("zhangw", "C001", id="pinyin-mixed"),
        pytest.param("ZhangWei", "C001", id="pinyin-any-case"),
        pytest.param("shanxiongxin", "C003", id="surname-单-read-shan"),
        pytest.param("sxx", "C003", id="surname-单-initials"),
        pytest.param("zengguofan", "C004", id="surname-曾-read-zeng"),
        pytest.param("C00", "C001", id="customer-number-prefix"),
        pytest.param("c004", "C004", id="customer-number-any-case"),
        pytest.param("5678", "C001", id="phone-last-4"),
        pytest.param("345678", "C001", id="phone-last-6"),
        pytest.param("6666", "C004", id="landline-tail"),
        pytest.param("１１１１", "C002", id="full-width-digits"),
        pytest.param("1234", "C003", id="id-number-tail"),
        pytest.param("002x", "C009", id="id-number-tail-with-x"),
        pytest.param("精密机械", "C006", id="group-name-substring"),
        pytest.param("刘总", "C006", id="key-person-name"),
        pytest.param("娜娜", "C006", id="key-person-name-substring"),
        pytest.param("ouyangnana", "C006", id="key-person-pinyin"),
        pytest.param("2222", "C006", id="key-person-phone-tail"),
        pytest.param("C008", "C008", id="backup-manager-sees-partners-customer"),
    ],
)
def test_each_search_form_finds_the_customer(book, query, expected):
    assert expected in book.find(query)


def test_phone_tails_shorter_than_four_digits_are_not_looked_up(book):
    assert book.find("678") == []


def test_ranking_exact_then_prefix_then_substring(book):
    found = book.find("张伟")
    # exact 张伟 (C001), then the prefix 张伟明 (C005, though A1), then the substring C008
    assert found.index("C001") < found.index("C005") < found.index("C008")


def test_ranking_by_class_within_a_tier(book):
    book.customer("C010", "张伟", cls="C")
    found = book.find("张伟")
    assert found.index("C001") < found.index("C010"), "A2 before C at the same match"


def test_ranking_by_recency_within_a_class(book):
    book.customer("C011", "张伟", cls="A2", age_days=30)
    found = book.find("张伟")
    assert found.index("C001") < found.index("C011"), "the more recently changed first"


def test_another_teams_customer_is_not_found(book):
    assert "C007" not in book.find("王芳的客户")
    assert "C007" not in book.find("0000")
    assert book.find("王芳的客户", login="wangfang") == ["C007"]


def test_supervisor_sees_the_team_and_branch_head_the_branch(book):
    assert "C008" in book.find("李强", login="sup1")
    assert "C007" not in book.find("王芳", login="sup1")
    assert "C007" in book.find("王芳", login="head")


def test_counts_match_the_results(book):
    with unit_of_work(book.engine) as s:
        n = count_customers(session=s, actor=book.actor("zhangwei"), query="张")
    assert n == len(book.find("张"))


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "'",
        '"',
        "%",
        "_",
        "*",
        "张' OR 1=1 --",
        "a" * 10_000,
        "张" * 500,
        "\x00",
        "zhang wei",
        "😀",
        "NEAR(张 伟)",
        "-",
        "C%",
    ],
)
def test_odd_input_never_breaks_the_search(book, query):
    assert isinstance(book.find(query), list)


def test_index_follows_every_change(book):
    with unit_of_work(book.engine) as s:
        c = s.exec(text("SELECT id FROM customer WHERE customer_no = 'C002'")).scalar_one()  # type: ignore[call-overload]
        customer = s.get(Customer, c)
        customer.name = "王明辉"
        s.add(customer)
    assert "C002" in book.find("明辉")
    assert "C002" not in book.find("明华")
    with unit_of_work(book.engine) as s:
        s.execute(
            text("UPDATE customer SET owner_id = :o WHERE customer_no = 'C002'"),
            {"o": book.staff["wangfang"].id},
        )
    assert "C002" not in book.find("明辉"), "a handover moves the customer out of scope"
    with unit_of_work(book.engine) as s:
        c6 = s.execute(text("SELECT id FROM customer WHERE customer_no = 'C006'")).scalar_one()
        s.add(Contact(customer_id=c6, name="钱多多", role="contact", updated_at=clock.now()))
    assert "C006" in book.find("钱多多")
    with unit_of_work(book.engine) as s:
        s.execute(text("DELETE FROM contact WHERE name = '刘总'"))
    assert "C006" not in book.find("刘总")
    with unit_of_work(book.engine) as s:
        s.execute(text("DELETE FROM customer WHERE customer_no = 'C009'"))
    assert book.find("张三") == []


def test_only_a_unit_of_work_that_wrote_drains_the_queue(book):
    """Reading spares the drain's round trip; any statement that may write (a CTE included)
    still indexes what it changed before committing."""

    def queued() -> int:
        with book.engine.connect() as conn:
            return conn.execute(text("SELECT COUNT(*) FROM search_dirty")).scalar_one()

    with book.engine.begin() as conn:  # a change whose unit of work did not drain
        conn.execute(text("INSERT INTO search_dirty (customer_id) SELECT MIN(id) FROM customer"))
    assert book.find("zw") and queued() == 1
    with unit_of_work(book.engine) as s:
        s.execute(
            text(
                "WITH c AS (SELECT id FROM customer WHERE customer_no = 'C002')"
                " UPDATE customer SET name = '王明辉' WHERE id IN (SELECT id FROM c)"
            )
        )
    assert queued() == 0
    assert "C002" in book.find("明辉")


def _terms(engine: Engine) -> list[tuple]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT term, kind, customer_id, owner_id, backup_id, cls_rank FROM search_term"
                    " ORDER BY term, kind, customer_id"
                )
            )
        )


def test_rebuild_gives_the_same_index_as_the_upkeep(book):
    before = _terms(book.engine)
    assert index.rebuild(book.engine) == 9
    assert _terms(book.engine) == before


def _rows(engine: Engine) -> list[tuple]:
    """Every index row, the copied columns included."""
    with engine.connect() as conn:
        return list(
            conn.execute(text("SELECT * FROM search_term ORDER BY customer_id, term, kind"))
        )


def test_a_change_to_what_the_index_copies_updates_the_rows_in_place(book):
    """A logged call changes the customer's recency, a handover its owner, a review its class:
    the queue marks them as such (no term to rewrite, no name to read in pinyin) and their
    rows are updated where they stand, the same rows a rebuild gives. A name or a key person
    changed in the same unit of work still has the terms rewritten."""

    def queued(statements: list[str]) -> list[tuple]:
        with book.engine.begin() as conn:  # around the units of work: nothing drains
            for statement in statements:
                conn.execute(text(statement), {"o": book.staff["wangfang"].id})
            found = conn.execute(text("SELECT customer_id, terms FROM search_dirty")).all()
            conn.execute(text("DELETE FROM search_dirty"))
        return [(customer_id, bool(terms)) for customer_id, terms in found]

    with book.engine.connect() as conn:
        c2, c6 = (
            conn.execute(text(f"SELECT id FROM customer WHERE customer_no = '{no}'")).scalar_one()
            for no in ("C002", "C006")
        )
    later = "updated_at = '2026-11-23 09:00:00.000000'"
    assert queued([f"UPDATE customer SET {later} WHERE id = {c2}"]) == [(c2, False)]
    assert queued([f"UPDATE customer SET cls = 'B1', owner_id = :o WHERE id = {c2}"]) == [
        (c2, False)
    ]
    assert queued(
        [
            f"UPDATE customer SET {later} WHERE id = {c2}",
            f"UPDATE customer SET name = '王明辉' WHERE id = {c2}",
        ]
    ) == [(c2, True)]
    assert queued(
        [
            f"UPDATE customer SET name = '王明亮' WHERE id = {c2}",
            f"UPDATE customer SET {later} WHERE id = {c2}",
        ]
    ) == [(c2, True)], "a customer queued for its terms stays so"
    assert queued(
        [
            f"UPDATE customer SET {later} WHERE id = {c6}",
            f"UPDATE contact SET name = '刘董' WHERE customer_id = {c6} AND name = '刘总'",
        ]
    ) == [(c6, True)]
    assert queued([f"UPDATE customer SET phone = '13900002222' WHERE id = {c2}"]) == [(c2, True)]

    index.rebuild(book.engine)  # the queued changes above are in the index now
    with unit_of_work(book.engine) as s:  # through the upkeep: in place
        s.execute(
            text(f"UPDATE customer SET cls = 'A1', owner_id = :o, {later} WHERE id = :c"),
            {"o": book.staff["zhangwei"].id, "c": c2},
        )
        s.execute(text(f"UPDATE customer SET {later} WHERE id = :c"), {"c": c6})
    kept = _rows(book.engine)
    index.rebuild(book.engine)
    assert kept == _rows(book.engine)
    assert "C002" in book.find("明亮"), "back in 张伟's book, found by its new name"


def test_cli_search_json_contract(book, capsys):
    url = book.engine.url.render_as_string(hide_password=False)
    assert main(["--db", url, "search", "张伟", "--as", "zhangwei", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    first = rows[0]
    assert {"customer_no", "name", "class", "owner", "phone"} <= set(first)
    assert first == {
        **first,
        "customer_no": "C001",
        "name": "张伟",
        "class": "A2",
        "owner": "zhangwei",
        "phone": "138****5678",
    }


def test_cli_search_limit_and_scope(book, capsys):
    url = book.engine.url.render_as_string(hide_password=False)
    assert main(["--db", url, "search", "张", "--as", "zhangwei", "--limit", "2", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2
    assert main(["--db", url, "search", "王芳的客户", "--as", "zhangwei", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_cli_reindex(book, capsys):
    url = book.engine.url.render_as_string(hide_password=False)
    assert main(["--db", url, "reindex"]) == 0
    assert "9" in capsys.readouterr().out
    assert "C001" in book.find("zw")


PARITY_QUERIES = ["zw", "zhang", "张", "王", "wang", "li", "x", "8470", "C0000017", "万梅", "C%"]


@pytest.mark.skipif(not POSTGRESQL, reason="compares PostgreSQL with SQLite")
def test_postgresql_finds_what_sqlite_finds_in_the_same_order(
    database_url: str, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Given the same demo branch in SQLite and in PostgreSQL, every query (pinyin, initials,
    phone tail, customer number, Chinese) finds the same customers, ranked the same."""
    sqlite = f"sqlite:///{tmp_path}/same.db"
    now = ["--now", "2026-11-23T08:30"]
    for url in (sqlite, database_url):
        assert main(["--db", url, "init"]) == 0
        assert main(["--db", url, *now, "demo", "--customers", "300", "--seed", "3"]) == 0
    capsys.readouterr()

    def found(url: str, query: str, login: str) -> list[str]:
        assert main(["--db", url, *now, "search", query, "--as", login, "--json"]) == 0
        return [row["customer_no"] for row in json.loads(capsys.readouterr().out)]

    hits = 0
    for query in PARITY_QUERIES:
        for login in ("zhangwei", "chenjing"):
            expected = found(sqlite, query, login)
            assert found(database_url, query, login) == expected, (query, login)
            hits += len(expected)
    assert hits > 20
