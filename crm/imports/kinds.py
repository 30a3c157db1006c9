"""What each import kind reads, how a row finds its duplicate, and which service writes it.

A kind lists its columns (key, English and Chinese header, required), turns a row's text
into values (``clean``, raising RowError naming the column), finds the existing record a
row duplicates (``match``), and creates or updates through the record's own service, so
every rule of a hand-made record applies to an imported one."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.accounts.duplicates import find_duplicates
from crm.accounts.models import Account, AccountTier, AccountType, BuyingRole, Contact
from crm.accounts.selectors import account_is_visible, account_visible_queryset
from crm.accounts.services import account_create, account_update, contact_create, contact_update
from crm.catalog.models import PriceBook, PriceBookEntry, Product
from crm.catalog.services import price_book_entry_set, product_create, product_update
from crm.imports.models import ImportKind
from crm.leads.models import Lead, LeadSource, LeadStatus
from crm.leads.selectors import leads_visible_to
from crm.leads.services.leads import lead_create, lead_update
from crm.service.models import Asset
from crm.service.selectors import asset_visible_queryset
from crm.service.services.assets import asset_create, asset_update
from tenants.users.models import User


class RowError(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # lazy English label (the UI language's translation in the UI)
    zh: str  # the Chinese header a template offers and a file may use
    required: bool = False


@dataclass
class Context:
    """Per-job lookups, cached: a 100,000-row file asks for each owner or parent once."""

    actor: User | None
    users: dict[str, User | None] = field(default_factory=dict)
    _visible: QuerySet[Account] | None = None
    accounts: dict[str, Account] = field(default_factory=dict)
    books: dict[str, PriceBook | None] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)

    def user(self, email: str, column: str) -> User | None:
        email = email.strip().lower()
        if not email:
            return None
        if email not in self.users:
            self.users[email] = User.objects.filter(
                email__iexact=email, is_active=True, kind="staff").first()
        user = self.users[email]
        if user is None:
            raise RowError(column, _("No active user with the e-mail %(email)s.")
                           % {"email": email})
        return user

    def account(self, reference: str, column: str) -> Account:
        """An account by external id, else by exact name (the only match, else an error)."""
        reference = reference.strip()
        if reference in self.accounts:
            return self.accounts[reference]
        # Only accounts the uploader may see can be named (as a parent, as a contact's
        # account): a file cannot attach anything to, or learn about, anyone else's.
        visible = self.visible_accounts()
        found = list(visible.filter(external_id=reference)[:1]) or list(
            visible.filter(name=reference)[:2])
        if not found:
            raise RowError(column, _("No account you can see is named or has the external id "
                                     "“%(ref)s”.") % {"ref": reference})
        if len(found) > 1:
            raise RowError(column, _("Several accounts are named “%(ref)s”: use its external "
                                     "id.") % {"ref": reference})
        self.accounts[reference] = found[0]
        return found[0]

    def visible_accounts(self) -> QuerySet[Account]:
        if self._visible is None:
            self._visible = (account_visible_queryset(viewer=self.actor)
                             if self.actor is not None else Account.objects.all())
        return self._visible

    def product(self, sku: str, column: str) -> Product:
        key = sku.strip().upper()
        if key not in self.products:
            product = Product.objects.filter(sku__iexact=key).first()
            if product is None:
                raise RowError(column, _("No product with the SKU %(sku)s.") % {"sku": sku})
            self.products[key] = product
        return self.products[key]


# --- value parsers --------------------------------------------------------------------

TRUE = {"1", "true", "yes", "y", "x", "是", "真", "对"}
FALSE = {"0", "false", "no", "n", "", "否", "假"}


def parse_bool(text: str, column: str) -> bool:
    value = text.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise RowError(column, _("Write yes or no."))


def parse_decimal(text: str, column: str, *, minimum: Decimal | None = Decimal(0)) -> Decimal:
    cleaned = text.strip().replace(",", "").replace("\uff0c", "").replace(" ", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise RowError(column, _("Enter a number.")) from None
    if not value.is_finite():
        raise RowError(column, _("Enter a number."))
    if minimum is not None and value < minimum:
        raise RowError(column, _("The value cannot be below %(min)s.") % {"min": minimum})
    return value


def parse_choice(text: str, column: str, choices: type) -> str:
    """A choice by its value or by its label in English or Chinese ("Key account", "A")."""
    value = text.strip()
    if not value:
        return ""
    from django.utils import translation

    for choice_value, label in choices.choices:
        candidates = {str(choice_value).lower(), str(label).lower()}
        with translation.override("zh-hans"):
            candidates.add(str(label).lower())
        with translation.override("en"):
            candidates.add(str(label).lower())
        if value.lower() in candidates:
            return str(choice_value)
    allowed = ", ".join(str(v) for v, _label in choices.choices)
    raise RowError(column, _("Unknown value “%(value)s”; use one of: %(allowed)s.")
                   % {"value": value, "allowed": allowed})


def parse_email(text: str, column: str) -> str:
    value = text.strip().lower()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise RowError(column, _("Enter a valid e-mail address.")) from None
    return value


# Tags split on ASCII and full-width commas and semicolons, the ideographic comma and "|".
TAG_SPLIT = re.compile("[,\uff0c\u3001;\uff1b|]")


def parse_tags(text: str) -> list[str]:
    """Tags as a person types them ("vip, east") or as our exports write them (JSON)."""
    text = text.strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            return [str(tag).strip() for tag in parsed if str(tag).strip()]
    return [tag.strip() for tag in TAG_SPLIT.split(text) if tag.strip()]


def _required(values: Mapping[str, str], key: str) -> str:
    value = values.get(key, "").strip()
    if not value:
        raise RowError(key, _("This column is required."))
    return value


def errors_of(exc: ValidationError) -> list[tuple[str, str]]:
    """(column, message) pairs of a service's ValidationError."""
    if hasattr(exc, "error_dict"):
        return [(name if name != "__all__" else "", str(message))
                for name, messages in exc.message_dict.items() for message in messages]
    return [("", str(message)) for message in exc.messages]


# --- kinds ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Kind:
    key: str
    columns: tuple[Column, ...]
    clean: Callable[[Mapping[str, str], Context], dict[str, Any]]
    match: Callable[[dict[str, Any], Context], Model | None]
    create: Callable[[dict[str, Any], Context], Model]
    update: Callable[[Model, dict[str, Any], Context], Model]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


def _text(values: Mapping[str, str], *keys: str) -> dict[str, str]:
    return {key: values[key].strip() for key in keys if values.get(key, "").strip()}


# Accounts ------------------------------------------------------------------------------

ACCOUNT_COLUMNS = (
    Column("name", gettext_lazy("Name"), "名称", required=True),
    Column("external_id", gettext_lazy("External id"), "外部编号"),
    Column("parent", gettext_lazy("Parent account (name or external id)"), "上级客户"),
    Column("type", gettext_lazy("Type"), "类型"),
    Column("tier", gettext_lazy("Tier"), "等级"),
    Column("industry", gettext_lazy("Industry"), "行业"),
    Column("region", gettext_lazy("Region"), "区域"),
    Column("tags", gettext_lazy("Tags"), "标签"),
    Column("address", gettext_lazy("Address"), "地址"),
    Column("city", gettext_lazy("City"), "城市"),
    Column("country", gettext_lazy("Country"), "国家"),
    Column("phone", gettext_lazy("Phone"), "电话"),
    Column("website", gettext_lazy("Website"), "网站"),
    Column("owner", gettext_lazy("Owner e-mail"), "负责人邮箱"),
)


def _account_clean(values: Mapping[str, str], ctx: Context) -> dict[str, Any]:
    fields: dict[str, Any] = {"name": _required(values, "name")}
    fields.update(_text(values, "external_id", "industry", "region", "address", "city",
                        "country", "phone", "website"))
    if values.get("type", "").strip():
        fields["type"] = parse_choice(values["type"], "type", AccountType)
    if values.get("tier", "").strip():
        fields["tier"] = parse_choice(values["tier"], "tier", AccountTier)
    if values.get("tags", "").strip():
        fields["tags"] = parse_tags(values["tags"])
    if values.get("parent", "").strip():
        fields["parent"] = ctx.account(values["parent"], "parent")
    if values.get("owner", "").strip():
        fields["owner"] = ctx.user(values["owner"], "owner")
    return fields


def _account_match(fields: dict[str, Any], ctx: Context) -> Account | None:
    if fields.get("external_id"):
        found = Account.objects.filter(external_id=fields["external_id"]).first()
        if found is not None:
            return found
    candidates = find_duplicates(viewer=None, name=fields["name"],
                                 phone=fields.get("phone", ""),
                                 website=fields.get("website", ""), limit=1)
    if candidates:
        return Account.objects.get(pk=candidates[0].id)
    return None


def _account_update(instance: Model, fields: dict[str, Any], ctx: Context) -> Model:
    assert isinstance(instance, Account)
    if ctx.actor is not None and not account_is_visible(viewer=ctx.actor, account=instance):
        raise RowError("name", _("This row matches an account you cannot see; ask its owner "
                                 "or an administrator."))
    fields = {k: v for k, v in fields.items() if k != "owner"}
    if instance.external_id and fields.get("external_id") == instance.external_id:
        fields.pop("external_id")
    # The file's spelling of the name does not rename the account it matched.
    fields.pop("name", None)
    return account_update(account=instance, actor=ctx.actor, **fields)


ACCOUNTS = Kind(
    key=ImportKind.ACCOUNTS, columns=ACCOUNT_COLUMNS, clean=_account_clean,
    match=_account_match,
    create=lambda fields, ctx: account_create(actor=ctx.actor, **fields),
    update=_account_update,
)

# Contacts ------------------------------------------------------------------------------

CONTACT_COLUMNS = (
    Column("account", gettext_lazy("Account (name or external id)"), "客户", required=True),
    Column("first_name", gettext_lazy("First name"), "名"),
    Column("last_name", gettext_lazy("Last name"), "姓", required=True),
    Column("title", gettext_lazy("Job title"), "职务"),
    Column("department", gettext_lazy("Department"), "部门"),
    Column("email", gettext_lazy("E-mail"), "邮箱"),
    Column("phone", gettext_lazy("Phone"), "电话"),
    Column("mobile", gettext_lazy("Mobile"), "手机"),
    Column("buying_role", gettext_lazy("Buying role"), "采购角色"),
    Column("external_id", gettext_lazy("External id"), "外部编号"),
)


def _contact_clean(values: Mapping[str, str], ctx: Context) -> dict[str, Any]:
    fields: dict[str, Any] = {"account": ctx.account(_required(values, "account"), "account"),
                              "last_name": _required(values, "last_name")}
    fields.update(_text(values, "first_name", "title", "department", "phone", "mobile",
                        "external_id"))
    if values.get("email", "").strip():
        fields["email"] = parse_email(values["email"], "email")
    if values.get("buying_role", "").strip():
        fields["buying_role"] = parse_choice(values["buying_role"], "buying_role", BuyingRole)
    if ctx.actor is not None and not account_is_visible(viewer=ctx.actor,
                                                        account=fields["account"]):
        raise RowError("account", _("You cannot see the account %(name)s.")
                       % {"name": fields["account"].name})
    return fields


def _contact_match(fields: dict[str, Any], ctx: Context) -> Contact | None:
    if fields.get("external_id"):
        found = Contact.objects.filter(external_id=fields["external_id"]).first()
        if found is not None:
            return found
    same_account = Contact.objects.filter(account=fields["account"])
    if fields.get("email"):
        found = same_account.filter(email__iexact=fields["email"]).first()
        if found is not None:
            return found
    return same_account.filter(last_name=fields["last_name"],
                               first_name=fields.get("first_name", "")).first()


def _contact_update(instance: Model, fields: dict[str, Any], ctx: Context) -> Model:
    assert isinstance(instance, Contact)
    if ctx.actor is not None and not account_is_visible(viewer=ctx.actor, account=instance.account):
        raise RowError("external_id", _("This row matches a contact you cannot see."))
    fields = {k: v for k, v in fields.items() if k != "account"}
    if instance.external_id and fields.get("external_id") == instance.external_id:
        fields.pop("external_id")
    return contact_update(contact=instance, actor=ctx.actor, **fields)


CONTACTS = Kind(
    key=ImportKind.CONTACTS, columns=CONTACT_COLUMNS, clean=_contact_clean,
    match=_contact_match,
    create=lambda fields, ctx: contact_create(actor=ctx.actor, **fields),
    update=_contact_update,
)

# Leads ---------------------------------------------------------------------------------

LEAD_COLUMNS = (
    Column("company", gettext_lazy("Company"), "公司"),
    Column("first_name", gettext_lazy("First name"), "名"),
    Column("last_name", gettext_lazy("Last name"), "姓"),
    Column("title", gettext_lazy("Job title"), "职务"),
    Column("email", gettext_lazy("E-mail"), "邮箱"),
    Column("phone", gettext_lazy("Phone"), "电话"),
    Column("region", gettext_lazy("Region"), "区域"),
    Column("source", gettext_lazy("Source"), "来源"),
    Column("message", gettext_lazy("Message"), "留言"),
    Column("owner", gettext_lazy("Owner e-mail"), "负责人邮箱"),
)


def _lead_clean(values: Mapping[str, str], ctx: Context) -> dict[str, Any]:
    fields: dict[str, Any] = _text(values, "company", "first_name", "last_name", "title",
                                   "phone", "region", "message")
    if values.get("email", "").strip():
        fields["email"] = parse_email(values["email"], "email")
    if not (fields.get("company") or fields.get("last_name") or fields.get("email")):
        raise RowError("company", _("A lead needs a company, a last name or an e-mail."))
    fields["source"] = (parse_choice(values["source"], "source", LeadSource)
                        if values.get("source", "").strip() else LeadSource.IMPORT)
    if values.get("owner", "").strip():
        fields["owner"] = ctx.user(values["owner"], "owner")
    return fields


def _lead_match(fields: dict[str, Any], ctx: Context) -> Lead | None:
    open_leads = Lead.objects.exclude(status__in=[LeadStatus.CONVERTED,
                                                  LeadStatus.DISQUALIFIED])
    if fields.get("email"):
        return open_leads.filter(email__iexact=fields["email"]).first()
    if fields.get("company") and fields.get("last_name"):
        return open_leads.filter(company__iexact=fields["company"],
                                 last_name__iexact=fields["last_name"]).first()
    return None


def _lead_update(instance: Model, fields: dict[str, Any], ctx: Context) -> Model:
    assert isinstance(instance, Lead)
    if ctx.actor is not None and not leads_visible_to(ctx.actor).filter(pk=instance.pk).exists():
        raise RowError("email", _("This row matches a lead you cannot see."))
    changes = {k: v for k, v in fields.items() if k not in ("owner", "source")}
    return lead_update(lead=instance, actor=ctx.actor, **changes)  # type: ignore[arg-type]


LEADS = Kind(
    key=ImportKind.LEADS, columns=LEAD_COLUMNS, clean=_lead_clean, match=_lead_match,
    create=lambda fields, ctx: lead_create(actor=ctx.actor, **fields),
    update=_lead_update,
)

# Products ------------------------------------------------------------------------------

PRODUCT_COLUMNS = (
    Column("sku", gettext_lazy("SKU"), "物料编码", required=True),
    Column("name", gettext_lazy("Name"), "名称", required=True),
    Column("list_price", gettext_lazy("List price"), "标准价", required=True),
    Column("currency", gettext_lazy("Currency"), "币种", required=True),
    Column("tax_rate", gettext_lazy("Tax rate (%)"), "税率(%)"),
    Column("unit", gettext_lazy("Unit"), "单位"),
    Column("family", gettext_lazy("Family"), "产品系列"),
    Column("description", gettext_lazy("Description"), "描述"),
    Column("active", gettext_lazy("Active"), "启用"),
    Column("serialized", gettext_lazy("Serialised"), "序列号管理"),
    Column("external_id", gettext_lazy("External id"), "外部编号"),
)


def _product_clean(values: Mapping[str, str], ctx: Context) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "sku": _required(values, "sku"), "name": _required(values, "name"),
        "list_price": parse_decimal(_required(values, "list_price"), "list_price"),
        "currency": _required(values, "currency").upper(),
    }
    fields.update(_text(values, "unit", "family", "description", "external_id"))
    if values.get("tax_rate", "").strip():
        fields["tax_rate"] = parse_decimal(values["tax_rate"].rstrip("%"), "tax_rate")
    for flag in ("active", "serialized"):
        if values.get(flag, "").strip():
            fields[flag] = parse_bool(values[flag], flag)
    return fields


def _product_match(fields: dict[str, Any], ctx: Context) -> Product | None:
    condition = Q(sku__iexact=fields["sku"])
    if fields.get("external_id"):
        condition |= Q(external_id=fields["external_id"])
    return Product.objects.filter(condition).order_by("pk").first()


def _product_update(instance: Model, fields: dict[str, Any], ctx: Context) -> Model:
    assert isinstance(instance, Product)
    assert ctx.actor is not None
    return product_update(product=instance, actor=ctx.actor, **fields)


PRODUCTS = Kind(
    key=ImportKind.PRODUCTS, columns=PRODUCT_COLUMNS, clean=_product_clean,
    match=_product_match,
    create=lambda fields, ctx: product_create(actor=ctx.actor, **fields),  # type: ignore[arg-type]
    update=_product_update,
)

# Price-book entries --------------------------------------------------------------------

ENTRY_COLUMNS = (
    Column("price_book", gettext_lazy("Price book"), "价格表", required=True),
    Column("sku", gettext_lazy("SKU"), "物料编码", required=True),
    Column("unit_price", gettext_lazy("Unit price"), "单价", required=True),
    Column("min_quantity", gettext_lazy("From quantity"), "起订量"),
)


def _entry_clean(values: Mapping[str, str], ctx: Context) -> dict[str, Any]:
    name = _required(values, "price_book")
    if name not in ctx.books:
        ctx.books[name] = PriceBook.objects.filter(name=name).order_by("pk").first()
    book = ctx.books[name]
    if book is None:
        raise RowError("price_book", _("No price book named “%(name)s”.") % {"name": name})
    quantity = (parse_decimal(values["min_quantity"], "min_quantity")
                if values.get("min_quantity", "").strip() else Decimal(1))
    return {"book": book, "product": ctx.product(_required(values, "sku"), "sku"),
            "unit_price": parse_decimal(_required(values, "unit_price"), "unit_price"),
            "min_quantity": quantity}


def _entry_match(fields: dict[str, Any], ctx: Context) -> PriceBookEntry | None:
    return PriceBookEntry.objects.filter(book=fields["book"], product=fields["product"],
                                         min_quantity=fields["min_quantity"]).first()


def _entry_set(fields: dict[str, Any], ctx: Context) -> Model:
    assert ctx.actor is not None
    return price_book_entry_set(actor=ctx.actor, **fields)


PRICE_BOOK_ENTRIES = Kind(
    key=ImportKind.PRICE_BOOK_ENTRIES, columns=ENTRY_COLUMNS, clean=_entry_clean,
    match=_entry_match, create=_entry_set,
    update=lambda instance, fields, ctx: _entry_set(fields, ctx),
)

# Assets --------------------------------------------------------------------------------

ASSET_COLUMNS = (
    Column("account", gettext_lazy("Account (name or external id)"), "客户", required=True),
    Column("serial_number", gettext_lazy("Serial number"), "序列号", required=True),
    Column("sku", gettext_lazy("SKU"), "物料编码"),
    Column("make", gettext_lazy("Make"), "品牌"),
    Column("model", gettext_lazy("Model"), "型号"),
    Column("customer_reference", gettext_lazy("Customer reference"), "客户编号"),
    Column("location", gettext_lazy("Location"), "位置"),
    Column("installed_on", gettext_lazy("Installed on"), "安装日期"),
    Column("warranty_start", gettext_lazy("Warranty start"), "保修开始"),
    Column("warranty_end", gettext_lazy("Warranty end"), "保修结束"),
    Column("external_id", gettext_lazy("External id"), "外部编号"),
)


def parse_date(text: str, column: str) -> date:
    value = text.strip().replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise RowError(column, _("Enter a date as YYYY-MM-DD.")) from None


def _asset_clean(values: Mapping[str, str], ctx: Context) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "account": ctx.account(_required(values, "account"), "account"),
        "serial_number": _required(values, "serial_number"),
    }
    fields.update(_text(values, "make", "model", "customer_reference", "location",
                        "external_id"))
    if values.get("sku", "").strip():
        fields["product"] = ctx.product(values["sku"], "sku")
    elif not fields.get("model"):
        raise RowError("sku", _("Give the product's SKU, or the make and model of third-party "
                                "equipment."))
    for key in ("installed_on", "warranty_start", "warranty_end"):
        if values.get(key, "").strip():
            fields[key] = parse_date(values[key], key)
    return fields


def _asset_match(fields: dict[str, Any], ctx: Context) -> Asset | None:
    if fields.get("external_id"):
        found = Asset.objects.filter(external_id=fields["external_id"]).first()
        if found is not None:
            return found
    if fields.get("product") is not None:
        return Asset.objects.filter(product=fields["product"],
                                    serial_number=fields["serial_number"]).first()
    return Asset.objects.filter(product__isnull=True, make=fields.get("make", ""),
                                model=fields.get("model", ""),
                                serial_number=fields["serial_number"]).first()


def _asset_create(fields: dict[str, Any], ctx: Context) -> Model:
    assert ctx.actor is not None
    values = dict(fields)
    return asset_create(actor=ctx.actor, account=values.pop("account"), **values)


def _asset_update(instance: Model, fields: dict[str, Any], ctx: Context) -> Model:
    assert isinstance(instance, Asset)
    assert ctx.actor is not None
    if not asset_visible_queryset(ctx.actor).filter(pk=instance.pk).exists():
        raise RowError("serial_number", _("This row matches an asset you cannot see."))
    values = {k: v for k, v in fields.items() if k != "account"}
    if instance.external_id and values.get("external_id") == instance.external_id:
        values.pop("external_id")
    return asset_update(asset=instance, actor=ctx.actor, **values)


ASSETS = Kind(
    key=ImportKind.ASSETS, columns=ASSET_COLUMNS, clean=_asset_clean, match=_asset_match,
    create=_asset_create, update=_asset_update,
)

KINDS: dict[str, Kind] = {kind.key: kind for kind in
                          (ACCOUNTS, CONTACTS, LEADS, PRODUCTS, ASSETS, PRICE_BOOK_ENTRIES)}


def register_kind(kind: Kind) -> None:
    """Apps whose records can be imported add their kind here (crm.service: assets)."""
    KINDS[kind.key] = kind
