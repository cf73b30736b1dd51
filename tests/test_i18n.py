"""Labels for every code of every contract, and the lookups' fallbacks."""

from __future__ import annotations

import pytest

from ccomkit.calendar import DAY_TYPES
from ccomkit.errors import ParameterError
from ccomkit.i18n import (
    CCOM_DOMAINS,
    COLUMN_DOMAINS,
    DCDIER_STEPS,
    VALUE_DOMAINS,
    bilingual,
    column_label,
    domain_of,
    label,
    labels,
    table_label,
)
from ccomkit.schemas import TABLES

CODED = [(t.name, c.name, c.allowed) for t in TABLES.values() for c in t.columns if c.allowed]


@pytest.mark.parametrize(("table", "column", "allowed"), CODED,
                         ids=[f"{t}.{c}" for t, c, _ in CODED])
def test_every_allowed_code_has_a_chinese_label(table, column, allowed):
    domain = domain_of(table, column)
    assert domain is not None, f"{table}.{column} has no value domain in COLUMN_DOMAINS"
    assert set(allowed) <= set(VALUE_DOMAINS[domain]), f"{table}.{column}: codes without labels"
    for code in allowed:
        zh = label(code, "zh", domain=f"{table}.{column}")
        en = label(code, "en", domain=domain)
        assert zh != code and zh.strip(), (table, column, code)
        assert en.strip(), (table, column, code)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), (table, column, code, zh)


def test_no_stale_column_domains():
    coded = {f"{t}.{c}" for t, c, _ in CODED}
    assert set(COLUMN_DOMAINS) - coded == {"calendar.day_type"}


def test_every_table_and_column_label_comes_from_the_contract():
    for t in TABLES.values():
        assert table_label(t.name) == t.label_zh and table_label(t, "en") == t.label_en
        for c in t.columns:
            assert column_label(t.name, c.name) == c.label_zh
            assert column_label(t.name, c.name, "en") == c.label_en


@pytest.mark.parametrize(
    ("code", "domain", "zh", "en"),
    [
        ("language", "qa_section", "服务用语", "service language"),
        ("attitude", None, "服务态度", "service attitude"),
        ("skill", None, "处理技巧", "handling skill"),
        ("accuracy", None, "准确度", "accuracy"),
        ("fatal", None, "致命错误", "fatal error"),
        ("junior", "level", "初级", "junior"),
        ("intermediate", "level", "中级", "intermediate"),
        ("senior", "level", "高级", "senior"),
        ("expert", "level", "资深", "expert"),
        ("training", "stage", "培训期", "training"),
        ("nesting", "stage", "实习期", "nesting"),
        ("on_floor", "stage", "上岗期", "on floor"),
        ("workday", "day_type", "工作日", "workday"),
        ("weekend", "day_type", "周末", "weekend"),
        ("holiday", "day_type", "节假日", "holiday"),
        ("makeup_workday", "calendar.day_type", "调休工作日", "make-up workday"),
        ("define", "dcdier", "定义", "Define"),
        ("collect", "dcdier", "收集", "Collect"),
        ("clarify", "dcdier", "明确", "Clarify"),
        ("improve", "dcdier", "改善", "Improve"),
        ("execute", "dcdier", "执行", "Execute"),
        ("review", "dcdier", "评测", "Review"),
        ("forecasting_scheduling", "ccom_domain", "预测排班", "forecasting and scheduling"),
        ("quality", "ccom_domain", "质量控制", "quality control"),
        ("performance", "ccom_domain", "绩效管理", "performance management"),
        ("people", "ccom_domain", "人员管理", "people management"),
        ("satisfaction", "ccom_domain", "客户满意度", "customer satisfaction"),
        ("leave", "hr_event", "离职", "leaver"),
        ("leave", "schedule.activity", "休假", "leave"),
        ("acd_interval", "table", "ACD时段话务", "ACD interval statistics"),
        ("offered", "column", "接入量", "offered"),
    ],
)
def test_known_labels_round_trip(code, domain, zh, en):
    assert label(code, "zh", domain) == zh
    assert label(code, "en", domain) == en
    # round trip: the zh label maps back to the code within its domain
    if domain not in (None, "table", "column"):
        back = {v: k for k, v in labels(domain).items()}
        assert back[zh] == code


def test_labels_are_unique_within_each_domain():
    for dom, values in VALUE_DOMAINS.items():
        for i in (0, 1):
            texts = [pair[i] for pair in values.values()]
            assert len(texts) == len(set(texts)), (dom, i)


def test_step_domain_and_day_type_tuples_are_covered():
    assert tuple(VALUE_DOMAINS["dcdier"]) == DCDIER_STEPS
    assert tuple(VALUE_DOMAINS["ccom_domain"]) == CCOM_DOMAINS
    assert tuple(VALUE_DOMAINS["day_type"]) == DAY_TYPES


def test_unknown_codes_come_back_unchanged():
    assert label("gold_member") == "gold_member"
    assert label("gold_member", "en", domain="channel") == "gold_member"
    assert table_label("no_such_table") == "no_such_table"
    assert column_label("acd_interval", "no_such_column") == "no_such_column"
    assert column_label("no_such_table", "offered") == "offered"
    assert bilingual("gold_member") == "gold_member"
    assert label(None) == "" and label(float("nan")) == ""


def test_bilingual():
    assert bilingual("voice") == "语音 voice"
    assert bilingual("online", domain="recruit_channel") == "网络招聘 online job boards"
    assert bilingual("hr_event", domain="table") == "人事变动 HR events"
    assert bilingual("review", sep=" / ") == "评测 / Review"


def test_bad_lang_or_domain_raise_parameter_error():
    with pytest.raises(ParameterError) as err:
        label("voice", lang="fr")
    assert err.value.param == "lang"
    with pytest.raises(ParameterError) as err:
        label("voice", domain="channels")
    assert err.value.param == "domain"
    assert label("voice", lang="zh-CN") == "语音" and label("voice", lang="en_US") == "voice"
