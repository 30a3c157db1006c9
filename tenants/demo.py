"""Demo data registry: apps register seeders that fill the demo tenant with realistic data.

Each seeder runs inside the demo tenant's schema and must be idempotent (make run is safe
to repeat on the same database)."""

from collections.abc import Callable
from dataclasses import dataclass

Seeder = Callable[[], None]


@dataclass(frozen=True)
class DemoSeeder:
    name: str
    order: int
    run: Seeder


_seeders: dict[str, DemoSeeder] = {}


def demo_seeder(*, name: str, order: int) -> Callable[[Seeder], Seeder]:
    def decorator(func: Seeder) -> Seeder:
        _seeders[name] = DemoSeeder(name=name, order=order, run=func)
        return func

    return decorator


def registered_seeders() -> list[DemoSeeder]:
    return sorted(_seeders.values(), key=lambda seeder: (seeder.order, seeder.name))
