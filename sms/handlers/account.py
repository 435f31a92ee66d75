"""Joining, inviting, consent (YES, STOP, START), help and erasing one's data."""
from core.models import Consent, InvitationState
from core.services import couples, invitations, roles
from core.services.replies_in_context import yes_or_no
from core.words import texts
from sms.handlers.preferences import minute_of_day
from sms.turn import Turn


def join(turn: Turn, command) -> str:
    """JOIN <name> from a number we do not know: start a couple with them as its first partner."""
    if not command.get("name"):
        return texts.JOIN_NEEDS_NAME
    settings = turn.settings
    turn.partner = couples.create_couple(
        turn.session, command.get("name"), turn.text.phone, turn.now, settings.default_timezone,
        question_minute=minute_of_day(settings.daily_question_time), quiet_hours=settings.quiet_hours)
    roles.ask_role(turn.session, turn.partner, turn.now)  # optional, as a text of its own after the welcome
    return texts.welcome(turn.partner.display_name, turn.partner.couple.question_minute)


def stranger(turn: Turn, command) -> str:
    """Anything else from an unknown number: how to join. Nothing about anyone, nothing kept."""
    return texts.NO_INVITATION if command.name == "yes" else texts.HOW_TO_JOIN


def silent(turn: Turn, command) -> None:
    """No reply: STOP (Twilio confirms it itself) and anything from someone who opted out."""
    return None


def already_joined(turn: Turn, command) -> str:
    """JOIN from someone who is already in."""
    return texts.ALREADY_JOINED


def invite(turn: Turn, command) -> str:
    """INVITE <phone> <name>: the same reply whoever the number belongs to (core.services.invitations)."""
    if not command.get("phone"):
        return texts.INVITE_HOW
    name = invitations.invite(turn.session, turn.partner, command.get("phone"), command.get("name"), turn.now)
    return texts.invite_sent(name)


def accept(turn: Turn, command) -> str:
    """YES from an invitee: the second opt-in, after which they get texts."""
    couples.accept_invite(turn.session, turn.partner, turn.now)
    roles.ask_role(turn.session, turn.partner, turn.now)
    return texts.accepted(turn.other_name or "your partner", turn.partner.couple.question_minute)


def invitation_waiting(turn: Turn, command) -> str:
    """An invitee texted something else: nothing of theirs is kept before they say YES."""
    return texts.invitation_waiting(turn.other_name or "Your partner")


def show_help(turn: Turn, command) -> str:
    """HELP: the everyday commands, SAFETY, and where the rest are (HELP 2)."""
    return texts.HELP


def show_more_help(turn: Turn, command) -> str:
    """HELP 2: the weekly ritual, the pact, the apology and the page."""
    return texts.HELP_MORE


def stop(turn: Turn, command) -> None:
    """STOP: opted out at once, queued texts cancelled; no reply, since Twilio confirms it to the carrier.
    An invitee who says STOP declines, and their number goes on the do-not-contact list."""
    if turn.partner.consent == Consent.INVITED:
        invitations.end(turn.session, turn.partner, InvitationState.DECLINED, turn.now)
    couples.opt_out(turn.session, turn.partner, turn.now)
    return None


def start(turn: Turn, command) -> str:
    """START after STOP (or instead of YES): texts are on again."""
    if not turn.partner.opted_out and turn.partner.consent == Consent.GRANTED:
        return texts.ALREADY_ON
    couples.opt_in(turn.session, turn.partner, turn.now)
    return texts.welcome_back(turn.partner.couple.question_minute)


def delete(turn: Turn, command) -> str:
    """DELETE MY DATA: ask first; the same again (or YES) within the confirmation window erases."""
    if couples.request_erasure(turn.session, turn.partner, turn.now):
        return _erased(turn)
    return texts.delete_confirm(couples.ERASE_CONFIRM_MINUTES)


def confirm_delete(turn: Turn, command) -> str:
    """YES (or DELETE MY DATA again) erases; anything else keeps everything."""
    confirmed = command.name in ("yes", "delete") or yes_or_no(turn.text.body) is True
    if couples.answer_erasure(turn.session, turn.partner, confirmed, turn.now):
        return _erased(turn)
    return texts.DELETE_CANCELLED


def erase_now(turn: Turn, command) -> None:
    """DELETE MY DATA after STOP: erased at once, and no reply (Twilio blocks replies to opted-out numbers)."""
    couples.erase_partner(turn.session, turn.partner, turn.now)
    turn.partner = None
    return None


def nothing_here(turn: Turn, command) -> str:
    """DELETE MY DATA from a number we do not know: there is nothing to erase."""
    return texts.NO_DATA_HERE


def _erased(turn: Turn) -> str:
    turn.partner = None  # the inbound record must not point back at the person who was erased
    return texts.DELETED
