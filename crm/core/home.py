"""Home-page widgets contributed by apps (the Today list, pipeline summary...)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class HomeWidget:
    name: str
    template: str
    order: int
    context: Callable[[HttpRequest], dict[str, object]]


_widgets: dict[str, HomeWidget] = {}


def register_home_widget(widget: HomeWidget) -> None:
    _widgets[widget.name] = widget


def widgets_for(request: HttpRequest) -> list[dict[str, object]]:
    return [
        {"template": widget.template, **widget.context(request)}
        for widget in sorted(_widgets.values(), key=lambda w: w.order)
    ]
