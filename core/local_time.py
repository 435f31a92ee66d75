"""Local-time arithmetic: each couple's date, wall-clock times as UTC instants and quiet hours, DST-safe.

Every instant that leaves this module is an aware UTC datetime."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

UTC = timezone.utc


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive datetime is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def local_now(now: datetime, tz: str) -> datetime:
    """`now` (aware) seen on the couple's wall clock."""
    return now.astimezone(ZoneInfo(tz))


def local_date(now: datetime, tz: str) -> date:
    """The couple's calendar date at instant `now`."""
    return local_now(now, tz).date()


def local_to_utc(local: datetime, tz: str) -> datetime:
    """A wall-clock time in `tz` as UTC: a time in a spring-forward gap moves to the end of the gap,
    an ambiguous fall-back time takes its first occurrence."""
    zone = ZoneInfo(tz)
    naive = local.replace(tzinfo=None)
    instant = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    return instant if _wall(instant, zone) == naive else _gap_end(naive, zone)


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    """The naive local wall-clock reading of an instant."""
    return instant.astimezone(zone).replace(tzinfo=None)


def _gap_end(naive: datetime, zone: ZoneInfo) -> datetime:
    """The first valid instant after a spring-forward gap, bisected between the two offsets' readings."""
    low = int(naive.replace(tzinfo=zone, fold=1).timestamp())  # read with the offset before the jump
    high = int(naive.replace(tzinfo=zone, fold=0).timestamp())  # read with the offset after it
    while high - low > 1:
        middle = (low + high) // 2
        if _wall(datetime.fromtimestamp(middle, UTC), zone) > naive:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


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
