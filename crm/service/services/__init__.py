"""Service commands: assets (``assets``), and beside them contracts, requests and clocks."""

from crm.service.services.assets import DeliveredUnits, assets_from_delivery

__all__ = ["DeliveredUnits", "assets_from_delivery"]
