"""Replies read in context, the same for text and voice: does a message answer the prompt that is waiting
(a promise follow-up, a confirmation), and does it read as an answer to the day's question at all?

`followup_waiting` is the one query: the open promise whose "did you keep it?" text went out last, for
a plain yes or no to settle. The rest are pure functions of the words. `read_as_answer` sorts a message that no command claimed:
    ack       only yes/no/ok/thanks/emoji: never stored as an answer
    command   a command word we could not act on ("cancel 1"): not stored, the sender is pointed to HELP
    question  a question to us ("where's my question today?"): not stored
    unclear   it could be either (short, or about a slip, "oops, no I forgot"): we ask before saving
    answer    it reads as an answer to the day's question
"""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import OutboundMessage, Partner, Promise, PromiseState, TextKind, TextState

FOLLOWUP_ANSWERABLE = timedelta(hours=24)  # a plain yes/no answers a follow-up sent this recently
_WENT_OUT = (TextState.SENT, TextState.OUTBOX, TextState.DELIVERED)


def followup_waiting(session: Session, partner: Partner, now: datetime) -> Promise | None:
    """The open promise of this partner whose follow-up ("Did you keep your promise...?") went out most
    recently, within FOLLOWUP_ANSWERABLE; None when no such question is waiting."""
    return session.scalar(
        select(Promise).join(OutboundMessage, OutboundMessage.promise_id == Promise.id)
        .where(Promise.promiser_id == partner.id, Promise.state == PromiseState.OPEN,
               OutboundMessage.kind == TextKind.PROMISE_FOLLOWUP, OutboundMessage.state.in_(_WENT_OUT),
               OutboundMessage.sent_at > now - FOLLOWUP_ANSWERABLE)
        .order_by(OutboundMessage.sent_at.desc()).limit(1))

# Phrases, normalised by _plain (lower case, apostrophes and punctuation removed, single spaces).
_YES_PHRASES = {
    "y", "yes", "yeah", "yea", "ya", "yep", "yup", "yes i did", "i did", "did it", "done", "i have", "yes done",
    "all done", "sure did", "i sure did", "kept it", "i kept it", "yes i kept it", "of course", "absolutely",
    "ok", "okay", "sure", "yes sure", "yes please", "yess", "yesss", "yas", "correct", "thats right", "right",
}
_NO_PHRASES = {
    "n", "no", "nope", "nah", "not yet", "i didnt", "didnt", "no i didnt", "i did not", "no i did not",
    "not really", "i forgot", "no i forgot", "oops no i forgot", "oops i forgot", "sorry i forgot",
    "no sorry", "sorry no", "no not yet", "missed it", "i missed it", "no i missed it", "not done",
    "not today", "no not today", "i couldnt", "no i couldnt", "not quite", "no way",
}
_THANKS = {"thanks", "thank you", "thx", "ty", "thank u", "thanks a lot", "many thanks", "cheers", "great",
           "cool", "nice", "awesome", "got it", "ok thanks", "okay thanks", "thanks so much", "perfect",
           "lol", "haha", "ha", "hmm", "hm", "wow", "yay", "k", "kk", "ok cool", "sounds good", "will do"}
#: A text that opens with one of these was meant for us, not as an answer.
_COMMAND_WORDS = {"invite", "join", "cancel", "promise", "promises", "kept", "missed", "done", "mood", "link",
                  "time", "quiet", "tz", "timezone", "pause", "resume", "share", "summary", "help", "delete",
                  "undo", "private", "safety", "move", "skip", "thinking", "stop", "start", "remind", "reminder"}
_QUESTION_OPENERS = ("what", "where", "when", "how", "why", "who", "which", "can", "could", "would", "will",
                     "is", "are", "do", "does", "did", "should", "whats", "wheres", "hows", "whos")
#: Words that, in a question, show it is about us or the app rather than an answer to reflect on.
_ABOUT_US = {"question", "questions", "answer", "answers", "say", "said", "reply", "replied", "text", "texts",
             "app", "trust", "builder", "promise", "promises", "reminder", "reminders", "summary", "today",
             "todays", "share", "you", "this", "work", "works", "send", "sent", "partner", "link", "code"}
#: A slip or an aside ("oops", "wrong chat"): could be meant for someone else, so we ask.
_SLIP = re.compile(r"^(?:oops|whoops|oh no|sorry|wrong|ignore|nevermind|never mind|nvm|oh|um|uh|wait)\b")


def _plain(text: str | None) -> str:
    """Lower case words without apostrophes, punctuation or emoji, one space apart."""
    text = unicodedata.normalize("NFKC", text or "").casefold().replace("'", "").replace("\u2019", "")
    return " ".join(re.findall(r"[a-z0-9]+", text))


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def yes_or_no(text: str | None) -> bool | None:
    """True for yes/yep/I did/done, False for no/not yet/I didn't/oops no I forgot, None for anything else."""
    plain = _plain(text)
    plain = re.sub(r"\b(?:please|pls|thanks|thank you)\b", "", plain).strip()
    plain = " ".join(plain.split())
    if not _plain(text) and "\U0001F44D" in (text or ""):
        return True  # a thumbs-up alone
    if plain in _YES_PHRASES:
        return True
    if plain in _NO_PHRASES:
        return False
    return None


def is_acknowledgement(text: str | None) -> bool:
    """Only yes/no/ok/thanks/emoji/punctuation: never an answer to the day's question."""
    plain = _plain(text)
    if not plain:
        return True  # emoji, punctuation, nothing
    words = plain.split()
    phrases = _YES_PHRASES | _NO_PHRASES | _THANKS
    if plain in phrases:
        return True
    # "thanks! ok", "no thanks", "ok yes": every word is one of the short words
    small = {w for phrase in phrases for w in phrase.split() if len(phrase.split()) == 1}
    return len(words) <= 6 and all(w in small or w in {"no", "so", "much", "you", "u", "a", "lot"} for w in words)


def read_as_answer(text: str | None) -> str:
    """How a text that no command claimed reads: ack | command | question | unclear | answer."""
    raw = (text or "").strip()
    if is_acknowledgement(raw):
        return "ack"
    plain = _plain(raw)
    words = plain.split()
    if words and words[0] in _COMMAND_WORDS and len(words) <= 6:
        return "command"
    if raw.rstrip().endswith("?") and words and words[0] in _QUESTION_OPENERS and len(words) <= 12 \
            and any(w in _ABOUT_US for w in words):
        return "question"
    if _SLIP.match(plain) or len(words) < 2:
        return "unclear"
    if raw.rstrip().endswith("?") and len(words) <= 6:
        return "unclear"
    return "answer"
