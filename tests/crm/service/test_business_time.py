"""Business-time arithmetic (pure, no database), property-tested with Hypothesis: a due
time never falls outside business hours; a pause moves the due time by exactly the paused
business time; holidays, extra working days and time zones (a DST zone too) are respected;
24x7 equals the wall clock."""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from crm.service.business_time import (
    add_business_minutes,
    add_business_time,
    business_minutes_between,
    business_time_between,
    intervals_between,
    is_business_time,
    next_business_moment,
    parse_hours,
    schedule_of,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
US = ZoneInfo("America/New_York")
MICRO = timedelta(microseconds=1)


def policy(*, zone="Asia/Shanghai", hours=None, holidays=(), extra=(), around=False):
    if hours is None:
        hours = [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(5)]
    return SimpleNamespace(time_zone=zone, around_the_clock=around, hours=list(hours),
                           holidays=list(holidays), extra_working_days=list(extra))


def office(zone="Asia/Shanghai", **kwargs):
    """Mon-Fri 09:00-12:00 and 13:00-18:00 (a lunch break), Saturday 10:00-14:00."""
    hours = ([{"weekday": d, "start": "09:00", "end": "12:00"} for d in range(5)]
             + [{"weekday": d, "start": "13:00", "end": "18:00"} for d in range(5)]
             + [{"weekday": 5, "start": "10:00", "end": "14:00"}])
    return policy(zone=zone, hours=hours, **kwargs)


def local(zone, *args):
    return datetime(*args, tzinfo=zone)


# --- strategies -----------------------------------------------------------------------------

ZONES = st.sampled_from(["Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC",
                         "Australia/Lord_Howe"])


def _hhmm(minutes):
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def weekly_hours(draw):
    """1-3 non-overlapping intervals on some weekdays, at 15-minute steps."""
    hours = []
    weekdays = draw(st.sets(st.integers(0, 6), min_size=1, max_size=7))
    for weekday in sorted(weekdays):
        cuts = sorted(draw(st.sets(st.integers(0, 96), min_size=2, max_size=6)))
        for start, end in zip(cuts[::2], cuts[1::2], strict=False):
            hours.append({"weekday": weekday, "start": _hhmm(start * 15),
                          "end": _hhmm(end * 15)})
    return hours


DAYS_2026 = st.dates(date(2026, 1, 1), date(2026, 12, 31))


@st.composite
def policies(draw):
    holidays = draw(st.sets(DAYS_2026, max_size=20))
    extra = draw(st.sets(DAYS_2026, max_size=5)) - holidays
    return policy(zone=draw(ZONES), hours=draw(weekly_hours()),
                  holidays=[d.isoformat() for d in holidays],
                  extra=[d.isoformat() for d in extra])


INSTANTS = st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31),
                        timezones=st.just(UTC)).map(lambda d: d.replace(tzinfo=UTC))
MINUTES = st.integers(min_value=1, max_value=60 * 24 * 20)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _clock_ran_until(p, due):
    """The clock was running right up to ``due`` (due may be an interval's end)."""
    return is_business_time(p, due - MICRO)


# --- properties -----------------------------------------------------------------------------

@FAST
@given(p=policies(), start=INSTANTS, minutes=MINUTES)
def test_a_due_time_never_falls_outside_business_hours(p, start, minutes):
    due = add_business_minutes(p, start, minutes)
    assert due > start
    assert _clock_ran_until(p, due)
    assert business_minutes_between(p, start, due) == pytest.approx(minutes, abs=1e-9)


@FAST
@given(p=policies(), start=INSTANTS, minutes=MINUTES,
       pause_offset=st.integers(0, 60 * 24 * 10), pause_length=st.integers(0, 60 * 24 * 10))
def test_a_pause_moves_the_due_time_by_exactly_the_paused_business_time(
        p, start, minutes, pause_offset, pause_length):
    due = add_business_minutes(p, start, minutes)
    paused_at = start + timedelta(minutes=pause_offset)
    assume(paused_at < due)
    resumed_at = paused_at + timedelta(minutes=pause_length)
    paused = business_time_between(p, paused_at, resumed_at)
    new_due = add_business_time(p, due, paused)
    assert business_time_between(p, due, new_due) == paused
    if resumed_at <= new_due:
        # The business time the clock actually ran, outside the pause, equals the target.
        ran = (business_time_between(p, start, paused_at)
               + business_time_between(p, resumed_at, new_due))
        assert ran == timedelta(minutes=minutes)
    if paused:
        assert _clock_ran_until(p, new_due)


@FAST
@given(p=policies(), a=INSTANTS, b=INSTANTS, c=INSTANTS)
def test_business_time_adds_up_over_consecutive_spans(p, a, b, c):
    a, b, c = sorted([a, b, c])
    assert business_time_between(p, a, c) == (business_time_between(p, a, b)
                                              + business_time_between(p, b, c))
    assert business_time_between(p, c, a) == -business_time_between(p, a, c)


@FAST
@given(zone=ZONES, start=INSTANTS, minutes=st.integers(0, 60 * 24 * 400))
def test_around_the_clock_equals_the_wall_clock(zone, start, minutes):
    p = policy(zone=zone, around=True, hours=[], holidays=["2026-10-01"])
    assert add_business_minutes(p, start, minutes) == start + timedelta(minutes=minutes)
    end = start + timedelta(minutes=minutes)
    assert business_minutes_between(p, start, end) == minutes
    assert is_business_time(p, start)


@FAST
@given(p=policies(), at=INSTANTS)
def test_business_time_matches_the_local_wall_clock_definition(p, at):
    """is_business_time agrees with a direct reading of the local weekday and hours."""
    schedule = schedule_of(p)
    moment = at.astimezone(schedule.zone)
    day = moment.date()
    minute = moment.hour * 60 + moment.minute
    intervals = schedule.intervals_on(day)
    inside = any(start <= minute < end for start, end in intervals)
    # Wall times inside a skipped or repeated DST hour have no single reading: skip them.
    offset_now = moment.utcoffset()
    assume(all(datetime.combine(day, datetime.min.time(), tzinfo=schedule.zone)
               .replace(hour=h).utcoffset() == offset_now for h in range(24)))
    assert is_business_time(p, at) == inside


# --- examples -------------------------------------------------------------------------------

def test_lunch_break_and_evening_are_skipped():
    p = office()
    start = local(SHANGHAI, 2026, 12, 1, 11, 30)  # a Tuesday
    due = add_business_minutes(p, start, 60)
    assert due.astimezone(SHANGHAI) == local(SHANGHAI, 2026, 12, 1, 13, 30)
    due = add_business_minutes(p, local(SHANGHAI, 2026, 12, 1, 17, 0), 120)
    assert due.astimezone(SHANGHAI) == local(SHANGHAI, 2026, 12, 2, 10, 0)


def test_a_due_time_can_be_the_end_of_the_day_but_not_after_it():
    p = policy()
    due = add_business_minutes(p, local(SHANGHAI, 2026, 12, 1, 9, 0), 9 * 60)
    assert due.astimezone(SHANGHAI) == local(SHANGHAI, 2026, 12, 1, 18, 0)
    assert not is_business_time(p, due)
    assert is_business_time(p, due - MICRO)


def test_a_request_reported_at_night_starts_counting_next_morning():
    p = policy()
    due = add_business_minutes(p, local(SHANGHAI, 2026, 12, 4, 22, 0), 30)  # Friday night
    assert due.astimezone(SHANGHAI) == local(SHANGHAI, 2026, 12, 7, 9, 30)  # Monday
    assert next_business_moment(p, local(SHANGHAI, 2026, 12, 5, 3, 0)) == local(
        SHANGHAI, 2026, 12, 7, 9, 0)


def test_holidays_are_skipped_and_extra_working_days_worked():
    # 2026: 1-7 October are the National Day holidays; Saturday 10 October is worked.
    holidays = [f"2026-10-0{d}" for d in range(1, 8)]
    p = policy(holidays=holidays, extra=["2026-10-10"])
    due = add_business_minutes(p, local(SHANGHAI, 2026, 9, 30, 17, 0), 120)
    assert due.astimezone(SHANGHAI) == local(SHANGHAI, 2026, 10, 8, 10, 0)
    # From Friday 9 October 17:00, 2 hours end on the extra working Saturday.
    due = add_business_minutes(p, local(SHANGHAI, 2026, 10, 9, 17, 0), 120)
    assert due.astimezone(SHANGHAI) == local(SHANGHAI, 2026, 10, 10, 10, 0)
    assert is_business_time(p, local(SHANGHAI, 2026, 10, 10, 9, 0))
    assert not is_business_time(p, local(SHANGHAI, 2026, 10, 5, 10, 0))


def test_an_extra_working_day_works_the_first_working_weekdays_hours():
    hours = [{"weekday": 1, "start": "08:00", "end": "12:00"},
             {"weekday": 3, "start": "13:00", "end": "17:00"}]
    p = policy(hours=hours, extra=["2026-12-06"])  # a Sunday
    assert is_business_time(p, local(SHANGHAI, 2026, 12, 6, 8, 0))  # Tuesday's hours
    assert not is_business_time(p, local(SHANGHAI, 2026, 12, 6, 13, 0))


def test_the_policy_zone_decides_what_a_business_day_is():
    """09:00-18:00 in Shanghai is 01:00-10:00 UTC: 08:00 UTC Monday is business time there,
    not in New York."""
    at = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    assert is_business_time(policy(zone="Asia/Shanghai"), at)
    assert not is_business_time(policy(zone="America/New_York"), at)


def test_dst_spring_forward_day_has_one_hour_less_at_night():
    """Europe/Berlin skips 02:00-03:00 on Sunday 29 March 2026: a 00:00-24:00 Sunday lasts
    23 hours; office hours on the Monday after are 09:00-18:00 CEST (07:00-16:00 UTC)."""
    p = policy(zone="Europe/Berlin",
               hours=[{"weekday": 6, "start": "00:00", "end": "24:00"}]
               + [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(5)])
    sunday = local(BERLIN, 2026, 3, 29, 0, 0)
    monday = local(BERLIN, 2026, 3, 30, 0, 0)
    assert business_time_between(p, sunday, monday) == timedelta(hours=23)
    due = add_business_minutes(p, local(BERLIN, 2026, 3, 27, 17, 0), 120)  # Friday 17:00 CET
    assert due == datetime(2026, 3, 29, 0, 0, tzinfo=BERLIN) + timedelta(hours=1)
    monday_due = add_business_minutes(p, monday, 60)
    assert monday_due == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)  # 10:00 CEST


def test_dst_fall_back_keeps_wall_clock_office_hours():
    """On 26 October 2026 (after Berlin's fall back) 09:00 is 08:00 UTC, the Friday before
    it was 07:00 UTC."""
    p = policy(zone="Europe/Berlin")
    friday = add_business_minutes(p, datetime(2026, 10, 23, 0, 0, tzinfo=UTC), 1)
    monday = add_business_minutes(p, datetime(2026, 10, 26, 0, 0, tzinfo=UTC), 1)
    assert friday == datetime(2026, 10, 23, 7, 1, tzinfo=UTC)
    assert monday == datetime(2026, 10, 26, 8, 1, tzinfo=UTC)


def test_a_new_york_week_is_45_business_hours_across_the_dst_change():
    p = policy(zone="America/New_York")
    start = local(US, 2026, 3, 2, 0, 0)
    assert business_time_between(p, start, start + timedelta(days=14)) == timedelta(hours=90)


def test_intervals_are_walked_not_minutes():
    """A month of business time resolves in a few dozen interval steps (and quickly)."""
    import time

    p = office(holidays=[f"2026-10-0{d}" for d in range(1, 8)])
    began = time.perf_counter()
    for _ in range(200):
        add_business_minutes(p, datetime(2026, 9, 1, tzinfo=UTC), 60 * 24 * 30)
    assert time.perf_counter() - began < 2.0
    assert len(intervals_between(p, datetime(2026, 9, 1, tzinfo=UTC),
                                 datetime(2026, 9, 8, tzinfo=UTC))) == 11


@pytest.mark.parametrize(("hours", "message"), [
    ([{"weekday": 7, "start": "09:00", "end": "18:00"}], "Weekday"),
    ([{"weekday": 0, "start": "9:00", "end": "18:00"}], "HH:MM"),
    ([{"weekday": 0, "start": "18:00", "end": "09:00"}], "end after"),
    ([{"weekday": 0, "start": "09:00", "end": "09:00"}], "end after"),
    ([{"weekday": 0, "start": "09:00", "end": "24:30"}], "at most 24:00"),
    ([{"weekday": 0, "start": "09:00", "end": "13:00"},
      {"weekday": 0, "start": "12:00", "end": "18:00"}], "overlap"),
    ([{"weekday": True, "start": "09:00", "end": "18:00"}], "Weekday"),
    ([{"weekday": 0, "start": "09:00", "end": "18:00", "x": 1}], "interval is"),
    ("09:00-18:00", "list"),
])
def test_bad_hours_are_refused(hours, message):
    with pytest.raises(ValueError, match=message):
        parse_hours(hours)


def test_touching_intervals_and_24_00_are_fine():
    weekly = parse_hours([{"weekday": 0, "start": "00:00", "end": "12:00"},
                          {"weekday": 0, "start": "12:00", "end": "24:00"}])
    assert weekly[0] == ((0, 720), (720, 1440))


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        add_business_minutes(policy(), datetime(2026, 1, 1, 9), 10)


def test_a_policy_without_hours_cannot_produce_a_due_time():
    with pytest.raises(ValueError, match="no business hours"):
        add_business_minutes(policy(hours=[]), datetime(2026, 1, 1, tzinfo=UTC), 10)
    assert not is_business_time(policy(hours=[]), datetime(2026, 1, 1, tzinfo=UTC))
