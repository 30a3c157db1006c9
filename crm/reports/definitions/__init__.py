"""One module per report; importing this package registers them all
(``crm.reports.registry.register_report``)."""

from importlib import import_module

# Each module registers one or more reports when imported.
REPORT_MODULES: list[str] = [
    "funnel",
    "forecast",
    "win_rate",
    "rep_kpis",
    "regions",
    "campaign_roi",
    "key_accounts",
    "receivables_aging",
    "service",
]

for _module in REPORT_MODULES:
    import_module(f"crm.reports.definitions.{_module}")
