"""The couple's settings by text: question time, quiet hours, time zone, pause; and linking Alexa."""
from core import local_time, time_phrases, zone_names
from core.words.times import describe_local
from core.services import couples, linking
from sms import replies
from sms.turn import Turn


def minute_of_day(clock: str) -> int:
    """"19:00" as minutes after midnight."""
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def question_time(turn: Turn, command) -> str:
    """TIME 19:00 / TIME 7pm: when the daily question comes."""
    if not command.get("value"):
        return replies.TIME_HOW
    minute = minute_of_day(command.get("value"))
    couples.set_question_time(turn.session, turn.partner.couple, minute, turn.now)
    return replies.time_set(minute)


def quiet_hours(turn: Turn, command) -> str:
    """QUIET 21-8: no scheduled texts between those local hours."""
    start, end = command.get("start"), command.get("end")
    if start is None or end is None:
        return replies.QUIET_HOW
    couples.set_quiet_hours(turn.session, turn.partner.couple, start, end)
    return replies.quiet_set(start, end)


def time_zone(turn: Turn, command) -> str:
    """TZ America/Chicago or TZ Denver; the reply shows the local time so a wrong guess is obvious."""
    if not command.get("zone"):
        return replies.TZ_HOW
    zone = zone_names.resolve_timezone(command.get("zone"))
    if zone is None:
        return replies.TZ_UNKNOWN
    couples.set_timezone(turn.session, turn.partner.couple, zone, turn.now)
    local = local_time.local_now(turn.now, zone)
    return replies.tz_set(zone, replies.clock(local.hour * 60 + local.minute))


def pause(turn: Turn, command) -> str:
    """PAUSE: scheduled texts stop until RESUME."""
    couples.set_paused(turn.session, turn.partner.couple, True)
    return replies.PAUSED


def resume(turn: Turn, command) -> str:
    """RESUME after PAUSE."""
    couples.set_paused(turn.session, turn.partner.couple, False)
    return replies.resumed(turn.partner.couple.question_minute)


def link(turn: Turn, command) -> str:
    """LINK 123456: tie the Alexa account that spoke the code to this partner."""
    if not command.get("code"):
        return replies.LINK_HOW
    linking.complete_link(turn.session, turn.partner, command.get("code"), turn.now)
    return replies.LINKED
