"""The words of the scheduler's texts, each kept within two SMS segments (a third costs more and reads badly).

The segment rule is the one sms/segments.py applies to replies; it is repeated here because core does not
import the SMS adapter.
"""
import hashlib

from prompts.bank import GSM7, Question

GSM7_EXTENSION = frozenset("^{}[]~|\\\u20ac\f")
MAX_SEGMENTS = 2
SUGGESTIONS = (
    "For this week: pick one small promise you are sure you can keep, and keep it.",
    "For this week: when your partner answers, say one thing you heard before you reply.",
    "For this week: tell your partner about one moment that made you feel close.",
    "For this week: send one thinking-about-you text on a day it is not expected.",
    "For this week: notice one thing your partner did right, and name it out loud.",
    "For this week: if a day goes badly, say so gently and try again tomorrow.",
)


def segments(body: str) -> int:
    """How many SMS segments `body` costs: GSM-7 (extension characters count twice) or else UCS-2."""
    if all(ch in GSM7 or ch in GSM7_EXTENSION for ch in body):
        units, single, multi = len(body) + sum(ch in GSM7_EXTENSION for ch in body), 160, 153
    else:
        units, single, multi = len(body.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else -(-units // multi)


def with_extra(body: str, extra: str) -> str:
    """`body` followed by `extra` when both fit in MAX_SEGMENTS, else `body` alone."""
    longer = f"{body} {extra}"
    return longer if segments(longer) <= MAX_SEGMENTS else body


def daily_question(question: Question) -> str:
    """Today's question, an invitation to reply, and the tip when it fits."""
    return with_extra(f"Today's question: {question.text} Reply with your answer.", f"Tip: {question.tip}")


def weekly_summary(summary_text: str, seed: str) -> str:
    """The week in plain words, then a gentle suggestion for the coming week when it fits."""
    return with_extra(f"Your week with Trust Builder: {summary_text}", suggestion(seed))


def suggestion(seed: str) -> str:
    """One suggestion, the same for the same seed (a partner and week), so a replay words it alike."""
    digest = hashlib.sha256(seed.encode()).digest()
    return SUGGESTIONS[int.from_bytes(digest[:4], "big") % len(SUGGESTIONS)]


def nudge_offer(partner_name: str) -> str:
    """The honest default: the sender decides, at the moment, whether to send."""
    return f"Want to tell {partner_name} you're thinking of them? Reply 1 to send."
