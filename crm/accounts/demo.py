# ruff: noqa: RUF001  (full-width CJK punctuation in company names is the point)
"""Demo accounts: a few hundred companies in English and Chinese with head offices and
branches, abbreviation pairs the duplicate check catches (工商银行/北京工行, IBM/International
Business Machines), contacts with buying roles and reporting lines, and account teams.

Deterministic (random.Random(SEED)) and idempotent: accounts carry external ids "demo-..."
and nothing is created twice. Bulk inserts keep it fast."""

from __future__ import annotations

import random

from django.db import transaction

from crm.accounts.duplicates import alias_table
from crm.accounts.models import (
    Account,
    AccountTeamMember,
    AccountTeamRole,
    AccountTier,
    AccountType,
    Attitude,
    BuyingRole,
    Contact,
)
from crm.accounts.normalize import domain_of, normalize_name, normalize_phone
from crm.accounts.services import aliases_seed_defaults
from tenants.demo import demo_seeder
from tenants.users.models import User, UserKind
from tenants.users.permissions import Capability, can

SEED = 20240611
PREFIX = "demo-"

# (head office, [branches]) pairs; several branches are written the way people shorten them,
# so that the duplicate check has something to find next to the canonical names.
GROUPS_ZH = [
    ("中国工商银行股份有限公司",
     ["中国工商银行北京分行", "中国工商银行上海分行", "工商银行深圳分行"]),
    ("中国建设银行股份有限公司", ["中国建设银行广州分行", "建设银行杭州分行"]),
    ("华为技术有限公司", ["上海华为技术有限公司", "华为技术（南京）有限公司"]),
    ("中国石油化工集团有限公司", ["中石化北京燃料油公司"]),
    ("阿里巴巴集团控股有限公司", ["阿里云计算有限公司"]),
    ("海尔集团公司", ["青岛海尔智能家电有限公司"]),
    ("比亚迪股份有限公司", ["比亚迪汽车销售有限公司"]),
    ("中国移动通信集团有限公司",
     ["中国移动通信集团江苏有限公司", "中国移动通信集团广东有限公司"]),
]
GROUPS_EN = [
    ("International Business Machines Corporation", ["IBM Germany GmbH", "IBM Japan Ltd."]),
    ("Siemens AG", ["Siemens Healthineers AG", "Siemens Ltd. China"]),
    ("General Electric Company", ["GE Healthcare", "GE Aerospace"]),
    ("Procter & Gamble Co.", ["P&G Japan"]),
    ("Hewlett-Packard Enterprise", ["HP Inc."]),
    ("Acme Holdings Inc.", ["Acme Manufacturing LLC", "Acme Logistics Ltd"]),
]
# Standalone records that duplicate a group's name the short way (found by the check).
DUPLICATE_SPELLINGS = ["北京工行", "建行广州分行", "IBM", "华为技术（上海）", "P&G"]

ZH_WORDS = ["恒信", "华星", "东方", "长城", "金桥", "天元", "瑞丰", "宏达", "新世纪", "联创",
            "海纳", "远航", "博远", "中科", "汇通", "正泰", "安捷", "卓越", "云帆", "鼎盛"]
ZH_TRADES = ["科技", "电子", "机械", "物流", "贸易", "医疗器械", "软件", "建材", "化工", "环保"]
ZH_CITIES = ["北京", "上海", "广州", "深圳", "杭州", "南京", "成都", "武汉", "苏州", "天津"]
EN_WORDS = ["Northwind", "Blue Harbor", "Summit", "Evergreen", "Pioneer", "Silverline",
            "Redwood", "Apex", "Crescent", "Horizon", "Ironbridge", "Lakeside", "Bright Path",
            "Keystone", "Orchid", "Granite", "Falcon", "Meridian", "Nova", "Tidewater"]
EN_TRADES = ["Systems", "Logistics", "Medical", "Foods", "Energy", "Robotics", "Analytics",
             "Components", "Textiles", "Labs"]
EN_SUFFIXES = ["Inc.", "Ltd.", "LLC", "GmbH", "Corp.", "Co., Ltd."]
INDUSTRIES = ["Manufacturing", "Banking", "Retail", "Healthcare", "Energy", "Technology",
              "Logistics", "Telecom", "Public sector", "Education"]
REGIONS = ["North", "East", "South", "West", "Central"]
FIRST_ZH = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞"]
LAST_ZH = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"]
FIRST_EN = ["Anna", "Ben", "Clara", "David", "Emma", "Felix", "Grace", "Henry", "Iris", "Jack"]
LAST_EN = ["Smith", "Miller", "Garcia", "Brown", "Wilson", "Taylor", "Clark", "Lewis", "Young"]
TITLES = [("CEO", BuyingRole.DECISION_MAKER), ("CIO", BuyingRole.DECISION_MAKER),
          ("Head of Procurement", BuyingRole.GATEKEEPER), ("IT Manager", BuyingRole.EVALUATOR),
          ("Engineer", BuyingRole.USER), ("Finance Director", BuyingRole.INFLUENCER),
          ("Project Lead", BuyingRole.EVALUATOR), ("Assistant", BuyingRole.OTHER)]


@demo_seeder(name="accounts", order=10)
def seed_accounts() -> None:
    if Account.objects.filter(external_id__startswith=PREFIX).exists():
        return
    rng = random.Random(SEED)  # noqa: S311  (deterministic demo data, not secrets)
    aliases_seed_defaults()
    aliases = alias_table()
    staff = list(User.objects.filter(kind=UserKind.STAFF, is_active=True).order_by("pk"))
    owners: list[User | None] = [u for u in staff if can(u, Capability.MANAGE_SALES)] or staff
    with transaction.atomic():
        specs = _account_specs(rng)
        accounts = [_account(spec, index, rng, owners, aliases) for index, spec in
                    enumerate(specs)]
        Account.objects.bulk_create(accounts, batch_size=500)
        by_name = {a.name: a for a in Account.objects.filter(external_id__startswith=PREFIX)}
        children = []
        for spec in specs:
            if spec["parent"]:
                account = by_name[spec["name"]]
                account.parent = by_name[spec["parent"]]
                children.append(account)
        Account.objects.bulk_update(children, ["parent"], batch_size=500)
        _seed_teams(rng, list(by_name.values()), staff)
        _seed_contacts(rng, list(by_name.values()), staff)


def _account_specs(rng: random.Random) -> list[dict[str, object]]:
    specs: list[dict[str, object]] = []
    for head, branches in GROUPS_ZH + GROUPS_EN:
        specs.append({"name": head, "parent": "", "tier": AccountTier.KEY,
                      "type": AccountType.CUSTOMER})
        specs.extend({"name": b, "parent": head, "tier": AccountTier.A,
                      "type": AccountType.CUSTOMER} for b in branches)
    specs.extend({"name": name, "parent": "", "tier": AccountTier.C,
                  "type": AccountType.PROSPECT} for name in DUPLICATE_SPELLINGS)
    seen = {str(spec["name"]) for spec in specs}
    while len(specs) < 320:
        if rng.random() < 0.5:
            name = (f"{rng.choice(ZH_CITIES)}{rng.choice(ZH_WORDS)}{rng.choice(ZH_TRADES)}"
                    "有限公司")
        else:
            name = f"{rng.choice(EN_WORDS)} {rng.choice(EN_TRADES)} {rng.choice(EN_SUFFIXES)}"
        if name in seen:
            continue
        seen.add(name)
        parent = ""
        heads = [s for s in specs if not s["parent"] and s["tier"] != AccountTier.KEY]
        if heads and rng.random() < 0.15:
            parent = str(rng.choice(heads)["name"])
        specs.append({
            "name": name, "parent": parent,
            "tier": rng.choice([AccountTier.A, AccountTier.B, AccountTier.C, ""]),
            "type": rng.choice([AccountType.PROSPECT] * 3 + [AccountType.CUSTOMER] * 2
                               + [AccountType.PARTNER, AccountType.COMPETITOR]),
        })
    return specs


def _account(spec: dict[str, object], index: int, rng: random.Random,
             owners: list[User | None], aliases: object) -> Account:
    name = str(spec["name"])
    phone = f"+86 {rng.choice(['10', '21', '20', '755'])} {rng.randint(5000_0000, 8999_9999)}"
    slug = "".join(ch for ch in normalize_name(name) if ch.isascii() and ch.isalnum())
    website = f"https://www.{slug[:20]}.example" if slug else ""
    owner = rng.choice([*owners, None]) if owners else None  # some sit in the pool
    return Account(
        name=name, name_normalized=normalize_name(name, aliases),  # type: ignore[arg-type]
        type=spec["type"], tier=spec["tier"], industry=rng.choice(INDUSTRIES),
        region=rng.choice(REGIONS), tags=rng.sample(["vip", "tender", "renewal", "new", "erp"],
                                                    k=rng.randint(0, 2)),
        city=rng.choice(ZH_CITIES) if not name.isascii() else rng.choice(
            ["London", "Berlin", "New York", "Tokyo", "Singapore"]),
        country="China" if not name.isascii() else rng.choice(["UK", "Germany", "USA", "Japan"]),
        phone=phone, phone_normalized=normalize_phone(phone), website=website,
        domain=domain_of(website), owner=owner, external_id=f"{PREFIX}{index:04d}",
        value_score=rng.randint(0, 100),
    )


def _seed_teams(rng: random.Random, accounts: list[Account], staff: list[User]) -> None:
    members = []
    for account in accounts:
        if account.owner_id:
            members.append(AccountTeamMember(account=account, user_id=account.owner_id,
                                             role=AccountTeamRole.OWNER))
        for user in rng.sample(staff, k=min(len(staff), rng.randint(0, 2))):
            if user.pk != account.owner_id:
                members.append(AccountTeamMember(
                    account=account, user=user,
                    role=rng.choice([AccountTeamRole.SUPPORT, AccountTeamRole.TECHNICAL,
                                     AccountTeamRole.SERVICE])))
    AccountTeamMember.objects.bulk_create(members, ignore_conflicts=True, batch_size=1000)


def _seed_contacts(rng: random.Random, accounts: list[Account], staff: list[User]) -> None:
    contacts: list[Contact] = []
    for account in accounts:
        chinese = not account.name.isascii()
        for position in range(rng.randint(1, 5)):
            title, role = TITLES[position] if position < 2 else rng.choice(TITLES[2:])
            if chinese:
                first, last = rng.choice(FIRST_ZH), rng.choice(LAST_ZH)
            else:
                first, last = rng.choice(FIRST_EN), rng.choice(LAST_EN)
            contacts.append(Contact(
                account=account, first_name=first, last_name=last, title=title,
                department=rng.choice(["IT", "Procurement", "Finance", "Operations"]),
                email=f"{first.lower() if first.isascii() else 'c'}{len(contacts)}"
                      f"@{account.domain or 'example.com'}",
                phone=f"+86 139 {rng.randint(1000_0000, 9999_9999)}",
                buying_role=role, influence=5 if position == 0 else rng.randint(1, 5),
                attitude=rng.choice(Attitude.values),
                covered_by=rng.choice([*staff, None]) if staff else None,
            ))
    Contact.objects.bulk_create(contacts, batch_size=1000)
    # Reporting lines: everyone reports to the account's first contact (the decision maker).
    first_by_account: dict[int, int] = {}
    updates = []
    for contact in Contact.objects.filter(account__in=accounts).order_by("account_id", "pk"):
        boss = first_by_account.setdefault(contact.account_id, contact.pk)
        if boss != contact.pk:
            contact.reports_to_id = boss
            updates.append(contact)
    Contact.objects.bulk_update(updates, ["reports_to"], batch_size=1000)
