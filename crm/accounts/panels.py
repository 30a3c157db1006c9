"""Sections other apps add to the account page (roll-ups, timeline...).

    register_account_panel(
        name="sales_rollup", template="crm/sales/_account_rollup.html", order=20,
        context_fn=lambda request, account, tree_ids: {"open_pipeline": ...},
    )

``context_fn(request, account, descendant_ids)`` receives the account and the ids of the
account and all its descendants (for roll-ups across a head office's branches); it must
apply the viewer's visibility itself (through its app's selectors). The template is
included with ``account`` and ``panel`` (the dict ``context_fn`` returned) in its context;
wrap it in ``<div class="card">``. Register from AppConfig.ready().
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from crm.accounts.models import Account

PanelContext = Callable[[HttpRequest, Account, list[int]], dict[str, Any]]


@dataclass(frozen=True)
class AccountPanel:
    name: str
    template: str
    order: int
    context_fn: PanelContext


_panels: dict[str, AccountPanel] = {}


def register_account_panel(name: str, template: str, order: int,
                           context_fn: PanelContext) -> None:
    """Add (or replace, by name) a section of the account detail page."""
    _panels[name] = AccountPanel(name=name, template=template, order=order,
                                 context_fn=context_fn)


def registered_panels() -> list[AccountPanel]:
    return sorted(_panels.values(), key=lambda panel: (panel.order, panel.name))


def panels_for(request: HttpRequest, account: Account, descendant_ids: list[int]
               ) -> list[dict[str, Any]]:
    """Each panel's template and context, in order, for the account page."""
    return [
        {"name": panel.name, "template": panel.template,
         "context": panel.context_fn(request, account, descendant_ids)}
        for panel in registered_panels()
    ]
