"""The catalogs: same keys in both languages, placeholders that match, no empty texts."""

import re

import pytest

from cmworkbench import i18n

FIELDS = re.compile(r"\{(\w+)[^}]*\}")


def test_both_catalogs_have_the_same_keys():
    zh, en = i18n.CATALOGS["zh_CN"], i18n.CATALOGS["en"]
    assert sorted(set(zh) - set(en)) == []
    assert sorted(set(en) - set(zh)) == []


@pytest.mark.parametrize("key", sorted(i18n.CATALOGS["en"]))
def test_placeholders_match_between_languages(key):
    zh, en = i18n.CATALOGS["zh_CN"][key], i18n.CATALOGS["en"][key]
    assert set(FIELDS.findall(zh)) == set(FIELDS.findall(en))
    assert zh.strip() and en.strip()


def test_switching_language():
    try:
        i18n.set_language("en")
        assert i18n.label("role", "supervisor") == "Supervisor"
        i18n.set_language("zh_CN")
        assert i18n.label("role", "supervisor") == "客户经理主管"
        assert i18n.t("cli.unknown_login", login="wangfang") == "没有登录名为 wangfang 的员工"
    finally:
        i18n.set_language("zh_CN")


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        i18n.set_language("fr")
