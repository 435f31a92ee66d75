"""The daily habit by text: the question, answers and moods, SHARE, the summary, thinking of you."""
from core.models import Channel
from core.services import checkins, questions, summary, thinking_of_you
from core.words import texts
from core.words.times import describe_local
from sms.turn import Turn


def question(turn: Turn, command) -> str:
    """Q: today's question, the same one the partner gets; the text fallback then skips this partner."""
    _, _, words = questions.personal_question(turn.session, turn.partner, turn.now)
    questions.mark_heard(turn.session, turn.partner, Channel.SMS, turn.now)
    return texts.question(words)


def skip(turn: Turn, command) -> str:
    """SKIP: another question for the couple (neither answered yet), else a gentler one just for this person."""
    skipped = questions.skip(turn.session, turn.partner, turn.now)
    questions.mark_heard(turn.session, turn.partner, Channel.SMS, turn.now)
    return _skipped_words(skipped)


def _skipped_words(skipped) -> str:
    if skipped.kind == "gentle":
        return texts.skipped_gentle(skipped.words)
    if skipped.kind == "same":
        return texts.skip_none(skipped.words)
    return texts.skipped_topic(skipped.words)


def empty(turn: Turn, command) -> str:
    """A blank text (or a photo without words): say so rather than keep nothing silently."""
    return texts.EMPTY


def mood(turn: Turn, command) -> str:
    """MOOD 1-5, kept as a check-in without words."""
    value = command.get("value")
    if not checkins.is_mood(value):
        return texts.MOOD_HOW
    checkins.record_mood(turn.session, turn.partner, value, Channel.SMS, turn.text.sid, turn.now)
    return texts.mood_saved(value)


def share(turn: Turn, command) -> str:
    """SHARE: the partner's answer today, only once both have answered."""
    reveal = checkins.reveal_partner_answer(turn.session, turn.partner, turn.now)
    if reveal.status == "both":
        return texts.shared(reveal.partner_name, reveal.text)
    if reveal.status == "waiting_you":
        return texts.share_waiting_you(reveal.partner_name)
    if reveal.status == "waiting_partner":
        return texts.share_waiting_partner(reveal.partner_name)
    if reveal.status == "partner_away":
        return texts.partner_away(reveal.partner_name)
    if reveal.status == "invited":
        return texts.partner_invited(reveal.partner_name)
    return texts.NO_PARTNER


def weekly(turn: Turn, command) -> str:
    """SUMMARY: the last seven days for both of them."""
    return summary.weekly_summary(turn.session, turn.partner, turn.now).text()


def thinking(turn: Turn, command) -> str:
    """THINKING or a heart: queue a thinking-of-you text to the partner (capped per day)."""
    sent = thinking_of_you.send_thinking(turn.session, turn.partner, turn.now, turn.settings.thinking_daily_cap,
                                         turn.text.sid)
    return texts.thinking_sent(turn.other_name, _held_words(turn, sent))


def _held_words(turn: Turn, sent) -> str | None:
    return describe_local(sent.held_until, turn.tz, turn.now) if sent.held_until else None


def nudge_offer(turn: Turn, command) -> str:
    """The answer to a scheduled "Reply 1 to send" offer: 1 or YES sends, NO does not."""
    sent = thinking_of_you.answer_offer(turn.session, turn.partner, command.name != "no", turn.now,
                                        turn.settings.thinking_daily_cap, turn.text.sid)
    if sent is None:
        return texts.NUDGE_DECLINED
    return texts.thinking_sent(turn.other_name, _held_words(turn, sent))
