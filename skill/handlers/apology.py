"""The guided apology by voice: "help me apologize" asks the three steps one by one (slot by slot), reads it
back and asks "Shall I send it?"; "redo step two"; "send my apology"; the third step made a promise or a
pact proposal; and, for the partner, hearing it and an optional "thank you" or "I'm not ready"."""
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.utils import is_intent_name

from core.errors import DomainError
from core.models import Partner
from core.services import apology
from core.words.times import describe_local
from skill import speech
from skill.handlers.pact import _number, _other_name, proposed_reply_for, refused
from skill.handlers.safety import spoken_lines
from skill.handlers.setup import elicit
from skill.handlers.slots import slot_value
from skill.interceptors import session_attributes, turn
from skill.speech import reply

SLOTS = ("did", "impact", "change")


class ApologyIntentHandler(AbstractRequestHandler):
    """"Help me apologize": one step a turn (what I did, how it affected you, what I'll do differently)."""

    def can_handle(self, handler_input):
        return is_intent_name("ApologyIntent")(handler_input)

    def handle(self, handler_input):
        current = turn(handler_input)
        try:
            draft = apology.start(current.db, current.partner, current.now)
            said = slot_value(handler_input, SLOTS[draft.step - 1]) if draft.step else None
            signal = None
            if (said or "").strip():
                written = apology.write_step(current.db, current.partner, said, current.now)
                draft, signal = written.apology, written.signal
        except DomainError as error:
            if error.reason in ("apology_too_long", "apology_empty"):
                return ask_step(handler_input, draft.step, speech.pact_problem(error.reason, None) + " ")
            return refused(handler_input, error)
        lines = spoken_lines(handler_input) if signal else None
        if draft.step:
            return ask_step(handler_input, draft.step, "", first=not any(apology.steps_of(draft)), lines=lines)
        return read_back(handler_input, draft, lines)


def ask_step(handler_input, step: int, before: str, first: bool = False, lines: str | None = None):
    """Ask for one step's words as the ApologyIntent slot of that step."""
    question = speech.apology_step(step, _other_name(handler_input), first=first, lines=lines)
    return elicit(handler_input, "ApologyIntent", SLOTS[step - 1], before + question,
                  speech.APOLOGY_STEP[step].format(partner=_other_name(handler_input)))


def read_back(handler_input, draft, lines: str | None = None):
    """The whole apology, then "Shall I send it?" (yes sends)."""
    session_attributes(handler_input)["offer"] = "apology_send"
    partner = _other_name(handler_input)
    return reply(handler_input, speech.apology_readback(partner, apology.steps_of(draft), lines),
                 speech.ASK_SEND.format(partner=partner))


class RedoApologyStepIntentHandler(AbstractRequestHandler):
    """"Redo step two": that step is asked again."""

    def can_handle(self, handler_input):
        return is_intent_name("RedoApologyStepIntent")(handler_input)

    def handle(self, handler_input):
        current, number = turn(handler_input), _number(handler_input)
        if number not in (1, 2, 3):
            return elicit(handler_input, "RedoApologyStepIntent", "number", speech.ASK_STEP_NUMBER)
        try:
            apology.redo(current.db, current.partner, number, current.now)
        except DomainError as error:
            return refused(handler_input, error)
        return ask_step(handler_input, number, "")


class SendApologyIntentHandler(AbstractRequestHandler):
    """"Send my apology": sent only when its author says so."""

    def can_handle(self, handler_input):
        return is_intent_name("SendApologyIntent")(handler_input)

    def handle(self, handler_input):
        return send(handler_input)


def send(handler_input):
    """Send the draft: sent, held once (the lines; yes sends it), or the step still missing."""
    current = turn(handler_input)
    try:
        sent = apology.send(current.db, current.partner, current.now)
    except DomainError as error:
        return refused(handler_input, error)
    if sent.status == "incomplete":
        return ask_step(handler_input, sent.apology.step, "")
    if sent.status == "held":
        session_attributes(handler_input)["offer"] = "apology_send"
        return reply(handler_input, speech.apology_held(spoken_lines(handler_input)), speech.ASK_SEND.format(
            partner=_other_name(handler_input)))
    after = describe_local(sent.delivery.after, current.partner.couple.timezone, current.now) \
        if sent.delivery.after else None
    return reply(handler_input, speech.apology_sent(_other_name(handler_input), sent.delivery.refusal, after),
                 speech.APOLOGY_THIRD_STEP)


def hear(handler_input):
    """The partner hears the apology sent to them, with nothing asked of them."""
    current = turn(handler_input)
    received = apology.received(current.db, current.partner, current.now)
    if received is None:
        return reply(handler_input, speech.APOLOGY_NOTHING_RECEIVED)
    apology.mark_heard(received, current.now)
    author = current.db.get(Partner, received.author_id)
    return reply(handler_input, speech.apology_heard(author.display_name, apology.steps_of(received)))


class ApologyReplyIntentHandler(AbstractRequestHandler):
    """"Thank you for the apology" / "I'm not ready" (optional, passed on once); "read me the apology"."""

    def can_handle(self, handler_input):
        return is_intent_name("ApologyReplyIntent")(handler_input)

    def handle(self, handler_input):
        said = (slot_value(handler_input, "reply") or "").lower()
        response = "not_ready" if "not" in said else "thank_you" if "thank" in said else None
        if response is None:
            return hear(handler_input)
        current = turn(handler_input)
        received = apology.respond(current.db, current.partner, response, current.now)
        if received is None:
            return reply(handler_input, speech.APOLOGY_NOTHING_RECEIVED)
        author = current.db.get(Partner, received.author_id)
        return reply(handler_input, speech.apology_answered(response, author.display_name))


class ApologyFollowUpIntentHandler(AbstractRequestHandler):
    """"Make it a promise" / "add it to our pact": the apology's third step becomes one."""

    def can_handle(self, handler_input):
        return is_intent_name("ApologyFollowUpIntent")(handler_input)

    def handle(self, handler_input):
        into = "pact" if "pact" in (slot_value(handler_input, "into") or "").lower() else "promise"
        current = turn(handler_input)
        try:
            became = apology.become(current.db, current.partner, into, current.now, source_id=current.source_id)
        except DomainError as error:
            if error.reason == "no_apology":
                return reply(handler_input, speech.APOLOGY_NOTHING_TO_TURN, speech.SUGGEST)
            return refused(handler_input, error)
        if into == "pact":
            return proposed_reply_for(handler_input, became.proposed)
        return reply(handler_input, speech.became_promise(became.intake))
