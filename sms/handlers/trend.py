"""The private trend and setbacks by text: RATE 6 5 7 (this week's rating, theirs alone, with the trend in
plain words), RATE or TREND alone (the trend), HARD DAY (a setback noted gently, with the offer of a day
without questions), and the YES or NO to that offer. A declining trend brings the counsellor note, once."""
from core.services import ratings, setbacks
from core.words import texts
from core.words.times import describe_local
from sms.turn import Turn


def rate(turn: Turn, command) -> str:
    """RATE safe trusting connected, each 0-10; RATE alone shows the trend."""
    values = (command.get("safe"), command.get("trusting"), command.get("connected"))
    if not command.get("said"):
        return trend(turn, command)
    if not all(ratings.is_rating(v) for v in values):
        return texts.RATE_HOW
    kept = ratings.rate(turn.session, turn.partner, *values, source_id=turn.text.sid, now=turn.now)
    setbacks.suggest_counsellor(turn.session, turn.partner, turn.now)
    return texts.rated(kept.trend.words(), kept.replaced)


def trend(turn: Turn, command) -> str:
    """TREND (or RATE alone): the owner's own trend, never anyone else's."""
    return texts.trend_only(ratings.trend(turn.session, turn.partner, turn.now).words())


def hard_day(turn: Turn, command) -> str:
    """HARD DAY / "we had a setback": noted, nothing erased, a day's pause offered."""
    noted = setbacks.note_hard_day(turn.session, turn.partner, turn.text.sid, turn.now, by_text=True)
    setbacks.suggest_counsellor(turn.session, turn.partner, turn.now)
    if noted.already and not noted.can_pause:
        return texts.HARD_DAY_NOTED_AGAIN
    return texts.hard_day_noted(noted.can_pause)


def setback_pause(turn: Turn, command) -> str:
    """YES to "a day without questions?" pauses them until this time tomorrow; NO leaves them."""
    if command.name == "no":
        setbacks.decline_offer(turn.partner)
        return texts.SETBACK_NOT_PAUSED
    until = setbacks.pause_for_a_day(turn.session, turn.partner, turn.now)
    if until is None:
        return texts.SETBACK_PAUSED_ALREADY
    return texts.setback_paused(describe_local(until, turn.tz, turn.now))


