"""Production refuses loopback, private and link-local targets, resolved at delivery time;
the request connects to the address that was checked (no second lookup to rebind)."""

import socket

import pytest
from django.test import override_settings

from crm.core.events import DomainEvent
from crm.webhooks import transport
from crm.webhooks.models import DeliveryStatus
from crm.webhooks.services import deliveries_create_for_event, delivery_attempt, endpoint_create

REAL_GETADDRINFO = socket.getaddrinfo


def _fake_dns(monkeypatch, answers: dict[str, str], calls: list[str]) -> None:
    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            calls.append(host)
            family = socket.AF_INET6 if ":" in answers[host] else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (answers[host], port))]
        return REAL_GETADDRINFO(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=False)
@pytest.mark.parametrize("host", ["127.0.0.1", "10.1.2.3", "169.254.169.254", "[::1]",
                                  "localhost", "192.168.0.10", "[::ffff:127.0.0.1]"])
def test_production_refuses_internal_targets_and_sends_nothing(
    tenant_a, in_tenant, receiver, host
):
    with in_tenant(tenant_a):
        endpoint_create(actor=None, url=receiver.url_for(host), events=["lead.created"])
        [delivery_id] = deliveries_create_for_event(event=DomainEvent(
            type="lead.created", data={"lead": {"id": 1}}, schema_name="t_alpha"))
        result = delivery_attempt(delivery_id=delivery_id)
    assert result.status == DeliveryStatus.PENDING  # retried later, like any failure
    assert result.response_status is None
    assert "not public" in result.error
    assert receiver.requests == []


@override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=False)
def test_a_name_resolving_to_loopback_is_refused(monkeypatch, receiver):
    calls: list[str] = []
    _fake_dns(monkeypatch, {"hooks.partner.example": "127.0.0.1"}, calls)
    result = transport.post(url=receiver.url_for("hooks.partner.example"), body=b"{}",
                            headers={})
    assert result.status is None
    assert "not public" in result.error
    assert receiver.requests == []


@override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=False)
def test_a_public_address_passes_the_check():
    calls: list[str] = []
    with pytest.MonkeyPatch.context() as patch:
        _fake_dns(patch, {"erp.partner.example": "93.184.215.14"}, calls)
        target = transport.resolve_target("https://erp.partner.example/hook?x=1")
    assert str(target.address) == "93.184.215.14"
    assert target.pinned_url == "https://93.184.215.14:443/hook?x=1"
    assert target.host_header == "erp.partner.example"


@override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=True)
def test_the_name_is_resolved_once_and_that_address_is_called(monkeypatch, receiver):
    calls: list[str] = []
    _fake_dns(monkeypatch, {"hooks.partner.example": "127.0.0.1"}, calls)
    result = transport.post(url=receiver.url_for("hooks.partner.example"), body=b"{}",
                            headers={"Content-Type": "application/json"})
    assert result.status == 200
    assert calls == ["hooks.partner.example"]
    assert receiver.requests[0].headers["Host"] == f"hooks.partner.example:{receiver.port}"


def test_only_http_and_https_urls_are_accepted(tenant_a, in_tenant):
    from django.core.exceptions import ValidationError

    with in_tenant(tenant_a):
        for url in ("ftp://example.com/x", "file:///etc/passwd", "http://user:pw@example.com/",
                    "example.com/hook"):
            with pytest.raises(ValidationError) as error:
                endpoint_create(actor=None, url=url, events=["lead.created"])
            assert "url" in error.value.message_dict
