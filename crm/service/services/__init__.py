"""Service commands: assets, requests (lifecycle), assignment, comments, work logs and
attachments; beside them contracts and clocks."""

from crm.service.services.assets import (
    AssetFields,
    DeliveredUnits,
    asset_create,
    asset_register_by_member,
    asset_retire,
    asset_update,
    asset_verify,
    assets_from_delivery,
)
from crm.service.services.assignment import agent_availability_set, service_request_assign
from crm.service.services.attachments import service_request_attachment_add
from crm.service.services.comments import service_comment_add
from crm.service.services.requests import (
    service_request_close,
    service_request_create,
    service_request_rate,
    service_request_reopen,
    service_request_resolve,
    service_request_status_set,
)
from crm.service.services.work_logs import PartUsed, work_log_add

__all__ = [
    "AssetFields", "DeliveredUnits", "PartUsed", "agent_availability_set", "asset_create",
    "asset_register_by_member", "asset_retire", "asset_update", "asset_verify",
    "assets_from_delivery", "service_comment_add", "service_request_assign",
    "service_request_attachment_add", "service_request_close", "service_request_create",
    "service_request_rate", "service_request_reopen", "service_request_resolve",
    "service_request_status_set", "work_log_add",
]
