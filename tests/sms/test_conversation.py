"""Joining, inviting, consent, STOP/START, DELETE MY DATA and unknown numbers, by signed texts; then the
whole journey with the dispatcher showing what reaches each phone."""
from sqlalchemy import select

from core.crypto import phone_digest
from core.models import CheckIn, InboundMessage, Invitation, OutboundMessage, Partner, Promise
from core.services import couples
from core.words import texts
from tests.sms.conftest import ALEX, SAM, STRANGER, count, new_sid

DISCLOSURE = ("Trust Builder", "1 reflection question a day", "Msg & data rates may apply",
              "HELP for help, STOP to opt out")


def partner(db, phone) -> Partner | None:
    """The partner with this number, read fresh."""
    db.expire_all()
    return db.scalar(select(Partner).where(Partner.phone_digest == phone_digest(phone)))


def discloses(reply: str) -> bool:
    """The first text to a number names the program, what and how often, rates, HELP and STOP."""
    return all(part in reply for part in DISCLOSURE)


def test_join_starts_a_couple_with_the_settings_defaults(text, db, settings):
    reply = text(ALEX, "JOIN Alex")

    alex = partner(db, ALEX)
    assert discloses(reply) and "Welcome to Trust Builder, Alex" in reply and "7 PM" in reply
    assert (alex.display_name, alex.consent, alex.can_text) == ("Alex", "granted", True)
    assert alex.couple.timezone == settings.default_timezone == "America/Los_Angeles"
    assert (alex.couple.question_minute, alex.quiet_start, alex.quiet_end) == (19 * 60, 21, 8)
    [role_question] = db.scalars(select(OutboundMessage).where(OutboundMessage.partner_id == alex.id)).all()
    assert (role_question.kind, role_question.body) == ("role_question", texts.ROLE_ASK)  # optional, its own text


def test_join_without_a_name_asks_for_one(text, db):
    reply = text(ALEX, "JOIN")

    assert discloses(reply) and "JOIN and your first name" in reply
    assert count(db, Partner) == 0


def test_join_twice_says_already_in(text, db):
    text(ALEX, "JOIN Alex")

    assert text(ALEX, "JOIN Alexander") == texts.ALREADY_JOINED
    assert count(db, Partner) == 1


def test_invite_queues_one_invitation_that_asks_for_yes(text, db):
    text(ALEX, "JOIN Alex")

    reply = text(ALEX, "INVITE (415) 555-0101 Sam")

    sam = partner(db, SAM)
    [invitation] = db.scalars(select(OutboundMessage).where(OutboundMessage.kind == "invitation")).all()
    assert reply == texts.invite_sent("Sam")
    assert (sam.consent, sam.can_text) == ("invited", False)
    assert (invitation.kind, invitation.idempotency_key, invitation.to_phone) == (
        "invitation", f"invitation:{db.scalar(select(Invitation.id))}", SAM)
    assert "Alex invited you" in invitation.body
    assert "Reply YES to join, HELP for help" in invitation.body and "Don't know Alex? Reply STOP." in invitation.body
    assert "Msg & data rates may apply" in invitation.body and "1 reflection question a day" in invitation.body


def test_invite_mistakes_get_help_and_change_nothing(text, db):
    text(ALEX, "JOIN Alex")

    answers = {body: text(ALEX, body) for body in
               ("INVITE", "INVITE 555 0100 Sam", "INVITE 415 555 0101", "INVITE 415 555 0100 Jo")}

    assert answers["INVITE"] == texts.INVITE_HOW
    assert answers["INVITE 555 0100 Sam"] == texts.problem("invalid_phone", None)
    assert answers["INVITE 415 555 0101"] == texts.problem("missing_name", None)
    # their own number: the same reply as any number, and nothing is sent
    assert answers["INVITE 415 555 0100 Jo"] == texts.invite_sent("Jo")
    assert count(db, Partner) == 1 and count(db, OutboundMessage, OutboundMessage.kind == "invitation") == 0


def test_a_third_person_cannot_be_invited(text, couple, db):
    assert text(ALEX, "INVITE 202 555 0123 Max") == texts.problem("couple_full", None)
    assert partner(db, STRANGER) is None


def test_a_refusal_midway_undoes_the_handlers_writes(text, db, monkeypatch):
    from core.errors import NotAllowed
    from core.services import outbox
    text(ALEX, "JOIN Alex")

    def refuse(*args, **kwargs):
        raise NotAllowed("cannot text", "phone_invalid")
    monkeypatch.setattr(outbox, "queue", refuse)  # after invite_partner has already added Sam

    reply = text(ALEX, "INVITE 415 555 0101 Sam")

    assert reply == "Your partner's number can't get texts, so I can't send it."
    assert partner(db, SAM) is None and count(db, InboundMessage) == 2


def test_a_refused_text_counts_one_reply_and_a_retry_gets_the_same_refusal(text, db, monkeypatch):
    from core.errors import NotAllowed
    from core.models import PhoneGuard
    from core.services import outbox
    text(ALEX, "JOIN Alex")

    def refuse(*args, **kwargs):
        raise NotAllowed("cannot text", "phone_invalid")
    monkeypatch.setattr(outbox, "queue", refuse)
    sid = new_sid()

    first, retried = text(ALEX, "INVITE 415 555 0101 Sam", sid), text(ALEX, "INVITE 415 555 0101 Sam", sid)

    db.expire_all()
    assert first == retried == "Your partner's number can't get texts, so I can't send it."
    assert db.get(PhoneGuard, phone_digest(ALEX)).replies_in_window == 2  # JOIN and the refusal, once each
    assert partner(db, SAM) is None and count(db, InboundMessage) == 2


def test_invitee_is_only_reminded_until_yes(text, db):
    text(ALEX, "JOIN Alex")
    text(ALEX, "INVITE 415 555 0101 Sam")

    before = text(SAM, "who is this??")
    help_ = text(SAM, "HELP")
    yes = text(SAM, "yes")

    assert discloses(before) and "Alex invited you" in before
    assert help_ == texts.HELP
    assert discloses(yes) and "You and Alex" in yes
    assert partner(db, SAM).consent == "granted" and count(db, CheckIn) == 0


def test_short_yes_from_someone_already_in_is_never_an_answer(text, couple, db):
    assert text(ALEX, "YES") == texts.NOT_AN_ANSWER
    assert count(db, CheckIn) == 0


def test_unknown_number_learns_how_to_join_and_nothing_is_kept(text, couple, db):
    hello, yes, share, stop = (text(STRANGER, body) for body in ("hello", "YES", "SHARE", "STOP"))

    assert hello == texts.HOW_TO_JOIN and discloses(hello)
    assert yes == texts.NO_INVITATION and share == texts.HOW_TO_JOIN
    assert stop is None
    assert "Sam" not in hello + yes + share and "Alex" not in hello + yes + share
    assert count(db, Partner) == 2 and count(db, CheckIn) == 0
    assert count(db, InboundMessage, InboundMessage.partner_id.is_(None)) == 4


def test_stop_cancels_queued_texts_and_silences_everything_until_start(text, couple, db, dispatcher, gateway,
                                                                       clock):
    text(ALEX, "PROMISE call mom tomorrow 6pm")
    dispatcher.run_until_idle()
    gateway.sent.clear()

    stop = text(ALEX, "STOP")
    while_out = [text(ALEX, body) for body in ("my answer", "HELP", "Q", "UNDO")]
    thinking = text(SAM, "THINKING")
    clock.advance(days=2)
    dispatcher.run_until_idle()

    alex = partner(db, ALEX)
    assert stop is None and while_out == [None] * 4
    assert (alex.opted_out, alex.consent, alex.awaiting) == (True, "revoked", None)
    states = db.scalars(select(OutboundMessage.state).where(OutboundMessage.partner_id == alex.id,
                                                            OutboundMessage.promise_id.is_not(None))).all()
    assert states == ["cancelled", "cancelled"]  # the promise's reminder and follow-up
    assert thinking == "Alex isn't getting texts right now, so I can't send it."
    assert gateway.bodies_to(ALEX) == [] and count(db, CheckIn) == 0

    start = text(ALEX, "START")
    assert start == texts.welcome_back(19 * 60)
    assert partner(db, ALEX).can_text


def test_invitee_stop_cancels_the_invitation(text, db, dispatcher, gateway):
    text(ALEX, "JOIN Alex")
    text(ALEX, "INVITE 415 555 0101 Sam")

    assert text(SAM, "STOP") is None
    dispatcher.run_until_idle()

    assert gateway.bodies_to(SAM) == []
    assert db.scalar(select(OutboundMessage.state)) == "cancelled"


def test_start_when_already_on_and_start_instead_of_yes(text, db):
    text(ALEX, "JOIN Alex")
    text(ALEX, "INVITE 415 555 0101 Sam")

    assert text(ALEX, "START") == texts.ALREADY_ON
    assert text(SAM, "START") == texts.welcome_back(19 * 60)
    assert partner(db, SAM).can_text


def test_delete_asks_then_erases_on_the_same_words(text, couple, db):
    text(ALEX, "my answer")

    ask = text(ALEX, "DELETE MY DATA")
    done = text(ALEX, "delete my data")

    assert ask == texts.delete_confirm(10) and done == texts.DELETED
    assert partner(db, ALEX) is None and count(db, CheckIn) == 0
    shell = db.scalar(select(Partner).where(Partner.erased_at.is_not(None)))
    assert (shell.phone, shell.opted_out, shell.display_name) == (None, True, "Alex")  # a first name only
    assert count(db, InboundMessage, InboundMessage.partner_id == shell.id,
                 InboundMessage.reply.is_not(None)) == 0
    assert text(ALEX, "hello") == texts.HOW_TO_JOIN  # now a stranger: nothing about Sam


def test_delete_confirmed_with_yes_and_kept_with_no(text, couple, db):
    text(SAM, "DELETE MY DATA")
    text(ALEX, "DELETE MY DATA")

    assert text(SAM, "N") == texts.DELETE_CANCELLED
    assert text(ALEX, "Y") == texts.DELETED
    assert partner(db, SAM).awaiting is None and partner(db, ALEX) is None


def test_delete_confirmation_expires_after_ten_minutes(text, couple, db, clock):
    text(ALEX, "DELETE MY DATA")
    clock.advance(minutes=11)

    assert text(ALEX, "YES") == texts.NOT_AN_ANSWER
    assert partner(db, ALEX) is not None and count(db, CheckIn) == 0


def test_retried_delete_confirmation_gets_the_same_reply(text, couple, db):
    text(ALEX, "DELETE MY DATA")
    sid = new_sid()

    assert text(ALEX, "YES", sid) == text(ALEX, "YES", sid) == texts.DELETED


def test_the_whole_journey(text, db, dispatcher, gateway, clock):
    assert discloses(text(ALEX, "JOIN Alex"))
    text(ALEX, "INVITE 415 555 0101 Sam")
    dispatcher.run_until_idle()
    assert len(gateway.bodies_to(SAM)) == 1 and "Alex invited you" in gateway.bodies_to(SAM)[0]
    assert "You and Alex" in text(SAM, "YES")

    question = text(ALEX, "Q")
    assert text(SAM, "q") == question and question.startswith("Today's question: ")
    assert text(ALEX, "SHARE") == texts.share_waiting_you("Sam")
    text(ALEX, "I noticed you tried today")
    text(SAM, "I felt safer tonight")
    assert text(ALEX, "SHARE") == "Sam said: I felt safer tonight"
    assert text(SAM, "SHARE") == "Alex said: I noticed you tried today"

    assert text(ALEX, "PROMISE call mom tomorrow 6pm") == (
        "OK: call mom, tomorrow at 6 PM. I'll text you a reminder at 5:30 PM.")
    assert text(ALEX, "KEPT").startswith("Well done: you kept your promise to call mom")
    assert db.scalar(select(Promise.state)) == "kept"

    text(ALEX, "PROMISE water the plants tomorrow 9am")
    dispatcher.run_until_idle()
    gateway.sent.clear()
    assert text(ALEX, "STOP") is None
    clock.advance(days=2)
    dispatcher.run_until_idle()
    assert gateway.bodies_to(ALEX) == []  # nothing ever reached Alex after STOP
    assert text(ALEX, "START").startswith("Welcome back")
    assert count(db, CheckIn) == 2


def test_a_kept_promise_reaches_the_partner_only_when_the_promiser_says_tell(text, couple, db, dispatcher,
                                                                             gateway, clock):
    text(ALEX, "PROMISE call my mom tomorrow 6pm")
    clock.advance(days=1, hours=10)  # 7 PM the next day
    kept = text(ALEX, "DONE")
    dispatcher.run_until_idle()
    assert kept == texts.kept("call your mom", "Sam")
    assert not [body for body in gateway.bodies_to(SAM) if "kept" in body]  # nothing unless Alex asks

    assert text(ALEX, "TELL") == texts.told_partner("Sam")
    dispatcher.run_until_idle()
    assert gateway.bodies_to(SAM)[-1] == "Alex kept their promise to call their mom. Reply THANKS to let them know."
    assert text(ALEX, "TELL") == texts.problem("nothing_to_tell", "Sam")  # once

    assert text(SAM, "thanks!") == texts.thanked("Alex")
    dispatcher.run_until_idle()
    assert gateway.bodies_to(ALEX)[-1] == "Sam says thank you for keeping your promise to call your mom."
    assert text(SAM, "thank you") == texts.THANKS_NOTHING  # passed on once
    assert count(db, CheckIn) == 0  # neither THANKS nor TELL is an answer
    db.expire_all()
    assert db.scalar(select(Promise.state)) == "kept"  # Sam's thanks is never a verdict on it


def test_tell_without_a_kept_promise_and_thanks_with_nothing_waiting(text, couple, db):
    assert text(ALEX, "TELL") == texts.problem("nothing_to_tell", "Sam")
    assert text(SAM, "THANKS") == texts.THANKS_NOTHING
    text(ALEX, "PROMISE call mom tomorrow 6pm")
    text(ALEX, "MISSED")
    assert text(ALEX, "TELL") == texts.problem("nothing_to_tell", "Sam")  # only kept promises, by choice
    assert count(db, OutboundMessage, OutboundMessage.kind == "promise_thanks") == 0


def test_no_yes_no_verdict_on_a_partners_promise_exists():
    import pathlib
    root = pathlib.Path(__file__).resolve().parents[2]
    for package in ("core", "sms", "skill"):
        for path in (root / package).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            for gone in ("confirm_kept", "Did they?", "Reply Y or N", "partner_confirmed"):
                assert gone not in source, (path, gone)


def test_awaited_nudge_offer_sends_on_1_and_not_on_no(text, couple, db, clock):
    for body, expected in (("1", "Sent: Alex will know"), ("no", texts.NUDGE_DECLINED)):
        sam = partner(db, SAM)
        couples.expect_reply(sam, "nudge_offer", clock())
        db.commit()
        assert text(SAM, body).startswith(expected)

    assert count(db, OutboundMessage, OutboundMessage.kind == "thinking") == 1
    assert count(db, CheckIn) == 0 and partner(db, SAM).awaiting is None


def test_awaited_reply_that_answers_nothing_falls_through(text, couple, db, clock):
    couples.expect_reply(partner(db, SAM), "nudge_offer", clock())
    db.commit()

    assert text(SAM, "2") == texts.ASK_SAVE  # a bare number could be an answer: asked, not assumed
    assert partner(db, SAM).awaiting == "save_answer"


def test_retried_check_in_after_time_moves_on_is_still_one(text, couple, db, clock):
    sid = new_sid()
    first = text(ALEX, "an answer", sid)
    clock.advance(hours=1)

    assert text(ALEX, "an answer", sid) == first
    assert count(db, CheckIn) == 1
