"""Issue 11, item 3, by real signed texts: DELETE MY DATA in every state (silently after STOP), erasure of
every copy of the person's words, a neutral state for the partner, and the do-not-contact list."""
from sqlalchemy import select

from core.crypto import phone_digest
from core.models import CheckIn, InboundMessage, Invitation, OutboundMessage, Partner, PhoneGuard
from core.words import texts
from tests.sms.conftest import ALEX, SAM, count, new_sid


def partner(db, phone):
    db.expire_all()
    return db.scalar(select(Partner).where(Partner.phone_digest == phone_digest(phone)))


def test_delete_after_stop_erases_at_once_without_a_reply(text, couple, db):
    text(SAM, "I felt close to you today")
    assert text(SAM, "STOP") is None

    assert text(SAM, "DELETE MY DATA") is None

    assert partner(db, SAM) is None
    assert count(db, CheckIn) == 0
    shell = db.scalar(select(Partner).where(Partner.erased_at.is_not(None)))
    assert (shell.phone, shell.display_name) == (None, "Sam")
    assert db.get(PhoneGuard, phone_digest(SAM)).do_not_contact_at is not None


def test_erasure_removes_the_words_from_the_partner_s_stored_replies_and_queued_texts(text, couple, db, dispatcher,
                                                                                      gateway, clock):
    text(SAM, "I still think about the night you left")
    text(ALEX, "I am here now")
    share_sid = new_sid()
    assert text(ALEX, "SHARE", share_sid) == texts.shared("Sam", "I still think about the night you left")
    clock.set(clock().replace(hour=6))  # 22:00 the evening before in Los Angeles: quiet hours for Alex
    text(SAM, "THINKING")  # held for Alex's quiet hours: still queued

    text(SAM, "DELETE MY DATA")
    assert text(SAM, "YES") == texts.DELETED

    db.expire_all()
    stored = db.scalar(select(InboundMessage).where(InboundMessage.message_sid == share_sid))
    assert stored.reply is None  # the SHARE reply quoted Sam
    thinking = db.scalar(select(OutboundMessage).where(OutboundMessage.kind == "thinking"))
    assert (thinking.state, thinking.body) == ("cancelled", None)
    clock.advance(hours=12)
    dispatcher.run_until_idle()
    assert not [b for b in gateway.bodies_to(ALEX) if "Sam" in b]
    assert text(ALEX, "SHARE", share_sid) is None  # a retried webhook no longer repeats Sam's words


def test_the_partner_is_left_a_neutral_state(text, couple):
    text(SAM, "DELETE MY DATA")
    text(SAM, "DELETE MY DATA")

    replies = [text(ALEX, body) for body in ("SHARE", "THINKING")]

    assert replies == [texts.partner_away("Sam")] * 2
    assert all("turned texts off" not in r and "Invite your partner" not in r for r in replies)


def test_an_erased_number_is_never_invited_again_and_the_reply_is_the_same(text, couple, db, dispatcher, gateway,
                                                                          clock):
    text(SAM, "DELETE MY DATA")
    text(SAM, "YES")
    clock.advance(days=8)  # past the one-invitation-per-number week

    reply = text(ALEX, "INVITE 415 555 0101 Sam")
    dispatcher.run_until_idle()

    assert reply == texts.invite_sent("Sam")
    assert gateway.bodies_to(SAM) == [] and partner(db, SAM) is None
    assert count(db, Invitation, Invitation.sent.is_(False)) == 1


def test_an_invitee_who_says_stop_goes_on_the_do_not_contact_list(text, db, dispatcher, gateway, clock):
    text(ALEX, "JOIN Alex")
    text(ALEX, "INVITE 415 555 0101 Sam")
    dispatcher.run_until_idle()
    assert text(SAM, "STOP") is None
    text("+14155550111", "JOIN Jo")
    clock.advance(days=8)

    assert text("+14155550111", "INVITE 415 555 0101 Sam") == texts.invite_sent("Sam")
    dispatcher.run_until_idle()

    assert len(gateway.bodies_to(SAM)) == 1  # only the first invitation, ever
    assert db.get(PhoneGuard, phone_digest(SAM)).do_not_contact_at is not None
    assert db.scalar(select(Invitation.state).order_by(Invitation.id)) == "declined"


def test_the_do_not_contact_list_holds_a_keyed_digest_not_the_number(text, couple, db):
    text(SAM, "DELETE MY DATA")
    text(SAM, "YES")

    guards = db.scalars(select(PhoneGuard)).all()
    assert guards and all(len(g.digest) == 32 for g in guards)
    assert all(SAM.encode() not in g.digest and b"5550101" not in g.digest for g in guards)


def test_delete_confirmation_anything_but_yes_cancels(text, couple, db):
    text(ALEX, "DELETE MY DATA")

    assert text(ALEX, "I changed my mind, thanks") == texts.DELETE_CANCELLED
    assert partner(db, ALEX) is not None and partner(db, ALEX).awaiting is None


def test_delete_from_an_unknown_number_says_there_is_nothing(text, db):
    assert text("+12025550177", "DELETE MY DATA") == texts.NO_DATA_HERE
    assert count(db, Partner) == 0


def test_an_invitation_is_cancelled_when_the_inviter_erases_their_data(text, db, dispatcher, gateway):
    text(ALEX, "JOIN Alex")
    text(ALEX, "INVITE 415 555 0101 Sam")
    text(ALEX, "DELETE MY DATA")
    text(ALEX, "YES")
    dispatcher.run_until_idle()

    assert gateway.bodies_to(SAM) == []
    assert partner(db, SAM) is None
    assert db.scalar(select(Invitation.state)) == "cancelled"
    assert text(SAM, "YES") == texts.NO_INVITATION
