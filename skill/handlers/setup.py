"""Before linking, and setting up by voice: the two-sentence welcome, help and a sample question for anyone,
the set-up dialog (mobile number read back in digit groups, first name), inviting the partner, and the
answer to a voice this Echo's partners did not link.

The dialog keeps its place in session attributes ("offer" says what a yes or no answers; "setup_phone"
holds the number heard until it is confirmed) and uses Dialog.ElicitSlot for what is still missing."""
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Intent, IntentConfirmationStatus, Response, Slot, SlotConfirmationStatus
from ask_sdk_model.dialog import ElicitSlotDirective
from ask_sdk_model.ui import SimpleCard

from core.errors import DomainError, InvalidInput
from core.services import couples, speakers, voice_setup
from prompts.bank import load_bank
from core.services import linking
from skill import echo, speech
from skill.handlers.slots import slot_value
from skill.interceptors import session_attributes, turn
from skill.model import locales, spoken_phone
from skill.speech import reply

#: What a yes or no answers in the set-up dialog.
SETUP_OFFERS = {"setup", "confirm_phone", "invite_partner", "confirm_invitee", "link_code"}


def attr(handler_input: HandlerInput, key: str) -> str | None:
    """A text session attribute; anything else (attributes come back from the device) counts as unset."""
    value = session_attributes(handler_input).get(key)
    return value if isinstance(value, str) and len(value) <= 200 else None


def offer_of(handler_input: HandlerInput) -> str | None:
    """What a yes or no would answer now."""
    return attr(handler_input, "offer")


def confirmed_phone(handler_input: HandlerInput) -> str | None:
    """The number read back and confirmed in this session (re-checked: it came back from the device)."""
    if session_attributes(handler_input).get("setup_confirmed") is not True:
        return None
    try:
        return number_heard(handler_input, attr(handler_input, "setup_phone"))
    except InvalidInput:
        return None


#: Where a number said without its country code is dialled, by the request's locale.
REGIONS = {"en-US": "US", "en-CA": "CA", "en-GB": "GB", "en-AU": "AU"}


def number_heard(handler_input: HandlerInput, value: str | None) -> str:
    """A number said (or carried in the session) as E.164, read as the speaker's locale dials it."""
    return voice_setup.read_number(value, REGIONS.get(_locale(handler_input), "US"))


def _locale(handler_input: HandlerInput) -> str:
    locale = getattr(handler_input.request_envelope.request, "locale", None) or "en-US"
    return locale if locale in locales() else "en-US"


def read_back(handler_input: HandlerInput, e164: str) -> str:
    """A number as this locale reads one back, in digit groups."""
    return spoken_phone(e164, _locale(handler_input))


def elicit(handler_input: HandlerInput, intent: str, slot: str, question: str, reprompt: str | None = None,
           **values: str) -> Response:
    """Ask for one slot of `intent` (also from another intent: Alexa chains to it), keeping `values`."""
    slots = {name: Slot(name=name, value=value, confirmation_status=_confirmed(name, values))
             for name, value in values.items() if value}
    slots.setdefault(slot, Slot(name=slot))
    updated = Intent(name=intent, slots=slots, confirmation_status=IntentConfirmationStatus.NONE)
    handler_input.response_builder.add_directive(ElicitSlotDirective(updated_intent=updated, slot_to_elicit=slot))
    return reply(handler_input, question, reprompt or question)


def _confirmed(name: str, values: dict) -> SlotConfirmationStatus:
    """A number carried into the next step was read back and confirmed already."""
    return SlotConfirmationStatus.CONFIRMED if name == "phone" else SlotConfirmationStatus.NONE


def offer_setup(handler_input: HandlerInput, text: str) -> Response:
    """Say `text` (which ends by asking whether to set up) and wait for the yes."""
    session_attributes(handler_input)["offer"] = "setup"
    return reply(handler_input, text, speech.ASK_SETUP)


def card(handler_input: HandlerInput, title_and_text: tuple[str, str]) -> None:
    handler_input.response_builder.set_card(SimpleCard(*title_and_text))


class SetUpIntentHandler(AbstractRequestHandler):
    """"Set it up": mobile number (read back to confirm), first name, then the one consent text."""

    def can_handle(self, handler_input):
        return is_intent_name("SetUpIntent")(handler_input)

    def handle(self, handler_input):
        attributes = session_attributes(handler_input)
        heard, name = slot_value(handler_input, "phone"), slot_value(handler_input, "name")
        phone = confirmed_phone(handler_input)
        if heard:
            try:
                number = number_heard(handler_input, heard)
            except InvalidInput:
                return elicit(handler_input, "SetUpIntent", "phone", speech.ASK_PHONE_AGAIN)
            if number != phone:
                attributes.update(setup_phone=number, setup_confirmed=False, offer="confirm_phone")
                if name:
                    attributes["setup_name"] = name
                question = speech.confirm_phone(read_back(handler_input, number))
                return reply(handler_input, question, question)
        if not phone:
            return ask_for_number(handler_input)
        name = name or attr(handler_input, "setup_name")
        if not (name or "").strip():
            return elicit(handler_input, "SetUpIntent", "name", speech.ASK_FIRST_NAME, phone=_digits(phone))
        return finish_setup(handler_input, phone, name)


def _digits(e164: str) -> str:
    """The number carried into the next dialog step, as E.164 (read back the same in any locale)."""
    return e164


def finish_setup(handler_input: HandlerInput, phone: str, name: str) -> Response:
    """Start the set-up in core and say what to expect (the same words whether or not the number is known)."""
    current, attributes = turn(handler_input), session_attributes(handler_input)
    system = handler_input.request_envelope.context.system
    person = system.person.person_id if system.person else None
    try:
        started = voice_setup.start(current.db, current.settings, system.user.user_id, person, phone, name,
                                    current.now)
    except InvalidInput:
        return elicit(handler_input, "SetUpIntent", "name", speech.ASK_FIRST_NAME_AGAIN, phone=_digits(phone))
    for key in ("setup_phone", "setup_confirmed", "setup_name"):
        attributes.pop(key, None)
    attributes.update(setup_id=started.setup_id, offer="invite_partner")
    card(handler_input, speech.setup_card(current.settings.twilio_from_number))
    return reply(handler_input, speech.texted(started.linked_now), speech.ASK_INVITE)


def ask_for_number(handler_input: HandlerInput, before: str = "") -> Response:
    """The mobile number: from a recognised speaker's voice profile when they allow it (once a session),
    so it is never said aloud; else asked for and read back."""
    attributes = session_attributes(handler_input)
    if attributes.get("profile_tried") is True or not echo.system(handler_input).person:
        return elicit(handler_input, "SetUpIntent", "phone", before + speech.ASK_PHONE)
    attributes["profile_tried"] = True
    outcome, name, phone = echo.profile_contact(handler_input)
    if outcome == "refused":  # not allowed yet: voice-forward consent, then ProfileConsentHandler
        handler_input.response_builder.speak(speech.ssml(speech.PROFILE_OFFER))
        return echo.ask_profile_consent(handler_input)
    return from_profile(handler_input, outcome, name, phone, before)


def from_profile(handler_input: HandlerInput, outcome: str, name: str | None, phone: str | None,
                 before: str = "") -> Response:
    """Set up with the profile's number (and name, else asked); without a number, the spoken-number flow."""
    if outcome != "ok":
        return elicit(handler_input, "SetUpIntent", "phone", before + speech.ASK_PHONE)
    speech.add_notice(handler_input, speech.FROM_PROFILE)
    session_attributes(handler_input).update(setup_phone=phone, setup_confirmed=True)
    if not (name or "").strip():
        return elicit(handler_input, "SetUpIntent", "name", speech.ASK_FIRST_NAME, phone=phone)
    return finish_setup(handler_input, phone, name)


class ProfileConsentHandler(AbstractRequestHandler):
    """SessionResumedRequest after voice-forward consent for the profile: granted -> set up with it; denied,
    not answered, or a profile without a number -> the spoken number, as before."""

    def can_handle(self, handler_input):
        cause = getattr(handler_input.request_envelope.request, "cause", None)
        return is_request_type("SessionResumedRequest")(handler_input) and getattr(cause, "token", None) == "setup"

    def handle(self, handler_input):
        cause = handler_input.request_envelope.request.cause
        code = getattr(getattr(cause, "status", None), "code", None)
        if str(code) != "200" or not _granted(getattr(cause, "result", None)):
            return elicit(handler_input, "SetUpIntent", "phone", speech.PROFILE_NOT_USED + speech.ASK_PHONE)
        outcome, name, phone = echo.profile_contact(handler_input)
        return from_profile(handler_input, outcome, name, phone, speech.PROFILE_NOT_USED)


def _granted(result: object, depth: int = 0) -> bool:
    """True when the consent result grants anything (ACCEPTED or GRANTED, in any of its shapes): the Person
    Profile API then says what may actually be read."""
    if depth > 4:
        return False
    if isinstance(result, str):
        return result in ("ACCEPTED", "GRANTED")
    values = result.values() if isinstance(result, dict) else result if isinstance(result, list) else ()
    return any(_granted(value, depth + 1) for value in values)


class InvitePartnerIntentHandler(AbstractRequestHandler):
    """"Invite my partner": their first name and number (read back), then the one invitation text: now for
    a linked partner, or once the YES of a set-up in this session arrives."""

    def can_handle(self, handler_input):
        # Two partners and no telling which: "who is this?" comes first, then this request is resumed.
        return is_intent_name("InvitePartnerIntent")(handler_input) and not turn(handler_input).speaker.ambiguous

    def handle(self, handler_input):
        current, attributes = turn(handler_input), session_attributes(handler_input)
        if current.partner is None and not isinstance(attributes.get("setup_id"), int):
            return offer_setup(handler_input, speech.PRIVATE_FIRST)
        name = slot_value(handler_input, "name") or attr(handler_input, "invitee_name")
        if not (name or "").strip():
            return elicit(handler_input, "InvitePartnerIntent", "name", speech.ASK_PARTNER_NAME)
        heard = slot_value(handler_input, "phone")
        if heard:
            try:
                number = number_heard(handler_input, heard)
            except InvalidInput:
                return elicit(handler_input, "InvitePartnerIntent", "phone", speech.ASK_PHONE_AGAIN, name=name)
            attributes.update(invitee_name=name, invitee_phone=number, offer="confirm_invitee")
            question = speech.confirm_invitee(name, read_back(handler_input, number))
            return reply(handler_input, question, question)
        return elicit(handler_input, "InvitePartnerIntent", "phone", speech.ask_partner_phone(name), name=name)


def invite_confirmed(handler_input: HandlerInput) -> Response:
    """Yes to the partner's number read back: invite now, or once the set-up's YES comes."""
    current, attributes = turn(handler_input), session_attributes(handler_input)
    name, number = attr(handler_input, "invitee_name"), attr(handler_input, "invitee_phone")
    attributes.pop("invitee_name", None), attributes.pop("invitee_phone", None)
    if not (name and number):
        return elicit(handler_input, "InvitePartnerIntent", "name", speech.ASK_PARTNER_NAME)
    if current.partner is not None:
        try:
            invitee = couples.invite(current.db, current.partner, number, name, current.now)
        except DomainError as error:
            return reply(handler_input, speech.cannot_invite(error.reason))
        return reply(handler_input, speech.invited(invitee.display_name))
    system = handler_input.request_envelope.context.system
    setup_id = attributes.get("setup_id")
    try:
        if not isinstance(setup_id, int) or not voice_setup.add_invitee(current.db, setup_id, system.user.user_id,
                                                                         name, number, current.now):
            return offer_setup(handler_input, speech.PRIVATE_FIRST)
    except DomainError as error:
        return reply(handler_input, speech.cannot_invite(error.reason))
    return reply(handler_input, speech.invite_after_yes(couples.clean_name(name)))


class SetUpAnswerHandler(AbstractRequestHandler):
    """Yes or no to something the set-up asked ("Would you like to set it up?", "Is that right?")."""

    def can_handle(self, handler_input):
        yes_no = is_intent_name("AMAZON.YesIntent")(handler_input) or is_intent_name("AMAZON.NoIntent")(handler_input)
        return yes_no and offer_of(handler_input) in SETUP_OFFERS

    def handle(self, handler_input):
        attributes, offer = session_attributes(handler_input), offer_of(handler_input)
        attributes.pop("offer")
        yes = is_intent_name("AMAZON.YesIntent")(handler_input)
        if offer == "setup":
            return ask_for_number(handler_input) if yes else reply(handler_input, speech.NOT_SET_UP)
        if offer == "confirm_phone":
            attributes["setup_confirmed"] = yes
            phone = confirmed_phone(handler_input)
            if phone is None:
                attributes.pop("setup_phone", None)
                return elicit(handler_input, "SetUpIntent", "phone", speech.RETRY_PHONE)
            name = attr(handler_input, "setup_name")
            if name:
                return finish_setup(handler_input, phone, name)
            return elicit(handler_input, "SetUpIntent", "name", speech.ASK_FIRST_NAME, phone=_digits(phone))
        if offer == "invite_partner":
            return elicit(handler_input, "InvitePartnerIntent", "name", speech.ASK_PARTNER_NAME) if yes \
                else reply(handler_input, speech.NO_INVITE_NOW)
        if offer == "confirm_invitee":
            if not yes:
                name = attr(handler_input, "invitee_name")
                attributes.pop("invitee_name", None), attributes.pop("invitee_phone", None)
                if not name:
                    return elicit(handler_input, "InvitePartnerIntent", "name", speech.ASK_PARTNER_NAME)
                return elicit(handler_input, "InvitePartnerIntent", "phone", speech.RETRY_PHONE, name=name)
            return invite_confirmed(handler_input)
        # link_code: say it again, or end
        if yes:
            return speak_link_code(handler_input, speech.HOW_TO_LINK)
        return reply(handler_input, speech.NOT_AGAIN)


class UnrecognisedVoiceHandler(AbstractRequestHandler):
    """This Echo's partners linked their own voices, and this is none of them: ask who it is; a name of one
    of them is told that their things go only to their voice. Nothing of theirs is ever said."""

    def can_handle(self, handler_input):
        return turn(handler_input).speaker.unrecognised

    def handle(self, handler_input):
        speaker = turn(handler_input).speaker
        if is_intent_name("IdentifyPartnerIntent")(handler_input):
            name = slot_value(handler_input, "name")
            named = speakers.pick_by_name(speaker.voice_kept, name)
            if named is not None:
                return offer_setup(handler_input, speech.voice_kept(named.display_name))
            if not name:
                return ask_name(handler_input, speech.WHO_IS_IT)
            return offer_setup(handler_input, speech.INTRO)
        return ask_name(handler_input, speech.UNRECOGNISED)


def ask_name(handler_input: HandlerInput, question: str) -> Response:
    """"Who is this?" as a Dialog.ElicitSlot of IdentifyPartnerIntent.name, so a bare name is heard as one."""
    return elicit(handler_input, "IdentifyPartnerIntent", "name", question)


class UnlinkedHandler(AbstractRequestHandler):
    """An Echo nobody linked: the welcome (two sentences and a question), a sample question, and for
    anything personal, that we first need to know it's them. Never anything about anyone."""

    def can_handle(self, handler_input):
        return not turn(handler_input).speaker.linked

    def handle(self, handler_input):
        if is_request_type("LaunchRequest")(handler_input):
            return offer_setup(handler_input, speech.INTRO)
        if is_intent_name("TodaysQuestionIntent")(handler_input):
            return offer_setup(handler_input, speech.sample_question(sample_question(turn(handler_input).now)))
        return offer_setup(handler_input, speech.PRIVATE_FIRST)


def speak_link_code(handler_input: HandlerInput, before: str) -> Response:
    """A one-time code for this Alexa user (and voice), how to text it to us, and the same as a card."""
    current, system = turn(handler_input), handler_input.request_envelope.context.system
    person = system.person.person_id if system.person else None
    code = linking.link_code(current.db, system.user.user_id, person, current.now)
    number = current.settings.twilio_from_number
    card(handler_input, speech.link_card(code, number))
    session_attributes(handler_input)["offer"] = "link_code"
    return reply(handler_input, f"{before} {speech.link_instructions(code, number)} {speech.CODE_SENT_TOO}",
                 speech.ASK_CODE_AGAIN)


def sample_question(now) -> str:
    """A question from the bank, the same all day (nothing about anyone)."""
    topics = [q for q in load_bank() if q.earliest_day == 0 and not q.looks_back] or list(load_bank())
    return topics[now.toordinal() % len(topics)].text
