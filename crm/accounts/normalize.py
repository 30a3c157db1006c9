# ruff: noqa: RUF002, RUF003  (full-width CJK punctuation is the subject here)
"""Company-name normalisation for duplicate matching (English and Chinese).

``normalize_name`` turns the many spellings of one company into one key:

    上海华为技术有限公司   -> 华为技术
    华为技术（上海）       -> 华为技术
    北京工行              -> 工商银行      (alias 工行 = 工商银行)
    中国工商银行北京分行   -> 工商银行
    IBM                   -> international business machines  (alias)
    International Business Machines Corp. -> international business machines

Steps: Unicode NFKC (full-width to half-width), case-folding, punctuation (ASCII and CJK)
to spaces, alias expansion (the tenant's NameAlias table plus a built-in default set),
then repeatedly strip the 中国 prefix, legal-form suffixes, branch suffixes and location
tokens at either end. Location tokens are only stripped when a distinctive name remains, so
上海银行 and 北京银行 stay two different banks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

# The default aliases every new tenant starts with (seeded by a provisioning step; the
# tenant edits them at /crm/accounts/aliases/).
DEFAULT_ALIASES: dict[str, str] = {
    "工行": "工商银行",
    "建行": "建设银行",
    "农行": "农业银行",
    "中行": "中国银行",
    "交行": "交通银行",
    "招行": "招商银行",
    "浦发": "浦东发展银行",
    "中石油": "中国石油天然气",
    "中石化": "中国石油化工",
    "中移动": "中国移动通信",
    "IBM": "International Business Machines",
    "HP": "Hewlett-Packard",
    "GE": "General Electric",
    "P&G": "Procter & Gamble",
    "3M": "Minnesota Mining and Manufacturing",
    "AWS": "Amazon Web Services",
    "BMW": "Bayerische Motoren Werke",
}

# Longest first, so 股份有限公司 wins over 有限公司 and 公司.
_ZH_LEGAL_SUFFIXES = sorted(
    [
        "股份有限公司", "有限责任公司", "有限公司", "集团有限公司", "集团股份有限公司",
        "控股集团", "控股", "集团", "公司", "总公司", "总部", "股份", "厂",
    ],
    key=len, reverse=True,
)
_ZH_BRANCH_SUFFIXES = sorted(
    ["分行", "支行", "分公司", "子公司", "办事处", "营业部", "分部", "分店", "分理处", "代表处"],
    key=len, reverse=True,
)
_ZH_PREFIXES = ["中国", "中华"]
_ZH_PROVINCES = [
    "北京", "上海", "天津", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江",
    "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州",
    "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港",
    "澳门", "中国",
]
_ZH_CITIES = [
    "广州", "深圳", "杭州", "南京", "苏州", "武汉", "成都", "西安", "沈阳", "大连", "青岛",
    "厦门", "宁波", "无锡", "长沙", "郑州", "济南", "合肥", "福州", "昆明", "哈尔滨", "长春",
    "石家庄", "太原", "南昌", "南宁", "贵阳", "兰州", "海口", "珠海", "东莞", "佛山", "温州",
    "烟台", "常州", "南通", "嘉兴", "绍兴", "泉州", "中山", "惠州", "呼和浩特", "乌鲁木齐",
    "拉萨", "银川", "西宁",
]
_ZH_LOCATION_SUFFIXES = ["特别行政区", "自治区", "省", "市", "区", "县"]
# "(上海)", "上海市", "广东省": every location token with its optional administrative suffix.
_ZH_LOCATIONS = sorted(
    [place + suffix for place in _ZH_PROVINCES + _ZH_CITIES
     for suffix in ["", *_ZH_LOCATION_SUFFIXES]],
    key=len, reverse=True,
)
# Names that are not distinctive on their own: never strip a location down to one of these.
_ZH_GENERIC = {
    "银行", "保险", "证券", "信托", "基金", "科技", "技术", "电子", "电力", "电信", "移动",
    "联通", "医院", "大学", "学院", "中学", "小学", "医药", "药业", "建设", "建筑", "地产",
    "置业", "能源", "石油", "化工", "钢铁", "汽车", "物流", "航空", "铁路", "地铁", "公交",
    "燃气", "水务", "日报", "电视台", "图书馆", "博物馆", "商场", "百货", "酒店", "农商行",
}

_EN_LEGAL_SUFFIXES = {
    "co", "company", "ltd", "limited", "inc", "incorporated", "llc", "llp", "lp", "gmbh",
    "corp", "corporation", "plc", "ag", "sa", "s a", "sas", "sarl", "bv", "nv", "spa", "srl",
    "oy", "ab", "as", "kg", "kk", "pte", "pty", "group", "holdings", "holding",
}
_EN_LOCATIONS = {
    "china", "beijing", "shanghai", "guangzhou", "shenzhen", "hong kong", "hk", "prc",
    "usa", "us", "uk", "europe", "asia", "asia pacific", "apac", "germany", "japan",
}

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}]) | (?=[{_CJK}])")
_WHITESPACE = re.compile(r"\s+")
_HAS_CJK = re.compile(rf"[{_CJK}]")


def _punctuation_to_space(text: str) -> str:
    # Every Unicode punctuation or symbol: ASCII .,()&- and CJK （）、，。·《》「」 alike.
    # "&" between words reads as "and" so "P&G" and "P and G" meet.
    out = []
    for char in text:
        if char == "&":
            out.append(" and ")
        elif unicodedata.category(char)[0] in "PSZ":
            out.append(" ")
        else:
            out.append(char)
    return "".join(out)


def _basic(text: str) -> str:
    """NFKC, case-fold, punctuation to spaces, single spaces; no alias or suffix rules."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = _punctuation_to_space(text)
    return _WHITESPACE.sub(" ", text).strip()


def _compact(text: str) -> str:
    """Drop spaces next to CJK characters (Chinese is written without them)."""
    return _SPACE_NEAR_CJK.sub("", _WHITESPACE.sub(" ", text).strip())


class AliasTable:
    """Compiled alias expansion: one regex pass, longest alias first, no re-expansion."""

    def __init__(self, aliases: Mapping[str, str]) -> None:
        self.mapping: dict[str, str] = {}
        for alias, canonical in aliases.items():
            key = _compact(_basic(alias))
            if key:
                self.mapping[key] = _compact(_basic(canonical))
        parts = []
        for key in sorted(self.mapping, key=len, reverse=True):
            escaped = re.escape(key)
            if _HAS_CJK.search(key):
                parts.append(escaped)  # Chinese has no word boundaries: a substring match
            else:
                parts.append(rf"(?<![0-9a-z]){escaped}(?![0-9a-z])")
        self.pattern = re.compile("|".join(parts)) if parts else None

    def expand(self, text: str) -> str:
        if self.pattern is None:
            return text
        return self.pattern.sub(lambda match: self.mapping[match.group(0)], text)


_EMPTY = AliasTable({})


def _strip_zh(text: str) -> str:
    changed = True
    while changed:
        changed = False
        for prefix in _ZH_PREFIXES:
            rest = text[len(prefix):]
            if text.startswith(prefix) and _distinctive(rest):
                text, changed = rest, True
        for suffix in (*_ZH_LEGAL_SUFFIXES, *_ZH_BRANCH_SUFFIXES):
            if text.endswith(suffix) and len(text) > len(suffix):
                text, changed = text[: -len(suffix)], True
                break
        for place in _ZH_LOCATIONS:
            if text.startswith(place) and _distinctive(text[len(place):]):
                text, changed = text[len(place):], True
                break
            if text.endswith(place) and _distinctive(text[: -len(place)]):
                text, changed = text[: -len(place)], True
                break
    return text


def _distinctive(rest: str) -> bool:
    rest = rest.strip()
    return len(rest) >= 2 and rest not in _ZH_GENERIC


def _strip_en(tokens: list[str]) -> list[str]:
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        if tokens[0] == "the":
            tokens, changed = tokens[1:], True
            continue
        for size in (2, 1):
            tail = " ".join(tokens[-size:])
            if len(tokens) > size and (tail in _EN_LEGAL_SUFFIXES or tail in _EN_LOCATIONS):
                tokens, changed = tokens[:-size], True
                break
    return tokens


def normalize_name(name: str, aliases: AliasTable | Mapping[str, str] | None = None) -> str:
    """The duplicate-matching key of a company name (see the module docstring)."""
    table = aliases if isinstance(aliases, AliasTable) else (
        AliasTable(aliases) if aliases else _EMPTY
    )
    text = table.expand(_compact(_basic(name)))
    # Work segment by segment: runs of CJK text and runs of Latin words.
    segments = re.split(rf"([{_CJK}]+)", text)
    zh_parts: list[str] = []
    en_tokens: list[str] = []
    for segment in segments:
        if not segment.strip():
            continue
        if _HAS_CJK.match(segment):
            zh_parts.append(segment)
        else:
            en_tokens.extend(segment.split())
    if zh_parts:
        # A Chinese name: strip Chinese affixes from the joined text, then Latin legal
        # suffixes ("华为 Co Ltd") from the Latin tail.
        zh_text = _strip_zh("".join(zh_parts))
        en_tokens = [t for t in en_tokens if t not in _EN_LEGAL_SUFFIXES]
        result = _compact(" ".join([zh_text, *en_tokens]))
    else:
        result = " ".join(_strip_en(en_tokens))
    return result[:200] or _compact(text)[:200]


def normalize_phone(phone: str) -> str:
    """Digits only, comparable across spellings: without an international prefix (00/+) and
    China's country code 86, and without the domestic trunk zero, so "+86 10 8888 6666",
    "010-8888-6666" and "(010) 88886666" all become "1088886666"."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", phone or ""))
    if digits.startswith("00"):
        digits = digits[2:]
    if digits.startswith("86") and len(digits) >= 12:
        digits = digits[2:]
    return digits.lstrip("0")[:40]


_FREE_MAIL = {
    "gmail.com", "outlook.com", "hotmail.com", "yahoo.com", "qq.com", "163.com", "126.com",
    "sina.com", "sohu.com", "foxmail.com", "icloud.com", "live.com", "aliyun.com",
    "139.com", "yeah.net", "proton.me", "protonmail.com",
}


def domain_of(website_or_email: str) -> str:
    """"example.com" from "https://www.Example.com/x" or "ann@example.com"; "" for free mail."""
    value = (website_or_email or "").strip().lower()
    if not value:
        return ""
    if "@" in value and "/" not in value:
        value = value.rsplit("@", 1)[1]
    else:
        value = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value)
        value = value.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
        value = value.rsplit("@", 1)[-1].split(":", 1)[0]
    value = value.strip(".")
    if value.startswith("www."):
        value = value[4:]
    if "." not in value or value in _FREE_MAIL:
        return ""
    return value[:200]
