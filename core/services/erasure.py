"""Leaving quietly: DELETE MY DATA removes a person's words everywhere they were copied.

`erase_person` runs couples.erase_own_data (their check-ins, promises, texts, number, Alexa ids), removes
their weekly answers, ratings, setbacks and counsellor notes and the couple's small wins, and then
what others hold of them:
- the partner's stored webhook replies that quote them (a SHARE reply, "Sam said: ...", or any reply
  holding words of theirs) are blanked;
- texts to the partner that speak of them (thinking about you, a promise to confirm, the weekly summary,
  the weekly check-in, a small win, pact news and apologies) are cancelled while queued and their bodies
  blanked once sent;
- the pact agreements they proposed (every version) and the apologies they wrote are deleted;
- their pending invitations are cancelled and the invitee who never said YES is removed;
- their number goes on the do-not-contact list, as a keyed digest, so no invitation reaches it again;
- their sign-in codes and links (and any asked for their number) and their web sessions go, and the
  couple's consents to a therapist report end (a report needs both).
Only a first name stays on the shell (`erased_at` set), so the partner hears "Sam isn't using Trust
Builder right now", never "turned texts off" or "invite your partner first".
"""
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from core.models import (CheckIn, CounsellorSuggestion, InboundMessage, OutboundMessage, PactKind, Partner, Promise,
                         ReportConsent, Setback, SmallWin, TextKind, TextState, WeeklyAnswer, WeeklyRating)
from core.services import apology, guards, invitations, pact, sign_in
from core.words import texts

#: Texts to the partner whose words come from, or are about, the person who left.
ABOUT_THE_OTHER = (TextKind.THINKING, TextKind.THINKING_AUTO, TextKind.PROMISE_THANKS, TextKind.THANKS,
                   TextKind.SETTING_CHANGED, TextKind.WEEKLY_SUMMARY, TextKind.NUDGE_OFFER,
                   TextKind.WEEKLY_CHECKIN, TextKind.SMALL_WIN,
                   *PactKind)  # pact proposals and news, apologies and the replies to them
#: The weekly ritual's rows of one person (issue 13): weekly answers, ratings, setbacks, the counsellor note.
OWN_RITUAL = (WeeklyAnswer, WeeklyRating, Setback, CounsellorSuggestion)


def erase_person(session: Session, partner: Partner, now: datetime) -> None:
    """Erase `partner` and every copy of their words; the other partner keeps their own history."""
    from core.services.couples import erase_own_data  # couples calls this module for DELETE MY DATA
    phone, name = partner.phone, partner.display_name
    for invitee_id in invitations.cancel_by(session, partner, now):
        invitations.remove_invitee(session, invitee_id, now)
    others = [p.id for p in partner.couple.partners if p.id != partner.id]
    if others:
        _blank_quoting_replies(session, partner, others)
        about = (OutboundMessage.partner_id.in_(others), OutboundMessage.kind.in_(ABOUT_THE_OTHER))
        session.execute(update(OutboundMessage).where(*about, OutboundMessage.state == TextState.QUEUED)
                        .values(state=TextState.CANCELLED, updated_at=now))
        session.execute(update(OutboundMessage).where(*about).values(body=None))
    for model in OWN_RITUAL:
        session.execute(delete(model).where(model.partner_id == partner.id))
    session.execute(delete(SmallWin).where(SmallWin.couple_id == partner.couple_id))  # about both of them
    sign_in.erase_for(session, partner, phone)
    session.execute(delete(ReportConsent).where(ReportConsent.couple_id == partner.couple_id))
    pact.erase(session, partner)  # the agreements they proposed, and their apologies (issue 13)
    apology.erase(session, partner)
    erase_own_data(session, partner, now)
    if phone:
        guards.add_do_not_contact(session, phone, now)
    partner.display_name, partner.erased_at = name, now
    session.flush()


def _blank_quoting_replies(session: Session, partner: Partner, others: list[int]) -> None:
    """Stored replies to the others that quote this person: decrypted here, once, because erasure is rare."""
    words = [w for w in session.scalars(select(CheckIn.text).where(CheckIn.partner_id == partner.id,
                                                                  CheckIn.text.is_not(None))) if w]
    words += list(session.scalars(select(Promise.text).where(Promise.promiser_id == partner.id)))
    words += list(session.scalars(select(WeeklyAnswer.text).where(WeeklyAnswer.partner_id == partner.id)))
    words += pact.words_of(session, partner) + apology.words_of(session, partner)
    quoted = texts.shared(partner.display_name, "")
    for row in session.scalars(select(InboundMessage).where(InboundMessage.partner_id.in_(others),
                                                            InboundMessage.reply.is_not(None))):
        if row.reply.startswith(quoted) or any(w in row.reply for w in words):
            row.reply = None


def former_partner(partner: Partner) -> Partner | None:
    """The other person in the couple if they erased their data (their first name is all that is left)."""
    return next((p for p in partner.couple.partners if p.id != partner.id and p.erased_at is not None), None)
