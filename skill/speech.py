"""The words the skill says, and one way to say them: escaped for SSML, short, with a reprompt when the
session stays open."""
import re
from xml.sax.saxutils import escape

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from core.words.tasks import for_author

MAX_SSML = 7900  # Alexa refuses outputSpeech over 8000 characters, <speak> tags included
NOTICES = "notices"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_PARTIAL_ENTITY = re.compile(r"&[a-z#0-9]*$")

SUGGEST = "You can say 'what's today's question', or 'I promise to call you at six'."
INVITE_ANSWER = "When you're ready, say 'my answer is', and then your answer."
ASK_ANSWER_AGAIN = "I want to get your answer right. Start with 'my answer is', and then say it."
ASK_MOOD = "From one to five, how would you rate today? You can say, 'four out of five'."
ASK_TASK = "What do you promise to do?"
ASK_TIME = "At what time? For example, six PM."
ASK_DAY = "Which day? For example, tomorrow, or Friday."
DB_APOLOGY = "I couldn't save that, please try again in a minute."
SORRY = "Sorry, something went wrong on my side. Please try again in a minute."
GOODBYE = "Take care of each other. Goodbye."
HELP = ("Trust Builder gives you and your partner one question a day. You can say 'what's today's question', "
        "'my answer is', and your answer, 'I promise to call you at six', 'what are my promises', "
        "'tell my partner I'm thinking of them', or 'how are we doing'. If you ever don't feel safe, say "
        "'I don't feel safe'. What would you like to do?")
ANYTHING_ELSE = "What would you like to do? " + SUGGEST
FALLBACK = "Sorry, I can't help with that. " + SUGGEST
NOT_NOW = "OK. You can come back any time today. " + GOODBYE
GO_AHEAD = "Go ahead. " + INVITE_ANSWER
HI = "Hi!"
DID_NOT_CATCH = "Sorry, I didn't catch that."
PHONE_NOTICE = ("A quick note first: texts to your phone number aren't getting through, "
                "so I can't send you reminders by text for now.")

# The day's question and answers
OFFER_QUESTION = "Would you like to hear today's question?"
ALREADY_ANSWERED = "You've answered today's question. " + ANYTHING_ELSE
MOOD_SCALE = "I use a scale of one to five. "
REVEAL_LATER = {
    "waiting_partner": "{name} hasn't answered today's question yet. Once they do, you can hear it.",
    "no_partner": "Once your partner joins Trust Builder, you'll be able to hear their answers here.",
    "partner_away": "{name} isn't using Trust Builder right now.",
    "invited": "{name} hasn't joined Trust Builder yet. Once they do, you'll be able to hear their answers here.",
}

#: A partner who is invited but has not joined, or who erased their data: neutral, and the same whether an
#: invitation could be sent or not.
NOT_HERE = {"invited": "{name} hasn't joined Trust Builder yet.",
            "partner_away": "{name} isn't using Trust Builder right now."}

# Care: answers read with care, safety, taking back, private reflections, leaving (issue 11)
NOT_AN_ANSWER = ("I didn't save that as your answer, because it sounded like a yes, a no, or a thank you. "
                 + INVITE_ANSWER)
UNDONE = "Done. I've taken back your answer; nobody heard it. You can give a new one any time today."
UNDO_NOTHING = "You haven't given an answer today, so there's nothing to take back."
UNDO_SEEN = "Your partner has already heard that answer, so I can't take it back. It may help to talk about it."
UNDO_TOO_LATE = ("It's been more than fifteen minutes, so that answer stays. "
                 "If you give a new one, it replaces it.")
ASK_PRIVATE = "What would you like to keep just for yourself? Start with 'just for me', and then say it."
PRIVATE_KEPT = "I've kept that just for you. Your partner will never hear it, and it isn't counted anywhere."
SHARE_HELD_DONE = "OK, I've shared it. Take care of yourself."
KEPT_PRIVATE = "OK, it stays private. Take care of yourself."
ERASE_ASK = ("This erases your answers, promises and phone number from Trust Builder for good, "
             "and you won't get texts from us. Do you want me to erase your data?")
ERASED = "Done. Your Trust Builder data is erased. Take care."
ERASE_KEPT = "OK, nothing was deleted."
ASK_SHARE_HELD = "Would you like me to share it with your partner?"
ASK_SHARE_WEEKLY_HELD = ("One of your answers this week stays private. Would you like me to share it with {partner} "
                         "after all?")

# Linking and who is speaking
HOW_TO_LINK = "Here's how to link your phone."

# Promises
ASK_TIME_AGAIN = "Sorry, what time? " + ASK_TIME
#: A time that cannot be a promise: say why, then ask for the day again.
TIME_PROBLEMS = {"past_due": "That time has already passed. ",
                 "too_far": "Let's keep promises within the coming year. "}
MAX_LISTED = 3
WHICH_KEPT = "Which one did you keep? Say, for example, 'I kept my promise to', and what it was."
NO_PROMISES_YET = "You don't have any open promises. To make one, say 'I promise to', and what you'll do."
NO_OPEN_PROMISES = "You don't have any open promises right now."

#: Why a text cannot go to the person speaking ("I can't text you a reminder, because ...").
YOUR_TEXTS = {
    "no_phone": "there's no phone number linked to you yet",
    "opted_out": "you've turned texts off. Text START to us to turn them back on",
    "phone_invalid": "texts to your phone number aren't getting through",
    "no_consent": "you haven't turned on texts yet",
}
#: Why a text cannot go to the partner ("... {name} ...").
THEIR_TEXTS = {
    "no_phone": "{name} doesn't have a phone number with Trust Builder yet",
    "opted_out": "{name} isn't getting texts right now",
    "phone_invalid": "texts to {name}'s phone number aren't getting through",
    "no_consent": "{name} hasn't turned on texts yet",
}


def reply(handler_input: HandlerInput, text: str, reprompt: str | None = None, end: bool | None = None) -> Response:
    """Speak any pending notices and `text`; a reprompt keeps the session open, none ends it."""
    builder = handler_input.response_builder
    notices = handler_input.attributes_manager.request_attributes.pop(NOTICES, [])
    builder.speak(ssml(" ".join([*notices, text])))
    if reprompt:
        builder.ask(ssml(reprompt))
    builder.set_should_end_session(reprompt is None if end is None else end)
    return builder.response


def add_notice(handler_input: HandlerInput, text: str) -> None:
    """Something to say once before this turn's reply (a greeting, or a problem with the phone)."""
    handler_input.attributes_manager.request_attributes.setdefault(NOTICES, []).append(text)


def ssml(text: str) -> str:
    """Plain words made safe inside <speak>: markup escaped, control characters dropped, length capped."""
    safe = escape(_CONTROL.sub(" ", text or ""), {'"': "&quot;"})
    if len(safe) <= MAX_SSML:
        return safe
    return _PARTIAL_ENTITY.sub("", safe[:MAX_SSML]).rstrip() + "..."


def spell(digits: str) -> str:
    """Digits spoken one by one ("1 2 3"), so a code or number is heard exactly."""
    return " ".join(ch for ch in digits if ch.isdigit())


def phone_words(number: str) -> str:
    """A US number as digit groups ("5 5 5, 0 1 0, 0 1 0 0"); other numbers digit by digit."""
    digits = "".join(ch for ch in number or "" if ch.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        return spell(digits)
    return f"{spell(digits[:3])}, {spell(digits[3:6])}, {spell(digits[6:])}"


def link_instructions(code: str, number: str) -> str:
    """How to link a phone: text LINK and the code to our number within ten minutes."""
    to = f"to {phone_words(number)}" if number else "to the Trust Builder number"
    return (f"From your phone, text the word LINK and the code {spell(code)} {to}, within ten minutes. "
            f"Again, the code is {spell(code)}.")


def names(partners) -> str:
    """"Alex or Sam" (or "Alex, Sam or Jo")."""
    first = [p.display_name for p in partners]
    return first[0] if len(first) == 1 else ", ".join(first[:-1]) + " or " + first[-1]


def reminder_after(intake) -> str:
    """What happens next for a promise: its reminder, or why none can go."""
    if intake.reminder_words:
        return f"I'll text you a reminder {intake.reminder_words}."
    if intake.no_reminder == "too_soon":
        return "That's too soon for a reminder, but I'll text you afterwards to ask how it went."
    return f"I can't text you a reminder, because {YOUR_TEXTS.get(intake.no_reminder, 'texts are off for you')}."


def promise_confirmation(intake) -> str:
    """"OK: call Sam, today at 6 PM. I'll text you a reminder at 5:30 PM." (or why I can't), from an Intake."""
    moved = " The clocks change that night, so I've set it for the first time that exists." if intake.clock_moved \
        else ""
    after = reminder_after(intake)
    return f"OK: {for_author(intake.task)}, {intake.due_words}.{moved} {after}"


def only_to_your_partner(partner: str) -> str:
    """A thinking-about-you text for someone other than the partner: we only ever send it to them."""
    return (f"I can only send these to your partner, {partner}. "
            "To send one, say 'tell my partner I'm thinking of them'.")


def thinking_sent(partner: str, held_until: str | None) -> str:
    """The thinking-about-you text is queued; say honestly when their quiet hours hold it, and until when."""
    if held_until:
        return (f"It's quiet hours for {partner}, so your text will wait until {held_until}, "
                "and it will say when you sent it.")
    return f"Done. I'm letting {partner} know you're thinking about them."


#: Why a thinking-about-you text won't go, beyond the texting rules (THEIR_TEXTS).
WONT_GO = {
    "thinking_off": "{name} has turned thinking-about-you texts off for now, so it won't go.",
    "partner_paused": "{name} has paused their texts for now, so it won't go.",
    "thinking_too_soon": "You sent {name} one less than an hour ago. One an hour is plenty, so try again later.",
    "thinking_waiting": ("One is already waiting for {name}'s quiet hours to end, so this one won't go. "
                         "The first will reach them in the morning."),
}


def cannot_send_thinking(reason: str, partner, daily_cap: int) -> str:
    """Why the thinking-about-you text cannot go, in plain words."""
    if reason == "no_partner" or partner is None:
        return "You haven't added your partner to Trust Builder yet. You can invite them by text."
    if reason == "capped":
        return f"You've already sent {daily_cap} today, which is the daily limit. You can send more tomorrow."
    if reason in WONT_GO:
        return WONT_GO[reason].format(name=partner.display_name)
    because = THEIR_TEXTS.get(reason, "{name} can't get texts right now").format(name=partner.display_name)
    return f"I can't send that, because {because}."


def greeting(name: str) -> str:
    """"Hi, Alex. " before what comes next."""
    return f"Hi, {name}. "


def thanks(name: str) -> str:
    """Said once a partner on a shared device has told us who they are."""
    return f"Thanks, {name}."


def which_partner(partners) -> str:
    """"Is this Alex or Sam?"."""
    return f"Is this {names(partners)}?"


def known_as(name: str) -> str:
    """A name said that is not this device's partner: who we think they are, and how to link their own."""
    return f"On this device I know you as {name}. If you're someone else, say 'link my phone' to link your own."


def todays_question(greeting_words: str, question: str) -> str:
    """Today's question (the same for both partners), and how to answer it."""
    return f"{greeting_words}Today's question is: {question} {INVITE_ANSWER}"


def offer_reveal(partner: str) -> str:
    """Both have answered: offer to hear the partner's answer."""
    return f"{partner} has answered too. Would you like to hear their answer?"


def partner_said(partner: str, text: str) -> str:
    """The partner's answer, once both have answered."""
    return f"{partner} said: {text}"


def answer_first(partner: str) -> str:
    """Asked for the partner's answer before answering: answer first, so nobody answers to please."""
    return f"You'll hear {partner}'s answer once you've answered today's question too. {OFFER_QUESTION}"


def mood_noted(rating: int) -> str:
    """A mood kept; a hard day is met with kindness."""
    kind = " Thank you for being honest; hard days count too." if rating <= 2 else ""
    return f"Thanks. I've noted a {rating} for today.{kind}"


def promise_listing(items: list[tuple[str, str]]) -> str:
    """"You have 2 open promises: call Sam, today at 6 PM; and walk the dog, tomorrow at 9 AM."."""
    said = [f"{what}, {when}" for what, when in items[:MAX_LISTED]]
    more = len(items) - len(said)
    listed = said[0] if len(said) == 1 else "; ".join(said[:-1]) + "; and " + said[-1]
    count = "one open promise" if len(items) == 1 else f"{len(items)} open promises"
    tail = f" And {more} more." if more else ""
    return f"You have {count}: {listed}.{tail}"


def no_such_promise(listing: str) -> str:
    """None like the one named: the open ones, to pick from."""
    return f"I couldn't find a promise like that. {listing} {WHICH_KEPT}"


def marked_kept(task: str, partner: str | None = None) -> str:
    """A promise marked kept by voice (`task` as core.words.tasks.for_author words it); the promiser may
    choose to let their partner know."""
    offer = f" {offer_tell(partner)}" if partner else ""
    return f"Well done. I've marked your promise to {task} as kept.{offer}"


def offer_tell(partner: str) -> str:
    """After KEPT by voice: telling the partner is the promiser's choice."""
    return f"Would you like {partner} to know? I'd send them a text."


def told_partner(partner: str) -> str:
    """The partner will get the good news by text."""
    return f"Done. {partner} will get a text saying you kept it."


NOTHING_TO_TELL = "There's no promise kept in the last day to tell about."


# Roles and SKIP
ROLE_QUESTION = ("One optional question, only to word your questions well: are you mostly repairing trust, "
                 "were you mostly hurt, both, or would you rather not say?")
ROLE_AGAIN = "You can say repairing, hurt, both, or rather not say."


def role_set(role: str) -> str:
    """The role is stored; only the wording of questions follows it, and the partner isn't told."""
    said = {"repairing": "mostly repairing trust", "hurt": "mostly the one who was hurt",
            "both": "a bit of both", "unsaid": "rather not say"}[role]
    return (f"Thanks, I've noted {said}. It only shapes how your questions are worded, and your partner "
            "isn't told. You can say 'change my role' any time.")


def skipped(kind: str, question: str) -> str:
    """SKIP by voice: a new topic for you both, a gentler one just for you, or nothing else today."""
    if kind == "gentle":
        return (f"Here's a gentler one, just for you today: {question} Your answer to it stays with you. "
                f"{INVITE_ANSWER}")
    if kind == "same":
        return f"There's no other question left for today. Today's is: {question} Answer it when you're ready."
    return f"Here's a different question for you both today: {question} {INVITE_ANSWER}"


# Before linking, and setting up by voice
INTRO = ("Trust Builder helps couples rebuild trust with one honest question a day and small promises, kept. "
         "Would you like to set it up now?")
ASK_SETUP = "Would you like to set up Trust Builder? You can say yes, or say help to hear more."
UNLINKED_HELP = ("Trust Builder gives you and your partner the same reflection question each day, reminds you by "
                 "text of the small promises you make, and looks back on your week with you. To start, I text "
                 "your phone once to check it's yours. You can say 'set it up', 'what's today's question' to hear "
                 "an example, or 'link my phone' if you joined by text. What would you like to do?")
UNLINKED_SUGGEST = "You can say 'set it up', or 'help'."
PRIVATE_FIRST = ("To keep what you say private, I first need to know it's you. "
                 "Would you like to set up Trust Builder now? If you joined by text, say 'link my phone'.")
NOT_SET_UP = "OK. Trust Builder will be here whenever you'd like. Goodbye."
ASK_PHONE = "What's your mobile number? I'll text it once, to check it's yours."
ASK_PHONE_AGAIN = "Sorry, that didn't sound like a mobile number. What's your mobile number, with the area code?"
RETRY_PHONE = "OK, let's try that again. What's your mobile number?"
ASK_FIRST_NAME = "And what's your first name?"
ASK_FIRST_NAME_AGAIN = "Sorry, I didn't catch your name. What's your first name?"
OFFER_INVITE = ("If your partner isn't on Trust Builder yet, I can invite them too. Would you like to invite your "
                "partner now?")
ASK_INVITE = "Would you like to invite your partner now? You can also text INVITE later."
REVIEWER_LINKED = ("This is the reviewer test number, so its YES is taken as given and this Echo is linked now. "
                   "You can ask for today's question right away. ")
NO_INVITE_NOW = "OK. Once you've replied YES to my text, ask me for today's question. Talk soon."
ASK_PARTNER_NAME = "What's your partner's first name?"
ASK_CODE_AGAIN = "Would you like to hear the code again?"
CODE_SENT_TOO = "I've also put it in the Alexa app. " + ASK_CODE_AGAIN
NOT_AGAIN = "OK. Talk soon."

# A voice this Echo's partners did not link
UNRECOGNISED = "I don't recognise your voice on this device yet. Who is this?"
WHO_IS_IT = "Who is this? You can say your first name."


def sample_question(question: str) -> str:
    """Before linking: an example question from the bank, and what linking gives."""
    return (f"Here's the kind of question Trust Builder asks: {question} Once you're set up, you and your "
            "partner get one question like this a day, and can hear each other's answers. "
            "Would you like to set it up?")


def confirm_phone(spoken: str) -> str:
    """The number read back in digit groups."""
    return f"I heard {spoken}. Is that right?"


def texted(reviewer_linked: bool) -> str:
    """After a set-up: what to expect (the same words whether or not we knew the number)."""
    if reviewer_linked:
        return REVIEWER_LINKED + OFFER_INVITE
    return f"I've texted you. Reply YES to that text, and then ask me for today's question. {OFFER_INVITE}"


def setup_card(number: str) -> tuple[str, str]:
    """The card after a voice set-up: what to do on the phone."""
    to = f" to {number}" if number else ""
    return ("Trust Builder: reply YES", f"We've texted your phone. Reply YES{to} to link this Echo, then say "
            "'Alexa, ask Trust Builder for today's question'.")


def link_card(code: str, number: str) -> tuple[str, str]:
    """The card with the link code and the number to text, for the Alexa app."""
    to = number or "the Trust Builder number"
    return "Link Trust Builder", f"Text LINK {code} to {to} within ten minutes."


def confirm_invitee(name: str, spoken: str) -> str:
    """The partner's number read back before inviting."""
    return f"I heard {spoken} for {name}. Is that right?"


def ask_partner_phone(name: str) -> str:
    """The partner's number, by name."""
    return f"What's {name}'s mobile number?"


def invite_after_yes(name: str) -> str:
    """The set-up is waiting for YES: the invitation goes once it comes."""
    return (f"Thanks. Once you reply YES to my text, I'll send {name} one invitation, and nothing else unless "
            "they say yes too. Talk soon.")


def invited(name: str) -> str:
    """A linked partner invited theirs by voice."""
    return f"Done. I've sent {name} an invitation. Nothing else goes to them unless they reply YES."


def voice_kept(name: str) -> str:
    """Someone said the name of a partner who linked their own voice: never served to another voice."""
    return (f"{name} linked Trust Builder to their own voice, so only that voice hears their things. If you're "
            f"{name}, Alexa may not have recognised you this time; please try again in a moment. If you're someone "
            "else, you can say 'set it up' to start your own.")


#: Why an invitation by voice could not go (the same reasons the SMS channel gives).
INVITE_PROBLEMS = {
    "couple_full": "Your couple already has two people in it, so I can't invite anyone else.",
    "phone_taken": "I can't invite that number. Please check it, or ask them to set up Trust Builder themselves.",
    "invalid_phone": "That doesn't sound like a mobile number, so I haven't invited anyone.",
    "missing_name": "I didn't catch their name, so I haven't invited anyone.",
}


def cannot_invite(reason: str) -> str:
    """Why no invitation went."""
    return INVITE_PROBLEMS.get(reason, "Sorry, I couldn't send that invitation. You can text INVITE instead.")


# Changing a promise: kept, missed, cancelled, moved
WHICH_ONE = {"kept": WHICH_KEPT,
             "missed": "Which one? Say, for example, 'I missed my promise to', and what it was.",
             "cancelled": "Which one? Say, for example, 'cancel my promise to', and what it was.",
             "move": "Which one? Say, for example, 'move my promise to call Sam to seven PM'."}
ASK_NEW_TIME = "To what time? For example, seven PM, or tomorrow at nine AM."
NONE_OF_THOSE = "OK, I've left your promises as they are."


def check_time(task: str, when: str) -> str:
    """An hour that could be morning or evening: the likelier one, to confirm before saving."""
    return f"Just to check: {task}, {when}. Is that right?"


def which_of(task: str, when: str) -> str:
    """Two open promises share the words said: name one by its day and time."""
    return f"You have more than one like that. Do you mean {task}, {when}?"


def marked(state: str, task: str) -> str:
    """A promise settled by voice: kept is celebrated a little, missed is thanked, never scolded."""
    if state == "kept":
        return marked_kept(task)
    if state == "missed":
        return f"Thanks for being honest. I've marked your promise to {task} as missed. Saying so matters."
    return f"OK, I've cancelled your promise to {task}, and its reminders."


def moved(intake) -> str:
    """A promise moved: its new day and time, and the reminder."""
    after = reminder_after(intake)
    return f"Done: {intake.task} is now {intake.due_words}. {after}"


def safety_lines(lines: str) -> str:
    """The safety lines for the person's country (core.safety.as_speech), and that we tell no one."""
    return f"{lines} I haven't told anyone you asked."


GENTLE_KEPT = ("Thank you. That answer to your own gentler question stays with you; your partner never hears it. "
               "If you change your mind in the next fifteen minutes, say 'take back my answer'.")


def answer_kept(tip: str, replaced: bool, partner_answered: bool) -> str:
    """The answer is kept: when it is shared, how to take it back, and the day's tip."""
    first = "Thank you, I've saved your answer" + (". It replaces your earlier one today." if replaced else ".")
    when = "" if partner_answered else " Your partner hears it once they've answered too."
    return (f"{first}{when} If you change your mind in the next fifteen minutes, say 'take back my answer'. "
            f"One idea for today: {tip}")


def answer_held(partner: str | None, lines: str) -> str:
    """An answer that spoke of danger: kept private, the lines, and the question whether to share it."""
    who = partner or "your partner"
    return (f"Thank you for telling me. I've kept that answer private, so {who} won't hear it. {lines} "
            f"Would you like me to share your answer with {who}?")


# Alexa-native (issue 12): Echo reminders, "your partner answered" notices, contact from the voice profile,
# and the words on the Echo Show screen.
ASK_REMINDER_WAY = ("I can also remind you of promises on this Echo, out loud. Would you like reminders on the "
                    "Echo, by text, or both?")
REMINDER_WAY_AGAIN = "Would you like promise reminders on the Echo, by text, or both?"
REMINDER_WAY_SAVED = {"text": "OK, your promise reminders come by text.",
                      "echo": "OK, from now on I'll remind you of promises on this Echo.",
                      "both": "OK, from now on I'll remind you of promises on this Echo and by text."}
REMINDERS_DENIED = ("OK, no Echo reminders, I'll keep to texts. If you change your mind, say 'remind me on the "
                    "Echo'.")
ECHO_UNREACHABLE = "I couldn't reach this Echo's reminders just now, so I'll keep to the text."
NOTICES_ON = ("Done. When your partner answers, this Echo will show a notification, at most once a day and never "
              "in quiet hours. It only says there's something new. To allow it, turn on notifications for Trust "
              "Builder in the Alexa app; I've sent a card there.")
NOTICES_OFF = "OK, no notifications when your partner answers."
ASK_NOTICES = "Would you like a notification on this Echo when your partner answers?"
FROM_PROFILE = "I've used the first name and mobile number in your Alexa voice profile, so nobody heard it."
PROFILE_OFFER = "I can use the first name and mobile number in your Alexa voice profile, so you needn't say it."
PROFILE_NOT_USED = "OK, let's do it by voice. "


def noted(task: str) -> str:
    """Said just before Alexa asks for the reminders permission."""
    return f"OK: {task}."


def echo_reminder(task: str, when: str) -> str:
    """What the Echo says at the reminder time (the promise's own words, as the reminder text has them)."""
    return f"Trust Builder reminder: {task}, {when}."


def on_echo(intake, way: str) -> str:
    """A promise whose reminder is on the Echo (and by text too, when both were asked)."""
    also = " and by text" if way == "both" and intake.reminder_words else ""
    return f"OK: {intake.task}, {intake.due_words}. I'll remind you on this Echo{also} {intake.reminder_words}."


def offer_notices(name: str) -> str:
    """Once, while waiting for the partner's answer."""
    return f"Would you like this Echo to show a notification when {name} answers? It says only that there's news."


#: The Echo Show screen: labels, and the touch targets (each sends the intent the voice path would).
SCREEN = {"title": "Trust Builder", "question": "Today's question", "answered": "answered", "not_yet": "not yet",
          "you": "You", "promises": "Your open promises", "no_promises": "No open promises.",
          "welcome": "Say 'Alexa, open Trust Builder' to begin.",
          "buttons": (("Answer", "answer"), ("My promises", "promises"), ("How are we doing", "week"))}
REMINDERS_NOT_ANSWERED = "OK, I'll keep to the text for this one."


def moved_on_echo(intake, way: str) -> str:
    """A promise moved, with its Echo reminder (and its text too, when both were asked)."""
    also = " and by text" if way == "both" else ""
    return f"Done: {intake.task} is now {intake.due_words}. I'll remind you on this Echo{also} {intake.reminder_words}."
# Weekly ritual (issue 13, items 3-6): the weekly check-in, RATE, a setback
WEEKLY_REPROMPT = "You can start with 'I appreciated', or 'my answer is', and then say it."
WEEKLY_AGAIN = "I want to get your answer right. " + WEEKLY_REPROMPT
WEEKLY_NOT_KEPT = "I didn't keep that as your answer. " + WEEKLY_REPROMPT
OFFER_WEEKLY_REVEAL = "Would you like to hear what they said?"
OFFER_FOCUS_PROMISE = "Would you like to make your focus for next week a promise?"
ASK_FOCUS_TIME = "When will you do it? For example, Tuesday at seven PM."
NO_FOCUS_YET = "Once you've answered this week's check-in, your focus for next week can become a promise."
OK_NOT_NOW = "OK. Take care of each other."
ASK_SAFE = "From zero to ten, how safe do you feel this week?"
ASK_TRUSTING = "And from zero to ten, how trusting do you feel?"
ASK_CONNECTED = "And from zero to ten, how connected do you feel?"
RATING_SCALE = "I use a scale from zero to ten. "
RATING_ASKS = {"safe": ASK_SAFE, "trusting": ASK_TRUSTING, "connected": ASK_CONNECTED}
OFFER_SETBACK_PAUSE = "Would a day without questions help? I can pause them for you until tomorrow."
SETBACK_ALREADY_PAUSED = "Your questions are already paused. Text RESUME whenever you're ready."
SETBACK_KEEP_GOING = "OK, your questions keep coming as usual. Be gentle with yourself today."
COUNSELLOR = ("It's been a harder few weeks, and that's OK to say. A couples counselor can help you both find "
              "your footing; asking for help is a strong step.")


def weekly_question(step: int, words: str, first: bool = False) -> str:
    """One of the weekly check-in's three questions."""
    lead = "Let's do your weekly check-in: three short questions. " if first and step == 1 else ""
    return f"{lead}Question {step} of 3. {words}"


def weekly_next(step: int, words: str) -> str:
    """A weekly answer kept, and the next question."""
    return f"Thank you. {weekly_question(step, words)}"


def weekly_held(partner: str | None, lines: str, next_words: str | None, step: int) -> str:
    """A weekly answer that spoke of danger: kept private, the lines, and the next question."""
    who = partner or "your partner"
    after = f" {weekly_question(step, next_words)}" if next_words else ""
    return f"Thank you for telling me. I've kept that answer private, so {who} won't hear it. {lines}{after}"


def weekly_finished(status: str, partner: str | None, revisit: str | None) -> str:
    """The third answer kept: who hears what, and one pact agreement to look at again."""
    said = "Thank you, that's your weekly check-in done."
    if status == "both":
        said += f" {partner} has answered too."
    elif status == "waiting_partner":
        said += f" {partner} hears your answers once they've answered too, and then you can hear theirs."
    if revisit:
        said += f" One from your pact: {revisit}. Does this one still work for you both?"
    return said


def weekly_reveal(partner: str, answers: tuple[str, ...]) -> str:
    """The partner's three answers, read once both answered all three."""
    appreciated, moment, focus = answers
    return (f"{partner} appreciated: {appreciated}. A moment that felt steady or hard: {moment}. "
            f"What they'd like to focus on next week: {focus}.")


def weekly_waiting(partner: str) -> str:
    """Asked again after finishing, before the partner finished."""
    return f"Your weekly check-in is done. {partner} hasn't finished theirs yet; once they have, you can hear it."


def rated(trend_words: str, replaced: bool) -> str:
    """A rating kept just for the speaker, and their trend."""
    first = "Noted, just for you; it replaces this week's earlier one." if replaced else "Noted, just for you."
    return f"{first} {trend_words}"


def trend_first(trend_words: str) -> str:
    """A rating asked for without numbers: the trend so far, then the first question."""
    return f"Here's how things have been going for you. {trend_words} {ASK_SAFE}"


def hard_day(can_pause: bool, already: bool) -> str:
    """A setback, met gently."""
    first = ("I've already noted today as a hard day." if already else
             "I'm sorry today is hard. I've noted it as a setback, and nothing you've built is erased.")
    return f"{first} {OFFER_SETBACK_PAUSE if can_pause else 'Be gentle with yourself.'}"


def setback_paused(until: str) -> str:
    """The day's pause is on."""
    return (f"Done. No questions for you until {until}; then they start again by themselves. Promise reminders "
            "you set still come, and your partner's texts don't change.")


def counsellor(lines: str) -> str:
    """The counsellor suggestion, once a month at most, with the safety lines."""
    return f"{COUNSELLOR} And if you ever don't feel safe: {lines}"
# The couple's page (skill/handlers/web_link.py)
PAGE_LINK_SENT = ("I've texted you a link to your Trust Builder page, where you can look back at your answers, "
                  "promises and progress. It works once, for ten minutes.")
PAGE_LINK_NO_TEXTS = ("I can't text you a link, because texts are off for your number. Text START to Trust Builder "
                      "to turn them on, then ask me again.")
# Pact and apology (issue 13, items 1-2: core.services.pact, core.services.apology) -----------------------
ASK_AGREEMENT = "What would you like to propose for your pact? For example, 'we check in every evening'."
ASK_AGREEMENT_NUMBER = "Which agreement? Say its number, for example, 'agreement one'."
ASK_NEW_WORDS = "What should it say instead?"
PACT_EMPTY = ("Your pact is empty for now. It's a short list of agreements you both make. You could say, "
              "'add to our pact, we check in every evening'.")
PACT_NOT_NOW = "OK. Nothing changes unless you both agree. It stays waiting for now."
PACT_HELD = "I haven't added that, or shared it with your partner."
APOLOGY_STEP = {
    1: "First: what did you do? Say it plainly, starting with 'I', for example, 'I forgot our dinner'.",
    2: "Second: how do you think it affected {partner}? For example, 'I think you felt alone'.",
    3: "Third: what will you do differently? For example, 'I will put our plans in my calendar'.",
}
ASK_SEND = "Shall I send it to {partner}?"
APOLOGY_KEPT = ("OK, it's kept as a draft, and nothing is sent. You can say 'redo step two', or 'send my apology' "
                "when you're ready.")
APOLOGY_NONE = "You're not writing an apology right now. To start one, say 'help me apologize'."
ASK_STEP_NUMBER = "Which step? One is what you did, two is how it affected them, three is what you'll do differently."
APOLOGY_HEAR_LATER = "OK. If you'd like to hear it later, say 'read me the apology'."
APOLOGY_NOTHING_RECEIVED = "There's no apology waiting for you."
APOLOGY_THIRD_STEP = "You can say 'make it a promise', or 'add it to our pact'."
APOLOGY_NOTHING_TO_TURN = "There's no finished apology to take a third step from."
PACT_PROBLEMS = {
    "pact_empty": ASK_AGREEMENT,
    "pact_too_long": "That's a bit long for an agreement. Could you say it in fewer words?",
    "pact_pending_full": "Three proposals are already waiting. Once one is agreed or dropped, you can propose another.",
    "pact_full": "Your pact already has twelve agreements, the most it holds. You could retire one first.",
    "pact_same": "That one is already in your pact, or already proposed.",
    "pact_no_such": "There's no agreement with that number. Say 'what's in our pact' to hear them.",
    "pact_not_agreed": "That one isn't agreed yet, so it can't change.",
    "pact_already_proposed": "A proposal is already waiting on that one.",
    "pact_own_proposal": "That's your own proposal. It counts once {partner} agrees too.",
    "pact_nothing_to_agree": "There's no proposal waiting for you.",
    "pact_nothing_waiting": "Nothing is waiting on that one.",
    "pact_which": "More than one proposal is waiting for you. Say 'what's in our pact' to hear them.",
    "no_partner": "Once your partner joins Trust Builder, you can make a pact together.",
    "no_consent": "{partner} hasn't joined Trust Builder yet.",
    "no_apology": APOLOGY_NONE,
    "apology_empty": "A few words are enough.",
    "apology_too_long": "That makes the apology too long to send in one text. Could you say it in fewer words?",
    "apology_bad_step": ASK_STEP_NUMBER,
    "apology_limit": "You've sent two apologies today, the most for one day. You can send one tomorrow.",
}


def pact_problem(reason: str, partner: str | None) -> str:
    """A refusal of the pact or the apology, in words; anything unforeseen gets a gentle default."""
    return PACT_PROBLEMS.get(reason, SORRY).format(partner=partner or "your partner")


def pact_proposed(partner: str, number: int, refusal: str | None, after: str | None) -> str:
    """The proposer hears that it counts only once the other agrees, and honestly how they hear of it."""
    if refusal is None:
        how = f"I'll text {partner} {after}, after their quiet hours." if after else f"I've texted {partner}."
    else:
        how = f"{partner} isn't getting texts right now, so they'll hear it when they next open Trust Builder."
    return f"I've proposed it as agreement {number}. It only counts once {partner} agrees too. {how}"


def pact_listing(lines: list[str]) -> str:
    """What's in the pact: agreed ones first as they are, proposals marked as waiting."""
    return "Here's your pact. " + " ".join(lines)


def pact_line(number: int, text: str | None, pending: str | None, waiting_on: str, for_you: bool) -> str:
    """One agreement, said; a proposal is never said as agreed."""
    if pending is None:
        return f"{number}: {text}."
    what = {"add": "is proposed", "change": "is proposed as new words", "retire": "is proposed for retiring"}[pending]
    who = "and waits for you" if for_you else f"and waits for {waiting_on}"
    return f"{number}: {text}, {what}, {who}."


def pact_offer(proposer: str, action: str, words: str | None, when: str) -> str:
    """Told once when the other partner opens the skill: who proposed what and when, and that it needs them."""
    lead = {"add": f"{proposer} proposed a new agreement for your pact {when}: {words}.",
            "change": f"{proposer} proposed new words for one of your pact's agreements {when}: {words}.",
            "retire": f"{proposer} proposed retiring this agreement from your pact {when}: {words}."}[action]
    return f"{lead} It only counts if you agree too. Do you agree?"


def pact_agreed(action: str, words: str | None, proposer: str) -> str:
    """After "yes" to a proposal."""
    done = {"add": f"Agreed. {words}, is now part of your pact.", "change": f"Agreed. It now reads: {words}.",
            "retire": f"Agreed. {words}, is retired from your pact."}[action]
    return f"{done} I'll let {proposer} know."


def apology_step(step: int, partner: str, first: bool = False, lines: str | None = None) -> str:
    """Ask for one step; the first time, say nothing is sent until they say so."""
    intro = f"Let's write it in three short steps. Nothing goes to {partner} until you say so. " if first else ""
    kept = f"I've kept that in your draft only. {lines} " if lines else ""
    return f"{kept}{intro}{APOLOGY_STEP[step].format(partner=partner)}"


def apology_readback(partner: str, steps, lines: str | None = None) -> str:
    """The whole apology read back, then the question whether to send it."""
    kept = f"I've kept that in your draft only. {lines} " if lines else ""
    said = " ".join(s.rstrip(".!") + "." for s in steps if s)
    return f"{kept}Here's your apology to {partner}: {said} {ASK_SEND.format(partner=partner)}"


def apology_sent(partner: str, refusal: str | None, after: str | None) -> str:
    """Sent: how it reaches them, that nothing is asked of them, and the third step's one word."""
    if refusal is None:
        how = f"It reaches {partner} by text {after}, after their quiet hours." if after else f"I've sent it to {partner}."
    else:
        how = f"It's sent. {partner} isn't getting texts right now, so they'll hear it when they next open Trust Builder."
    return f"{how} They don't need to reply. {APOLOGY_THIRD_STEP}"


def apology_held(lines: str) -> str:
    """Held once: words of danger; the lines, and how to send it anyway."""
    return (f"Some words in it sounded like someone may not be safe, so I haven't sent it. {lines} "
            "Do you still want me to send it?")


def apology_offer(author: str) -> str:
    """Told once when the partner opens the skill."""
    return f"{author} sent you an apology. Would you like to hear it now?"


def apology_heard(author: str, steps) -> str:
    """The apology, in its author's words, and that nothing is asked of the listener."""
    said = " ".join(s.rstrip(".!") + "." for s in steps if s)
    return (f"Here's the apology from {author}: {said} You don't need to say anything. If you'd like to, you can "
            f"say 'thank you for the apology', or 'I'm not ready', and {author} will hear only that.")


def apology_answered(response: str, author: str) -> str:
    """The listener's optional reply, passed on."""
    if response == "thank_you":
        return f"I'll let {author} know you said thank you. Nothing else is needed."
    return f"I'll let {author} know you're not ready yet. Take the time you need."


def became_promise(intake) -> str:
    """The third step as a promise (its confirmation), or when it needs a time."""
    if intake.promise is None:
        return f"When will you {for_author(intake.task)}? Say, for example, 'I promise to call you tomorrow at six'."
    return promise_confirmation(intake)
