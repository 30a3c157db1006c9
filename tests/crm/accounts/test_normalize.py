# ruff: noqa: RUF001  (full-width CJK punctuation is the subject here)
import pytest

from crm.accounts.normalize import (
    DEFAULT_ALIASES,
    AliasTable,
    domain_of,
    normalize_name,
    normalize_phone,
)

ALIASES = AliasTable(DEFAULT_ALIASES)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("上海华为技术有限公司", "华为技术（上海）"),
        ("北京工行", "中国工商银行北京分行"),
        ("建行深圳分行", "中国建设银行股份有限公司"),
        ("IBM", "International Business Machines Corp."),
        ("Acme, Inc.", "ACME Ltd"),
        ("ＡＣＭＥ　Ｃｏ．，Ｌｔｄ．", "Acme Co., Ltd."),
        ("Procter & Gamble Co.", "P&G"),
        ("Siemens AG", "siemens"),
        ("阿里巴巴集团控股有限公司", "阿里巴巴（中国）有限公司"),
        ("  The   Boeing Company ", "Boeing"),
    ],
)
def test_spellings_of_one_company_share_a_key(first: str, second: str) -> None:
    assert normalize_name(first, ALIASES) == normalize_name(second, ALIASES)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("上海银行", "北京银行"),
        ("工商银行", "建设银行"),
        ("华为技术", "中兴通讯"),
        ("Acme", "Apex"),
        ("中国银行", "工商银行"),
        ("General Motors", "General Electric"),
    ],
)
def test_unrelated_companies_keep_different_keys(first: str, second: str) -> None:
    assert normalize_name(first, ALIASES) != normalize_name(second, ALIASES)


def test_examples_of_keys() -> None:
    assert normalize_name("上海华为技术有限公司") == "华为技术"
    assert normalize_name("中国工商银行北京分行") == "工商银行"
    assert normalize_name("北京工行", ALIASES) == "工商银行"
    assert normalize_name("北京工行") == "工行"  # without the alias table no expansion
    assert normalize_name("International Business Machines Corp.") == (
        "international business machines"
    )


def test_a_location_alone_is_not_stripped_to_a_generic_word() -> None:
    assert normalize_name("上海银行") == "上海银行"
    assert normalize_name("北京大学") == "北京大学"


def test_latin_alias_matches_whole_words_only() -> None:
    table = AliasTable({"GE": "General Electric"})
    assert normalize_name("GE Healthcare", table) == "general electric healthcare"
    assert normalize_name("Geico", table) == "geico"


def test_phone_and_domain_normalisation() -> None:
    assert normalize_phone("+86 (21) 5555-1234") == "2155551234"
    assert normalize_phone("０２１－５５５５１２３４") == "2155551234"
    assert normalize_phone("(010) 8888 6666") == normalize_phone("+86 10 8888-6666")
    assert domain_of("https://www.Example.com/about") == "example.com"
    assert domain_of("ann@sub.example.co.uk") == "sub.example.co.uk"
    assert domain_of("someone@qq.com") == ""
    assert domain_of("") == ""
