"""The sales settings overview (/crm/settings/sales/): pipelines, pool rules, lead scoring
and assignment, duplicate threshold and aliases, each on its own app's page. Apps register
a card with their key figures from AppConfig.ready(), so crm.core imports none of them."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

Figure = tuple[str | Promise, object]


@dataclass(frozen=True)
class SalesSettingsCard:
    key: str
    title: str | Promise
    url_name: str
    order: int
    # The figures to show: (label, value) pairs, computed when the page opens.
    figures: Callable[[], list[Figure]]
    description: str | Promise = ""


_cards: dict[str, SalesSettingsCard] = {}


def register_sales_settings_card(card: SalesSettingsCard) -> None:
    _cards[card.key] = card


def sales_settings_cards() -> list[SalesSettingsCard]:
    return sorted(_cards.values(), key=lambda card: (card.order, card.key))
