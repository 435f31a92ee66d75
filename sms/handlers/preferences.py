"""The couple's settings by text: question time, quiet hours, time zone, pause; and linking Alexa."""
from core import local_time, zone_names
from core.errors import NotFound
from core.services import couples, guards, linking
from core.words import texts
from sms.turn import Turn


def minute_of_day(clock: str) -> int:
    """"19:00" as minutes after midnight."""
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def question_time(turn: Turn, command) -> str:
    """TIME 19:00 / TIME 7pm: when the daily question comes."""
    if not command.get("value"):
        return texts.TIME_HOW
    minute = minute_of_day(command.get("value"))
    couples.set_question_time(turn.session, turn.partner.couple, minute, turn.now)
    return texts.time_set(minute)


def quiet_hours(turn: Turn, command) -> str:
    """QUIET 21-8: no scheduled texts between those local hours."""
    start, end = command.get("start"), command.get("end")
    if start is None or end is None:
        return texts.QUIET_HOW
    couples.set_quiet_hours(turn.session, turn.partner.couple, start, end)
    return texts.quiet_set(start, end)


def time_zone(turn: Turn, command) -> str:
    """TZ America/Chicago or TZ Denver; the reply shows the local time so a wrong guess is obvious."""
    if not command.get("zone"):
        return texts.TZ_HOW
    zone = zone_names.resolve_timezone(command.get("zone"))
    if zone is None:
        return texts.TZ_UNKNOWN
    couples.set_timezone(turn.session, turn.partner.couple, zone, turn.now)
    local = local_time.local_now(turn.now, zone)
    return texts.tz_set(zone, texts.clock(local.hour * 60 + local.minute))


def pause(turn: Turn, command) -> str:
    """PAUSE: scheduled texts stop until RESUME."""
    couples.set_paused(turn.session, turn.partner.couple, True)
    return texts.PAUSED


def resume(turn: Turn, command) -> str:
    """RESUME after PAUSE."""
    couples.set_paused(turn.session, turn.partner.couple, False)
    return texts.resumed(turn.partner.couple.question_minute)


def link(turn: Turn, command) -> str:
    """LINK 123456: tie the Alexa account that spoke the code to this partner; 5 wrong codes lock the phone
    out of LINK for an hour (core.services.guards)."""
    if not command.get("code"):
        return texts.LINK_HOW
    phone = turn.text.phone
    if guards.link_locked(turn.session, phone, turn.now):
        return texts.LINK_LOCKED  # even the right code waits out the hour
    try:
        linking.complete_link(turn.session, turn.partner, command.get("code"), turn.now)
    except NotFound as error:  # counted, not rolled back: the lockout must outlive the refusal
        locked = guards.link_failed(turn.session, phone, turn.now)
        return texts.LINK_LOCKED if locked else texts.problem(error.reason, None)
    guards.link_succeeded(turn.session, phone, turn.now)
    return texts.LINKED
