"""The operator console's views, one small module per area (overview, tenants, actions,
plans, provisioning). ``operator_required`` is re-exported for apps that add operator
views of their own (billing)."""

from tenants.operator.access import OperatorLoginView, operator_required

__all__ = ["OperatorLoginView", "operator_required"]
