"""Business-time arithmetic for SLA policies. Pure: no database, no Django settings.

A policy's business time is its weekly hours (several intervals per weekday, in the policy's
local wall time), minus its holidays, plus its extra working days (China moves working days
onto weekends around public holidays: such a day works the hours of the policy's first
working weekday, Monday first). A 24x7 policy is wall-clock time: holidays do not apply.

Every function takes a ``policy_like``: an object with ``time_zone``, ``around_the_clock``,
``hours``, ``holidays`` and ``extra_working_days`` (an ``SlaPolicy`` row or any look-alike),
or a parsed :class:`Schedule`. Instants are aware datetimes (answers are UTC).

Algorithm: walk the business intervals day by day (each day's intervals converted to UTC
once, cached), never minute by minute. Durations are exact ``timedelta`` (microseconds), so
"a pause moves the due time by exactly the paused business time" holds to the microsecond.

Intervals are half-open ``[start, end)``: 18:00 is not business time for 09:00-18:00, but a
due time can be 18:00 (the clock ran right up to it).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

__all__ = [
    "PolicyLike",
    "Schedule",
    "add_business_minutes",
    "add_business_time",
    "business_minutes_between",
    "business_time_between",
    "is_business_time",
    "next_business_moment",
    "parse_dates",
    "parse_hours",
    "parse_zone",
    "schedule_of",
]

DAY_MINUTES = 24 * 60
# A policy without any business time in this many days cannot produce a due time.
SEARCH_LIMIT_DAYS = 3 * 366
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


class PolicyLike(Protocol):
    time_zone: str
    around_the_clock: bool
    hours: Any
    holidays: Any
    extra_working_days: Any


@dataclass(frozen=True)
class Schedule:
    """A parsed policy. ``weekly[weekday]``: sorted, non-overlapping (start, end) minute
    offsets from local midnight (end may be 1440 for 24:00)."""

    zone: ZoneInfo
    around_the_clock: bool
    weekly: tuple[tuple[tuple[int, int], ...], ...]
    holidays: frozenset[date]
    extra_working_days: frozenset[date]

    @property
    def extra_day_hours(self) -> tuple[tuple[int, int], ...]:
        for day in self.weekly:
            if day:
                return day
        return ()

    def intervals_on(self, day: date) -> tuple[tuple[int, int], ...]:
        """The local minute intervals worked on ``day``."""
        if day in self.extra_working_days:
            return self.extra_day_hours
        if day in self.holidays:
            return ()
        return self.weekly[day.weekday()]

    @property
    def has_business_time(self) -> bool:
        return self.around_the_clock or any(self.weekly) or (
            bool(self.extra_working_days) and bool(self.extra_day_hours))


# ---------------------------------------------------------------------------------------
# Parsing (strict: the SLA policy service turns ValueError into a validation error)

def parse_zone(name: Any) -> ZoneInfo:
    if not isinstance(name, str) or not name or name not in zone_names():
        raise ValueError(f"Unknown time zone: {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - listed above
        raise ValueError(f"Unknown time zone: {name!r}") from exc


@lru_cache(maxsize=1)
def zone_names() -> frozenset[str]:
    """Every IANA zone name known here."""
    return frozenset(available_timezones())


def _minutes(value: Any, *, what: str) -> int:
    if not isinstance(value, str) or not _HHMM.match(value):
        raise ValueError(f"{what} must be a time written HH:MM, not {value!r}")
    hours, minutes = int(value[:2]), int(value[3:])
    total = hours * 60 + minutes
    if total > DAY_MINUTES:
        raise ValueError(f"{what} must be at most 24:00, not {value!r}")
    return total


def parse_hours(hours: Any) -> tuple[tuple[tuple[int, int], ...], ...]:
    """``[{"weekday": 0-6, "start": "09:00", "end": "18:00"}, ...]`` → weekly intervals.
    Raises ValueError on a bad weekday, a bad time, an empty or reversed interval, or
    intervals of one weekday that overlap."""
    if not isinstance(hours, list):
        raise ValueError("Business hours must be a list of intervals.")
    days: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for item in hours:
        if not isinstance(item, dict) or set(item) - {"weekday", "start", "end"}:
            raise ValueError('Each interval is {"weekday", "start", "end"}.')
        weekday = item.get("weekday")
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise ValueError(f"Weekday must be 0 (Monday) to 6 (Sunday), not {weekday!r}.")
        start = _minutes(item.get("start"), what="Start")
        end = _minutes(item.get("end"), what="End")
        if start >= DAY_MINUTES:
            raise ValueError("An interval cannot start at 24:00.")
        if end <= start:
            raise ValueError(f"An interval must end after it starts ({item['start']}"
                             f"-{item['end']}).")
        days[weekday].append((start, end))
    for weekday, intervals in enumerate(days):
        intervals.sort()
        for (_, previous_end), (start, _) in itertools.pairwise(intervals):
            if start < previous_end:
                raise ValueError(f"Intervals overlap on weekday {weekday}.")
    return tuple(tuple(day) for day in days)


def parse_dates(values: Any, *, what: str = "Dates") -> frozenset[date]:
    if not isinstance(values, list | tuple | set | frozenset):
        raise ValueError(f"{what} must be a list of ISO dates.")
    parsed: set[date] = set()
    for value in values:
        if isinstance(value, date) and not isinstance(value, datetime):
            parsed.add(value)
            continue
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(f"{what}: {value!r} is not an ISO date (YYYY-MM-DD).")
        try:
            parsed.add(date.fromisoformat(value))
        except ValueError as exc:
            raise ValueError(f"{what}: {value!r} is not a valid date.") from exc
    return frozenset(parsed)


def schedule_of(policy: PolicyLike | Schedule) -> Schedule:
    """Parse a policy (or pass a Schedule through). Raises ValueError on bad data."""
    if isinstance(policy, Schedule):
        return policy
    return _schedule_cached(
        str(policy.time_zone), bool(policy.around_the_clock),
        _freeze(policy.hours), _freeze(policy.holidays), _freeze(policy.extra_working_days))


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return ("__dict__", tuple(sorted((k, _freeze(v)) for k, v in value.items())))
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "__dict__":
        return {k: _thaw(v) for k, v in value[1]}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


@lru_cache(maxsize=256)
def _schedule_cached(zone: str, around_the_clock: bool, hours: Any, holidays: Any,
                     extra: Any) -> Schedule:
    return Schedule(
        zone=parse_zone(zone), around_the_clock=around_the_clock,
        weekly=((),) * 7 if around_the_clock else parse_hours(_thaw(hours) or []),
        holidays=parse_dates(_thaw(holidays) or [], what="Holidays"),
        extra_working_days=parse_dates(_thaw(extra) or [], what="Extra working days"),
    )


# ---------------------------------------------------------------------------------------
# Interval walking

def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("Business-time arithmetic needs aware datetimes.")
    return moment.astimezone(UTC)


def _local_instant(schedule: Schedule, day: date, minute: int) -> datetime:
    if minute >= DAY_MINUTES:
        day, minute = day + timedelta(days=1), minute - DAY_MINUTES
    local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=schedule.zone)
    return local.astimezone(UTC)


@lru_cache(maxsize=8192)
def _day_intervals(schedule: Schedule, day: date) -> tuple[tuple[datetime, datetime], ...]:
    """``day``'s business intervals in UTC. Across a DST change the wall-clock interval
    lasts the real elapsed time (an interval in a skipped hour collapses or shortens; the
    result is always sorted and non-overlapping)."""
    result: list[tuple[datetime, datetime]] = []
    for start, end in schedule.intervals_on(day):
        start_utc = _local_instant(schedule, day, start)
        end_utc = _local_instant(schedule, day, end)
        if result and start_utc < result[-1][1]:
            start_utc = result[-1][1]
        if end_utc > start_utc:
            result.append((start_utc, end_utc))
    return tuple(result)


def _intervals_from(schedule: Schedule, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Business intervals (UTC) that end after ``moment``, in order, clipped to start no
    earlier than ``moment``. Stops after SEARCH_LIMIT_DAYS days without business time."""
    day = moment.astimezone(schedule.zone).date() - timedelta(days=1)
    idle_days = 0
    last_end: datetime | None = None
    while idle_days <= SEARCH_LIMIT_DAYS:
        intervals = _day_intervals(schedule, day)
        day += timedelta(days=1)
        if not intervals:
            idle_days += 1
            continue
        idle_days = 0
        for start, end in intervals:
            if end <= moment or (last_end is not None and end <= last_end):
                continue
            start = max(start, moment)
            if last_end is not None:
                start = max(start, last_end)
            last_end = end
            yield start, end


def _intervals_between(schedule: Schedule, a: datetime,
                       b: datetime) -> Iterable[tuple[datetime, datetime]]:
    for start, end in _intervals_from(schedule, a):
        if start >= b:
            return
        yield start, min(end, b)


# ---------------------------------------------------------------------------------------
# Public arithmetic

def add_business_time(policy: PolicyLike | Schedule, start: datetime,
                      duration: timedelta) -> datetime:
    """The instant when ``duration`` of business time has passed since ``start`` (UTC)."""
    schedule = schedule_of(policy)
    start = _aware(start)
    if duration < timedelta(0):
        raise ValueError("Business time to add cannot be negative.")
    if schedule.around_the_clock:
        return start + duration
    if duration == timedelta(0):
        return start
    if not schedule.has_business_time:
        raise ValueError("This policy has no business hours.")
    remaining = duration
    for interval_start, interval_end in _intervals_from(schedule, start):
        length = interval_end - interval_start
        if remaining <= length:
            return interval_start + remaining
        remaining -= length
    raise ValueError("This policy has no business hours in the years ahead.")


def add_business_minutes(policy: PolicyLike | Schedule, start: datetime,
                         minutes: float) -> datetime:
    """The instant when ``minutes`` business minutes have passed since ``start`` (UTC)."""
    return add_business_time(policy, start, timedelta(minutes=minutes))


def business_time_between(policy: PolicyLike | Schedule, a: datetime,
                          b: datetime) -> timedelta:
    """Business time from ``a`` to ``b`` (negative when ``b`` is before ``a``)."""
    schedule = schedule_of(policy)
    a, b = _aware(a), _aware(b)
    if b < a:
        return -business_time_between(schedule, b, a)
    if schedule.around_the_clock:
        return b - a
    total = timedelta(0)
    if a == b or not schedule.has_business_time:
        return total
    for start, end in _intervals_between(schedule, a, b):
        total += end - start
    return total


def business_minutes_between(policy: PolicyLike | Schedule, a: datetime, b: datetime) -> float:
    """Business minutes from ``a`` to ``b`` (fractional; negative when ``b`` < ``a``)."""
    return business_time_between(policy, a, b) / timedelta(minutes=1)


def is_business_time(policy: PolicyLike | Schedule, at: datetime) -> bool:
    """Whether the clock runs at ``at`` (intervals are half-open: 18:00 is outside
    09:00-18:00)."""
    schedule = schedule_of(policy)
    at = _aware(at)
    if schedule.around_the_clock:
        return True
    if not schedule.has_business_time:
        return False
    for start, _end in _intervals_from(schedule, at):
        return start <= at
    return False


def next_business_moment(policy: PolicyLike | Schedule, at: datetime) -> datetime:
    """``at`` itself during business time, else the start of the next business interval."""
    schedule = schedule_of(policy)
    at = _aware(at)
    if schedule.around_the_clock:
        return at
    for start, _end in _intervals_from(schedule, at):
        return start
    raise ValueError("This policy has no business hours in the years ahead.")


def intervals_between(policy: PolicyLike | Schedule, a: datetime,
                      b: datetime) -> Sequence[tuple[datetime, datetime]]:
    """The business intervals (UTC) between ``a`` and ``b``, clipped (for tests and UI)."""
    schedule = schedule_of(policy)
    a, b = _aware(a), _aware(b)
    if schedule.around_the_clock:
        return [(a, b)] if b > a else []
    return list(_intervals_between(schedule, a, b)) if b > a else []
