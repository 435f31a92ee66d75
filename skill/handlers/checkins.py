"""The daily question, answers and moods, and hearing the partner's answer once both have answered."""
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Response

from core.errors import InvalidInput
from core.models import Channel
from core.services import answers, checkins, questions
from skill.handlers import echo as echo_handlers
from skill.handlers.safety import spoken_lines
from skill.handlers.slots import slot_value
from skill.interceptors import session_attributes, turn
from skill import speech
from skill.speech import ASK_ANSWER_AGAIN, ASK_MOOD, INVITE_ANSWER, SUGGEST, reply

def ask_question(handler_input: HandlerInput, greeting: str = "") -> Response:
    """Say today's question (the same for both partners), note it was heard, and invite an answer."""
    current = turn(handler_input)
    _, _, words = questions.personal_question(current.db, current.partner, current.now)
    questions.mark_heard(current.db, current.partner, Channel.VOICE, current.now)
    session_attributes(handler_input)["awaiting"] = "answer"
    return reply(handler_input, speech.todays_question(greeting, words), INVITE_ANSWER)


def tell_partner_answer(handler_input: HandlerInput) -> Response:
    """The partner's answer, only when both have answered today; otherwise what is missing."""
    current = turn(handler_input)
    reveal = checkins.reveal_partner_answer(current.db, current.partner, current.now)
    if reveal.status == "both":
        return reply(handler_input, speech.partner_said(reveal.partner_name, reveal.text))
    if reveal.status == "waiting_you":
        session_attributes(handler_input)["offer"] = "question"
        return reply(handler_input, speech.answer_first(reveal.partner_name), speech.OFFER_QUESTION)
    return reply(handler_input, speech.REVEAL_LATER[reveal.status].format(name=reveal.partner_name))


class LaunchRequestHandler(AbstractRequestHandler):
    """"Open Trust Builder": today's question, or what to do next when it is already answered."""

    def can_handle(self, handler_input):
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input):
        current = turn(handler_input)
        greeting = speech.greeting(current.partner.display_name)
        # One statement for the whole day: answered, and if not, the question and whether it was heard.
        if not questions.today_for(current.db, current.partner, current.now).answered:
            return ask_question(handler_input, greeting)
        return reply(handler_input, greeting + speech.ALREADY_ANSWERED, SUGGEST)


class TodaysQuestionIntentHandler(AbstractRequestHandler):
    """"What's today's question?": asked again the same day, the same question."""

    def can_handle(self, handler_input):
        return is_intent_name("TodaysQuestionIntent")(handler_input)

    def handle(self, handler_input):
        return ask_question(handler_input)


class AnswerIntentHandler(AbstractRequestHandler):
    """"My answer is ...": stored once per Alexa request id, so a retry stores nothing twice."""

    def can_handle(self, handler_input):
        return is_intent_name("AnswerIntent")(handler_input)

    def handle(self, handler_input):
        current, text = turn(handler_input), slot_value(handler_input, "answer")
        try:
            taken = answers.take_answer(current.db, current.partner, text, Channel.VOICE, current.source_id,
                                        current.now, explicit=True)
        except InvalidInput:  # nothing heard after "my answer is"
            session_attributes(handler_input)["awaiting"] = "answer"
            return reply(handler_input, ASK_ANSWER_AGAIN, ASK_ANSWER_AGAIN)
        if not taken.stored:  # only a yes, a no or a thank you
            session_attributes(handler_input)["awaiting"] = "answer"
            return reply(handler_input, speech.NOT_AN_ANSWER, INVITE_ANSWER)
        session_attributes(handler_input).pop("awaiting", None)
        if taken.status == "held":  # it spoke of danger: private, the lines, and a question
            session_attributes(handler_input)["offer"] = "share_held"
            name = taken.reveal.partner_name if taken.reveal else None
            return reply(handler_input, speech.answer_held(name or None, spoken_lines(handler_input)),
                         speech.ASK_SHARE_HELD)
        if taken.status == "gentle":  # their own gentler question: never heard by the partner
            return reply(handler_input, speech.GENTLE_KEPT)
        _, question, _ = questions.personal_question(current.db, current.partner, current.now)
        said = speech.answer_kept(question.tip, taken.status == "replaced", taken.reveal.status == "both")
        return _offer_reveal(handler_input, said, taken.reveal)


def _offer_reveal(handler_input: HandlerInput, said: str, reveal: checkins.Reveal) -> Response:
    """After an answer: offer the partner's answer when it can be heard now (`reveal`: who has answered, as
    take_answer found it after storing this one)."""
    if reveal.status != "both":
        return echo_handlers.offer_notices(handler_input, said, reveal)
    session_attributes(handler_input)["offer"] = "reveal"
    ask = speech.offer_reveal(reveal.partner_name)
    return reply(handler_input, f"{said} {ask}", ask)


class MoodIntentHandler(AbstractRequestHandler):
    """"I'd rate today a four": a 1-5 mood; anything else gets a gentle second ask."""

    def can_handle(self, handler_input):
        return is_intent_name("MoodIntent")(handler_input)

    def handle(self, handler_input):
        current, said = turn(handler_input), slot_value(handler_input, "rating")
        rating = _rating(said)
        if rating is None:
            session_attributes(handler_input)["awaiting"] = "mood"
            return reply(handler_input, (speech.MOOD_SCALE if said else "") + ASK_MOOD, ASK_MOOD)
        checkins.record_mood(current.db, current.partner, rating, Channel.VOICE, current.source_id, current.now)
        session_attributes(handler_input).pop("awaiting", None)
        return reply(handler_input, speech.mood_noted(rating))


def _rating(value: str | None) -> int | None:
    """A whole number from one to five (checkins.MOODS), else None."""
    text = (value or "").strip()
    return int(text) if text.isdigit() and checkins.is_mood(int(text)) else None


class PartnerAnswerIntentHandler(AbstractRequestHandler):
    """"What did my partner say?": never before both have answered."""

    def can_handle(self, handler_input):
        return is_intent_name("PartnerAnswerIntent")(handler_input)

    def handle(self, handler_input):
        return tell_partner_answer(handler_input)
