"""Settings by text: each partner's own (PAUSE, QUIET, THINKING OFF/ON) and the couple's shared ones (TIME,
TZ; the other partner is told); and linking Alexa."""
from core import local_time, zone_names
from core.errors import NotFound
from core.services import guards, linking, personal_settings
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
    told = personal_settings.set_question_time(turn.session, turn.partner, minute, turn.now)
    return texts.told_other(texts.time_set(minute), turn.other_name if told else None)


def quiet_hours(turn: Turn, command) -> str:
    """QUIET 21-8: no scheduled texts to this partner between those local hours (QUIET 8-8 is refused)."""
    start, end = command.get("start"), command.get("end")
    if start is None or end is None:
        return texts.QUIET_HOW
    personal_settings.set_quiet_hours(turn.session, turn.partner, start, end)
    return texts.quiet_set(start, end)


def time_zone(turn: Turn, command) -> str:
    """TZ America/Chicago or TZ Denver; the reply shows the local time so a wrong guess is obvious."""
    if not command.get("zone"):
        return texts.TZ_HOW
    zone = zone_names.resolve_timezone(command.get("zone"))
    if zone is None:
        return texts.TZ_UNKNOWN
    told = personal_settings.set_timezone(turn.session, turn.partner, zone, turn.now)
    local = local_time.local_now(turn.now, zone)
    return texts.told_other(texts.tz_set(zone, texts.clock(local.hour * 60 + local.minute)),
                            turn.other_name if told else None)


def pause(turn: Turn, command) -> str:
    """PAUSE: this partner's scheduled texts stop until RESUME; their partner's go on."""
    personal_settings.set_paused(turn.session, turn.partner, True)
    return texts.PAUSED


def resume(turn: Turn, command) -> str:
    """RESUME after PAUSE."""
    personal_settings.set_paused(turn.session, turn.partner, False)
    return texts.resumed(turn.partner.couple.question_minute)


def thinking_texts(turn: Turn, command) -> str:
    """THINKING OFF / THINKING ON: whether thinking-of-you texts reach this partner."""
    on = command.get("on")
    personal_settings.set_takes_thinking(turn.session, turn.partner, on, turn.now)
    return texts.THINKING_ON if on else texts.THINKING_OFF


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
