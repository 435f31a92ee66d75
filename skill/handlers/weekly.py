"""The weekly ritual by voice: "let's do our weekly check-in" (three questions, then the partner's answers
once both have answered, and the focus as a promise), "rate my week" (safe, trusting, connected, 0-10, the
speaker's own trend), and "we had a setback" (noted gently, with a day without questions offered). Each
calls the core service the text channel uses."""
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Intent, Response, Slot
from ask_sdk_model.dialog import ElicitSlotDirective

from core.errors import InvalidInput
from core.models import Channel
from core.services import ratings, setbacks, weekly_checkin
from core.words.times import describe_local
from skill import speech
from skill.handlers.safety import spoken_lines
from skill.handlers.slots import slot_value
from skill.interceptors import session_attributes, turn
from skill.speech import reply

WEEKLY = "weekly"  # session "awaiting": the next answer is a weekly one
OFFERS = ("weekly_reveal", "focus_promise", "setback_pause")


def _weekly_answer(handler_input: HandlerInput, said: str | None) -> Response:
    """Keep a spoken weekly answer and say what comes next."""
    current, attributes = turn(handler_input), session_attributes(handler_input)
    try:
        done = weekly_checkin.answer(current.db, current.partner, said, Channel.VOICE, current.source_id, current.now)
    except InvalidInput:
        return reply(handler_input, speech.WEEKLY_AGAIN, speech.WEEKLY_REPROMPT)
    if done.status == "ack":
        return reply(handler_input, speech.WEEKLY_NOT_KEPT, speech.WEEKLY_REPROMPT)
    if done.status == "done":
        return _heard(handler_input)
    if done.next is not None:
        attributes["awaiting"] = WEEKLY
        if done.status == "held":
            said = speech.weekly_held(current_other(current), spoken_lines(handler_input), done.next.words,
                                      done.next.step)
        else:
            said = speech.weekly_next(done.next.step, done.next.words)
        return reply(handler_input, said, speech.WEEKLY_REPROMPT)
    attributes.pop("awaiting", None)
    said = speech.weekly_finished(done.reveal.status, done.reveal.partner_name, done.revisit)
    if done.status == "held":
        said = f"{speech.weekly_held(current_other(current), spoken_lines(handler_input), None, 0)} {said}"
    if weekly_checkin.has_held(current.db, current.partner, current.now):
        # Kept private when written; the writer is asked once, at the end, whether to share it after all.
        attributes["offer"] = "share_weekly_held"
        ask = speech.ASK_SHARE_WEEKLY_HELD.format(partner=current_other(current) or "your partner")
        return reply(handler_input, f"{said} {ask}", ask)
    offer = "weekly_reveal" if done.reveal.status == "both" else "focus_promise"
    attributes["offer"] = offer
    ask = speech.OFFER_WEEKLY_REVEAL if offer == "weekly_reveal" else speech.OFFER_FOCUS_PROMISE
    return reply(handler_input, f"{said} {ask}", ask)


def current_other(current) -> str | None:
    """The other partner's first name, for "won't hear it"."""
    other = next((p for p in current.partner.couple.partners if p.id != current.partner.id), None)
    return other.display_name if other else None


def _heard(handler_input: HandlerInput) -> Response:
    """All three answered: the partner's answers once they have answered too, else who is still to answer."""
    current = turn(handler_input)
    shown = weekly_checkin.reveal(current.db, current.partner, current.now)
    if shown.status == "both":
        session_attributes(handler_input)["offer"] = "focus_promise"
        return reply(handler_input, f"{speech.weekly_reveal(shown.partner_name, shown.answers)} "
                                    f"{speech.OFFER_FOCUS_PROMISE}", speech.OFFER_FOCUS_PROMISE)
    if shown.status == "waiting_partner":
        return reply(handler_input, speech.weekly_waiting(shown.partner_name))
    if shown.status in speech.NOT_HERE:
        return reply(handler_input, speech.NOT_HERE[shown.status].format(name=shown.partner_name))
    return reply(handler_input, speech.weekly_finished("alone", None, None))


class WeeklyCheckInIntentHandler(AbstractRequestHandler):
    """"Let's do our weekly check-in": the next question (or an answer said with it, "I appreciated ...")."""

    def can_handle(self, handler_input):
        return is_intent_name("WeeklyCheckInIntent")(handler_input)

    def handle(self, handler_input):
        said = slot_value(handler_input, "answer")
        if said:
            return _weekly_answer(handler_input, said)
        current = turn(handler_input)
        asked = weekly_checkin.next_question(current.db, current.partner, current.now, weekly_checkin.pact_revisit)
        if asked is None:
            return _heard(handler_input)
        session_attributes(handler_input)["awaiting"] = WEEKLY
        return reply(handler_input, speech.weekly_question(asked.step, asked.words, first=True),
                     speech.WEEKLY_REPROMPT)


class WeeklyAnswerHandler(AbstractRequestHandler):
    """"My answer is ..." (AnswerIntent) right after a weekly question answers that question."""

    def can_handle(self, handler_input):
        return (is_intent_name("AnswerIntent")(handler_input)
                and session_attributes(handler_input).get("awaiting") == WEEKLY)

    def handle(self, handler_input):
        return _weekly_answer(handler_input, slot_value(handler_input, "answer"))


class WeeklyFallbackHandler(AbstractRequestHandler):
    """Words no intent matched right after a weekly question: how to give the answer."""

    def can_handle(self, handler_input):
        return (is_intent_name("AMAZON.FallbackIntent")(handler_input)
                and session_attributes(handler_input).get("awaiting") == WEEKLY)

    def handle(self, handler_input):
        return reply(handler_input, speech.WEEKLY_AGAIN, speech.WEEKLY_REPROMPT)


def _elicit(handler_input: HandlerInput, intent: str, slots: dict[str, str | None], slot: str, said: str,
            reprompt: str) -> Response:
    """Ask for `slot` of `intent`, keeping the slots already heard."""
    handler_input.response_builder.add_directive(ElicitSlotDirective(
        updated_intent=Intent(name=intent, slots={name: Slot(name=name, value=value) for name, value in slots.items()}),
        slot_to_elicit=slot))
    return reply(handler_input, said, reprompt)


def _number(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() and ratings.is_rating(int(text)) else None


class RateIntentHandler(AbstractRequestHandler):
    """"Rate my week": how safe, trusting and connected, 0-10, each asked in turn; then the speaker's trend."""

    def can_handle(self, handler_input):
        return is_intent_name("RateIntent")(handler_input)

    def handle(self, handler_input):
        current = turn(handler_input)
        heard = {name: slot_value(handler_input, name) for name in ratings.DIMENSIONS}
        values = {name: _number(value) for name, value in heard.items()}
        for name in ratings.DIMENSIONS:
            if values[name] is None:
                kept = {k: (heard[k] if values[k] is not None else None) for k in ratings.DIMENSIONS}
                ask = speech.RATING_ASKS[name]
                if not any(heard.values()):
                    said = speech.trend_first(ratings.trend(current.db, current.partner, current.now).words())
                else:
                    said = (speech.RATING_SCALE if heard[name] else "") + ask
                return _elicit(handler_input, "RateIntent", kept, name, said, ask)
        rated = ratings.rate(current.db, current.partner, values["safe"], values["trusting"], values["connected"],
                             current.source_id, current.now)
        said = speech.rated(rated.trend.words(), rated.replaced)
        if setbacks.suggest_counsellor(current.db, current.partner, current.now, by_text=False):
            said = f"{said} {speech.counsellor(spoken_lines(handler_input))}"
        return reply(handler_input, said)


class SetbackIntentHandler(AbstractRequestHandler):
    """"We had a setback": noted with care, nothing erased, and a day without questions offered."""

    def can_handle(self, handler_input):
        return is_intent_name("SetbackIntent")(handler_input)

    def handle(self, handler_input):
        current = turn(handler_input)
        noted = setbacks.note_hard_day(current.db, current.partner, current.source_id, current.now)
        said = speech.hard_day(noted.can_pause, noted.already)
        if setbacks.suggest_counsellor(current.db, current.partner, current.now, by_text=False):
            said = f"{said} {speech.counsellor(spoken_lines(handler_input))}"
        if not noted.can_pause:
            return reply(handler_input, said)
        session_attributes(handler_input)["offer"] = "setback_pause"
        return reply(handler_input, said, speech.OFFER_SETBACK_PAUSE)


class WeeklyYesNoHandler(AbstractRequestHandler):
    """Yes or no to hearing the partner's weekly answers, to making the focus a promise, or to a day's pause."""

    def can_handle(self, handler_input):
        yes_no = is_intent_name("AMAZON.YesIntent")(handler_input) or is_intent_name("AMAZON.NoIntent")(handler_input)
        return yes_no and session_attributes(handler_input).get("offer") in OFFERS

    def handle(self, handler_input):
        offer = session_attributes(handler_input).pop("offer")
        yes = is_intent_name("AMAZON.YesIntent")(handler_input)
        current = turn(handler_input)
        if offer == "setback_pause":
            return _setback_pause(handler_input, yes)
        if not yes:
            return reply(handler_input, speech.OK_NOT_NOW)
        if offer == "weekly_reveal":
            return _heard(handler_input)
        focus = weekly_checkin.focus_of(current.db, current.partner, current.now)
        if focus is None:
            return reply(handler_input, speech.NO_FOCUS_YET)
        return _elicit(handler_input, "MakePromiseIntent", {"task": focus, "date": None, "time": None}, "time",
                       speech.ASK_FOCUS_TIME, speech.ASK_FOCUS_TIME)


def _setback_pause(handler_input: HandlerInput, yes: bool) -> Response:
    current = turn(handler_input)
    if not yes:
        return reply(handler_input, speech.SETBACK_KEEP_GOING)
    until = setbacks.pause_for_a_day(current.db, current.partner, current.now)
    if until is None:
        return reply(handler_input, speech.SETBACK_ALREADY_PAUSED)
    return reply(handler_input, speech.setback_paused(describe_local(until, current.partner.couple.timezone,
                                                                     current.now)))
