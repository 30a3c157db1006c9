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


# IPv6 forms that carry an internal IPv4 address, and IPv6 ranges that are not public.
# The Teredo one carries client 127.0.0.1 (server 65.54.227.120; the client is stored XORed).
@override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=False)
@pytest.mark.parametrize("address", [
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254 (cloud metadata)
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:a01:203::1",  # 6to4 of 10.1.2.3
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo, client 192.0.2.45 (documentation)
    "::7f00:1",  # IPv4-compatible 127.0.0.1
    "::a9fe:a9fe",  # IPv4-compatible 169.254.169.254
    "fec0::1",  # site-local
    "ff02::1",  # multicast
    "::",  # unspecified
    "fe80::1",  # link-local
    "fd00::1",  # unique local
    "::ffff:a9fe:a9fe",  # IPv4-mapped 169.254.169.254
])
def test_ipv6_forms_of_internal_addresses_are_refused(address):
    import ipaddress

    assert transport.address_is_public(ipaddress.ip_address(address)) is False
    calls: list[str] = []
    with pytest.MonkeyPatch.context() as patch:
        _fake_dns(patch, {"hooks.partner.example": address}, calls)
        with pytest.raises(transport.TargetRefusedError, match="not public"):
            transport.resolve_target("https://hooks.partner.example/hook")


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700::1", "::ffff:5db8:d70e",
                                     "2002:5db8:d70e::"])
def test_public_ipv4_and_ipv6_addresses_stay_public(address):
    import ipaddress

    assert transport.address_is_public(ipaddress.ip_address(address)) is True
