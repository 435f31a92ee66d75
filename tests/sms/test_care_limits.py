"""Issue 11, item 4, by real signed texts: INVITE cannot probe who uses Trust Builder, invitations carry a
first name and a way out, expire, and every limit answers clearly: 3 invitations a day, one pending per
couple, one per number a week, the LINK lockout, and the hourly reply budget."""
import pytest
from sqlalchemy import select

from core.crypto import phone_digest
from core.models import Invitation, OutboundMessage, Partner
from core.services import guards, linking
from core.words import texts
from tests.sms.conftest import ALEX, SAM, count

JO, KIM, LEE = "+14155550111", "+14155550112", "+14155550113"


def partner(db, phone):
    db.expire_all()
    return db.scalar(select(Partner).where(Partner.phone_digest == phone_digest(phone)))


def test_invite_answers_the_same_for_a_new_a_registered_and_a_do_not_contact_number(text, db, clock, dispatcher,
                                                                                  gateway):
    text(JO, "JOIN Jo")  # registered
    text(KIM, "JOIN Kim")
    text(KIM, "DELETE MY DATA")
    text(KIM, "YES")  # erased: on the do-not-contact list
    dispatcher.run_until_idle()
    jo_before, kim_before = gateway.bodies_to(JO), gateway.bodies_to(KIM)  # their own joining's texts
    replies = []
    for number in (SAM, JO, KIM):
        text(ALEX, "DELETE MY DATA")  # a fresh inviter each time, so only the number differs
        text(ALEX, "YES")
        text(ALEX, "JOIN Alex")
        replies.append(text(ALEX, f"INVITE {number} Sam"))
        dispatcher.run_until_idle()

    assert replies == [texts.invite_sent("Sam")] * 3
    assert len(gateway.bodies_to(SAM)) == 1
    assert gateway.bodies_to(JO) == jo_before and gateway.bodies_to(KIM) == kim_before
    assert partner(db, JO).display_name == "Jo"  # the registered person is untouched


def test_the_invitation_says_who_what_and_how_to_refuse(text, db):
    text(ALEX, "JOIN Alex")
    text(ALEX, "INVITE 415 555 0101 Sam")

    invitation = db.scalar(select(OutboundMessage).where(OutboundMessage.kind == "invitation"))
    assert invitation.body.startswith("Alex invited you to Trust Builder, which texts couples 1 reflection")
    assert invitation.body.endswith("Don't know Alex? Reply STOP.")
    assert invitation.expires_at is not None


@pytest.mark.parametrize("body", ["INVITE 415 555 0101 Prizes at scam.io", "INVITE 415 555 0101 Sam2",
                                  "INVITE 415 555 0101 Bartholomew Maximilian", "invite Win at prizes.com 4155550101"])
def test_the_invited_name_must_be_a_first_name(text, db, body):
    text(ALEX, "JOIN Alex")

    assert text(ALEX, body) == texts.problem("bad_name", None)
    assert count(db, OutboundMessage, OutboundMessage.kind == "invitation") == 0 and partner(db, SAM) is None


def test_the_inviter_s_own_name_must_be_a_first_name_too(text, db):
    assert text(ALEX, "JOIN Prizes at scam.io") == texts.problem("bad_name", None)
    assert count(db, Partner) == 0
    assert text(ALEX, "JOIN Mary-Jo O'Neil").startswith("Welcome to Trust Builder, Mary-Jo O'Neil!")


def test_at_most_three_invitations_a_day_per_inviter(text, db, clock):
    text(ALEX, "JOIN Alex")
    numbers = ["+14155550121", "+14155550122", "+14155550123", "+14155550124"]
    replies = []
    for number in numbers:
        replies.append(text(ALEX, f"INVITE {number} Sam"))
        text(number, "STOP")  # each invitee declines, so the one-pending rule does not hide the daily cap

    assert replies[:3] == [texts.invite_sent("Sam")] * 3
    assert replies[3] == texts.problem("invite_limit", None)
    clock.advance(days=1, minutes=1)
    assert text(ALEX, "INVITE +14155550125 Sam") == texts.invite_sent("Sam")


def test_one_pending_invitation_per_couple(text, db):
    text(ALEX, "JOIN Alex")
    text(ALEX, "INVITE 415 555 0101 Sam")

    assert text(ALEX, "INVITE 415 555 0113 Lee") == texts.problem("invite_pending", None)
    assert partner(db, LEE) is None and count(db, Invitation) == 1


def test_one_invitation_to_a_number_a_week(text, db, clock, dispatcher, gateway):
    text(ALEX, "JOIN Alex")
    text(JO, "JOIN Jo")
    text(ALEX, "INVITE 415 555 0113 Lee")
    clock.advance(days=1)

    assert text(JO, "INVITE 415 555 0113 Lee") == texts.invite_sent("Lee")  # the same reply, nothing sent
    dispatcher.run_until_idle()
    assert len(gateway.bodies_to(LEE)) == 1  # only Alex's invitation reached Lee this week
    clock.advance(days=7)  # Alex's invitation has expired and the week is over
    assert text(KIM, "JOIN Kim").startswith("Welcome")
    assert text(KIM, "INVITE 415 555 0113 Lee") == texts.invite_sent("Lee")
    dispatcher.run_until_idle()
    assert len(gateway.bodies_to(LEE)) == 2


def test_an_invitation_expires_after_seven_days(text, db, clock, dispatcher, gateway):
    text(ALEX, "JOIN Alex")
    text(ALEX, "INVITE 415 555 0101 Sam")
    clock.advance(days=7, minutes=1)

    assert text(SAM, "YES") == texts.problem("no_invite", None)
    assert text(ALEX, "INVITE 415 555 0113 Lee") == texts.invite_sent("Lee")  # the expired one no longer counts
    assert partner(db, SAM) is None  # the invitee who never said YES is gone
    assert db.scalar(select(Invitation.state).order_by(Invitation.id)) == "expired"


def test_five_wrong_link_codes_lock_link_for_an_hour(text, couple, runtime, clock, tx):
    with tx() as s:
        code = linking.start_link(s, "amzn1.ask.account.OTHER", None, clock())
    wrong = [text(ALEX, "LINK 000000") for _ in range(guards.LINK_TRIES)]

    assert wrong[:4] == [texts.problem("bad_code", None)] * 4 and wrong[4] == texts.LINK_LOCKED
    assert text(ALEX, f"LINK {code}") == texts.LINK_LOCKED  # even the right code waits
    clock.advance(minutes=61)
    with tx() as s:
        fresh = linking.start_link(s, "amzn1.ask.account.OTHER", None, clock())
    assert text(ALEX, f"LINK {fresh}") == texts.LINKED


def test_the_reply_budget_stops_replies_after_the_hourly_limit_and_resumes(text, couple, db, clock):
    clock.advance(minutes=61)  # joining used some of the hour's budget
    replies = [text(ALEX, "Q") for _ in range(guards.REPLIES_PER_HOUR + 2)]
    safety = text(ALEX, "SAFETY")
    safety_again = text(ALEX, "SAFETY")

    assert all(r for r in replies[:guards.REPLIES_PER_HOUR]) and replies[guards.REPLIES_PER_HOUR:] == [None, None]
    assert safety and "911" in safety and safety_again is None  # the lines once an hour even over the budget
    assert text(SAM, "Q")  # the budget is per number
    clock.advance(minutes=61)
    assert text(ALEX, "Q").startswith("Today's question:")


def test_over_the_budget_a_text_still_does_what_it_asks(text, couple, db, clock):
    clock.advance(minutes=61)
    for _ in range(guards.REPLIES_PER_HOUR):
        text(ALEX, "Q")

    assert text(ALEX, "I felt listened to this morning") is None
    assert text(ALEX, "STOP") is None
    assert partner(db, ALEX).opted_out


def test_over_the_budget_a_refusal_is_silent_and_still_undoes_its_writes(text, db, monkeypatch):
    from core.errors import NotAllowed
    from core.services import outbox
    for _ in range(guards.REPLIES_PER_HOUR):
        text(JO, "hello")

    def refuse(*args, **kwargs):
        raise NotAllowed("cannot text", "phone_invalid")
    monkeypatch.setattr(outbox, "queue", refuse)  # after JOIN has already added Jo's couple

    assert text(JO, "JOIN Jo") is None
    assert partner(db, JO) is None


def test_the_reply_budget_counts_in_one_statement_and_keeps_its_rules(runtime, tx, clock):
    """The conditional UPDATE (and the INSERT for a new number) against the rules the locked row keeps: a
    new number's first reply, a window that starts again, a spent budget, SAFETY once an hour over it."""
    now, phone = clock(), "+14155550177"
    with tx() as s:
        assert [guards.spend_reply(s, phone, now, per_hour=2) for _ in range(3)] == [True, True, False]
        assert guards.spend_reply(s, phone, now, safety=True, per_hour=2) is True
        assert guards.spend_reply(s, phone, now, safety=True, per_hour=2) is False
    later = now + guards.REPLY_WINDOW
    with tx() as s:
        assert guards.spend_reply(s, phone, later, per_hour=2) is True  # the window starts again
        guard = guards.locked_guard(s, phone, later)
        assert (guard.replies_in_window, guard.reply_window_start, guard.safety_reply_at) == (1, later, now)
    with tx() as s:
        assert guards.spend_reply(s, phone, later, per_hour=0) is False  # no budget at all
        assert guards.spend_reply(s, "+14155550178", later, per_hour=0) is False
        assert guards.locked_guard(s, "+14155550178", later).replies_in_window == 0


def test_after_inviting_the_inviter_hears_the_same_whoever_the_number_belongs_to(text, db):
    text(JO, "JOIN Jo")  # registered: the invitation to Jo sends nothing
    heard = []
    for number in (SAM, JO):
        text(ALEX, "DELETE MY DATA")
        text(ALEX, "YES")
        text(ALEX, "JOIN Alex")
        text(ALEX, f"INVITE {number} Sam")
        heard.append([text(ALEX, body) for body in ("SHARE", "THINKING", "I felt hopeful today")])

    assert heard[0] == heard[1]
    assert heard[0][0] == heard[0][1] == texts.partner_invited("Sam")


def test_after_an_invitee_says_stop_the_inviter_may_invite_someone_else(text, db, dispatcher, gateway):
    text(ALEX, "JOIN Alex")
    text(ALEX, "INVITE 415 555 0101 Sam")
    text(SAM, "STOP")

    assert text(ALEX, "INVITE 415 555 0113 Lee") == texts.invite_sent("Lee")
    dispatcher.run_until_idle()
    assert len(gateway.bodies_to(LEE)) == 1 and partner(db, SAM) is None
