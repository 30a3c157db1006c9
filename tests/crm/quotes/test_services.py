"""Quote creation, prices from the pricing service vs recorded overrides, totals by the one
rule, revisions and the status machine."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from crm.core.money import document_totals
from crm.quotes.models import Quote, QuoteStatus
from crm.quotes.services import (
    quote_accept,
    quote_revise,
    quote_send,
    quote_settings_update,
    quote_submit,
    quote_update,
)
from tests.crm.quotes.factories import line, make_quote

D = Decimal


def test_a_quote_is_numbered_per_tenant_priced_by_the_book_and_totalled_by_the_rule(world):
    quote = make_quote(world, discount=5, discount_percent=D(2))
    assert quote.number.startswith(f"Q-{timezone.localdate().year}-")
    assert (quote.revision, quote.status, quote.currency) == (1, QuoteStatus.DRAFT, "CNY")
    assert quote.owner == world["rep"]
    lines = list(quote.lines.order_by("position"))
    assert [ln.unit_price for ln in lines] == [D("1200.00"), D("800.00")]
    assert [ln.price_book_id for ln in lines] == [world["book"].pk] * 2
    assert not any(ln.price_overridden for ln in lines)
    assert [ln.tax_rate for ln in lines] == [D(13), D(6)]
    expected = document_totals(lines, currency="CNY", document_discount_percent=D(2))
    assert (quote.subtotal, quote.tax_total, quote.total) == (
        expected.subtotal, expected.tax_total, expected.total)
    assert [(ln.line_net, ln.line_tax) for ln in lines] == [
        (r.line_net, r.line_tax) for r in expected.lines]
    second = make_quote(world)
    assert int(second.number.rsplit("-", 1)[1]) == int(quote.number.rsplit("-", 1)[1]) + 1


def test_a_volume_tier_of_the_book_applies_to_the_quantity(world):
    quote = make_quote(world, lines=[line(world["sensor"], 150)])
    assert quote.lines.get().unit_price == D("1100.00")


def test_an_overridden_price_is_recorded_with_the_book_price(world):
    quote = make_quote(world, lines=[line(world["sensor"], 1, unit_price=D("999.00")),
                                     line(world["service"], 1, tax_rate=D(9))])
    overridden, taxed = quote.lines.order_by("position")
    assert (overridden.unit_price, overridden.list_unit_price, overridden.price_overridden,
            overridden.price_book_id) == (D("999.00"), D("1200.00"), True, world["book"].pk)
    assert (taxed.tax_rate, taxed.tax_overridden, taxed.price_overridden) == (D(9), True, False)


def test_a_free_text_line_needs_its_price_and_defaults_to_the_workspace_validity(world):
    quote_settings_update(actor=world["admin"], validity_days=14, default_terms="Net 30",
                          document_address="1 Main St")
    quote = make_quote(world, lines=[line(description="Consulting", quantity=3,
                                          unit_price=D("100"))], currency="usd")
    assert quote.currency == "USD"
    assert quote.valid_until == timezone.localdate() + timedelta(days=14)
    assert quote.terms == "Net 30"
    assert quote.lines.get().price_overridden is False
    with pytest.raises(ValidationError) as error:
        make_quote(world, lines=[line(description="No price", quantity=1)])
    assert "unit_price" in error.value.message_dict


@pytest.mark.parametrize(("bad", "field"), [
    ({"quantity": D(-1)}, "quantity"),
    ({"discount_percent": D("100.5")}, "discount_percent"),
    ({"discount_percent": D(-1)}, "discount_percent"),
    ({"unit_price": D("-5")}, "unit_price"),
    ({"unit_price": D("1.005")}, "unit_price"),  # finer than the fen
    ({"tax_rate": D(-1)}, "tax_rate"),
])
def test_bad_lines_are_refused_with_the_field_named(world, bad, field):
    values = {"product": world["sensor"], "quantity": D(1), **bad}
    with pytest.raises(ValidationError) as error:
        make_quote(world, lines=[line(**values)])
    assert field in error.value.message_dict
    assert not Quote.objects.filter(account=world["account"]).exists()


def test_the_header_is_checked(world):
    with pytest.raises(ValidationError) as error:
        make_quote(world, contact=None, currency="XXQ",
                   valid_until=timezone.localdate() - timedelta(days=1))
    assert {"currency", "valid_until"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        make_quote(world, account=world["other_account"])
    assert "account" in error.value.message_dict  # rep does not see rep2's account


def test_a_quote_in_another_currency_than_its_book_needs_prices(world):
    with pytest.raises(ValidationError) as error:
        make_quote(world, currency="EUR", lines=[line(world["sensor"], 1)])
    assert "unit_price" in error.value.message_dict
    quote = make_quote(world, currency="EUR",
                       lines=[line(world["sensor"], 1, unit_price=D("150.00"))])
    stored = quote.lines.get()
    assert (stored.price_overridden, stored.list_unit_price) == (True, None)


def test_a_draft_is_changed_in_place(world):
    quote = make_quote(world)
    changed = quote_update(quote=quote, actor=world["rep"], lines=[line(world["service"], 4)])
    assert changed.pk == quote.pk
    assert changed.revision == 1
    assert changed.subtotal == D("3200.00")
    assert quote.lines.count() == 1


def test_editing_a_sent_quote_makes_a_revision_and_leaves_the_sent_one_as_it_was(world):
    quote = quote_submit(quote=make_quote(world), actor=world["rep"])
    quote_send(quote=quote, actor=world["rep"])
    before = [(ln.product_id, ln.quantity, ln.unit_price, ln.line_net, ln.line_tax)
              for ln in quote.lines.order_by("position")]
    total_before = Quote.objects.get(pk=quote.pk).total
    new = quote_update(quote=quote, actor=world["rep"], lines=[line(world["sensor"], 7)])
    assert (new.number, new.revision, new.previous_revision_id) == (quote.number, 2, quote.pk)
    assert new.status == QuoteStatus.DRAFT
    assert str(new) == f"{quote.number} rev 2"
    old = Quote.objects.get(pk=quote.pk)
    assert old.status == QuoteStatus.SUPERSEDED
    assert old.total == total_before
    assert [(ln.product_id, ln.quantity, ln.unit_price, ln.line_net, ln.line_tax)
            for ln in old.lines.order_by("position")] == before
    with pytest.raises(ValidationError):
        quote_update(quote=old, actor=world["rep"], lines=[line(world["sensor"], 1)])


def test_revise_copies_the_lines_into_a_new_draft(world):
    quote = quote_submit(quote=make_quote(world), actor=world["rep"])
    new = quote_revise(quote=quote, actor=world["rep"])
    assert new.revision == 2
    assert new.total == quote.total
    assert new.lines.count() == quote.lines.count()
    with pytest.raises(ValidationError):
        quote_revise(quote=new, actor=world["rep"])  # a draft changes in place


@pytest.mark.parametrize("action", [
    lambda quote, actor: quote_send(quote=quote, actor=actor),
    lambda quote, actor: quote_accept(quote=quote, actor=actor, name="X", ip_address=None),
], ids=["send", "accept"])
def test_illegal_transitions_are_refused(world, action):
    quote = make_quote(world)
    with pytest.raises(ValidationError) as error:
        action(quote, world["rep"])
    assert "status" in error.value.message_dict
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.DRAFT


def test_accepting_records_who_when_where_makes_the_order_and_emits_the_event(
        world, django_capture_on_commit_callbacks, monkeypatch):
    from crm.core import events

    seen = []
    monkeypatch.setitem(events._subscribers, "quote.accepted", [seen.append])
    quote = quote_submit(quote=make_quote(world), actor=world["rep"])
    quote_send(quote=quote, actor=world["rep"])
    with django_capture_on_commit_callbacks(execute=True):
        result = quote_accept(quote=quote, actor=world["rep"], name="Li Wei",
                              ip_address="203.0.113.9")
    stored = Quote.objects.get(pk=quote.pk)
    assert (stored.status, stored.accepted_by_name, stored.accepted_ip, stored.accepted_by) == (
        QuoteStatus.ACCEPTED, "Li Wei", "203.0.113.9", world["rep"])
    assert stored.accepted_at is not None
    assert result.order.quote_id == quote.pk
    assert result.order.total == stored.total
    assert [event.data["order"] for event in seen] == [result.order.pk]
    with pytest.raises(ValidationError):
        quote_accept(quote=stored, actor=world["rep"], name="again", ip_address=None)


def test_sending_e_mails_the_pdf_to_the_contact_after_commit(
        world, django_capture_on_commit_callbacks, mailoutbox):
    quote = quote_submit(quote=make_quote(world), actor=world["rep"])
    with django_capture_on_commit_callbacks(execute=True):
        quote_send(quote=quote, actor=world["rep"])
    assert Quote.objects.get(pk=quote.pk).sent_at is not None
    quote_mail = [m for m in mailoutbox if m.to == ["buyer@example.com"]]
    assert len(quote_mail) == 1
    assert quote.number in quote_mail[0].subject
    (_name, content, mimetype), = quote_mail[0].attachments
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF")


def test_a_portal_request_is_priced_by_the_same_services_and_staff_submit_it(world):
    from crm.quotes.services import quote_request_create

    requested = quote_request_create(account=world["account"], requested_by=None,
                                     lines=[line(world["sensor"], 2)], note="Please quote")
    assert (requested.status, requested.owner, requested.total) == (
        QuoteStatus.REQUESTED, world["rep"], D("2712.00"))
    assert quote_submit(quote=requested, actor=world["rep"]).status == QuoteStatus.APPROVED
