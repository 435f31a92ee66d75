"""Every word the SMS channel says, in one module: the replies to texts, and the texts core sends on its own
(the invitation, the day's question, reminders, follow-ups, thinking about you, the weekly summary). Short,
warm and plain, never guilt; each fits two segments (tests/sms/test_conversation.py checks the replies with
the longest names, tests/unit/test_texts.py the scheduled texts).

It lives in core, not in the Twilio adapter, because core's jobs write the scheduled texts and core never
imports an adapter; the words are plain strings and know nothing of Twilio. Spoken words are in skill/speech.py.
"""
import hashlib

from core.words.segments import MAX_SEGMENTS, clip, segments
from core.words.times import clock

PROGRAM = "Trust Builder"
OFFER = "1 reflection question a day, reminders for promises you make, and a weekly check-in"
RATES = "Msg & data rates may apply."
OPT_OUT = "Reply HELP for help, STOP to opt out."
EXAMPLE_PROMISE = "PROMISE call mom tomorrow 6pm"

# Joining, consent and help
HOW_TO_JOIN = f"{PROGRAM} texts couples {OFFER}. To start, reply JOIN and your first name. {RATES} {OPT_OUT}"
JOIN_NEEDS_NAME = f"Welcome to {PROGRAM}: {OFFER}. Reply JOIN and your first name, e.g. JOIN Alex. {RATES} {OPT_OUT}"
NO_INVITATION = f"I don't see an invitation for this number. {HOW_TO_JOIN}"
INVITE_HOW = "To invite your partner, text INVITE, their number and first name, e.g. INVITE 415 555 0100 Sam"
ALREADY_JOINED = f"You're already in {PROGRAM}. Reply HELP to see what you can text."
ALREADY_ON = f"Texts from {PROGRAM} are already on. {OPT_OUT}"
HELP = ("Trust Builder: reply to answer today's question. Q, SKIP, MOOD 1-5, PROMISE what+when, PROMISES, "
        "KEPT, TELL, MISSED, THINKING, SHARE, UNDO, PRIVATE note, SUMMARY, TIME 7pm, QUIET 21-8, TZ city, "
        "PAUSE, RESUME, ROLE, THINKING OFF, DELETE MY DATA, STOP. HELP 2 for more. Not safe? Reply SAFETY.")
#: HELP 2: the weekly ritual, the pact, the apology and the page (HELP itself is full at two segments).
HELP_MORE = ("More from Trust Builder: WEEKLY (your weekly check-in; WEEKLY sun 6pm moves it), RATE 6 5 7 (how safe, "
             "trusting, connected you feel: just for you), TREND, HARD DAY, PACT (your agreements; PACT ADD ...), "
             "AGREE, APOLOGY (a guided apology), LOGIN (a link to your page). Not safe? Reply SAFETY.")

# Deleting
DELETED = ("Done: your Trust Builder data is erased and you won't get texts from us. "
           "Text JOIN and your name to start again.")
DELETE_CANCELLED = "OK, nothing was deleted."

# Answers, moods, sharing, thinking of you
EMPTY = "That text came through empty. Reply with your answer to today's question, or HELP for options."
MOOD_HOW = "A number from 1 to 5 please, e.g. MOOD 4 (1 is a rough day, 5 a great one)."
NO_PARTNER = "Invite your partner first: text INVITE, their number and first name."
NUDGE_DECLINED = "OK, no text sent. Maybe another time."

# Promises
PROMISE_HOW = f"Tell me what and when, e.g. {EXAMPLE_PROMISE}"
NO_PROMISES = f"No open promises right now. Make a small one: {EXAMPLE_PROMISE}"

# Preferences and linking
TIME_HOW = "Send a time of day, e.g. TIME 19:00 or TIME 7pm."
QUIET_HOW = "Send quiet hours as start-end, e.g. QUIET 21-8 (9 PM to 8 AM)."
TZ_HOW = "Send your time zone or a big city near you, e.g. TZ America/Chicago or TZ Denver."
TZ_UNKNOWN = "I don't know that time zone. Try a big city near you or a zone, e.g. TZ Chicago or TZ America/Chicago."
PAUSED = ("Paused for you: no daily questions, summaries or thinking-of-you texts until you reply RESUME. "
          "Promise reminders you set still come. Your partner's texts are not changed.")
QUIET_SAME = ("Quiet hours need a start and a different end, e.g. QUIET 22-7. They're yours alone. "
              "To get no texts for a while, reply PAUSE.")
THINKING_OFF = ("Done: thinking-of-you texts won't reach you now. Nobody else's settings changed. "
                "Reply THINKING ON to get them again.")
THINKING_ON = "Done: thinking-of-you texts can reach you again (never during your quiet hours)."
ROLE_ASK = ("Optional, just for your questions' wording: are you mostly repairing trust, were you mostly hurt, "
            "both, or rather not say? Reply ROLE REPAIRING, ROLE HURT, ROLE BOTH or ROLE SKIP.")
TELL_HOW = "Reply TELL after KEPT to let your partner know you kept a promise."
THANKS_NOTHING = "You're welcome. Reply Q for today's question, or HELP for what you can text."
LINKED = "Linked: Alexa now knows it's you. Ask Trust Builder for today's question any time."
LINK_HOW = "Ask Alexa to open Trust Builder and link your phone, then text LINK and the 6-digit code it says."


def delete_confirm(minutes: int) -> str:
    """DELETE MY DATA: what erasing means, and how to confirm within the window."""
    return ("This erases your answers, promises and number from Trust Builder for good. To confirm, reply "
            f"DELETE MY DATA again (or YES) within {minutes} minutes.")


def welcome(name: str, question_minute: int) -> str:
    """The first reply after JOIN: the program, what it sends and how often, rates, HELP and STOP."""
    return (f"Welcome to {PROGRAM}, {name}! You'll get {OFFER} (the question at {clock(question_minute)}). "
            f"Next, text INVITE, your partner's number and name. {RATES} {OPT_OUT}")


def invitation(inviter: str) -> str:
    """The one text sent before consent: who invites, what we send, how to say yes, and a way out for anyone
    who does not know the inviter."""
    return (f"{inviter} invited you to {PROGRAM}, which texts couples {OFFER}. {RATES} "
            f"Reply YES to join, HELP for help. Don't know {inviter}? Reply STOP.")


def invitation_waiting(inviter: str) -> str:
    """An invitee texted something other than YES: the invitation again, nothing of theirs is kept."""
    return f"{inviter} invited you to {PROGRAM} ({OFFER}). Reply YES to join, HELP for help, STOP to opt out. {RATES}"


def invite_sent(name: str) -> str:
    """The same reply whoever the number belongs to (so nobody can test whether someone uses Trust Builder):
    at most one invitation goes out, and nothing else unless they reply YES."""
    return (f"Thanks. If that number can be invited, {name} gets one text from us now; nothing else unless they "
            "reply YES. It stays open 7 days.")


def accepted(inviter: str, question_minute: int) -> str:
    """The invitee said YES (double opt-in done)."""
    return (f"Welcome to {PROGRAM}! You and {inviter} each get {OFFER}; "
            f"the question comes at {clock(question_minute)}. Reply Q for today's question. {RATES} {OPT_OUT}")


def welcome_back(question_minute: int) -> str:
    """START after STOP."""
    return f"Welcome back to {PROGRAM}. Texts are on again; your question comes at {clock(question_minute)}. {OPT_OUT}"


def question(text: str) -> str:
    """Today's question, and that a plain reply is the answer: the same words when asked (Q) and when sent."""
    return f"Today's question: {text} Reply with your answer."


UNDO_HINT = "Reply UNDO within 15 min to take it back."


def answer_saved(status: str, partner: str | None, replaced: bool = False) -> str:
    """Thanks, when it is shared, how to take it back, and what SHARE will do (a checkins.Reveal status)."""
    first = "Thank you for sharing. This replaces your earlier answer today." if replaced else \
        "Thank you for sharing."
    if status == "both":
        return f"{first} {partner} answered too: reply SHARE to see theirs. {UNDO_HINT}"
    if status == "waiting_partner":
        return f"{first} {partner} sees it once they answer too; reply SHARE then to see theirs. {UNDO_HINT}"
    return f"{first} It's kept for when your partner answers too. {UNDO_HINT}"


GENTLE_KEPT = ("Thank you. That answer to your own gentler question stays with you: it's never shown to your "
               f"partner. {UNDO_HINT}")


def answer_saved_partner_away(partner: str) -> str:
    """An answer kept while the partner has left Trust Builder."""
    return f"Thank you for sharing. It's saved. {partner_away(partner)}"


def mood_saved(value: int) -> str:
    """A mood was kept."""
    return f"Thanks. Mood {value} of 5 noted for today."


def shared(partner: str, text: str) -> str:
    """The partner's answer, only ever sent to the other half of the same couple."""
    return f"{partner} said: {text}"


def share_waiting_you(partner: str) -> str:
    """SHARE before answering: answer first, so nobody answers to please."""
    return f"Answer today's question first (reply Q to see it), then SHARE shows you what {partner} said."


def share_waiting_partner(partner: str) -> str:
    """SHARE before the partner answered."""
    return f"{partner} hasn't answered yet. Try SHARE again later."


def thinking_sent(partner: str, held_until: str | None) -> str:
    """The thinking-of-you text is queued; say honestly when their quiet hours hold it, and until when."""
    if held_until:
        return (f"It's quiet hours for {partner}, so your text waits until {held_until}. It will say when you "
                "sent it.")
    return f"Sent: {partner} will know you're thinking of them."


def promise_made(task: str, due: str, reminder: str | None) -> str:
    """Confirm exactly what was understood, so a wrong guess is caught now."""
    remind = f" I'll text you a reminder {reminder}." if reminder else ""
    return f"OK: {clip(task, 120)}, {due}.{remind}"


def promise_when(task: str) -> str:
    """A promise without a time we could read: ask again with an example built from their words."""
    return (f"When will you {clip(task, 80)}? Send it again with a day or time, "
            f"e.g. PROMISE {clip(task, 60)} tomorrow 6pm")


def promise_list(items: list[tuple[str, str]]) -> str:
    """Numbered open promises, as (text, when) pairs, and how to settle one."""
    lines = "; ".join(f"{n}) {clip(text, 40)}, {when}" for n, (text, when) in enumerate(items, start=1))
    return f"Your open promises: {lines}. Reply KEPT 1 or MISSED 1."


def kept(task: str, partner: str | None) -> str:
    """A kept promise, celebrated a little; `task` as core.words.tasks.for_author words it. The promiser
    may choose to let their partner know (TELL); nothing is sent unless they do."""
    tell = f" Reply TELL to let {partner} know." if partner else ""
    return f"Well done: you kept your promise to {clip(task, 80)}. Small promises kept are how trust grows.{tell}"


def missed(task: str) -> str:
    """A promise not kept this time: thanks for honesty, no scolding (the task reads after "to")."""
    return (f"Thanks for telling me you didn't get to {clip(task, 80)} this time. Saying so matters. "
            "When you're ready, make a new small one.")


def told_partner(partner: str) -> str:
    """TELL: the partner will hear about it, as good news."""
    return f"Done: {partner} will hear that you kept it."


def thanked(promiser: str) -> str:
    """THANKS passed on."""
    return f"I've let {promiser} know. Thank you for noticing."


def time_set(minute: int) -> str:
    """The daily question moved."""
    return f"Done: your daily question now comes at {clock(minute)}."


def quiet_set(start: int, end: int) -> str:
    """This partner's own quiet hours changed."""
    return (f"Your quiet hours are now {clock(start * 60)} to {clock(end * 60)} (just yours). "
            "Only reminders you asked for come then.")


def tz_set(zone: str, local_time: str) -> str:
    """The time zone changed; the local time lets them check it."""
    return f"Time zone set to {zone}. It's {local_time} there now."


def resumed(question_minute: int) -> str:
    """RESUME after PAUSE."""
    return f"Welcome back. Your daily question comes again at {clock(question_minute)}."


# Care: replies read in context, safety, leaving, invitations
NOT_AN_ANSWER = "Got it. (I didn't save that as your answer to today's question.)"
COMMAND_UNCLEAR = "That looked like a command, so I didn't save it as an answer. Reply HELP to see what you can text."
QUESTION_TO_US = ("I didn't save that as an answer. Reply Q for today's question, SHARE for your partner's answer, "
                  "or HELP for more.")
ASK_SAVE = "Was that your answer to today's question? Reply YES to save it."
NOT_SAVED = "OK, I didn't save it."
UNDONE = "Done: your answer is taken back. Nobody saw it. Reply with a new answer any time today."
UNDO_NOTHING = "There's no answer of yours today to take back."
UNDO_SEEN = "Your partner has already seen that answer, so it can't be taken back. You can talk about it together."
UNDO_TOO_LATE = "It's been more than 15 minutes, so that answer stays. You can send a new one; it replaces it."
PRIVATE_HOW = "Text PRIVATE and your words, e.g. PRIVATE I felt tired today. Only you will ever see it."
PRIVATE_KEPT = "Kept just for you. It's never shown to your partner or counted anywhere they see."
NOTHING_HELD = "There's no held answer of yours waiting to be shared."
LINK_LOCKED = "Too many wrong codes. LINK is locked for an hour on this phone; then ask Alexa for a new code."
NO_DATA_HERE = "There's no Trust Builder data for this number."
DELETE_STOPPED = "OK, nothing was deleted."


def safety(lines: str) -> str:
    """SAFETY: the lines for the person's country at once (core.safety.as_text), nothing else first."""
    return lines


def answer_held(partner: str | None, lines: str) -> str:
    """An answer that read as danger: kept private, the lines, and how to share it after all."""
    who = partner or "your partner"
    body = f"I've kept that private; {who} won't see it. Reply SHARE IT to share it. {lines}"
    if segments(body) <= MAX_SEGMENTS:
        return body
    return f"I've kept that private; {who} won't see it. Reply SHARE IT to share it. Not safe? Reply SAFETY for help lines."


def weekly_held_shared(status: str, partner: str | None) -> str:
    """SHARE IT for the weekly check-in: the held answers are shared now."""
    who = partner or "your partner"
    if status == "both":
        return f"Shared with {who}. You've both finished this week's check-in: reply WEEKLY to read theirs."
    if status == "waiting_you":  # the writer has questions of this week still to answer
        return f"Shared with {who}. They'll see your answers once you've both finished this week's check-in."
    return f"Shared with {who}. They'll see your answers once they've finished this week's check-in too."


def held_shared(status: str, partner: str | None) -> str:
    """SHARE IT: the held answer is shared now."""
    return f"Shared with {partner or 'your partner'}. " + ("Reply SHARE to see theirs." if status == "both"
                                                           else "They'll see it once they answer too.")


def partner_away(name: str) -> str:
    """The partner erased their data: a neutral state, never "turned texts off"."""
    return f"{name} isn't using Trust Builder right now."


def private_kept(lines: str | None) -> str:
    """PRIVATE: kept for the writer; the safety lines too when the words spoke of danger."""
    return with_extra("Kept just for you.", lines) if lines else PRIVATE_KEPT


def partner_invited(name: str) -> str:
    """Invited, not joined: the same words whether or not the invitation could be sent."""
    return f"{name} hasn't joined yet. Once they reply YES to the invitation, this works for you both."
def told_other(said: str, partner: str | None) -> str:
    """A shared setting changed: the reply says the partner was told."""
    return f"{said} {partner} will get a text saying so." if partner else said


def question_time_changed(changer: str, minute: int) -> str:
    """One line to the other partner when the shared question time moves."""
    return f"{changer} moved your shared daily question to {clock(minute)}. Reply TIME to change it."


def timezone_changed(changer: str, zone: str, local_minute: int) -> str:
    """One line to the other partner when the shared time zone changes."""
    return f"{changer} set your shared time zone to {zone} (it's {clock(local_minute)} there now)."


def role_set(role: str) -> str:
    """ROLE changed; only the wording of the questions follows it, and the partner is not told."""
    said = {"repairing": "mostly repairing trust", "hurt": "mostly the one who was hurt",
            "both": "a bit of both", "unsaid": "rather not say"}[role]
    return (f"Thanks. Noted: {said}. It only shapes how your questions are worded, and your partner isn't "
            "told. Reply ROLE to change it any time.")


def skipped_topic(text: str) -> str:
    """SKIP before either answered: the couple's new question today."""
    return f"Here's a different question for you both today: {text} Reply with your answer."


def skipped_gentle(text: str) -> str:
    """SKIP after the partner answered: a gentler question just for this person."""
    return f"Here's a gentler one, just for you today: {text} Your answer to it stays with you. Reply to answer."


def skip_none(text: str) -> str:
    """SKIP when no other question is open today."""
    return f"There's no other question left for today. Today's is: {text} Answer when you're ready, or not at all."


def question_swapped(changer: str, text: str) -> str:
    """To the partner who already got today's question by text: it changed."""
    return f"{changer} asked for a different question today, so it's now: {text} Reply with your answer."


_PROBLEMS = {
    "missing_name": "I need a first name too, e.g. INVITE 415 555 0100 Sam",
    "bad_name": "Please use a first name: letters only (spaces, - and ' are fine), up to 20, e.g. Sam.",
    "invite_limit": "That's 3 invitations today, the most for one day. Please try again tomorrow.",
    "invite_pending": "You've already invited someone; that invitation stays open for 7 days.",
    "empty_private": PRIVATE_HOW,
    "invalid_phone": "That doesn't look like a phone number. Try e.g. INVITE 415 555 0100 Sam",
    "couple_full": "Your couple already has two people in it.",
    "phone_taken": "I can't invite that number. Please check it, or ask them to text JOIN to this number.",
    "no_invite": "There's no invitation waiting for you. Reply HELP for what you can text.",
    "bad_mood": MOOD_HOW,
    "empty_answer": EMPTY,
    "empty_promise": f"What's the promise? e.g. {EXAMPLE_PROMISE}",
    "past_due": f"That time has already passed. When instead? e.g. {EXAMPLE_PROMISE}",
    "too_far": f"Let's keep promises within the coming year. When instead? e.g. {EXAMPLE_PROMISE}",
    "no_promises": NO_PROMISES,
    "bad_number": "That number isn't on your list. Reply PROMISES to see your open promises.",
    "no_match": "I couldn't tell which promise. Reply PROMISES, then KEPT 1 or MISSED 1.",
    "already_settled": "That promise is already marked. Reply PROMISES to see the open ones.",
    "nothing_to_tell": "There's no promise kept in the last day to tell about. Reply KEPT first.",
    "nothing_to_thank": THANKS_NOTHING,
    "same_hours": QUIET_SAME,
    "thinking_off": "{partner} has turned thinking-of-you texts off for now, so it won't go.",
    "partner_paused": "{partner} has paused texts for now, so it won't go.",
    "thinking_too_soon": "You sent {partner} one less than an hour ago. One an hour is plenty: try again later.",
    "thinking_waiting": ("One is already waiting for {partner}'s quiet hours to end, so this one won't go. "
                         "It arrives in the morning."),
    "unclear_role": ROLE_ASK,
    "no_partner": NO_PARTNER,
    "capped": "You've sent the most thinking-of-you texts for today, so this one won't go. Try again tomorrow.",
    "no_consent": "{partner} hasn't turned on texts yet, so I can't send it.",
    "opted_out": "{partner} isn't getting texts right now, so I can't send it.",
    "partner_away": "{partner} isn't using Trust Builder right now.",
    "phone_invalid": "{partner}'s number can't get texts, so I can't send it.",
    "no_phone": "{partner} can't get texts, so I can't send it.",
    "bad_code": "That code didn't work or has expired. Ask Alexa for a new one, then text LINK and the code.",
    "bad_time": TIME_HOW,
    "bad_hours": QUIET_HOW,
    # Weekly ritual (issue 13)
    "weekly_in_quiet": "That time is in your quiet hours. Pick another, e.g. WEEKLY sun 6pm.",
    "bad_weekly_time": "To choose your weekly check-in time, text WEEKLY, a day and a time, e.g. WEEKLY sun 6pm.",
    "bad_rating": "Just for you, 0 to 10 each: RATE 6 5 7 (how safe, trusting, connected you feel).",
}
PROBLEM_DEFAULT = "Sorry, I couldn't do that. Reply HELP to see what you can text."


def problem(reason: str, partner: str | None, away: str | None = None, invited: str | None = None) -> str:
    """What to say when a service refused, by its reason word; anything unforeseen gets a gentle default.
    `away`: the first name of a partner who erased their data, said neutrally instead of "no partner";
    `invited`: the name on a pending invitation (sent or not), said the same either way."""
    if away and reason in ("no_partner", "no_phone", "opted_out", "no_consent"):
        return partner_away(away)
    if invited and reason in ("no_partner", "no_consent"):
        return partner_invited(invited)
    return _PROBLEMS.get(reason, PROBLEM_DEFAULT).format(partner=partner or "Your partner")


# Texts core sends on its own (scheduled or pushed), each kept within two segments
SUGGESTIONS = (
    "For this week: pick one small promise you are sure you can keep, and keep it.",
    "For this week: when your partner answers, say one thing you heard before you reply.",
    "For this week: tell your partner about one moment that made you feel close.",
    "For this week: send one thinking-about-you text on a day it is not expected.",
    "For this week: notice one thing your partner did right, and name it out loud.",
    "For this week: if a day goes badly, say so gently and try again tomorrow.",
)


def with_extra(body: str, extra: str) -> str:
    """`body` followed by `extra` when both fit in MAX_SEGMENTS, else `body` alone."""
    longer = f"{body} {extra}"
    return longer if segments(longer) <= MAX_SEGMENTS else body


def daily_question(question_text: str, tip: str) -> str:
    """The scheduled question: the same words as a reply to Q, and the tip when it fits."""
    return with_extra(question(question_text), f"Tip: {tip}")


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


def thinking_of_you(sender_name: str) -> str:
    """Says who it is from and that it comes through Trust Builder (sent at once, so "right now" is true)."""
    return f"{sender_name} is thinking about you right now. (Sent with Trust Builder.)"


def thinking_of_you_earlier(sender_name: str, sent_day, today, sent_minute: int) -> str:
    """A thinking text that waited (quiet hours, a retry): when it was sent, honestly, never "right now"."""
    ago = (today - sent_day).days
    if ago <= 0:
        when = f"earlier today, at {clock(sent_minute)}"
    elif ago == 1:
        when = f"{'last night' if sent_minute >= 18 * 60 else 'yesterday'}, at {clock(sent_minute)}"
    else:
        when = f"on {sent_day.strftime('%b')} {sent_day.day}, at {clock(sent_minute)}"
    return f"{sender_name} was thinking about you {when}. (Sent with Trust Builder.)"


def promise_reminder(task: str, due: str) -> str:
    """Before a promise falls due ("today at 6 PM")."""
    return f"Reminder from Trust Builder: {task}, {due}."


def promise_followup(task: str, when: str | None = None) -> str:
    """After a promise fell due: an easy way to say either (with its day and time when another shares its words)."""
    named = f" ({when})" if when else ""
    return f"Did you keep your promise to {task}{named}? Reply KEPT or MISSED. Either way is OK to say."


def promise_kept_news(promiser: str, task: str) -> str:
    """To the partner, only when the promiser asked (TELL): good news and a way to say thanks, never a
    question about whether it was kept. `task` as core.words.tasks.for_partner words it."""
    return f"{promiser} kept their promise to {clip(task, 80)}. Reply THANKS to let them know."


def thanks_passed_on(partner: str, task: str) -> str:
    """The partner's THANKS, to the promiser."""
    return f"{partner} says thank you for keeping your promise to {clip(task, 80)}."


# Setting up by voice (core.services.voice_setup)
def link_consent() -> str:
    """The one text a voice set-up sends: what it is, how to say yes, and that ignoring it is fine."""
    return (f"{PROGRAM} ({OFFER}): an Alexa device asked to use this number. Reply YES to link this Echo to "
            f"{PROGRAM}. Not you? Ignore this. {RATES} {OPT_OUT}")


def linked_by_voice(name: str, question_minute: int, new: bool, invited: str | None) -> str:
    """YES to the set-up text: the Echo is linked; for a new number this YES was also the JOIN."""
    if not new:
        return f"Linked: Alexa now knows it's you, {name}. Ask Trust Builder for today's question any time."
    nxt = (f"I've invited {clip(invited, 40)}; nothing else goes to them unless they say YES." if invited
           else "Next, text INVITE, your partner's number and name.")
    return (f"Welcome to {PROGRAM}, {clip(name, 40)}! This Echo is linked to you. Your question comes daily at "
            f"{clock(question_minute)}. {nxt} {RATES} {OPT_OUT}")


# Changing a promise by text: CANCEL n, MOVE n <when>
CANCEL_HOW = "Which promise? Reply PROMISES to see them, then CANCEL 1 (or the number)."
MOVE_HOW = "Tell me which and when, e.g. MOVE 1 9pm or MOVE 2 tomorrow 7pm. Reply PROMISES to see the numbers."


def cancelled(task: str) -> str:
    """A promise called off, with its reminders."""
    return f"OK, your promise to {clip(task, 80)} is cancelled, and its reminders too."


def moved(task: str, due: str, reminder: str | None) -> str:
    """A promise moved: the exact new time understood, so a wrong guess is caught now."""
    remind = f" I'll text you a reminder {reminder}." if reminder else ""
    return f"Moved: {clip(task, 100)}, now {due}.{remind}"


def move_when(number: int) -> str:
    """MOVE without a time we could read."""
    return f"When should it be? e.g. MOVE {number} 9pm or MOVE {number} tomorrow 7pm"


def several_match(keyword: str, items: list[tuple[int, str, str]]) -> str:
    """Two or more open promises share the words: each with its list number, day and time."""
    lines = "; ".join(f"{n}) {clip(text, 40)}, {when}" for n, text, when in items)
    first = items[0][0]
    return f"More than one promise fits: {lines}. Reply {keyword} {first} (or the number you mean)."


# Weekly ritual (issue 13, items 3-6): the weekly check-in, small wins, RATE and HARD DAY
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKLY_HOW = "To choose your weekly check-in time, text WEEKLY, a day and a time, e.g. WEEKLY sun 6pm."
WEEKLY_ACK = "Got it. (I didn't keep that as your weekly check-in answer.) Reply with your answer when you're ready."
WEEKLY_WAITING_PARTNER = ("Thank you, your weekly check-in is done. {partner} sees your answers once they've "
                          "answered too, and then you can read theirs.")
FOCUS_NONE = "Answer this week's check-in first (reply WEEKLY); its last question is what to focus on next week."
RATE_HOW = ("Just for you, 0 to 10: how safe, how trusting and how connected you feel this week, e.g. RATE 6 5 7. "
            "Your partner never sees it.")
HARD_DAY_NOTED_AGAIN = ("I've already noted today as a hard day. Nothing is erased, and tomorrow is a new one. "
                        "Not safe? Reply SAFETY.")
SETBACK_PAUSED_ALREADY = "Your texts are already paused. Reply RESUME whenever you're ready."
SETBACK_NOT_PAUSED = "OK, your questions keep coming as usual. Be gentle with yourself today."


def weekly_question(step: int, words: str) -> str:
    """One of the weekly check-in's three questions, and that a plain reply answers it."""
    return f"Weekly check-in, {step} of 3: {words} Reply to answer."


def weekly_checkin(step: int, words: str, figures: str) -> str:
    """The weekly text: the check-in's first question, then the week's couple-level figures when they fit."""
    lead = "Your weekly check-in with Trust Builder" if step == 1 else "Your weekly check-in continues"
    return with_extra(f"{lead}, {step} of 3: {words} Reply to answer.", f"Your week: {figures}")


def weekly_next(words: str, step: int) -> str:
    """A weekly answer kept: thanks, and the next question."""
    return f"Thank you. {weekly_question(step, words)}"


def weekly_held(partner: str | None, lines: str, next_words: str | None, step: int) -> str:
    """A weekly answer that read as danger: kept private, the next question, and the lines when they fit."""
    who = partner or "your partner"
    body = f"I've kept that answer private; {who} won't see it. Reply SHARE IT to share it."
    if next_words:
        body = f"{body} {weekly_question(step, next_words)}"
    longer = with_extra(body, lines)
    return longer if longer != body else with_extra(body, "Not safe? Reply SAFETY for help lines.")


def weekly_finished(status: str, partner: str | None, revisit: str | None) -> str:
    """The third answer kept: who can read what now, the pact agreement to revisit, and two light offers."""
    if status == "both":
        body = f"Thank you, your weekly check-in is done. {partner} answered too: reply WEEKLY to read theirs."
    elif status == "waiting_partner":
        body = WEEKLY_WAITING_PARTNER.format(partner=partner)
    else:
        body = "Thank you, your weekly check-in is done."
    if revisit:
        body = with_extra(body, f'From your pact: "{clip(revisit, 80)}" Does this one still work for you both?')
    body = with_extra(body, "Reply PROMISE IT and a time to make your focus a promise.")
    return with_extra(body, "Just for you: RATE 0-10 safe, trusting, connected, e.g. RATE 6 5 7.")


def focus_when(task: str) -> str:
    """PROMISE IT without a time we could read."""
    return f"When will you {clip(task, 80)}? Reply PROMISE IT and a day or time, e.g. PROMISE IT tue 7pm"


def weekly_reveal(partner: str, answers: tuple[str, ...]) -> str:
    """The partner's three answers, only once both answered all three."""
    labels = ("Appreciated", "A moment", "Next week")
    each = (MAX_SEGMENTS * 150 - 40) // 3
    parts = "; ".join(f"{label}: {clip(text, each)}" for label, text in zip(labels, answers))
    return f"{partner}'s weekly check-in: {parts}"


def weekly_waiting_partner(partner: str) -> str:
    """WEEKLY after finishing, before the partner finished."""
    return f"Your weekly check-in is done. {partner} hasn't finished theirs yet; I'll text you when you can read it."


def weekly_both_answered(partner: str) -> str:
    """To the first to finish, when the second finishes: the answers can be read now."""
    return f"{partner} finished this week's check-in too. Reply WEEKLY to read their answers."


def weekly_time_set(weekday: int, minute: int) -> str:
    """WEEKLY <day> <time>: the couple's weekly check-in moved."""
    return f"Done: your weekly check-in now comes on {WEEKDAYS[weekday]}s at {clock(minute)}."


def weekly_time_changed(changer: str, weekday: int, minute: int) -> str:
    """One line to the other partner when the shared weekly time moves."""
    return (f"{changer} moved your shared weekly check-in to {WEEKDAYS[weekday]}s at {clock(minute)}. "
            "Reply WEEKLY, a day and a time to change it.")


def small_win(words: str) -> str:
    """A small win, told to both partners, in couple-level words."""
    return f"A small win from Trust Builder: {words} Small steps, kept, are how trust grows."


def rated(trend_words: str, replaced: bool) -> str:
    """RATE kept, just for the owner, with their trend in plain words."""
    first = "Noted, just for you (this replaces this week's earlier one)." if replaced else "Noted, just for you."
    return f"{first} {trend_words}"


def trend_only(trend_words: str) -> str:
    """RATE alone: the owner's trend, and how to rate."""
    return with_extra(trend_words, "Rate this week: RATE 6 5 7 (safe, trusting, connected, 0-10).")


def hard_day_noted(can_pause: bool) -> str:
    """HARD DAY: gentle words, nothing erased, and the offer of a day without questions."""
    body = "I'm sorry today is hard. I've noted it as a setback; nothing you've built is erased."
    if can_pause:
        return f"{body} Would a day without questions help? Reply YES and I'll pause them for you until tomorrow."
    return f"{body} Be gentle with yourself. Not safe? Reply SAFETY."


def setback_paused(until: str) -> str:
    """YES to the offer: paused for a day, and the promise reminders they set still come."""
    return (f"Done: no questions for you until {until}; then they start again by themselves. Promise "
            "reminders you set still come. Your partner's texts don't change.")


COUNSELLOR_NOTE = ("It's been a harder few weeks, and that's OK to say. A couples counsellor can help you both "
                   "find your footing; asking for help is a strong step.")


def counsellor_note(lines: str) -> list[str]:
    """The counsellor suggestion with the safety lines: one text when both fit, else the lines in a second."""
    longer = with_extra(COUNSELLOR_NOTE, lines)
    return [longer] if longer != COUNSELLOR_NOTE else [COUNSELLOR_NOTE, lines]
# Signing in to the couple's page (core.services.sign_in): LOGIN by text, the code the page asks for
def sign_in_code(code: str) -> str:
    """The 6-digit code after someone typed this number on the sign-in page."""
    return (f"Your {PROGRAM} sign-in code is {code}. It works once, for 10 minutes. "
            "Didn't ask for it? Ignore this; nobody can sign in without it.")


def sign_in_link(url: str) -> str:
    """LOGIN (or "send me a link" to Alexa): a link that signs this phone's owner in once."""
    return (f"Your {PROGRAM} page: {url} The link works once, for 10 minutes. "
            "Didn't ask for it? Ignore this.")

# Pact and apology (issue 13, items 1-2: core.services.pact, core.services.apology) -----------------------
_PLAIN = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
                        "\u2026": "...", "\u00a0": " "})
PACT_HOW = ("Your pact is the short list of agreements you both made. Reply PACT to see it, PACT ADD and your "
            "words to propose one, PACT CHANGE 1 new words, PACT RETIRE 1, or PACT IDEAS.")
PACT_ADD_HOW = "Reply PACT ADD and the agreement in your words, e.g. PACT ADD We check in every evening."
PACT_CHANGE_HOW = "Reply PACT CHANGE, its number and the new words, e.g. PACT CHANGE 1 We check in most evenings."
PACT_NUMBER_HOW = "Which one? Reply PACT to see the numbers, then e.g. PACT RETIRE 1 or PACT DROP 1."
AGREE_WHICH = "More than one proposal is waiting for you. Reply PACT to see them, then AGREE and its number."
APOLOGY_CANCELLED = "OK, your draft apology is deleted. Nothing was sent."
APOLOGY_NONE = "There's no apology being written. Reply APOLOGY to start one; nothing is sent until you say SEND."
REDO_HOW = "Which step? Reply REDO 1 (what you did), REDO 2 (how it affected them) or REDO 3 (what you'll change)."
APOLOGY_STEP_ASK = {
    1: "Step 1 of 3: what did you do? Say it plainly, in your own words, e.g. I forgot our dinner plans.",
    2: "Step 2 of 3: how do you think it affected {partner}? e.g. I think you felt you weren't a priority.",
    3: "Step 3 of 3: what will you do differently? e.g. I will put our plans in my calendar.",
}
NOT_READY_NOTHING = "OK. Nothing is waiting for a reply from you. Reply HELP for what you can text."
APOLOGY_NOTHING_TO_TURN = "There's no finished apology to take a third step from. Reply APOLOGY to write one."


def plain_punctuation(text: str) -> str:
    """Curly quotes, long dashes and the ellipsis as plain characters, so a text stays in GSM-7."""
    return text.translate(_PLAIN)


def _sentence(text: str | None) -> str:
    said = (text or "").strip()
    return said if not said or said[-1] in ".!?\"')" else said + "."


def _fit(make, text: str, floor: int = 20) -> str:
    """`make(quote)` with the person's words shortened only as far as two segments need."""
    body, limit = make(text), len(text)
    while segments(body) > MAX_SEGMENTS and limit > floor:
        limit -= 10
        body = make(clip(text, limit))
    return body


def as_promise_task(change: str) -> str:
    """An apology's third step as a promise's task: "I will call you when I'm late." -> "call you when I'm late"."""
    import re
    task = re.sub(r"^(?:next time,?\s+)?(?:i\s+will|i'll|i\s+am\s+going\s+to|i'm\s+going\s+to|i\s+promise\s+to|"
                  r"i\s+want\s+to|from\s+now\s+on,?\s+i\s+will)\s+", "", change.strip(), flags=re.IGNORECASE)
    return task.rstrip(" .!")


def pact_proposed(proposer: str, action: str, words: str | None, number: int, when: str) -> str:
    """To the other partner: who proposed what and when, that it counts only if they agree, and no rush."""
    lead = {"add": f"{proposer} proposes a new agreement for your pact ({when})",
            "change": f"{proposer} proposes new words for agreement {number} of your pact ({when})",
            "retire": f"{proposer} proposes retiring agreement {number} of your pact ({when})"}[action]
    tail = (f"It counts only if you agree too: reply AGREE {number}, or PACT DROP {number}. No rush."
            if action != "retire" else f"Reply AGREE {number} if you agree, or PACT DROP {number} to keep it.")
    return _fit(lambda quote: f'{lead}: "{quote}" {tail}', words or "")


def pact_proposal_sent(other: str, action: str, number: int, refusal: str | None, after: str | None) -> str:
    """The proposer's reply: it counts only once the other agrees, and honestly whether they were texted."""
    said = {"add": f"Proposed as agreement {number}.", "change": f"New words proposed for agreement {number}.",
            "retire": f"Retiring agreement {number} proposed."}[action]
    return f"{said} It counts once {other} agrees too. {_delivery(other, refusal, after)}"


def _delivery(other: str, refusal: str | None, after: str | None) -> str:
    if refusal is None:
        return f"I'll text {other} {after}, after their quiet hours." if after else f"I've texted {other}."
    why = "has paused texts" if refusal == "partner_paused" else "can't get texts right now"
    return f"{other} {why}, so they'll see it when they text PACT or open Trust Builder on Alexa."


def pact_agreed(action: str, words: str | None, proposer: str) -> str:
    """The agreeing partner's reply."""
    done = {"add": f'Agreed: "{clip(words or "", 140)}" is now part of your pact.',
            "change": f'Agreed: it now reads "{clip(words or "", 140)}".',
            "retire": f'Agreed: "{clip(words or "", 140)}" is retired from your pact. It stays in its history.'}[action]
    return f"{done} I'll let {proposer} know. Reply PACT to see it all."


def pact_agreed_news(agreer: str, action: str, words: str | None, number: int, when: str) -> str:
    """To the proposer: the other partner agreed, and when."""
    made = {"add": "is now part of your pact", "change": f"is now the wording of agreement {number}",
            "retire": "is retired from your pact"}[action]
    return _fit(lambda quote: f'{agreer} agreed ({when}): "{quote}" {made}. Reply PACT to see it.', words or "")


def pact_declined_news(decliner: str, words: str | None) -> str:
    """To the proposer, gently: the other partner would rather not, and nothing is asked of anyone."""
    return _fit(lambda quote: f'{decliner} would rather not make this part of your pact for now: "{quote}" '
                              "Nothing else changes. You could talk about it together.", words or "")


def pact_dropped(own: bool, other: str) -> str:
    """PACT DROP n: withdrawn by its proposer, or declined by the other partner (who is not asked why)."""
    return "OK, your proposal is withdrawn." if own else f"OK, it's not added. I'll let {other} know, gently."


def pact_list(lines: list[str]) -> str:
    """PACT: as many numbered agreements as fit, then how to read one in full."""
    def body(shown: int) -> str:
        more = f" ({len(lines) - shown} more)" if shown < len(lines) else ""
        return f"Your pact: {' '.join(lines[:shown])}{more} Reply PACT and a number to read one whole."
    shown = len(lines)
    while shown > 1 and segments(body(shown)) > MAX_SEGMENTS:
        shown -= 1
    return body(shown)


def pact_line(number: int, text: str | None, pending: str | None, waiting_on: str, for_you: bool) -> str:
    """One agreement in the list; a pending proposal is marked as such, never as agreed. `text`: the agreed
    words, or for a pending addition or change the proposed ones."""
    if pending is None:
        return f"{number}) {clip(text or '', 60)}"
    what = {"add": "proposed", "change": "new words proposed", "retire": "retiring it proposed"}[pending]
    ask = f"AGREE {number}?" if for_you else f"waiting for {waiting_on}"
    return f'{number}) "{clip(text or "", 50)}" ({what}, {ask})'


def pact_entry(number: int, text: str | None, history: list[str]) -> str:
    """PACT n: one agreement whole, with its history (who proposed, when agreed, what changed)."""
    return with_extra(f'Agreement {number}: "{text}"' if text else f"Agreement {number}: not agreed yet.",
                      " ".join(history))


def pact_empty(idea: str) -> str:
    """PACT with nothing in it: what it is, one idea (never added alone), how to propose."""
    return (f'Your pact is empty for now: it holds agreements you both make. An idea: "{idea}" To propose one, '
            "reply PACT ADD and your own words. PACT IDEAS for more.")


def pact_ideas(ideas: list[str]) -> str:
    """PACT IDEAS: a few of our suggestions, as ideas only."""
    return with_extra("Ideas couples start with: " + " ".join(f"{n}) {idea}" for n, idea in enumerate(ideas, 1)),
                      "Reply PACT ADD and your own words. Nothing is added unless you both agree.")


def pact_held(lines: str) -> str:
    """An agreement whose words read as danger: not added, not shown, and the lines."""
    return with_extra("I haven't added that or shown it to your partner.", lines)


def apology_step(step: int, partner: str, first: bool = False, current: str | None = None) -> str:
    """Ask for one step; the first time, say nothing is sent until SEND; when redoing, quote the old words."""
    intro = f"Let's write it in 3 short steps; nothing goes to {partner} until you say SEND. " if first else ""
    now = f'(Now: "{clip(current, 60)}")' if current else ""
    return with_extra(f"{intro}{APOLOGY_STEP_ASK[step].format(partner=partner)}", now) if now else \
        f"{intro}{APOLOGY_STEP_ASK[step].format(partner=partner)}"


def _apology_words(steps) -> str:
    return " ".join(_sentence(s) for s in steps if s)


def apology_readback(partner: str, steps) -> str:
    """The whole apology read back before anything is sent."""
    return f"Your apology to {partner}: {_apology_words(steps)} Reply SEND to send it, or REDO 1, 2 or 3."


def apology_for_partner(author: str, steps) -> str:
    """The apology itself, as the partner receives it: the author's words, nothing asked."""
    return f"An apology from {author}, sent with Trust Builder: {_apology_words(steps)}"


def apology_fits(author: str, partner: str | None, steps) -> bool:
    """True when the apology and its read-back each fit one text of two segments."""
    return all(segments(body) <= MAX_SEGMENTS for body in (apology_for_partner(author, steps),
                                                             apology_readback(partner or "your partner", steps)))


def apology_note(author: str) -> str:
    """Right after the apology: nothing is asked of them; a reply is optional, and forgiveness is not asked."""
    return (f"You don't need to reply or do anything. If you'd like to, reply THANK YOU or NOT READY, and "
            f"{author} will hear only that.")


def apology_sent(partner: str, refusal: str | None, after: str | None) -> str:
    """SEND done: honestly how it reaches them, that nothing is asked of them, and the third step's one word."""
    if refusal is None:
        how = f"It reaches {partner} {after}, after their quiet hours." if after else f"Sent to {partner}."
    else:
        why = "has paused texts" if refusal == "partner_paused" else "can't get texts right now"
        how = f"Sent. {partner} {why}, so they'll hear it when they next open Trust Builder on Alexa."
    return (f"{how} They don't need to reply. Reply PROMISE to make your third step a promise, or PACT to "
            "propose it for your pact.")


def apology_held(lines: str) -> str:
    """SEND on words that read as danger: not sent yet, the lines, and how to send it anyway."""
    return with_extra("Some words in it sounded like someone may not be safe, so I haven't sent it. Reply SEND "
                      "again to send it, or REDO a step.", lines)


def apology_step_held(lines: str, ask: str) -> str:
    """A step that reads as danger: kept in the draft only, the lines, then the next step."""
    return with_extra(with_extra("Kept in your draft only; nothing is sent.", lines), ask)


def apology_response_news(partner: str, response: str) -> str:
    """The partner's optional reply, passed on gently; nothing more is asked of either of them."""
    if response == "thank_you":
        return f"{partner} read your apology and says thank you."
    return (f"{partner} read your apology and isn't ready to talk about it yet. That's OK: give it time, and "
            "keep doing what you said you'd do.")


def apology_response_thanks(response: str, author: str) -> str:
    """The recipient's reply: passed on, and nothing else is asked of them."""
    if response == "thank_you":
        return f"I've let {author} know you said thank you. Nothing else is needed."
    return f"I've let {author} know you're not ready yet. Take the time you need; nothing else is needed."


def apology_became_pact(proposed_words: str) -> str:
    """PACT after an apology: the third step proposed for the pact (the delivery follows)."""
    return f'Proposed for your pact: "{clip(proposed_words, 100)}".'


_PROBLEMS.update({
    "pact_empty": PACT_ADD_HOW,
    "pact_too_long": "Please keep an agreement under 140 characters: short ones are easier to keep.",
    "pact_pending_full": "3 proposals are already waiting. Once one is agreed or dropped, you can propose another.",
    "pact_full": "Your pact has 12 agreements, the most it holds. Retire one first (PACT RETIRE and its number).",
    "pact_same": "That one is already in your pact, or already proposed.",
    "pact_no_such": "There's no agreement with that number. Reply PACT to see the numbers.",
    "pact_not_agreed": "That one isn't agreed yet, so it can't change. Reply PACT to see it.",
    "pact_already_proposed": "A proposal is already waiting on that one. Reply PACT to see it.",
    "pact_nothing_waiting": "Nothing is waiting on that one. Reply PACT to see your pact.",
    "pact_own_proposal": "That's your own proposal: it counts once {partner} agrees too.",
    "pact_nothing_to_agree": "There's no proposal waiting for you. Reply PACT to see your pact.",
    "pact_which": AGREE_WHICH,
    "no_apology": APOLOGY_NONE,
    "apology_empty": "A few words are enough for a step. Reply with them, or CANCEL APOLOGY.",
    "apology_too_long": "That makes the apology too long for one text. Please say that step in fewer words.",
    "apology_bad_step": REDO_HOW,
    "apology_limit": "You've sent 2 apologies today, the most for a day. Give it time; you can send one tomorrow.",
})


def pact_version_line(action: str, words: str | None, proposer: str, when: str, state: str, decider: str | None,
                      decided: str | None) -> str:
    """One version in an agreement's history: what was proposed, by whom and when, and what became of it."""
    what = {"add": "Proposed", "change": f'New words "{clip(words or "", 40)}" proposed', "retire": "Retiring proposed"}
    fate = {"agreed": f", agreed by {decider} {decided}", "pending": ", waiting", "declined": ", not taken up",
            "withdrawn": ", withdrawn", "lapsed": ", lapsed"}.get(state, "")
    return f"{what[action]} by {proposer} {when}{fate}."
