"""Local time at the edges: each couple's date, clock times and quiet hours, DST-safe."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

UTC = timezone.utc


def local_now(now: datetime, tz: str) -> datetime:
    """`now` (aware) seen on the couple's wall clock."""
    return now.astimezone(ZoneInfo(tz))


def local_date(now: datetime, tz: str) -> date:
    """The couple's calendar date at instant `now`."""
    return local_now(now, tz).date()


def local_to_utc(local: datetime, tz: str) -> datetime:
    """A wall-clock time in `tz` as UTC: a time in a spring-forward gap moves to the next valid instant,
    an ambiguous fall-back time takes its first occurrence."""
    zone = ZoneInfo(tz)
    candidate = local.replace(tzinfo=zone, fold=0)
    roundtrip = candidate.astimezone(UTC).astimezone(zone)
    if roundtrip.replace(tzinfo=None) != local.replace(tzinfo=None):
        # Nonexistent wall time: fold=1 gives the instant just after the gap in zoneinfo's arithmetic.
        gap_end = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
        return _first_valid_after(gap_end, local, zone)
    return candidate.astimezone(UTC)


def _first_valid_after(instant: datetime, local: datetime, zone: ZoneInfo) -> datetime:
    """The first instant whose wall time is past the nonexistent `local` (03:00 when 02:30 does not exist)."""
    wanted = local.replace(tzinfo=None)
    while instant.astimezone(zone).replace(tzinfo=None) < wanted:
        instant += timedelta(minutes=1)
    return instant.replace(second=0, microsecond=0)


def at_minute(day: date, minute_of_day: int, tz: str) -> datetime:
    """UTC instant of `minute_of_day` (minutes after midnight) on local `day`."""
    local = datetime.combine(day, time(minute_of_day // 60, minute_of_day % 60))
    return local_to_utc(local, tz)


def next_at_minute(now: datetime, minute_of_day: int, tz: str) -> datetime:
    """The first instant strictly after `now` when the local clock shows `minute_of_day`."""
    today = local_date(now, tz)
    candidate = at_minute(today, minute_of_day, tz)
    return candidate if candidate > now else at_minute(today + timedelta(days=1), minute_of_day, tz)


def in_quiet_hours(now: datetime, tz: str, start_hour: int, end_hour: int) -> bool:
    """True when local time falls in [start, end), a window that may wrap past midnight."""
    hour = local_now(now, tz).hour
    if start_hour == end_hour:
        return False
    if start_hour < end_hour:
        return start_hour <= hour < end_hour
    return hour >= start_hour or hour < end_hour


def quiet_hours_end(now: datetime, tz: str, start_hour: int, end_hour: int) -> datetime:
    """When the quiet window containing `now` ends (`now` itself if it is not quiet)."""
    if not in_quiet_hours(now, tz, start_hour, end_hour):
        return now
    return next_at_minute(now, end_hour * 60, tz)


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())
