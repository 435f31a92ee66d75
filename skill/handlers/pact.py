"""The trust pact by voice: "add to our pact ...", "what's in our pact", change and retire one, a proposal
told once when the other partner opens the skill ("yes" agrees), and the yes/no answers of the pact and
the apology."""
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.utils import is_intent_name, is_request_type

from core.errors import DomainError
from core.models import PactAction
from core.services import apology, pact
from core.services.couples import other_partner
from core.words.times import describe_local
from skill import speech
from skill.handlers.safety import spoken_lines
from skill.handlers.setup import elicit
from skill.handlers.slots import slot_value
from skill.interceptors import session_attributes, turn
from skill.speech import reply

OFFERS = ("pact_agree", "apology_send", "apology_hear")


def _other_name(handler_input) -> str:
    other = other_partner(turn(handler_input).partner)
    return other.display_name if other else "your partner"


def _number(handler_input) -> int | None:
    said = slot_value(handler_input, "number")
    return int(said) if said and said.isdigit() else None


def refused(handler_input, error: DomainError):
    """A refusal of the pact or the apology, said."""
    return reply(handler_input, speech.pact_problem(error.reason, _other_name(handler_input)), speech.SUGGEST)


def propose(handler_input, action: str, words: str | None = None, number: int | None = None):
    """Propose, and say that it counts only once the other agrees (or, held, the lines)."""
    current = turn(handler_input)
    try:
        proposed = pact.propose(current.db, current.partner, action, current.now, current.source_id, text=words,
                                number=number)
    except DomainError as error:
        return refused(handler_input, error)
    return proposed_reply_for(handler_input, proposed)


def proposed_reply_for(handler_input, proposed: pact.Proposed):
    """What the proposer hears: held (the lines), or that it counts once the other agrees."""
    current = turn(handler_input)
    if proposed.held is not None:
        return reply(handler_input, f"{speech.PACT_HELD} {spoken_lines(handler_input)}")
    delivery = proposed.delivery or pact.Delivery()
    after = describe_local(delivery.after, current.partner.couple.timezone, current.now) if delivery.after else None
    return reply(handler_input, speech.pact_proposed(_other_name(handler_input), proposed.number, delivery.refusal,
                                                     after))


class PactAddIntentHandler(AbstractRequestHandler):
    """"Add to our pact, we check in every evening": a proposal the other partner must agree to."""

    def can_handle(self, handler_input):
        return is_intent_name("PactAddIntent")(handler_input)

    def handle(self, handler_input):
        words = slot_value(handler_input, "agreement")
        if not (words or "").strip():
            return elicit(handler_input, "PactAddIntent", "agreement", speech.ASK_AGREEMENT)
        return propose(handler_input, PactAction.ADD, words)


class PactChangeIntentHandler(AbstractRequestHandler):
    """"Change agreement two to ...": new words, which again need both."""

    def can_handle(self, handler_input):
        return is_intent_name("PactChangeIntent")(handler_input)

    def handle(self, handler_input):
        number, words = _number(handler_input), slot_value(handler_input, "agreement")
        if number is None:
            return elicit(handler_input, "PactChangeIntent", "number", speech.ASK_AGREEMENT_NUMBER,
                          agreement=words)
        if not (words or "").strip():
            return elicit(handler_input, "PactChangeIntent", "agreement", speech.ASK_NEW_WORDS, number=str(number))
        return propose(handler_input, PactAction.CHANGE, words, number)


class PactRetireIntentHandler(AbstractRequestHandler):
    """"Retire agreement two": proposed, and it goes only once both agree."""

    def can_handle(self, handler_input):
        return is_intent_name("PactRetireIntent")(handler_input)

    def handle(self, handler_input):
        number = _number(handler_input)
        if number is None:
            return elicit(handler_input, "PactRetireIntent", "number", speech.ASK_AGREEMENT_NUMBER)
        return propose(handler_input, PactAction.RETIRE, number=number)


class PactListIntentHandler(AbstractRequestHandler):
    """"What's in our pact?": agreed ones, proposals marked as waiting; then one waiting for the speaker."""

    def can_handle(self, handler_input):
        return is_intent_name("PactListIntent")(handler_input)

    def handle(self, handler_input):
        current = turn(handler_input)
        live = pact.entries(current.db, current.partner.couple_id, current.now)
        if not live:
            return reply(handler_input, speech.PACT_EMPTY, speech.SUGGEST)
        listing = speech.pact_listing([_line(handler_input, e) for e in live])
        waiting = pact.waiting_for(current.db, current.partner, current.now)
        if waiting:
            return offer_proposal(handler_input, waiting[0], listing + " ")
        return reply(handler_input, listing)


def _line(handler_input, entry: pact.Entry) -> str:
    pending = entry.pending
    if pending is None:
        return speech.pact_line(entry.number, entry.text, None, "", False)
    words = entry.text if pending.action == PactAction.RETIRE else pending.text
    return speech.pact_line(entry.number, words, pending.action, _other_name(handler_input),
                            entry.waits_for(turn(handler_input).partner))


def offer_proposal(handler_input, entry: pact.Entry, before: str = ""):
    """Say one proposal waiting for the speaker (once told, it is not told again at launch); yes agrees."""
    current, version = turn(handler_input), entry.pending
    proposer = next((p.display_name for p in current.partner.couple.partners if p.id == version.proposed_by_id),
                    "your partner")
    words = entry.text if version.action == PactAction.RETIRE else version.text
    when = describe_local(version.proposed_at, current.partner.couple.timezone, current.now)
    pact.mark_told(version, current.now)
    attributes = session_attributes(handler_input)
    attributes["offer"], attributes["pact_version"] = "pact_agree", version.id
    question = speech.pact_offer(proposer, version.action, words, when)
    return reply(handler_input, before + question, question)


class PactLaunchHandler(AbstractRequestHandler):
    """"Open Trust Builder" when something waits for the speaker: a pact proposal not told yet, or an
    apology not heard yet; otherwise the usual launch handles it."""

    def can_handle(self, handler_input):
        if not is_request_type("LaunchRequest")(handler_input) or turn(handler_input).partner is None:
            return False
        current = turn(handler_input)
        if not apology.news_may_wait(current.db, current.partner, current.now):
            return False  # the usual launch: one quick look, nothing loaded
        return (pact.next_untold(current.db, current.partner, current.now) is not None
                or apology.unheard(current.db, current.partner, current.now) is not None)

    def handle(self, handler_input):
        current = turn(handler_input)
        greeting = speech.greeting(current.partner.display_name)
        entry = pact.next_untold(current.db, current.partner, current.now)
        if entry is not None:
            return offer_proposal(handler_input, entry, greeting)
        received = apology.unheard(current.db, current.partner, current.now)
        author = _other_name(handler_input)
        apology.mark_heard(received, current.now)
        session_attributes(handler_input)["offer"] = "apology_hear"
        question = speech.apology_offer(author)
        return reply(handler_input, greeting + question, question)


class PactYesNoHandler(AbstractRequestHandler):
    """Yes or no to a spoken pact proposal, to "Shall I send it?", or to "Would you like to hear it?"."""

    def can_handle(self, handler_input):
        yes_no = is_intent_name("AMAZON.YesIntent")(handler_input) or is_intent_name("AMAZON.NoIntent")(handler_input)
        return yes_no and session_attributes(handler_input).get("offer") in OFFERS

    def handle(self, handler_input):
        from skill.handlers import apology as spoken_apology  # the apology's answers live with it
        attributes = session_attributes(handler_input)
        offer, yes = attributes.pop("offer"), is_intent_name("AMAZON.YesIntent")(handler_input)
        if offer == "apology_send":
            return spoken_apology.send(handler_input) if yes else reply(handler_input, speech.APOLOGY_KEPT)
        if offer == "apology_hear":
            return spoken_apology.hear(handler_input) if yes else reply(handler_input, speech.APOLOGY_HEAR_LATER)
        version_id = attributes.pop("pact_version", None)
        if not yes:
            return reply(handler_input, speech.PACT_NOT_NOW)
        return agree(handler_input, version_id)


def agree(handler_input, version_id):
    """"Yes" to the proposal just told: it counts now, and the proposer hears so."""
    current = turn(handler_input)
    entry = pact.find_pending(current.db, current.partner, version_id, current.now) \
        if isinstance(version_id, int) else None
    if entry is None:
        return reply(handler_input, speech.pact_problem("pact_nothing_to_agree", None))
    try:
        decided = pact.agree(current.db, current.partner, entry.number, current.now)
    except DomainError as error:
        return refused(handler_input, error)
    proposer = decided.proposer.display_name if decided.proposer else "your partner"
    return reply(handler_input, speech.pact_agreed(decided.version.action, decided.text, proposer))
