"""Catalog commands: products (EDIT_RECORDS) and price books with their entries
(MANAGE_CATALOG). Each is one transaction with keyword-only arguments; every rule about a
product or a price book lives here (forms and serializers only parse)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from crm.accounts.models import Account, AccountTier
from crm.catalog.models import PriceBook, PriceBookEntry, PriceBookKind, Product
from crm.core.money import currency_is_known, is_whole_money, to_decimal
from tenants.users.models import User
from tenants.users.permissions import Capability, can

IMAGE_MAX_BYTES = 2 * 1024 * 1024
IMAGE_MAX_PIXELS = 4096 * 4096
IMAGE_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}
MONEY_LIMIT = Decimal("9999999999")  # max_digits 14, decimal_places 4

PRODUCT_FIELDS = ("sku", "name", "description", "family", "unit", "list_price", "currency",
                  "tax_rate", "active", "serialized", "external_id")
BOOK_FIELDS = ("name", "kind", "group_tier", "group_tag", "account", "currency",
               "valid_from", "valid_until", "active")


class ProductFields(TypedDict, total=False):
    sku: str
    name: str
    description: str
    family: str
    unit: str
    list_price: Decimal | int | str
    currency: str
    tax_rate: Decimal | int | str
    active: bool
    serialized: bool
    image: UploadedFile | None  # None removes the picture (product_update)


class ProductValues(ProductFields, total=False):
    external_id: str | None


class PriceBookValues(TypedDict, total=False):
    name: str
    kind: str
    group_tier: str
    group_tag: str
    account: Account | None
    currency: str
    valid_from: date
    valid_until: date | None
    active: bool


def _require(actor: User, capability: Capability) -> None:
    if not can(actor, capability):
        raise PermissionDenied


def _currency(value: Any, field: str = "currency") -> str:
    code = str(value or "").strip().upper()
    if not currency_is_known(code):
        raise ValidationError({field: _("Enter an ISO 4217 currency code, such as USD.")})
    return code


def _money(value: Any, *, field: str, currency: str) -> Decimal:
    amount = to_decimal(value, field=field)
    if amount < 0:
        raise ValidationError({field: _("The amount cannot be negative.")})
    if amount >= MONEY_LIMIT:
        raise ValidationError({field: _("The amount is too large.")})
    if not is_whole_money(amount, currency):
        raise ValidationError({field: _("%(currency)s amounts have no digits below its "
                                        "minor unit.") % {"currency": currency}})
    return amount


def product_image_check(*, file: UploadedFile) -> UploadedFile:
    """A PNG, JPEG, GIF or WebP image by its content (Pillow), at most 2 MB and 4096²."""
    message = _("Upload a PNG, JPEG, GIF or WebP image.")
    if file.size is not None and file.size > IMAGE_MAX_BYTES:
        raise ValidationError({"image": _("The image may be at most 2 MB.")})
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format = image.format or ""
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        raise ValidationError({"image": message}) from None
    finally:
        file.seek(0)
    if image_format not in IMAGE_FORMATS:
        raise ValidationError({"image": message})
    if width * height > IMAGE_MAX_PIXELS:
        raise ValidationError({"image": _("The image may be at most 4096 by 4096 pixels.")})
    return file


def _product_clean(values: Mapping[str, Any], *, instance: Product | None) -> dict[str, Any]:
    merged = {field: getattr(instance, field) for field in PRODUCT_FIELDS} if instance else {}
    merged.update(values)
    cleaned = dict(values)
    sku = str(merged.get("sku") or "").strip()
    if not sku:
        raise ValidationError({"sku": _("Enter the SKU.")})
    if len(sku) > 64:
        raise ValidationError({"sku": _("The SKU may be at most 64 characters.")})
    clash = Product.objects.filter(sku__iexact=sku)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise ValidationError({"sku": _("Another product has this SKU.")})
    cleaned["sku"] = sku
    name = str(merged.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the product name.")})
    cleaned["name"] = name
    currency = _currency(merged.get("currency"))
    cleaned["currency"] = currency
    cleaned["list_price"] = _money(merged.get("list_price", 0), field="list_price",
                                   currency=currency)
    tax = to_decimal(merged.get("tax_rate", 0), field="tax_rate")
    if tax < 0 or tax > 100:
        raise ValidationError({"tax_rate": _("A tax rate is between 0 and 100 %.")})
    cleaned["tax_rate"] = tax
    if "unit" in cleaned:
        cleaned["unit"] = str(cleaned["unit"] or "").strip() or "pcs"
    if "external_id" in cleaned:
        external_id = (cleaned["external_id"] or "").strip() or None
        clash = Product.objects.filter(external_id=external_id)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if external_id and clash.exists():
            raise ValidationError({"external_id": _("Another product has this external id.")})
        cleaned["external_id"] = external_id
    if cleaned.get("image"):
        product_image_check(file=cleaned["image"])
    return cleaned


def _save(instance: Any, *, field: str) -> None:
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise ValidationError({field: _("This conflicts with another record.")}) from None


@transaction.atomic
def product_create(*, actor: User, **values: Unpack[ProductValues]) -> Product:
    _require(actor, Capability.EDIT_RECORDS)
    unknown = set(values) - set(PRODUCT_FIELDS) - {"image"}
    if unknown:
        raise TypeError(f"Unknown product fields: {sorted(unknown)}")
    cleaned = _product_clean(values, instance=None)
    product = Product(**cleaned)
    _save(product, field="sku")
    return product


@transaction.atomic
def product_update(*, product: Product, actor: User, **values: Unpack[ProductValues]
                   ) -> Product:
    """Change the given fields; ``image=None`` removes the picture."""
    _require(actor, Capability.EDIT_RECORDS)
    unknown = set(values) - set(PRODUCT_FIELDS) - {"image"}
    if unknown:
        raise TypeError(f"Unknown product fields: {sorted(unknown)}")
    remove_image = "image" in values and values["image"] is None
    cleaned = _product_clean({k: v for k, v in values.items()
                              if not (k == "image" and v is None)}, instance=product)
    changed = remove_image
    for field, value in cleaned.items():
        if getattr(product, field) != value or field == "image":
            setattr(product, field, value)
            changed = True
    if remove_image and product.image:
        product.image.delete(save=False)
        product.image = ""
    if changed:
        _save(product, field="sku")
    return product


@dataclass(frozen=True)
class UpsertResult:
    product: Product
    created: bool


@transaction.atomic
def product_upsert_external(*, external_id: str, actor: User,
                            **values: Unpack[ProductFields]) -> UpsertResult:
    """Create or update the product with this external id (idempotent: the same values
    again change nothing, not even ``updated_at``)."""
    external_id = (external_id or "").strip()
    if not external_id:
        raise ValidationError({"external_id": _("Give the external id.")})
    existing = Product.objects.select_for_update().filter(external_id=external_id).first()
    if existing is None:
        return UpsertResult(product_create(actor=actor, external_id=external_id, **values),
                            created=True)
    return UpsertResult(product_update(product=existing, actor=actor, **values),
                        created=False)


# --- price books ----------------------------------------------------------------------

def _book_clean(values: Mapping[str, Any], *, instance: PriceBook | None) -> dict[str, Any]:
    merged = {field: getattr(instance, field) for field in BOOK_FIELDS} if instance else {}
    merged.update(values)
    cleaned = dict(values)
    name = str(merged.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the price book's name.")})
    cleaned["name"] = name
    kind = merged.get("kind") or PriceBookKind.GROUP
    if kind not in PriceBookKind.values:
        raise ValidationError({"kind": _("Choose standard, account group or one account.")})
    cleaned["kind"] = kind
    cleaned["currency"] = _currency(merged.get("currency"))
    tier = merged.get("group_tier") or ""
    tag = str(merged.get("group_tag") or "").strip()
    account = merged.get("account")
    if kind == PriceBookKind.GROUP:
        if (tier and tag) or not (tier or tag):
            raise ValidationError({"group_tier": _("A group book is for one account tier "
                                                   "or one account tag.")})
        if tier and tier not in AccountTier.values:
            raise ValidationError({"group_tier": _("Choose an account tier.")})
        account = None
    elif kind == PriceBookKind.ACCOUNT:
        if not isinstance(account, Account):
            raise ValidationError({"account": _("Choose the account this book is for.")})
        tier, tag = "", ""
    else:
        tier, tag, account = "", "", None
        others = PriceBook.objects.filter(kind=PriceBookKind.STANDARD)
        if instance is not None:
            others = others.exclude(pk=instance.pk)
        if others.exists():
            raise ValidationError({"kind": _("There is already a standard price book.")})
    cleaned.update(group_tier=tier, group_tag=tag, account=account)
    valid_from = merged.get("valid_from")
    valid_until = merged.get("valid_until")
    if not isinstance(valid_from, date):
        raise ValidationError({"valid_from": _("Enter the first day the book applies.")})
    if valid_until is not None and valid_until < valid_from:
        raise ValidationError({"valid_until": _("The end date is before the start date.")})
    return cleaned


@transaction.atomic
def price_book_create(*, actor: User, **values: Unpack[PriceBookValues]) -> PriceBook:
    _require(actor, Capability.MANAGE_CATALOG)
    book = PriceBook(**_book_clean(values, instance=None))
    _save(book, field="kind")
    return book


@transaction.atomic
def price_book_update(*, book: PriceBook, actor: User,
                      **values: Unpack[PriceBookValues]) -> PriceBook:
    _require(actor, Capability.MANAGE_CATALOG)
    cleaned = _book_clean(values, instance=book)
    if "currency" in values and cleaned["currency"] != book.currency:
        for entry in book.entries.all():
            _money(entry.unit_price, field="currency", currency=cleaned["currency"])
    for field, value in cleaned.items():
        setattr(book, field, value)
    _save(book, field="kind")
    return book


def _entry_clean(*, book: PriceBook, product: Product, unit_price: Any, min_quantity: Any
                 ) -> tuple[Decimal, Decimal]:
    price = _money(unit_price, field="unit_price", currency=book.currency)
    quantity = to_decimal(min_quantity if min_quantity is not None else 1,
                          field="min_quantity")
    if quantity < 0 or quantity >= MONEY_LIMIT or quantity != quantity.quantize(
            Decimal("0.0001")):
        raise ValidationError({"min_quantity": _("Enter a quantity of 0 or more, with at "
                                                 "most four decimals.")})
    return price, quantity


@transaction.atomic
def price_book_entry_set(*, book: PriceBook, product: Product, unit_price: Any,
                         min_quantity: Any = 1, actor: User) -> PriceBookEntry:
    """The price of ``product`` from ``min_quantity`` on in ``book`` (added or changed)."""
    _require(actor, Capability.MANAGE_CATALOG)
    price, quantity = _entry_clean(book=book, product=product, unit_price=unit_price,
                                   min_quantity=min_quantity)
    entry, _created = PriceBookEntry.objects.update_or_create(
        book=book, product=product, min_quantity=quantity, defaults={"unit_price": price})
    return entry


@transaction.atomic
def price_book_entry_remove(*, entry: PriceBookEntry, actor: User) -> None:
    _require(actor, Capability.MANAGE_CATALOG)
    entry.delete()


@transaction.atomic
def price_book_entries_replace(*, book: PriceBook, entries: list[dict[str, Any]],
                               actor: User) -> None:
    """Make the book's entries exactly ``entries`` ({"product", "unit_price",
    "min_quantity"}); unchanged rows are kept as they are."""
    _require(actor, Capability.MANAGE_CATALOG)
    wanted: dict[tuple[int, Decimal], Decimal] = {}
    for item in entries:
        price, quantity = _entry_clean(book=book, product=item["product"],
                                       unit_price=item["unit_price"],
                                       min_quantity=item.get("min_quantity", 1))
        key = (item["product"].pk, quantity)
        if key in wanted:
            raise ValidationError({"entries": _("Each product and minimum quantity once.")})
        wanted[key] = price
    existing = {(e.product_id, e.min_quantity): e for e in book.entries.all()}
    stale = [e.pk for key, e in existing.items() if key not in wanted]
    if stale:
        PriceBookEntry.objects.filter(pk__in=stale).delete()
    for (product_id, quantity), price in wanted.items():
        current = existing.get((product_id, quantity))
        if current is None:
            PriceBookEntry.objects.create(book=book, product_id=product_id,
                                          min_quantity=quantity, unit_price=price)
        elif current.unit_price != price:
            current.unit_price = price
            current.save(update_fields=["unit_price"])
